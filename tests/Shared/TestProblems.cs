using NeuralOT.Distributions;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>Small transport problems with closed-form answers, shared by the solver tests.</summary>
internal static class TestProblems
{
    /// <summary>N(0, I) -> N((2, -1), [[1.5, 0.3], [0.3, 0.6]]): a shift, a stretch and a shear.</summary>
    public static GaussianTransport SmallGaussianPair() => new(
        GaussianDistribution.StandardNormal(2),
        new GaussianDistribution([2, -1], new double[,] { { 1.5, 0.3 }, { 0.3, 0.6 } }));

    /// <summary>The small Gaussian pair as two data files of 600 rows per side (seed 11): enough for the held-out
    /// guard to act (it holds out 60 rows and needs at least 50).</summary>
    public static (EmpiricalDistribution Source, EmpiricalDistribution Target) SmallDataPair()
    {
        var generator = new Generator(11);
        var pair = SmallGaussianPair();
        using var source = pair.Source.Sample(600, generator);
        using var target = pair.Target.Sample(600, generator);
        return (new EmpiricalDistribution(ToRows(source), "source rows"), new EmpiricalDistribution(ToRows(target), "target rows"));
    }

    /// <summary>A 2-D tensor of samples as a rows-by-coordinates array.</summary>
    public static double[,] ToRows(Tensor samples)
    {
        var values = samples.data<double>().ToArray();
        var d = (int)samples.shape[1];
        var rows = new double[values.Length / d, d];
        for (var i = 0; i < values.Length; i++) rows[i / d, i % d] = values[i];
        return rows;
    }

    /// <summary>Every parameter of the networks, flattened in order: equal arrays mean bit-identical networks.</summary>
    public static float[] Weights(IEnumerable<nn.Module> networks) =>
        networks.SelectMany(n => n.parameters()).SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    /// <summary><see cref="Weights(IEnumerable{nn.Module})"/> of every network of a result in the order the held-out
    /// guard sees them: the trained maps and critics, then the maps' running averages (which the result maps with);
    /// for a result without training state its map and critic (and reverse pair, if any).</summary>
    public static float[] Weights(TransportResult result) =>
        Weights(result.Training is { } training
            ? TransportDirection.Networks(training.Directions)
            : new nn.Module?[] { result.Map, result.Critic, result.ReverseMap, result.ReverseCritic }.OfType<nn.Module>());
}
