using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Reference;

/// <summary>The known-map pairs are exact test problems only if grad psi really is an optimal map: these tests
/// certify the construction (convexity, gradient, optimality on samples, the W2 value) without trusting it.</summary>
public class KnownMapTransportTests
{
    private static KnownMapTransport Pair(int dimension, int seed = 1) =>
        new KnownMapSpec(Seed: seed, Width: 64).CreateTransport(GaussianMixture.Random(dimension, 3, seed: dimension));

    [Theory]
    [InlineData(2, 1)]
    [InlineData(8, 2)]
    [InlineData(32, 3)]
    public void TheHessianIsPositiveDefiniteAtRandomPointsWithTheQuadraticAsItsFloor(int dimension, int seed)
    {
        using var pair = Pair(dimension, seed);
        var points = pair.Source.Sample(5, new Generator(7)).data<double>().ToArray();
        for (var p = 0; p < 5; p++)
        {
            var hessian = pair.Potential.Hessian(points.Skip(p * dimension).Take(dimension).ToArray());
            using var matrix = tensor(hessian, float64);
            Assert.True((matrix - matrix.t()).abs().max().item<double>() < 1e-9, "the Hessian is not symmetric");
            var smallest = linalg.eigvalsh(matrix).min().item<double>();
            // psi = (a/2)|x|^2 + convex, so every eigenvalue is at least a.
            Assert.True(smallest >= pair.Potential.Quadratic - 1e-9, $"smallest Hessian eigenvalue {smallest} below {pair.Potential.Quadratic}");
        }
    }

    [Fact]
    public void TheMapIsTheGradientOfThePotential()
    {
        using var pair = Pair(5);
        using var scope = NewDisposeScope();
        var x = pair.Source.Sample(20, new Generator(3));
        var gradient = pair.Map(x);
        const double h = 1e-6;
        for (var i = 0; i < 5; i++)
        {
            var step = zeros_like(x);
            step[TensorIndex.Colon, i] = h;
            var difference = (pair.Potential.Value(x + step) - pair.Potential.Value(x - step)) / (2 * h);
            Assert.True((difference - gradient[TensorIndex.Colon, i]).abs().max().item<double>() < 1e-6);
        }
    }

    [Fact]
    public void TheTargetSamplerPushesSourceDrawsThroughTheMap()
    {
        using var pair = Pair(4);
        using var scope = NewDisposeScope();
        var y = pair.Target.Sample(300, new Generator(11));
        var x = pair.Source.Sample(300, new Generator(11));
        Assert.Equal(0.0, (pair.Map(x) - y).abs().max().item<double>());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public void ExactOtOnSamplesKeepsEveryPointWithItsImage(int dimension)
    {
        // grad psi is cyclically monotone, so between the points x_i and their images T*(x_i) the identity
        // assignment is optimal: exact OT must find it, at the cost mean |T*(x_i) - x_i|^2 / 2.
        using var pair = Pair(dimension);
        using var scope = NewDisposeScope();
        var x = pair.Source.Sample(400, new Generator(5));
        var y = pair.Map(x);
        var result = ExactTransport.Solve(x, y);
        var onIdentity = (y - x).square().sum(1).mean().item<double>() / 2;
        Assert.Equal(onIdentity, result.Cost, 1e-9 * onIdentity);
        Assert.Equal(Enumerable.Range(0, 400), result.Assignment);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheMonteCarloW2AgreesWithExactOtBetweenIndependentSamplesIn2D()
    {
        using var pair = Pair(2);
        var w2 = pair.EstimateW2(200_000, new Generator(1));
        using var scope = NewDisposeScope();
        var generator = new Generator(2);
        var estimates = Enumerable.Range(0, 3)
            .Select(_ => Math.Sqrt(2 * ExactTransport.Solve(pair.Source.Sample(2000, generator), pair.Target.Sample(2000, generator)).Cost))
            .ToArray();
        // Exact OT between finite samples overestimates W2 a little (2-D, 2,000 points: a few per cent).
        Assert.InRange(estimates.Average() / w2, 0.97, 1.08);
    }

    [Fact]
    public void TheMapIsNotAffine()
    {
        // The pairs are meant to test non-linear maps: the best affine fit must leave a clear residual.
        using var pair = Pair(8);
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        var x = pair.Source.Sample(5000, generator);
        var y = pair.Map(x);
        var design = cat([x, ones(5000, 1, dtype: float64)], 1);
        var residual = design.matmul(linalg.lstsq(design, y).Solution) - y;
        var unexplained = residual.square().sum().item<double>() / (y - y.mean([0L])).square().sum().item<double>();
        Assert.True(unexplained > 0.01, $"the best affine map explains all but {unexplained:P2} of the target's variance");
    }

    [Fact]
    public void SameSeedSamePotential()
    {
        using var first = Pair(6);
        using var second = Pair(6);
        using var scope = NewDisposeScope();
        var x = first.Source.Sample(50, new Generator(4));
        Assert.Equal(0.0, (first.Map(x) - second.Map(x)).abs().max().item<double>());
    }

    [Theory]
    [InlineData("""{ "type": "random-gaussian-mixture", "dimension": 1000000 }""", "at most 2048")]
    [InlineData("""{ "type": "random-gaussian-mixture", "dimension": 2, "components": 0 }""", "components")]
    public void OversizedOrEmptyRandomMixturesAreRefusedBeforeAllocating(string source, string expected)
    {
        var config = ExperimentConfig.Parse($$"""{ "source": {{source}}, "target": { "type": "known-map" }, "cost": { "type": "quadratic" } }""");
        var error = Assert.ThrowsAny<ArgumentException>(() => config.CreateDistributions());
        Assert.Contains(expected, error.Message);
    }
}
