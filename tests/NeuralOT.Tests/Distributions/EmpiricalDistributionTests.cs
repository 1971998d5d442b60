using NeuralOT.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Distributions;

public class EmpiricalDistributionTests
{
    private static readonly double[,] Data = { { 0, 0, 0 }, { 1, 2, 3 }, { -1, 5, 0.5 }, { 7, -7, 1 } };

    [Fact]
    public void SamplesAreRowsOfTheDataDrawnUniformly()
    {
        var empirical = new EmpiricalDistribution(Data, "four rows");
        Assert.Equal(4, empirical.Count);
        Assert.Equal(3, empirical.Dimension);
        Assert.Equal("four rows", empirical.Description);

        const int n = 100_000;
        using var samples = empirical.Sample(n, new Generator(2));
        Assert.Equal(new long[] { n, 3 }, samples.shape);
        Assert.Equal(ScalarType.Float64, samples.dtype);
        using var data = tensor(Data, ScalarType.Float64);
        // Index of the data row each sample equals (distances to the other rows are >= 1).
        using var distances = cdist(samples, data);
        var (closest, row) = distances.min(1);
        Assert.Equal(0.0, closest.max().item<double>());
        double standardError = Math.Sqrt(0.25 * 0.75 / n);
        for (int r = 0; r < 4; r++)
        {
            double share = row.eq(r).sum().item<long>() / (double)n;
            Assert.True(Math.Abs(share - 0.25) <= SampleMoments.DefaultStandardErrors * standardError, $"row {r}: share {share}");
        }
    }

    [Fact]
    public void SameSeedGivesSameSamplesAndDifferentSeedsDiffer()
    {
        var empirical = new EmpiricalDistribution(Data, "four rows");
        using var first = empirical.Sample(200, new Generator(42));
        using var again = empirical.Sample(200, new Generator(42));
        using var other = empirical.Sample(200, new Generator(43));
        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void DataSurvivesTheDisposeScopeItWasCreatedIn()
    {
        EmpiricalDistribution empirical;
        using (NewDisposeScope()) empirical = new EmpiricalDistribution(Data, "four rows");
        using var samples = empirical.Sample(10, new Generator(1));
        Assert.True(samples.isfinite().all().item<bool>());
    }

    [Fact]
    public void TheDataIsCopied()
    {
        var data = (double[,])Data.Clone();
        var empirical = new EmpiricalDistribution(data, "copy");
        data[1, 1] = 1e6;
        using var samples = empirical.Sample(1000, new Generator(3));
        Assert.True(samples.max().item<double>() <= 7);
    }

    [Fact]
    public void EmptyDataIsRejected()
    {
        var noRows = Assert.Throws<ArgumentException>("samples", () => new EmpiricalDistribution(new double[0, 2], "empty"));
        Assert.Contains("samples is empty (0 x 2)", noRows.Message);
        Assert.Throws<ArgumentException>("samples", () => new EmpiricalDistribution(new double[3, 0], "empty"));
    }

    [Fact]
    public void NonFiniteEntriesAreRejectedNamingRowAndColumn()
    {
        var data = (double[,])Data.Clone();
        data[2, 1] = double.NaN;
        var error = Assert.Throws<ArgumentException>("samples", () => new EmpiricalDistribution(data, "with NaN"));
        Assert.Contains("row 2, column 1", error.Message);
    }

    [Fact]
    public void DescriptionIsRequired()
    {
        Assert.Throws<ArgumentException>("description", () => new EmpiricalDistribution(Data, " "));
    }
}
