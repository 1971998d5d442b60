using NeuralOT.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Distributions;

public class ToyDistributionTests
{
    private const int SampleCount = 100_000;

    public static TheoryData<string> Toys => new() { "moons", "circles", "checkerboard", "spirals", "one-arm spiral", "ring" };

    private static IDistribution Toy(string name) => name switch
    {
        "moons" => new TwoMoons(),
        "circles" => new ConcentricCircles(),
        "checkerboard" => new Checkerboard(),
        "spirals" => new Spirals(),
        "one-arm spiral" => new Spirals(arms: 1),
        "ring" => GaussianMixture.Ring(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Toys))]
    public void ToysDrawFiniteFloat64PointsInThePlane(string name)
    {
        var toy = Toy(name);
        Assert.Equal(2, toy.Dimension);
        Assert.False(string.IsNullOrWhiteSpace(toy.Description));
        using var samples = toy.Sample(1000, new Generator(1));
        Assert.Equal(new long[] { 1000, 2 }, samples.shape);
        Assert.Equal(ScalarType.Float64, samples.dtype);
        Assert.True(samples.isfinite().all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Toys))]
    public void SameSeedGivesSameSamplesAndDifferentSeedsDiffer(string name)
    {
        var toy = Toy(name);
        using var first = toy.Sample(500, new Generator(42));
        using var again = toy.Sample(500, new Generator(42));
        using var other = toy.Sample(500, new Generator(43));
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other));
    }

    [Theory]
    [MemberData(nameof(Toys))]
    public void SampleCountMustBePositive(string name) =>
        Assert.Throws<ArgumentOutOfRangeException>("count", () => Toy(name).Sample(0, new Generator(1)));

    [Fact]
    public void NoiselessMoonsLieOnTheTwoHalfCirclesInEqualShares()
    {
        using var samples = new TwoMoons(noise: 0).Sample(SampleCount, new Generator(5));
        var x = samples.select(1, 0).data<double>().ToArray();
        var y = samples.select(1, 1).data<double>().ToArray();
        int upper = 0;
        for (int i = 0; i < x.Length; i++)
        {
            bool onUpper = Math.Abs(Math.Sqrt(x[i] * x[i] + y[i] * y[i]) - 1) < 1e-12 && y[i] >= -1e-12;
            bool onLower = Math.Abs(Math.Sqrt((x[i] - 1) * (x[i] - 1) + (y[i] - 0.5) * (y[i] - 0.5)) - 1) < 1e-12 && y[i] <= 0.5 + 1e-12;
            Assert.True(onUpper || onLower, $"point ({x[i]}, {y[i]}) is on neither moon");
            if (onUpper) upper++;
        }
        AssertShare(upper, x.Length, 0.5);
        // E(cos a, sin a) over a ~ U[0, pi] is (0, 2/pi), so the two moons average to (0.5, 0.25).
        AssertMeanWithinStandardErrors(samples, [0.5, 0.25]);
    }

    [Fact]
    public void NoisyMoonsKeepTheNoiselessMean()
    {
        using var samples = new TwoMoons(noise: 0.3).Sample(SampleCount, new Generator(6));
        AssertMeanWithinStandardErrors(samples, [0.5, 0.25]);
    }

    [Fact]
    public void NoiselessCirclesHaveRadiiOneAndFactorInEqualShares()
    {
        using var samples = new ConcentricCircles(factor: 0.3, noise: 0).Sample(SampleCount, new Generator(7));
        var radius = samples.norm(1).data<double>().ToArray();
        Assert.All(radius, r => Assert.True(Math.Abs(r - 1) < 1e-12 || Math.Abs(r - 0.3) < 1e-12, $"radius {r}"));
        AssertShare(radius.Count(r => Math.Abs(r - 1) < 1e-12), radius.Length, 0.5);
        AssertMeanWithinStandardErrors(samples, [0, 0]);
    }

    [Fact]
    public void CheckerboardPointsFillTheEvenCellsUniformly()
    {
        var board = new Checkerboard();
        using var samples = board.Sample(SampleCount, new Generator(9));
        var x = samples.select(1, 0).data<double>().ToArray();
        var y = samples.select(1, 1).data<double>().ToArray();
        var perCell = new int[board.CellsPerSide, board.CellsPerSide];
        for (int i = 0; i < x.Length; i++)
        {
            Assert.InRange(x[i], -board.HalfWidth, board.HalfWidth);
            Assert.InRange(y[i], -board.HalfWidth, board.HalfWidth);
            int column = (int)Math.Floor((x[i] + board.HalfWidth) / board.CellSize);
            int row = (int)Math.Floor((y[i] + board.HalfWidth) / board.CellSize);
            Assert.True(Checkerboard.IsFilled(column, row), $"point ({x[i]}, {y[i]}) is in empty cell ({column}, {row})");
            perCell[column, row]++;
        }
        Assert.Equal(2.0, board.CellSize);
        Assert.True(Checkerboard.IsFilled(0, 0));
        Assert.False(Checkerboard.IsFilled(1, 0));
        // 8 of the 16 cells are filled; each should get 1/8 of the points.
        for (int column = 0; column < board.CellsPerSide; column++)
            for (int row = 0; row < board.CellsPerSide; row++)
                if (Checkerboard.IsFilled(column, row)) AssertShare(perCell[column, row], x.Length, 1.0 / 8);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    [InlineData(3)]
    public void NoiselessSpiralPointsLieOnAnArm(int arms)
    {
        var spirals = new Spirals(arms: arms, turns: 1.5, radius: 4, noise: 0);
        using var samples = spirals.Sample(20_000, new Generator(10));
        var x = samples.select(1, 0).data<double>().ToArray();
        var y = samples.select(1, 1).data<double>().ToArray();
        var pointsPerArm = new int[arms];
        for (int i = 0; i < x.Length; i++)
        {
            double r = Math.Sqrt(x[i] * x[i] + y[i] * y[i]);
            Assert.True(r <= 4 + 1e-12, $"radius {r} beyond the arm's end");
            // On arm k the polar angle is 2 pi turns r / radius + 2 pi k / arms (mod 2 pi).
            double offset = Math.Atan2(y[i], x[i]) - 2 * Math.PI * 1.5 * r / 4;
            double armPosition = offset / (2 * Math.PI) * arms;
            double nearest = Math.Round(armPosition);
            Assert.True(Math.Abs(armPosition - nearest) < 1e-9, $"point ({x[i]}, {y[i]}) is off every arm");
            pointsPerArm[(int)(((long)nearest % arms + arms) % arms)]++;
        }
        foreach (var count in pointsPerArm) AssertShare(count, x.Length, 1.0 / arms);
    }

    [Fact]
    public void SpiralPointsSpreadEvenlyAlongTheArmLength()
    {
        // Arc length of r = c a from the centre grows like r^2, so an even spread puts r^2 / radius^2 ~ U[0, 1]:
        // a quarter of the points within half the radius.
        using var samples = new Spirals(noise: 0).Sample(SampleCount, new Generator(12));
        using var radius = samples.norm(1);
        long inner = radius.lt(2.0).sum().item<long>();
        AssertShare((int)inner, SampleCount, 0.25);
    }

    [Fact]
    public void ToyParametersAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>("noise", () => new TwoMoons(noise: -0.1));
        Assert.Throws<ArgumentOutOfRangeException>("noise", () => new TwoMoons(noise: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ConcentricCircles(factor: 1));
        Assert.Throws<ArgumentOutOfRangeException>("factor", () => new ConcentricCircles(factor: -0.5));
        Assert.Throws<ArgumentOutOfRangeException>("noise", () => new ConcentricCircles(noise: double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>("cellsPerSide", () => new Checkerboard(cellsPerSide: 0));
        Assert.Throws<ArgumentOutOfRangeException>("halfWidth", () => new Checkerboard(halfWidth: 0));
        Assert.Throws<ArgumentOutOfRangeException>("arms", () => new Spirals(arms: 0));
        Assert.Throws<ArgumentOutOfRangeException>("turns", () => new Spirals(turns: -1));
        Assert.Throws<ArgumentOutOfRangeException>("radius", () => new Spirals(radius: 0));
        var error = Assert.Throws<ArgumentOutOfRangeException>("noise", () => new Spirals(noise: -1));
        Assert.Contains("noise must be finite and non-negative, got -1", error.Message);
    }

    private static void AssertShare(int hits, int total, double probability)
    {
        double share = hits / (double)total;
        double standardError = Math.Sqrt(probability * (1 - probability) / total);
        Assert.True(Math.Abs(share - probability) <= SampleMoments.DefaultStandardErrors * standardError,
            $"share {share}, expected {probability} (standard error {standardError})");
    }

    private static void AssertMeanWithinStandardErrors(Tensor samples, double[] expected)
    {
        using var scope = NewDisposeScope();
        var mean = samples.mean(new long[] { 0 }).data<double>().ToArray();
        var standardError = samples.std(0).div(Math.Sqrt(samples.shape[0])).data<double>().ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(mean[i] - expected[i]) <= SampleMoments.DefaultStandardErrors * standardError[i],
                $"mean[{i}] = {mean[i]}, expected {expected[i]} (standard error {standardError[i]})");
    }
}
