using System.Globalization;
using System.Text.Json;
using NeuralOT.Cli;
using NeuralOT.Tests.Reference;

namespace NeuralOT.Tests.Cli;

public sealed class DistanceCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("neuralot-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = CliApplication.InvokeAsync(arguments, output, error).GetAwaiter().GetResult();
        return (exitCode, output.ToString(), error.ToString());
    }

    private string WriteCsv(string name, double[,] points)
    {
        var path = Path.Combine(_directory.FullName, name);
        var lines = Enumerable.Range(0, points.GetLength(0)).Select(i =>
            string.Join(',', Enumerable.Range(0, points.GetLength(1)).Select(k => points[i, k].ToString("R", CultureInfo.InvariantCulture))));
        var header = string.Join(',', Enumerable.Range(0, points.GetLength(1)).Select(k => $"x{k}"));
        File.WriteAllLines(path, [header, .. lines]);
        return path;
    }

    [Fact]
    public void ExactDistancePrintsTheOptimalMeanCostAsJSON()
    {
        var fixture = OtFixture.Load("quadratic-d2-n60");
        var source = WriteCsv("a.csv", fixture.SourceArray);
        var target = WriteCsv("b.csv", fixture.TargetArray);
        var (exitCode, output, error) = Run("distance", "--source", source, "--target", target);
        Assert.True(exitCode == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(fixture.ExactCost!.Value, json.GetProperty("cost_value").GetDouble(), 1e-9 * fixture.ExactCost.Value);
        Assert.True(json.GetProperty("seconds").GetDouble() >= 0);
        Assert.Equal("exact", json.GetProperty("method").GetString());
    }

    [Fact]
    public void PowerCostAndSinkhornAreSelectable()
    {
        var fixture = OtFixture.Load("power1.5-d2-n60");
        var source = WriteCsv("a.csv", fixture.SourceArray);
        var target = WriteCsv("b.csv", fixture.TargetArray);
        var expected = fixture.Sinkhorn[0];
        var (exitCode, output, error) = Run("distance", "--source", source, "--target", target, "--cost", "power:1.5",
            "--method", "sinkhorn", "--epsilon", expected.Epsilon.ToString("R", CultureInfo.InvariantCulture));
        Assert.True(exitCode == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(expected.Cost, json.GetProperty("cost_value").GetDouble(), 1e-6 * expected.Cost);
        Assert.Equal("power:1.5", json.GetProperty("cost").GetString());
    }

    [Fact]
    public void UnequalSizesWithExactFailWithOneLineNamingSinkhorn()
    {
        var source = WriteCsv("a.csv", TestPoints.Gaussian(1, 10, 2));
        var target = WriteCsv("b.csv", TestPoints.Gaussian(2, 12, 2));
        var (exitCode, output, error) = Run("distance", "--source", source, "--target", target);
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Contains("Sinkhorn", error);
        Assert.Single(error.TrimEnd().Split('\n'));

        // Sinkhorn handles the same files.
        Assert.Equal(0, Run("distance", "--source", source, "--target", target, "--method", "sinkhorn").ExitCode);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void NonPositiveEpsilonFails(string epsilon)
    {
        var source = WriteCsv("a.csv", TestPoints.Gaussian(1, 10, 2));
        var (exitCode, _, error) = Run("distance", "--source", source, "--target", source, "--method", "sinkhorn", "--epsilon", epsilon);
        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error);
        Assert.Contains("psilon", error);
    }

    [Fact]
    public void BadFilesFailWithOneLine()
    {
        var good = WriteCsv("good.csv", TestPoints.Gaussian(1, 5, 2));
        var ragged = Path.Combine(_directory.FullName, "ragged.csv");
        File.WriteAllText(ragged, "1,2\n3\n");
        var nan = Path.Combine(_directory.FullName, "nan.csv");
        File.WriteAllText(nan, "1,2\nNaN,3\n");
        var empty = Path.Combine(_directory.FullName, "empty.csv");
        File.WriteAllText(empty, "");
        var wide = WriteCsv("wide.csv", TestPoints.Gaussian(2, 5, 3));
        foreach (var (target, expected) in new[]
                 {
                     (ragged, "row 2"), (nan, "row 2, column 1"), (empty, "no samples"),
                     (Path.Combine(_directory.FullName, "missing.csv"), "does not exist"), (wide, "dimension 3"),
                 })
        {
            var (exitCode, output, error) = Run("distance", "--source", good, "--target", target);
            Assert.Equal(1, exitCode);
            Assert.Equal("", output);
            Assert.StartsWith("error: ", error);
            Assert.Contains(expected, error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
    }

    [Fact]
    public void UnknownCostFails()
    {
        var source = WriteCsv("a.csv", TestPoints.Gaussian(1, 5, 2));
        var (exitCode, _, error) = Run("distance", "--source", source, "--target", source, "--cost", "cubic");
        Assert.Equal(1, exitCode);
        Assert.Contains("Unknown cost", error);
    }

    /// <summary>A 3-D source against a 2-D target, in either order, is refused by both methods with one line naming
    /// both files (Sinkhorn once threw IndexOutOfRange one way and silently dropped a column the other).</summary>
    [Theory]
    [InlineData("exact", true)]
    [InlineData("exact", false)]
    [InlineData("sinkhorn", true)]
    [InlineData("sinkhorn", false)]
    public void ADimensionMismatchIsRefusedInEveryMethodAndOrder(string method, bool threeDimensionalSource)
    {
        var threeD = WriteCsv("three.csv", new double[,] { { 0, 0, 0 }, { 1, 2, 3 }, { 2, 1, 0 } });
        var twoD = WriteCsv("two.csv", new double[,] { { 0, 0 }, { 1, 2 }, { 2, 1 } });
        var (source, target) = threeDimensionalSource ? (threeD, twoD) : (twoD, threeD);
        var (exitCode, output, error) = Run("distance", "--source", source, "--target", target, "--method", method);
        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Contains("same space", error);
        Assert.Contains(source, error);
        Assert.Contains(target, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    /// <summary>46,341 samples per side is the first size whose n m overflows a 32-bit int (and exceeds what one
    /// .NET array holds): refused in both methods before any allocation, saying the 8 n m bytes it needs.</summary>
    [Theory]
    [InlineData("exact")]
    [InlineData("sinkhorn")]
    public void AMatrixTooLargeForMemoryIsRefusedWithItsSize(string method)
    {
        const int n = 46_341;
        var path = Path.Combine(_directory.FullName, "big.csv");
        File.WriteAllLines(path, Enumerable.Range(0, n).Select(i => FormattableString.Invariant($"{i % 100},{i / 100}")));
        var (exitCode, _, error) = Run("distance", "--source", path, "--target", path, "--method", method);
        Assert.Equal(1, exitCode);
        Assert.Contains("46341 source x 46341 target", error);
        Assert.Contains(method == "exact" ? "17.2 GB" : "34.4 GB", error);
        Assert.DoesNotContain("Exception", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    /// <summary>Identical point sets and overflowing costs are explained as what they are, never blamed on an
    /// --epsilon the user did not give.</summary>
    [Fact]
    public void DegenerateInputsToSinkhornDoNotBlameAnEpsilonNeverGiven()
    {
        var same = WriteCsv("same.csv", new double[,] { { 1, 1 }, { 1, 1 } });
        var (exitCode, _, error) = Run("distance", "--source", same, "--target", same, "--method", "sinkhorn");
        Assert.Equal(1, exitCode);
        Assert.Contains("coincide", error);
        Assert.DoesNotContain("must be a positive", error);

        var huge = WriteCsv("huge.csv", new double[,] { { 1e200, 0 }, { 0, 1 } });
        var small = WriteCsv("small.csv", new double[,] { { 0, 0 }, { 1, 1 } });
        (exitCode, _, error) = Run("distance", "--source", huge, "--target", small, "--method", "sinkhorn");
        Assert.Equal(1, exitCode);
        Assert.Contains("source sample 1", error);
        Assert.Contains("rescale", error);
        Assert.DoesNotContain("epsilon", error);
    }
}
