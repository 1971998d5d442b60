using NeuralOT.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Distributions;

public class GaussianMixtureTests
{
    private const int MomentSampleCount = 200_000;

    // The mixture-10d target of ExperimentCatalogue: 4 Gaussians at +-3 e1 +-3 e2, weights 0.4/0.3/0.2/0.1, covariance 0.5 I.
    private static GaussianMixture Mixture10d()
    {
        double[][] means =
        [
            Axis(10, 3, 3), Axis(10, 3, -3), Axis(10, -3, 3), Axis(10, -3, -3),
        ];
        var covariance = GaussianDistributionTests.Identity(10);
        for (int i = 0; i < 10; i++) covariance[i, i] = 0.5;
        return new GaussianMixture([0.4, 0.3, 0.2, 0.1], means, [covariance, covariance, covariance, covariance]);
    }

    // The mixture-5d source (predecessor paper): equal weights, covariances S_a1 (nearly singular), I, S_a3.
    private static GaussianMixture Mixture5d()
    {
        double[,] sa3 =
        {
            { 3, .8, 0, -.6, 0 }, { .8, 1, .5, .5, -.3 }, { 0, .5, 1, .8, 0 }, { -.6, .5, .8, 1, 0 }, { 0, -.3, 0, 0, 1 },
        };
        return new GaussianMixture([1.0 / 3, 1.0 / 3, 1.0 / 3],
            [[-6, 2, 1, -2, 3], [-4, 4, 2, 1, 5], [-2, 5, 3, 2, 2]],
            [GaussianDistributionTests.SpecSa1, GaussianDistributionTests.Identity(5), sa3]);
    }

    private static double[] Axis(int d, double first, double second)
    {
        var vector = new double[d];
        vector[0] = first;
        vector[1] = second;
        return vector;
    }

    public static TheoryData<string> Cases => new() { "mixture-10d", "mixture-5d", "ring" };

