using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Cli;

/// <summary>
/// A small bidirectional run (a shifted Gaussian pair, affine start, 200 iterations of small networks), trained on
/// first use, once per test run: the folder whose reverse map <c>transform --reverse</c> applies.
/// </summary>
public sealed class BidirectionalRun : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly Lazy<string> run;

    public BidirectionalRun() => run = new(() =>
    {
        var config = folder.File("config.json");
        File.WriteAllText(config, """
            { "name": "bidirectional-shift",
              "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian", "mean": [2, 1], "covariance": [[1, 0.3], [0.3, 0.5]] },
              "cost": { "type": "quadratic" },
              "solver": { "iterations": 200, "seed": 1, "preconditioning": "affine",
                          "bidirectional": { "lambda": 1, "eps": 0.01 },
                          "map_network": { "width": 32, "depth": 2 }, "critic_network": { "width": 32, "depth": 2 } },
              "evaluation": { "sample_size": 200, "reference_draws": 0 } }
            """);
        var directory = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", config, "--fast", "--out", directory);
        if (code != 0) throw new InvalidOperationException(error);
        return directory;
    });

    /// <summary>The run folder.</summary>
    public string Directory => run.Value;

    public void Dispose() => folder.Dispose();
}

[Collection(TrainingCollection.Name)]
public class TransformCommandTests(FastGaussianRun run)
{
    /// <summary>The round trip through the folder: <c>sample --t T --seed S</c> moves the seed's source samples, and
    /// <c>transform</c> of those very points (written to CSV) at the same T prints the same file, byte for byte.</summary>
    [Theory]
    [InlineData("0.5")]
    [InlineData("1")]
    public void TransformOfTheSourceSamplesIsWhatSampleWrites(string t)
    {
        using var folder = new TemporaryFolder();
        var input = WriteCsv(folder.File("source.csv"), SourceSamples(300, 5), withHeader: true);
        var sampled = CliRunner.Run("sample", run.Directory, "--t", t, "--n", "300", "--seed", "5");
        Assert.True(sampled.ExitCode == 0, sampled.Error);
        var transformed = CliRunner.Run("transform", run.Directory, "--input", input, "--t", t);
        Assert.True(transformed.ExitCode == 0, transformed.Error);
        Assert.Equal(sampled.Output, transformed.Output);
    }

    /// <summary>--t 0 returns the input exactly; the default --t is 1, the map T of the folder's checkpoint; a file
    /// without a header gets x1,...; rows keep their order.</summary>
    [Fact]
    public void TimeZeroIsTheIdentityAndTimeOneIsTheMap()
    {
        using var folder = new TemporaryFolder();
        var points = SourceSamples(50, 9);
        var input = WriteCsv(folder.File("points.csv"), points, withHeader: false);

        var identity = CliRunner.Run("transform", run.Directory, "--input", input, "--t", "0");
        Assert.True(identity.ExitCode == 0, identity.Error);
        Assert.Equal(points, ReadRows(identity.Output, "x1,x2"));

        var mapped = CliRunner.Run("transform", run.Directory, "--input", input);
        Assert.True(mapped.ExitCode == 0, mapped.Error);
        using var map = RunFolder.LoadMap(run.Directory, out _);
        using var x = tensor(points, float64);
        using var expected = map.Transport(x);
        Assert.Equal(expected.data<double>().ToArray(), ReadRows(mapped.Output, "x1,x2").Cast<double>());
    }

