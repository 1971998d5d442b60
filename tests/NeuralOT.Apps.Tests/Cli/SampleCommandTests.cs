using System.Globalization;
using NeuralOT.Experiments;
using TorchSharp;

namespace NeuralOT.Tests.Cli;

/// <summary>
/// One <c>neuralot run gaussian-2d --fast --seed 1</c> (both phases, figures included) that the tests of the run
/// folder read: trained on first use, once per test run, in a temporary folder. A test that changes the folder puts
/// it back as it found it.
/// </summary>
public sealed class FastGaussianRun : IDisposable
{
    /// <summary>The seed of the run.</summary>
    public const int Seed = 1;

    private readonly TemporaryFolder folder = new();
    private readonly Lazy<(string Output, string Directory)> run;

    public FastGaussianRun() => run = new(() =>
    {
        var directory = folder.File("run");
        var (code, output, error) = CliRunner.Run("run", "gaussian-2d", "--fast", "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--out", directory);
        if (code != 0) throw new InvalidOperationException(error);
        return (output, directory);
    });

    /// <summary>The run folder.</summary>
    public string Directory => run.Value.Directory;

    /// <summary>What the run printed on standard output.</summary>
    public string Output => run.Value.Output;

    /// <summary>Copies the run folder to <paramref name="destination"/> (created; its lock file left out), for a test
    /// that edits or damages a finished run.</summary>
    /// <returns><paramref name="destination"/>.</returns>
    public string CopyTo(string destination)
    {
        System.IO.Directory.CreateDirectory(destination);
        foreach (var file in System.IO.Directory.GetFiles(Directory).Where(f => Path.GetFileName(f) != RunFolderLock.FileName))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        return destination;
    }

    public void Dispose() => folder.Dispose();
}

[Collection(TrainingCollection.Name)]
public class SampleCommandTests(FastGaussianRun run)
{
    private static readonly double[] TargetMean = [3, 3];

    /// <summary>At t = 1 the geodesic and the flow land on the target: the sample mean is within 0.15 of (3, 3) per
    /// coordinate for three sample seeds (the mean of 2,000 samples alone varies by about 0.02).</summary>
    [Theory]
    [InlineData(false, 0.15)]
    [InlineData(true, 0.15)]
    public void SamplesAtTimeOneHaveTheTargetMean(bool flow, double tolerance)
    {
        using var folder = new TemporaryFolder();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var path = folder.File($"t1-{seed}.csv");
            var args = new List<string> { "sample", run.Directory, "--t", "1", "--n", "2000", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", path };
            if (flow) args.Add("--flow");
            var (code, output, error) = CliRunner.Run(args.ToArray());
            Assert.True(code == 0, error);
            Assert.Equal("", output);
            var rows = ReadCsv(path, 2000, 2);
            for (var k = 0; k < 2; k++)
            {
                var mean = rows.Average(r => r[k]);
                Assert.True(Math.Abs(mean - TargetMean[k]) < tolerance, $"flow={flow} seed {seed}: mean of x{k} is {mean:F4}, target {TargetMean[k]}");
            }
        }
    }

    /// <summary>At t = 0 both the geodesic and the flow give exactly the source samples of the seed.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SamplesAtTimeZeroAreTheSourceSamples(bool flow)
    {
        var args = new List<string> { "sample", run.Directory, "--t", "0", "--n", "300", "--seed", "5" };
        if (flow) args.Add("--flow");
        var (code, output, error) = CliRunner.Run(args.ToArray());
        Assert.True(code == 0, error);
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("t0.csv"), output);
        var rows = ReadCsv(folder.File("t0.csv"), 300, 2);
        var source = ExperimentConfig.Load(Path.Combine(run.Directory, ExperimentRunner.ConfigFile)).Source.Create();
        using var expected = source.Sample(300, new torch.Generator(5));
        Assert.Equal(expected.data<double>().ToArray(), rows.SelectMany(r => r));
    }

    [Theory]
    [InlineData("1.5", "300", "--t = 1.5 is outside [0, 1]")]
    [InlineData("-0.1", "300", "--t = -0.1 is outside [0, 1]")]
    [InlineData("0.5", "0", "--n = 0 is invalid")]
    [InlineData("0.5", "-3", "--n = -3 is invalid")]
    public void OutOfRangeTimesAndCountsFailWithOneLine(string t, string n, string expected)
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("out.csv");
        AssertFails(CliRunner.Run("sample", run.Directory, "--t", t, "--n", n, "--out", path), expected);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void FoldersWithoutWhatSampleNeedsFailWithOneLine()
    {
        using var folder = new TemporaryFolder();
        AssertFails(CliRunner.Run("sample", folder.File("missing"), "--t", "0.5", "--n", "10"), "No run folder");
        AssertFails(CliRunner.Run("sample", folder.Path, "--t", "0.5", "--n", "10"), "not a run folder");
        AssertFails(CliRunner.Run("sample", run.Directory, "--t", "0.5", "--n", "10", "--out", folder.File(Path.Combine("no-such-folder", "x.csv"))), "does not exist");

        File.WriteAllText(folder.File("config.json"), """
            { "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian", "mean": [1, 0], "covariance": [[1, 0], [0, 1]] },
              "cost": { "type": "quadratic" }, "solver": { "iterations": 3 } }
            """);
        var phaseOneOnly = folder.File("phase-one-only");
        Assert.Equal(0, CliRunner.Run("run", folder.File("config.json"), "--fast", "--out", phaseOneOnly).ExitCode);
        AssertFails(CliRunner.Run("sample", phaseOneOnly, "--t", "0.5", "--n", "10", "--flow"), "has no phase 2");
        Assert.Equal(0, CliRunner.Run("sample", phaseOneOnly, "--t", "0.5", "--n", "10").ExitCode);
        var checkpoint = Path.Combine(phaseOneOnly, ExperimentRunner.CheckpointFile);
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[^20] ^= 0x33;
        File.WriteAllBytes(checkpoint, bytes);
        AssertFails(CliRunner.Run("sample", phaseOneOnly, "--t", "0.5", "--n", "10"), "corrupt");
    }

    private static List<double[]> ReadCsv(string path, int rows, int dimension)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal(string.Join(',', Enumerable.Range(0, dimension).Select(k => $"x{k + 1}")), lines[0]);
        Assert.Equal(rows + 1, lines.Length);
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            Assert.Equal(dimension, cells.Length);
            return cells.Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        }).ToList();
    }

    private static void AssertFails((int ExitCode, string Output, string Error) result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }
}