    private static GaussianMixture Case(string name) => name switch
    {
        "mixture-10d" => Mixture10d(),
        "mixture-5d" => Mixture5d(),
        "ring" => GaussianMixture.Ring(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SamplesMatchTheExactMixtureMoments(string name)
    {
        var mixture = Case(name);
        using var samples = mixture.Sample(MomentSampleCount, new Generator(17));
        Assert.Equal(new long[] { MomentSampleCount, mixture.Dimension }, samples.shape);
        SampleMoments.AssertMatch(samples, mixture.Mean, mixture.Covariance);
    }

    [Fact]
    public void ExactMomentsFollowTheLawOfTotalCovariance()
    {
        // 1-D: 0.25 N(-1, 1) + 0.75 N(3, 2): mean 2, variance 0.25*1 + 0.75*2 + 0.25*9 + 0.75*1 = 4.75.
        var mixture = new GaussianMixture([0.25, 0.75], [[-1], [3]], [new double[,] { { 1 } }, new double[,] { { 2 } }]);
        Assert.Equal(2.0, mixture.Mean[0], 14);
        Assert.Equal(4.75, mixture.Covariance[0, 0], 14);
    }

    [Fact]
    public void ComponentsAreDrawnInProportionToTheWeights()
    {
        var mixture = Mixture10d();
        const int n = MomentSampleCount;
        using var samples = mixture.Sample(n, new Generator(23));
        // The centres are 6 apart with standard deviation 0.71, so the quadrant of (x1, x2) identifies the component.
        using var x1 = samples.select(1, 0);
        using var x2 = samples.select(1, 1);
        var weights = mixture.Weights;
        var centres = mixture.Components.Select(c => c.Mean).ToArray();
        for (int k = 0; k < weights.Length; k++)
        {
            using var inQuadrant = x1.mul(Math.Sign(centres[k][0])).gt(0).logical_and(x2.mul(Math.Sign(centres[k][1])).gt(0));
            double share = inQuadrant.sum().item<long>() / (double)n;
            double standardError = Math.Sqrt(weights[k] * (1 - weights[k]) / n);
            Assert.True(Math.Abs(share - weights[k]) <= SampleMoments.DefaultStandardErrors * standardError,
                $"component {k}: share {share}, weight {weights[k]}");
        }
    }

    [Fact]
    public void SameSeedGivesSameSamplesAndDifferentSeedsDiffer()
    {
        var mixture = Mixture5d();
        using var first = mixture.Sample(500, new Generator(42));
        using var again = mixture.Sample(500, new Generator(42));
        using var other = mixture.Sample(500, new Generator(43));
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void RingHasTheSpecDefaultsAndExactMoments()
    {
        var ring = GaussianMixture.Ring();
        Assert.Equal(2, ring.Dimension);
        Assert.Equal(8, ring.Components.Length);
        Assert.All(ring.Weights, w => Assert.Equal(0.125, w, 15));
        foreach (var component in ring.Components)
        {
            Assert.Equal(4.0, Math.Sqrt(component.Mean[0] * component.Mean[0] + component.Mean[1] * component.Mean[1]), 12);
            Assert.Equal(0.16, component.Covariance[0, 0], 15);
            Assert.Equal(0.0, component.Covariance[0, 1]);
        }
        // Centres evenly spread on the circle: mean 0, covariance (r^2 / 2 + std^2) I.
        Assert.Equal(0.0, ring.Mean[0], 12);
        Assert.Equal(0.0, ring.Mean[1], 12);
        Assert.Equal(8.16, ring.Covariance[0, 0], 12);
        Assert.Equal(8.16, ring.Covariance[1, 1], 12);
        Assert.Equal(0.0, ring.Covariance[0, 1], 12);
        Assert.Contains("8 Gaussians on a ring of radius 4", ring.Description);
    }

    [Fact]
    public void RingSamplesLieNearTheCircle()
    {
        using var samples = GaussianMixture.Ring().Sample(20_000, new Generator(3));
        using var radius = samples.norm(1);
        // Each point is within 6 standard deviations (0.4) of a centre at radius 4.
        Assert.True(radius.min().item<double>() > 4 - 6 * 0.4);
        Assert.True(radius.max().item<double>() < 4 + 6 * 0.4);
    }

    [Fact]
    public void RingParametersAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>("count", () => GaussianMixture.Ring(count: 0));
        Assert.Throws<ArgumentOutOfRangeException>("radius", () => GaussianMixture.Ring(radius: -1));
        Assert.Throws<ArgumentOutOfRangeException>("standardDeviation", () => GaussianMixture.Ring(standardDeviation: 0));
        Assert.Throws<ArgumentOutOfRangeException>("standardDeviation", () => GaussianMixture.Ring(standardDeviation: double.NaN));
    }

    private static readonly double[][] TwoMeans = [[0, 0], [1, 1]];
    private static readonly double[][,] TwoCovariances = [GaussianDistributionTests.Identity(2), GaussianDistributionTests.Identity(2)];

    [Fact]
    public void NegativeOrNonFiniteWeightsAreRejected()
    {
        var negative = Assert.Throws<ArgumentException>("weights", () => new GaussianMixture([1.2, -0.2], TwoMeans, TwoCovariances));
        Assert.Contains("weight of component 1 is -0.2", negative.Message);
        var nan = Assert.Throws<ArgumentException>("weights", () => new GaussianMixture([double.NaN, 1], TwoMeans, TwoCovariances));
        Assert.Contains("weight of component 0 is NaN", nan.Message);
    }

    [Fact]
    public void WeightsMustSumToOne()
    {
        var error = Assert.Throws<ArgumentException>("weights", () => new GaussianMixture([0.5, 0.4], TwoMeans, TwoCovariances));
        Assert.Contains("weights sum to 0.9", error.Message);
        // Within the tolerance the weights are accepted and renormalised.
        var mixture = new GaussianMixture([0.5, 0.5 + 5e-7], TwoMeans, TwoCovariances);
        Assert.Equal(1.0, mixture.Weights.Sum(), 15);
    }

    [Fact]
    public void ComponentCountsMustMatchTheWeights()
    {
        Assert.Throws<ArgumentException>("means", () => new GaussianMixture([1.0], TwoMeans, TwoCovariances[..1]));
        Assert.Throws<ArgumentException>("covariances", () => new GaussianMixture([0.5, 0.5], TwoMeans, TwoCovariances[..1]));
    }

    [Fact]
    public void ComponentsOfDifferentDimensionsAreRejectedNamingTheComponent()
    {
        var error = Assert.Throws<ArgumentException>("means",
            () => new GaussianMixture([0.5, 0.5], [[0, 0], [1, 1, 1]], [GaussianDistributionTests.Identity(2), GaussianDistributionTests.Identity(3)]));
        Assert.Contains("mean of component 1 has length 3 but component 0 has length 2", error.Message);
    }

    [Fact]
    public void InvalidComponentCovariancesAreRejectedNamingTheComponent()
    {
        var asymmetric = new[,] { { 1, 0.3 }, { 0.1, 1 } };
        var error = Assert.Throws<ArgumentException>("covariances",
            () => new GaussianMixture([0.5, 0.5], TwoMeans, [GaussianDistributionTests.Identity(2), asymmetric]));
        Assert.Contains("covariance of component 1 is not symmetric: entry [0,1] = 0.3 but [1,0] = 0.1", error.Message);

        var indefinite = new[,] { { 1.0, 0 }, { 0, -2 } };
        var indefiniteError = Assert.Throws<ArgumentException>("covariances",
            () => new GaussianMixture([0.5, 0.5], TwoMeans, [indefinite, GaussianDistributionTests.Identity(2)]));
        Assert.Contains("covariance of component 0 is not positive definite", indefiniteError.Message);

        var wrongSize = Assert.Throws<ArgumentException>("covariances",
            () => new GaussianMixture([0.5, 0.5], TwoMeans, [GaussianDistributionTests.Identity(2), GaussianDistributionTests.Identity(3)]));
        Assert.Contains("covariance of component 1 is 3 x 3 but mean of component 1 has dimension 2", wrongSize.Message);
    }
}
