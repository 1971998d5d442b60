using NeuralOT.Distributions;
using NeuralOT.Reference;

namespace NeuralOT.Tests.Solvers;

/// <summary>Small transport problems with closed-form answers, shared by the solver tests.</summary>
internal static class TestProblems
{
    /// <summary>N(0, I) -> N((2, -1), [[1.5, 0.3], [0.3, 0.6]]): a shift, a stretch and a shear.</summary>
    public static GaussianTransport SmallGaussianPair() => new(
        GaussianDistribution.StandardNormal(2),
        new GaussianDistribution([2, -1], new double[,] { { 1.5, 0.3 }, { 0.3, 0.6 } }));
}
