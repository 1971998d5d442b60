using NeuralOT.Distributions;
using NeuralOT.Reference;
using NeuralOT.Tests.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Reference;

public class GaussianTransportTests
{
    // Agreement with an independent implementation (POT + scipy): both are backward-stable float64 computations.
    private const double ReferenceTolerance = 1e-8;

    // Exact identities evaluated in float64 on matrices with condition number up to ~5e3.
    private const double IdentityTolerance = 1e-10;

    public static TheoryData<string> PairNames => GaussianFixtures.Names;

    private static GaussianTransport Transport(GaussianPairFixture pair) =>
        new(new GaussianDistribution(pair.Mean0, pair.Cov0), new GaussianDistribution(pair.Mean1, pair.Cov1));

    private static Tensor Matrix(double[,] matrix) => tensor(matrix, ScalarType.Float64);

    private static double RelativeError(Tensor actual, Tensor expected) =>
        actual.sub(expected).norm().item<double>() / expected.norm().item<double>();

    [Theory]
    [MemberData(nameof(PairNames))]
    public void MapMatrixAndDistanceAgreeWithPOT(string name)
    {
        var pair = GaussianFixtures.Named(name);
        var transport = Transport(pair);
        using var scope = NewDisposeScope();
        double mapError = RelativeError(Matrix(transport.MapMatrix), Matrix(pair.MapMatrix));
        Assert.True(mapError <= ReferenceTolerance, $"relative error of A = {mapError}");
        Assert.True(Math.Abs(transport.W2 - pair.W2) <= ReferenceTolerance * pair.W2, $"W2 = {transport.W2}, POT fixture {pair.W2}");
        Assert.Equal(transport.W2 * transport.W2, transport.W2Squared, 12);
        double bures = GaussianTransport.BuresWasserstein(pair.Mean0, pair.Cov0, pair.Mean1, pair.Cov1);
        Assert.True(Math.Abs(bures - pair.W2) <= ReferenceTolerance * pair.W2, $"BuresWasserstein = {bures}, POT fixture {pair.W2}");
        Assert.True(Math.Abs(bures - transport.W2) <= 1e-12 * transport.W2, $"BuresWasserstein = {bures}, W2 = {transport.W2}");
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void MapAgreesWithPOTOnPoints(string name)
    {
        var pair = GaussianFixtures.Named(name);
        var transport = Transport(pair);
        using var scope = NewDisposeScope();
        var x = transport.Source.Sample(64, new Generator(5));
        var expected = x.matmul(Matrix(pair.MapMatrix)).add(tensor(pair.MapOffset, ScalarType.Float64));
        double error = RelativeError(transport.Map(x), expected);
        Assert.True(error <= ReferenceTolerance, $"relative error of T(x) = {error}");
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void MapMatrixIsSymmetricPositiveDefiniteAndCarriesSourceCovarianceToTarget(string name)
    {
        var pair = GaussianFixtures.Named(name);
        var transport = Transport(pair);
        using var scope = NewDisposeScope();
        var a = Matrix(transport.MapMatrix);
        Assert.True(a.equal(a.mT).all().item<bool>(), "A is not symmetric");
        Assert.True(linalg.eigvalsh(a).min().item<double>() > 0, "A is not positive definite");
        var pushedCovariance = a.matmul(Matrix(transport.Source.Covariance)).matmul(a);
        double error = RelativeError(pushedCovariance, Matrix(transport.Target.Covariance));
        Assert.True(error <= IdentityTolerance, $"relative error of A S0 A - S1 = {error}");
        // T* is affine, so the pushed-forward mean is T*(m0), which must be m1.
        var mappedMean = transport.Map(tensor(transport.Source.Mean, ScalarType.Float64).unsqueeze(0)).squeeze(0);
        var targetMean = tensor(transport.Target.Mean, ScalarType.Float64);
        Assert.True(mappedMean.allclose(targetMean, rtol: 1e-14, atol: 1e-14), "T*(m0) differs from m1");
    }

    [Theory]
    [InlineData("2d-gaussian-2d-experiment")]
    [InlineData("5d-spec-a1-to-b1")]
    [InlineData("10d-random")]
    public void PushforwardOfSourceSamplesHasTargetMoments(string name)
    {
        var transport = Transport(GaussianFixtures.Named(name));
        using var scope = NewDisposeScope();
        var mapped = transport.Map(transport.Source.Sample(200_000, new Generator(3)));
        SampleMoments.AssertMatch(mapped, transport.Target.Mean, transport.Target.Covariance);
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void MarginalsAtTimesZeroAndOneAreSourceAndTarget(string name)
    {
        var transport = Transport(GaussianFixtures.Named(name));
        AssertSameGaussian(transport.Source, transport.Marginal(0));
        AssertSameGaussian(transport.Target, transport.Marginal(1));
    }

    [Fact]
    public void InterpolatedSourceSamplesHaveTheMarginalMoments()
    {
        var transport = Transport(GaussianFixtures.Named("5d-spec-a1-to-b1"));
        using var scope = NewDisposeScope();
        var marginal = transport.Marginal(0.3);
        var interpolated = transport.Interpolate(transport.Source.Sample(200_000, new Generator(8)), 0.3);
        SampleMoments.AssertMatch(interpolated, marginal.Mean, marginal.Covariance);
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void GeodesicHasConstantSpeed(string name)
    {
        var transport = Transport(GaussianFixtures.Named(name));
        foreach (var (s, t) in new[] { (0.0, 0.25), (0.25, 0.75), (0.4, 1.0), (0.0, 1.0) })
        {
            var early = transport.Marginal(s);
            var late = transport.Marginal(t);
            double distance = GaussianTransport.BuresWasserstein(early.Mean, early.Covariance, late.Mean, late.Covariance);
            double expected = (t - s) * transport.W2;
            Assert.True(Math.Abs(distance - expected) <= ReferenceTolerance * expected,
                $"W2(mu_{s}, mu_{t}) = {distance}, expected {expected}");
        }
    }

    [Theory]
    [MemberData(nameof(PairNames))]
    public void VelocityAlongEachStraightPathIsItsDisplacement(string name)
    {
        var transport = Transport(GaussianFixtures.Named(name));
        using var scope = NewDisposeScope();
        var x = transport.Source.Sample(256, new Generator(21));
        var displacement = transport.Map(x).sub(x);
        foreach (double t in new[] { 0.0, 0.1, 0.5, 0.9, 1.0 })
        {
            var velocity = transport.Velocity(transport.Interpolate(x, t), t);
            double error = RelativeError(velocity, displacement);
            Assert.True(error <= IdentityTolerance, $"t = {t}: relative error of v*(T_t(x), t) - (T(x) - x) = {error}");
        }
    }

    [Fact]
    public void VelocityWithATimePerRowMatchesTheScalarTimeVersion()
    {
        var transport = Transport(GaussianFixtures.Named("5d-spec-a1-to-b1"));
        using var scope = NewDisposeScope();
        var x = transport.Source.Sample(40, new Generator(2));
        var times = rand(new long[] { 40 }, ScalarType.Float64, generator: new Generator(4));
        var rowByRow = cat(Enumerable.Range(0, 40)
            .Select(i => transport.Velocity(x[i].unsqueeze(0), times[i].item<double>())).ToList(), 0);
        Assert.True(transport.Velocity(x, times).allclose(rowByRow, rtol: 1e-12, atol: 1e-12));
        Assert.True(transport.Velocity(x, times.unsqueeze(1)).allclose(rowByRow, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void OutputsKeepTheDtypeOfTheInput()
    {
        var transport = Transport(GaussianFixtures.Named("2d-both-correlated"));
        using var scope = NewDisposeScope();
        var x64 = transport.Source.Sample(10, new Generator(1));
        var x32 = x64.to(ScalarType.Float32);
        Assert.Equal(ScalarType.Float32, transport.Map(x32).dtype);
        Assert.Equal(ScalarType.Float32, transport.Interpolate(x32, 0.5).dtype);
        Assert.Equal(ScalarType.Float32, transport.Velocity(x32, 0.5).dtype);
        Assert.Equal(ScalarType.Float32, transport.Velocity(x32, full(10, 0.5, ScalarType.Float64)).dtype);
        Assert.True(transport.Map(x32).allclose(transport.Map(x64).to(ScalarType.Float32), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void IdenticalGaussiansHaveDistanceZeroAndTheIdentityMap()
    {
        var pair = GaussianFixtures.Named("5d-spec-a1-to-b1");
        var gaussian = new GaussianDistribution(pair.Mean0, pair.Cov0);
        var transport = new GaussianTransport(gaussian, gaussian);
        using var scope = NewDisposeScope();
        Assert.True(transport.W2 < 1e-6, $"W2 = {transport.W2}");
        Assert.False(double.IsNaN(transport.W2));
        Assert.True(Matrix(transport.MapMatrix).allclose(eye(5, dtype: ScalarType.Float64), rtol: 0, atol: 1e-10));
    }

    [Fact]
    public void GaussiansOfDifferentDimensionsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>("target",
            () => new GaussianTransport(GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(3)));
        Assert.Contains("target has dimension 3 but source has dimension 2", error.Message);
    }

    [Fact]
    public void TimesOutsideTheUnitIntervalAreRejected()
    {
        var transport = Transport(GaussianFixtures.Named("2d-gaussian-2d-experiment"));
        using var scope = NewDisposeScope();
        var x = transport.Source.Sample(3, new Generator(1));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Marginal(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Marginal(1.5));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Marginal(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Interpolate(x, 2));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Velocity(x, -1));
        Assert.Throws<ArgumentOutOfRangeException>("t", () => transport.Velocity(x, tensor(new[] { 0.5, 1.2, 0.1 })));
    }

    [Fact]
    public void PointsAndTimesOfTheWrongShapeAreRejected()
    {
        var transport = Transport(GaussianFixtures.Named("2d-gaussian-2d-experiment"));
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>("x", () => transport.Map(zeros(4, 3, ScalarType.Float64)));
        Assert.Contains("pass an n x 2 tensor", error.Message);
        Assert.Throws<ArgumentException>("x", () => transport.Map(zeros(4, ScalarType.Float64)));
        Assert.Throws<ArgumentException>("x", () => transport.Map(zeros(4, 2, ScalarType.Int64)));
        Assert.Throws<ArgumentException>("t", () => transport.Velocity(zeros(4, 2, ScalarType.Float64), zeros(3, ScalarType.Float64)));
    }

    [Fact]
    public void BuresWassersteinValidatesItsInputs()
    {
        double[,] identity = GaussianDistributionTests.Identity(2);
        var asymmetric = new[,] { { 1, 0.3 }, { 0.2, 1 } };
        var error = Assert.Throws<ArgumentException>("cov1", () => GaussianTransport.BuresWasserstein([0, 0], identity, [0, 0], asymmetric));
        Assert.Contains("not symmetric", error.Message);
        Assert.Throws<ArgumentException>("mean1",
            () => GaussianTransport.BuresWasserstein([0, 0], identity, [0, 0, 0], GaussianDistributionTests.Identity(3)));
    }

    [Fact]
    public void BuresWassersteinAcceptsSingularCovariances()
    {
        // Point masses: only the means count.
        Assert.Equal(5.0, GaussianTransport.BuresWasserstein([0, 0], new double[2, 2], [3, 4], new double[2, 2]), 14);
        // N(0, diag(1, 0)) to N(0, diag(0, 1)): W2^2 = tr(S0) + tr(S1) - 2 tr((S0^1/2 S1 S0^1/2)^1/2) = 1 + 1 - 0.
        var horizontal = new[,] { { 1.0, 0 }, { 0, 0 } };
        var vertical = new[,] { { 0.0, 0 }, { 0, 1 } };
        Assert.Equal(Math.Sqrt(2), GaussianTransport.BuresWasserstein([0, 0], horizontal, [0, 0], vertical), 14);
        // Rank-one empirical covariance whose zero eigenvalue rounds slightly negative.
        var rankOne = new[,] { { 1.0, 1.0 / 3 }, { 1.0 / 3, 1.0 / 9 } };
        Assert.Equal(Math.Sqrt(1 + 1.0 / 9), GaussianTransport.BuresWasserstein([0, 0], rankOne, [0, 0], new double[2, 2]), 14);
    }

    [Fact]
    public void BuresWassersteinRejectsIndefiniteCovariances()
    {
        var error = Assert.Throws<ArgumentException>("cov0",
            () => GaussianTransport.BuresWasserstein([0, 0], new[,] { { 1.0, 0 }, { 0, -1e-6 } }, [0, 0], GaussianDistributionTests.Identity(2)));
        Assert.Contains("cov0 is not positive semi-definite: its smallest eigenvalue is -1E-06", error.Message);
    }

    private static void AssertSameGaussian(GaussianDistribution expected, GaussianDistribution actual)
    {
        using var scope = NewDisposeScope();
        double meanError = RelativeError(tensor(actual.Mean), tensor(expected.Mean).add(0.0));
        double covarianceError = RelativeError(Matrix(actual.Covariance), Matrix(expected.Covariance));
        Assert.True(meanError <= IdentityTolerance || expected.Mean.All(v => v == 0) && actual.Mean.All(v => Math.Abs(v) <= IdentityTolerance),
            $"mean relative error {meanError}");
        Assert.True(covarianceError <= IdentityTolerance, $"covariance relative error {covarianceError}");
    }
}