    /// <summary>The input's header names the output's columns, and --out writes the file atomically (nothing on
    /// stdout, no temporary file left).</summary>
    [Fact]
    public void TheOutputKeepsTheInputsHeaderAndOutWritesTheFile()
    {
        using var folder = new TemporaryFolder();
        var input = folder.File("named.csv");
        File.WriteAllText(input, "lon, lat\n0.5,1\n-1,2\n");
        var output = folder.File("moved.csv");
        var (code, stdout, error) = CliRunner.Run("transform", run.Directory, "--input", input, "--t", "0.25", "--out", output);
        Assert.True(code == 0, error);
        Assert.Equal("", stdout);
        Assert.Equal(2, ReadRows(File.ReadAllText(output), "lon,lat").GetLength(0));
        Assert.Equal(["moved.csv", "named.csv"], System.IO.Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    /// <summary>Chunks change nothing but the float32 rounding of the network (whose arithmetic depends on the batch
    /// shape): the library call with 7 rows a chunk, and with one row a chunk, writes the rows of one chunk, in the
    /// same order, to within 1e-6.</summary>
    [Fact]
    public void ChunkingGivesTheSameOutputAsOneChunk()
    {
        using var folder = new TemporaryFolder();
        var input = WriteCsv(folder.File("points.csv"), SourceSamples(100, 3), withHeader: true);
        double[,] Transform(int chunk)
        {
            var text = new StringWriter();
            Assert.Equal(100, RunFolder.Transform(run.Directory, input, text, 0.7, chunkRows: chunk));
            return ReadRows(text.ToString(), "x1,x2");
        }
        var whole = Transform(1000);
        foreach (var chunk in new[] { 7, 1 })
        {
            var chunked = Transform(chunk);
            Assert.Equal(whole.GetLength(0), chunked.GetLength(0));
            var largest = whole.Cast<double>().Zip(chunked.Cast<double>(), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(largest < 1e-6, $"chunks of {chunk}: largest difference {largest:E2}");
        }
    }

    [Theory]
    [InlineData("1.5", "--t = 1.5 is outside [0, 1]")]
    [InlineData("-0.1", "--t = -0.1 is outside [0, 1]")]
    [InlineData("NaN", "--t = NaN is outside [0, 1]")]
    public void TimesOutsideTheUnitIntervalFailWithOneLine(string t, string expected)
    {
        using var folder = new TemporaryFolder();
        var input = WriteCsv(folder.File("points.csv"), SourceSamples(5, 0), withHeader: false);
        var output = folder.File("out.csv");
        AssertFails(CliRunner.Run("transform", run.Directory, "--input", input, "--t", t, "--out", output), expected);
        Assert.False(File.Exists(output));
    }

    [Theory]
    [InlineData("x,y,z\n1,2,3\n", "has 3 columns, but the run in")]
    [InlineData("1,2,3\n4,5,6\n", "has 3 columns, but the run in")]
    [InlineData("1\n2\n", "has 1 column, but the run in")]
    public void ADimensionMismatchFailsWithOneLineAndWritesNothing(string contents, string expected)
    {
        using var folder = new TemporaryFolder();
        var input = folder.File("points.csv");
        File.WriteAllText(input, contents);
        var result = CliRunner.Run("transform", run.Directory, "--input", input);
        AssertFails(result, $"--input {input} {expected}");
        Assert.Contains("give one point of 2 numbers per row", result.Error);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public void MissingFoldersInputsAndReverseMapsFailWithOneLine()
    {
        using var folder = new TemporaryFolder();
        var input = WriteCsv(folder.File("points.csv"), SourceSamples(5, 0), withHeader: false);
        AssertFails(CliRunner.Run("transform", folder.File("missing"), "--input", input), "No run folder");
        AssertFails(CliRunner.Run("transform", folder.Path, "--input", input), "not a run folder");
        AssertFails(CliRunner.Run("transform", run.Directory, "--input", folder.File("none.csv")), "--input " + folder.File("none.csv") + ": no such file");
        AssertFails(CliRunner.Run("transform", run.Directory, "--input", input, "--out", folder.File(Path.Combine("no-such-folder", "x.csv"))), "does not exist; create it first");
        var reverse = CliRunner.Run("transform", run.Directory, "--input", input, "--reverse");
        AssertFails(reverse, "has no reverse map");
        Assert.Contains("drop --reverse", reverse.Error);
        Assert.Equal("", reverse.Output);
    }

    /// <summary>A bad row after the first chunk fails the command, and --out then leaves no file at all.</summary>
    [Fact]
    public void ABadRowLeavesNoOutputFile()
    {
        using var folder = new TemporaryFolder();
        var input = folder.File("points.csv");
        File.WriteAllText(input, string.Concat(Enumerable.Repeat("1,2\n", 70_000)) + "3,oops\n");
        var output = folder.File("out.csv");
        AssertFails(CliRunner.Run("transform", run.Directory, "--input", input, "--out", output), "row 70001, column 2");
        Assert.Equal(["points.csv"], System.IO.Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    /// <summary>Ctrl+C (the command's cancellation) stops the transform with exit code 130 and leaves neither the
    /// --out file nor a temporary file.</summary>
    [Fact]
    public async Task CancellingLeavesNoFile()
    {
        using var folder = new TemporaryFolder();
        var input = WriteCsv(folder.File("points.csv"), SourceSamples(10, 0), withHeader: false);
        var output = folder.File("out.csv");
        var error = new StringWriter();
        var code = await NeuralOT.Cli.CliApplication.InvokeAsync(["transform", run.Directory, "--input", input, "--out", output],
            new StringWriter(), error, new CancellationToken(canceled: true));
        Assert.Equal(130, code);
        Assert.Contains("cancelled", error.ToString());
        Assert.Equal(["points.csv"], System.IO.Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    private double[,] SourceSamples(int count, int seed)
    {
        var source = ExperimentConfig.Load(Path.Combine(run.Directory, ExperimentRunner.ConfigFile)).Source.Create();
        using var samples = source.Sample(count, new torch.Generator((ulong)seed));
        var values = samples.data<double>().ToArray();
        var points = new double[count, 2];
        Buffer.BlockCopy(values, 0, points, 0, values.Length * sizeof(double));
        return points;
    }

    internal static string WriteCsv(string path, double[,] points, bool withHeader)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        if (withHeader) CsvSamples.WriteHeader(text, CsvSamples.DefaultColumnNames(points.GetLength(1)));
        CsvSamples.WriteRows(text, points.Cast<double>().ToArray(), points.GetLength(1));
        File.WriteAllText(path, text.ToString());
        return path;
    }

    internal static double[,] ReadRows(string csv, string header)
    {
        Assert.Equal(header, csv.Split('\n')[0]);
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("rows.csv"), csv);
        return CsvSamples.Read(folder.File("rows.csv"));
    }

    internal static void AssertFails((int ExitCode, string Output, string Error) result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}

[Collection(TrainingCollection.Name)]
public class TransformReverseTests(BidirectionalRun run)
{
    /// <summary>The reverse map of a bidirectional run approximately inverts the forward one: forward then reverse
    /// brings points back to within a small fraction of their spread; --reverse --t 0 is the identity.</summary>
    [Fact]
    public void TheReverseMapUndoesTheForwardMap()
    {
        using var folder = new TemporaryFolder();
        var generator = new torch.Generator(4);
        using var x = torch.randn(400, 2, generator: generator, dtype: float64);
        var points = new double[400, 2];
        Buffer.BlockCopy(x.data<double>().ToArray(), 0, points, 0, 800 * sizeof(double));
        var input = TransformCommandTests.WriteCsv(folder.File("x.csv"), points, withHeader: true);
        var forward = folder.File("y.csv");
        var back = folder.File("x-again.csv");
        Assert.Equal(0, CliRunner.Run("transform", run.Directory, "--input", input, "--out", forward).ExitCode);
        var (code, _, error) = CliRunner.Run("transform", run.Directory, "--input", forward, "--reverse", "--out", back);
        Assert.True(code == 0, error);

        var moved = CsvSamples.Read(forward);
        var returned = CsvSamples.Read(back);
        double displacement = 0, cycle = 0;
        for (var i = 0; i < 400; i++)
            for (var k = 0; k < 2; k++)
            {
                displacement += Math.Pow(moved[i, k] - points[i, k], 2);
                cycle += Math.Pow(returned[i, k] - points[i, k], 2);
            }
        // The map moves points by about sqrt(5) = 2.2 on average; the round trip must return them far closer.
        Assert.True(displacement / 400 > 3, $"mean squared displacement {displacement / 400:F3}");
        Assert.True(cycle / 400 < 0.01, $"mean squared cycle error {cycle / 400:F5} (displacement {displacement / 400:F3})");

        var identity = CliRunner.Run("transform", run.Directory, "--input", forward, "--reverse", "--t", "0");
        Assert.True(identity.ExitCode == 0, identity.Error);
        Assert.Equal(moved, TransformCommandTests.ReadRows(identity.Output, "x1,x2"));
    }
}
