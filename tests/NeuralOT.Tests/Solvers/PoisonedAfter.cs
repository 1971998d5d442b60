using NeuralOT.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>Returns NaN samples after a number of draws, as a blown-up data pipeline would.</summary>
internal sealed class PoisonedAfter(IDistribution inner, int draws) : IDistribution
{
    private int drawn;

    public int Dimension => inner.Dimension;

    public string Description => "poisoned " + inner.Description;

    public Tensor Sample(int count, Generator generator) =>
        ++drawn > draws ? full(count, Dimension, double.NaN, dtype: float64) : inner.Sample(count, generator);
}
