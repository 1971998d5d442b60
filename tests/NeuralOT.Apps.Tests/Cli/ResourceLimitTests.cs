using System.Diagnostics;
using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.IO;

namespace NeuralOT.Tests.Cli;

/// <summary>Absurd sizes end in one line, within seconds, saying what the request would need; nothing is allocated
/// or written first.</summary>
public class ResourceLimitTests
{
    private const string Pair = """
        "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
        "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0.5], [0.5, 0.5]] },
        "cost": { "type": "quadratic" }
        """;

    private static void AssertRefusedQuickly(Func<(int ExitCode, string Output, string Error)> run, params string[] expected)
    {
        var watch = Stopwatch.StartNew();
        var (code, _, error) = run();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Equal(1, code);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        foreach (var text in expected) Assert.Contains(text, error);
    }

    /// <summary>A batch of 10^9 samples is refused with the memory one batch needs and the largest that fits, and no
    /// run folder is made (it once grew to 24 GB until the OOM killer ended it, leaving config.json).</summary>
    [Fact]
    public void AHugeBatchIsRefusedWithTheMemoryItNeeds()
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("big-batch.json");
        File.WriteAllText(config, $$"""{ "name": "big-batch", {{Pair}}, "solver": { "batch_size": 1000000000 } }""");
        var outDir = folder.File("run");
        AssertRefusedQuickly(() => CliRunner.Run("run", config, "--out", outDir), "solver.batch_size = 1000000000", "TB", "use at most");
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>A thread count far above the cores (10^6 once spawned 7,600 threads) is refused, naming the cores and
    /// the most accepted; the most accepted itself is fine.</summary>
    [Fact]
    public void ThreadsAreBoundedByTheCores()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        AssertRefusedQuickly(() => CliRunner.Run("run", "gaussian-2d", "--fast", "--threads", "1000000", "--out", outDir),
            "solver.threads = 1000000", $"{Environment.ProcessorCount} cores", $"at most {MachineLimits.MaxThreads}");
        Assert.False(Directory.Exists(outDir));
        Assert.Null(Record.Exception(() => (new NeuralOT.Solvers.SolverOptions { Threads = MachineLimits.MaxThreads }).Validate()));
    }

    /// <summary>A "CSV" with one endless row (/dev/zero) is refused at the row limit, naming the file, instead of
    /// reading gigabytes and failing with an allocation message.</summary>
    [Fact]
    public void AnEndlessRowIsRefusedNamingTheFile()
    {
        Assert.True(File.Exists("/dev/zero"), "this test needs /dev/zero (Linux or macOS)");
        using var folder = new TemporaryFolder();
        var good = folder.File("good.csv");
        File.WriteAllLines(good, ["x0,x1", "0,0", "1,1"]);
        AssertRefusedQuickly(() => CliRunner.Run("distance", "--source", "/dev/zero", "--target", good), "/dev/zero", "longer than", "not a CSV of samples");
    }

    /// <summary>A directory given as a CSV says it is a directory, not that it does not exist.</summary>
    [Fact]
    public void ADirectoryAsCsvSaysItIsADirectory()
    {
        using var folder = new TemporaryFolder();
        var good = folder.File("good.csv");
        File.WriteAllLines(good, ["0,0", "1,1"]);
        AssertRefusedQuickly(() => CliRunner.Run("distance", "--source", folder.Path, "--target", good), folder.Path, "is a directory");
    }

    /// <summary>A million-component mixture is refused on its weights, before the means and covariances are read
    /// (it once ran for minutes with no output).</summary>
    [Fact]
    public void AHugeMixtureIsRefusedBeforeItIsBuilt()
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("mixture.json");
        var weights = string.Join(",", Enumerable.Repeat((1e-6).ToString("R", CultureInfo.InvariantCulture), 1_000_000));
        File.WriteAllText(config, $$"""
            { "name": "huge-mixture",
              "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian-mixture", "weights": [{{weights}}], "means": [], "covariances": [] },
              "cost": { "type": "quadratic" } }
            """);
        AssertRefusedQuickly(() => CliRunner.Run("run", config, "--out", folder.File("run")), "config.target.weights", "1000000 components", $"at most {GaussianMixture.MaxComponents}");
    }
}
