using System.Globalization;
using System.Text.RegularExpressions;
using NeuralOT.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Distributions;

public class GaussianDistributionTests
{
    private const int MomentSampleCount = 200_000;

    // The mixture-5d source of ExperimentCatalogue: S_a1 is nearly singular (smallest eigenvalue 0.026).
    internal static readonly double[,] SpecSa1 =
    {
        { 1, .5, 0, .3, .8 }, { .5, 1, -.8, 0, 0 }, { 0, -.8, 2, -.5, 0 }, { .3, 0, -.5, 1, 0 }, { .8, 0, 0, 0, 2 },
    };

    internal static readonly double[,] Gaussian2dTargetCovariance = { { 1, .5 }, { .5, .5 } };

    public static TheoryData<string> Cases => new() { "gaussian-2d target", "S_a1 (nearly singular)", "condition 1e10" };

    private static GaussianDistribution Case(string name) => name switch
    {
        "gaussian-2d target" => new GaussianDistribution([3, 3], Gaussian2dTargetCovariance),
        "S_a1 (nearly singular)" => new GaussianDistribution([-6, 2, 1, -2, 3], SpecSa1),
        "condition 1e10" => new GaussianDistribution([1, -1], Rotated(1.0, 1e-10, angle: 0.3)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    // R diag(a, b) R^T for a rotation R by the angle.
    private static double[,] Rotated(double a, double b, double angle)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        return new[,]
        {
            { a * c * c + b * s * s, (a - b) * c * s },
            { (a - b) * c * s, a * s * s + b * c * c },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SamplesMatchMeanAndCovariance(string name)
    {
        var gaussian = Case(name);
        using var samples = gaussian.Sample(MomentSampleCount, new Generator(11));
        Assert.True(samples.isfinite().all().item<bool>(), "samples contain NaN or infinity");
        SampleMoments.AssertMatch(samples, gaussian.Mean, gaussian.Covariance);
    }

    [Fact]
    public void SamplesAreFloat64CpuWithShapeCountByDimension()
    {
        using var samples = Case("S_a1 (nearly singular)").Sample(7, new Generator(1));
        Assert.Equal(new long[] { 7, 5 }, samples.shape);
        Assert.Equal(ScalarType.Float64, samples.dtype);
        Assert.Equal(TorchSharp.DeviceType.CPU, samples.device_type);
    }

    [Fact]
    public void SameSeedGivesSameSamplesAndDifferentSeedsDiffer()
    {
        var gaussian = Case("gaussian-2d target");
        using var first = gaussian.Sample(1000, new Generator(42));
        using var again = gaussian.Sample(1000, new Generator(42));
        using var other = gaussian.Sample(1000, new Generator(43));
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void StandardNormalHasZeroMeanAndIdentityCovariance()
    {
        var standard = GaussianDistribution.StandardNormal(3);
        Assert.Equal(3, standard.Dimension);
        Assert.Equal(new double[3], standard.Mean);
        var covariance = standard.Covariance;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(i == j ? 1.0 : 0.0, covariance[i, j]);
        Assert.Throws<ArgumentOutOfRangeException>("dimension", () => GaussianDistribution.StandardNormal(0));
    }

    [Fact]
    public void RoundingLevelAsymmetryIsAcceptedAndSymmetrised()
    {
        var gaussian = new GaussianDistribution([0, 0], new[,] { { 2, 0.5 + 1e-13 }, { 0.5, 1 } });
        var covariance = gaussian.Covariance;
        Assert.Equal(covariance[0, 1], covariance[1, 0]);
    }

    [Fact]
    public void AccessorsReturnCopies()
    {
        var gaussian = Case("gaussian-2d target");
        gaussian.Mean[0] = 100;
        gaussian.Covariance[0, 0] = 100;
        Assert.Equal(3, gaussian.Mean[0]);
        Assert.Equal(1, gaussian.Covariance[0, 0]);
    }

    [Fact]
    public void SampleCountMustBePositive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>("count", () => Case("gaussian-2d target").Sample(0, new Generator(1)));
        Assert.Contains("positive", error.Message);
    }

    [Fact]
    public void MeanAndCovarianceOfDifferentDimensionsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>("covariance", () => new GaussianDistribution([0, 0], Identity(3)));
        Assert.Contains("covariance is 3 x 3 but mean has dimension 2", error.Message);
    }

    [Fact]
    public void NonSquareCovarianceIsRejected()
    {
        var error = Assert.Throws<ArgumentException>("covariance", () => new GaussianDistribution([0, 0], new double[2, 3]));
        Assert.Contains("not square (2 x 3)", error.Message);
    }

    [Fact]
    public void NonFiniteEntriesAreRejected()
    {
        var meanError = Assert.Throws<ArgumentException>("mean", () => new GaussianDistribution([0, double.NaN], Identity(2)));
        Assert.Contains("non-finite entry [1] = NaN", meanError.Message);
        var covariance = Identity(2);
        covariance[1, 0] = double.PositiveInfinity;
        var covarianceError = Assert.Throws<ArgumentException>("covariance", () => new GaussianDistribution([0, 0], covariance));
        Assert.Contains("non-finite entry [1,0]", covarianceError.Message);
    }

    [Fact]
    public void NonSymmetricCovarianceIsRejectedNamingBothEntries()
    {
        var error = Assert.Throws<ArgumentException>("covariance",
            () => new GaussianDistribution([0, 0], new[,] { { 1, 0.5 }, { 0.4, 1 } }));
        Assert.Contains("covariance is not symmetric: entry [0,1] = 0.5 but [1,0] = 0.4", error.Message);
    }

    [Fact]
    public void IndefiniteCovarianceIsRejectedWithItsSmallestEigenvalue()
    {
        // Eigenvalues of [[1, 2], [2, 1]] are 3 and -1.
        var error = Assert.Throws<ArgumentException>("covariance",
            () => new GaussianDistribution([0, 0], new[,] { { 1.0, 2 }, { 2, 1 } }));
        Assert.Contains("not positive definite", error.Message);
        var match = Regex.Match(error.Message, @"smallest eigenvalue is (\S+);");
        Assert.True(match.Success, error.Message);
        Assert.Equal(-1.0, double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), 1e-12);
    }

    [Fact]
    public void SingularCovarianceIsRejected()
    {
        var error = Assert.Throws<ArgumentException>("covariance",
            () => new GaussianDistribution([0, 0], new[,] { { 1.0, 1 }, { 1, 1 } }));
        Assert.Contains("not positive definite", error.Message);
    }

    internal static double[,] Identity(int d)
    {
        var identity = new double[d, d];
        for (int i = 0; i < d; i++) identity[i, i] = 1;
        return identity;
    }

    /// <summary>Figure subtitles use the description: vectors in parentheses, matrices as NumPy writes them, and a
    /// multiple of the identity as such (not Matlab's [1, 0.5; 0.5, 0.5]).</summary>
    [Fact]
    public void TheDescriptionReadsAsMathematicsNotMatlab()
    {
        Assert.Equal("Gaussian with mean (3, 3) and covariance [[1, 0.5], [0.5, 0.5]]",
            new GaussianDistribution([3, 3], new double[,] { { 1, 0.5 }, { 0.5, 0.5 } }).Description);
        Assert.Equal("Gaussian with mean (0, 0) and covariance I", GaussianDistribution.StandardNormal(2).Description);
        Assert.Equal("Gaussian with mean (1, 2, 3) and covariance 0.5 I",
            new GaussianDistribution([1, 2, 3], new double[,] { { 0.5, 0, 0 }, { 0, 0.5, 0 }, { 0, 0, 0.5 } }).Description);
        Assert.Equal("Gaussian in 10 dimensions", GaussianDistribution.StandardNormal(10).Description);
    }
}
