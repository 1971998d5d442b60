using System.Text.Json;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class RunCommandTests(FastGaussianRun fastRun)
{
    [Fact]
    public void ListPrintsEveryExperimentWithADescription()
    {
        var (code, output, _) = CliRunner.Run("list");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ExperimentCatalogue.Names.Count, lines.Length);
        foreach (var (name, line) in ExperimentCatalogue.Names.Zip(lines))
        {
            Assert.StartsWith(name + " ", line);
            Assert.True(line.Length > name.Length + 20, $"no description on: {line}");
        }
    }

    [Fact]
    public void FastRunWritesMetricsHistoryAndTheResolvedConfig()
    {
        var outDir = fastRun.Directory;
        Assert.Contains("l2_uvp_percent", fastRun.Output);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var root = metrics.RootElement;
        foreach (var key in new[] { "experiment", "dimension", "cost", "seed", "iterations", "train_seconds", "exit_reason",
                     "l2_uvp_percent", "cosine", "w2_estimate", "w2_reference", "w2_relative_error", "geodesic_error",
                     "cost_estimate", "w_hat", "pushforward_w2", "pushforward_w2_floor", "in_sample_map_error_percent" })
            Assert.True(root.TryGetProperty(key, out _), $"metrics.json lacks {key}");
        Assert.Equal("gaussian-2d", root.GetProperty("experiment").GetString());
        Assert.Equal(FastGaussianRun.Seed, root.GetProperty("seed").GetInt32());
        Assert.Equal(ExperimentRunner.FastIterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal("iteration_budget", root.GetProperty("exit_reason").GetString());
        Assert.True(root.GetProperty("w2_relative_error").GetDouble() < 0.1);
        // The learned map lands on the target: its exact-OT distance to fresh target samples is within twice the
        // distance between two target sample sets (the noise floor), after only the fast budget.
        Assert.True(root.GetProperty("pushforward_w2").GetDouble() < 2 * root.GetProperty("pushforward_w2_floor").GetDouble());

        var history = File.ReadAllLines(Path.Combine(outDir, "history.csv"));
        Assert.Equal("iteration,critic_objective,map_objective,w_hat,seconds", history[0]);
        Assert.Equal(ExperimentRunner.FastIterations / 10 + 1, history.Length);
        Assert.All(history.Skip(1), line => Assert.Equal(5, line.Split(',').Length));

        var config = ExperimentConfig.Load(Path.Combine(outDir, "config.json"));
        Assert.Equal(ExperimentRunner.FastIterations, config.Solver.Iterations);
        Assert.Equal(FastGaussianRun.Seed, config.Solver.Seed);

        using var checkpoint = NeuralOT.Checkpoints.TransportCheckpoint.Load(Path.Combine(outDir, "checkpoint.ckpt"),
            config.Source.Create(), config.Target.Create(), config.Cost, config.Solver);
        Assert.Equal(ExperimentRunner.FastIterations, checkpoint.IterationsCompleted);
    }

    /// <summary>A fast run's config.json fed back (without --fast: the fast settings are in it) reproduces every
    /// metric exactly, the evaluation settings included.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AWrittenConfigReproducesTheRun()
    {
        using var folder = new TemporaryFolder();
        var first = folder.File("first");
        var second = folder.File("second");
        Assert.Equal(0, CliRunner.Run("run", "mixture-2d", "--fast", "--seed", "2", "--out", first).ExitCode);
        Assert.Equal(0, CliRunner.Run("run", Path.Combine(first, "config.json"), "--out", second).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(first, "config.json")), File.ReadAllText(Path.Combine(second, "config.json")));
        var expected = MetricValues(first);
        Assert.Contains("pushforward_w2", expected.Keys);
        Assert.Equal(expected, MetricValues(second));
    }

    /// <summary>Every named experiment not covered above runs in fast mode through the CLI and writes a valid folder:
    /// the metrics that apply to it (and only those), one history row per 10 iterations, and a config.json that
    /// loads back with the fast settings.</summary>
    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [InlineData("gaussian-10d", new[] { "l2_uvp_percent", "w2_reference", "pushforward_w2", "endpoint_error" }, new[] { "cost_reference", "quadratic_w2_estimate" })]
    [InlineData("mixture-2d", new[] { "w2_estimate", "pushforward_w2", "pushforward_w2_floor", "endpoint_error" }, new[] { "l2_uvp_percent", "w2_reference", "reference_method" })]
    [InlineData("mixture-5d", new[] { "w2_estimate", "pushforward_w2", "pushforward_w2_floor" }, new[] { "l2_uvp_percent", "w2_reference" })]
    [InlineData("mixture-10d", new[] { "w2_estimate", "pushforward_w2", "pushforward_w2_floor" }, new[] { "l2_uvp_percent", "w2_reference" })]
    [InlineData("power-cost-2d", new[] { "cost_estimate", "in_sample_map_error_percent", "quadratic_w2_estimate", "quadratic_pushforward_w2", "quadratic_map_difference_percent" },
        new[] { "w2_estimate", "pushforward_w2", "cost_reference", "quadratic_experiment" })]
    public void EachNamedExperimentRunsInFastMode(string name, string[] present, string[] absent)
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", name, "--fast", "--out", outDir);
        Assert.True(code == 0, error);

        var metrics = MetricValues(outDir);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
        var root = document.RootElement;
        Assert.Equal(name, root.GetProperty("experiment").GetString());
        Assert.Equal(ExperimentRunner.FastIterations, root.GetProperty("iterations").GetInt32());
        Assert.Equal("iteration_budget", root.GetProperty("exit_reason").GetString());
        foreach (var key in present) Assert.True(metrics.ContainsKey(key), $"{name}: metrics.json lacks {key}");
        foreach (var key in absent) Assert.False(root.TryGetProperty(key, out _), $"{name}: metrics.json has {key}, which does not apply");
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.Value), $"{name}: {m.Key} = {m.Value}"));

        var history = File.ReadAllLines(Path.Combine(outDir, ExperimentRunner.HistoryFile));
        Assert.Equal(TrainingHistory.CsvHeader, history[0]);
        Assert.Equal(ExperimentRunner.FastIterations / 10 + 1, history.Length);
        var config = ExperimentConfig.Load(Path.Combine(outDir, ExperimentRunner.ConfigFile));
        Assert.Equal(ExperimentRunner.FastIterations, config.Solver.Iterations);
        Assert.Equal(EvaluationOptions.FastSampleSize, config.Evaluation.SampleSize);
        Assert.Equal(0, config.Evaluation.ReferenceDraws);
        Assert.Equal(name == "power-cost-2d", config.CompareQuadratic);
    }

    /// <summary>Without a closed form, full mode measures the reference on samples: w2_reference for the quadratic
    /// cost, cost_reference for others, each with how it was computed and a relative error that matches them.</summary>
    [Theory]
    [InlineData("""{ "type": "quadratic" }""", "w2")]
    [InlineData("""{ "type": "power", "p": 1.5 }""", "cost")]
    public void TheReferenceOnSamplesIsReportedWithHowItWasComputed(string cost, string prefix)
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("config.json"), $$"""
            { "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian-mixture", "weights": [0.5, 0.5], "means": [[-2, 0], [2, 0]], "covariances": [[[0.1, 0], [0, 0.1]], [[0.1, 0], [0, 0.1]]] },
              "cost": {{cost}}, "solver": { "iterations": 20 },
              "evaluation": { "sample_size": 200, "reference_draws": 2, "reference_size": 300 } }
            """);
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", folder.File("config.json"), "--out", outDir);
        Assert.True(code == 0, error);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
        var root = document.RootElement;
        Assert.Equal("exact_ot_on_samples", root.GetProperty("reference_method").GetString());
        Assert.Equal(2, root.GetProperty("reference_draws").GetInt32());
        Assert.Equal(300, root.GetProperty("reference_sample_size").GetInt32());
        var reference = root.GetProperty(prefix + "_reference").GetDouble();
        var estimate = root.GetProperty(prefix + "_estimate").GetDouble();
        Assert.Equal(Math.Abs(estimate - reference) / reference, root.GetProperty(prefix + "_relative_error").GetDouble(), 12);
        // The map sends each half plane x1 < 0, x1 > 0 to its cluster: per coordinate, half-normal -> N(2, 0.1) and
        // N(0, 1) -> N(0, 0.1) give W2^2 about 1.44 + 0.08 + 0.47, W2 about 1.41 (exact OT on 300 samples lands a
        // little above). The 1.5-power cost lies between (W1 of the first coordinates, 1.2)^1.5 / 1.5 = 0.88 and the
        // quadratic plan's (W2^2)^0.75 / 1.5 = 1.12, plus the same upward sample bias.
        Assert.InRange(reference, prefix == "w2" ? 1.38 : 0.85, prefix == "w2" ? 1.6 : 1.3);
        Assert.False(root.TryGetProperty(prefix == "w2" ? "cost_reference" : "w2_reference", out _));
    }

    /// <summary>The guard is checked before anything is trained or written: a folder with another run's files (a stub
    /// here) is refused and left as it was; with --force the new run replaces them.</summary>
    [Fact]
    public void AnOutputFolderHoldingAnotherRunIsRefusedUnlessForced()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        Directory.CreateDirectory(outDir);
        StubRun.Write(outDir);
        var before = Directory.GetFiles(outDir).Order().Select(f => (f, File.ReadAllText(f))).ToArray();

        var (code, output, error) = CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("--force", error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.DoesNotContain("iteration", output);
        Assert.Equal(before, Directory.GetFiles(outDir).Where(f => Path.GetFileName(f) != RunFolderLock.FileName).Order().Select(f => (f, File.ReadAllText(f))));

        var (forced, _, forcedError) = CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--out", outDir, "--force");
        Assert.True(forced == 0, forcedError);
        Assert.False(StubRun.IsStub(outDir), "the new run's files replace the old run's");
    }

    [Theory]
    [InlineData("no-such-experiment", "known experiments: gaussian-2d, gaussian-10d")]
    [InlineData("missing.json", "Config file not found")]
    public void BadExperimentsFailWithOneLine(string experiment, string expected)
    {
        var (code, _, error) = CliRunner.Run("run", experiment, "--out", Path.Combine(Path.GetTempPath(), "unused-" + Guid.NewGuid()));
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    public static TheoryData<string, string> BadConfigs => new()
    {
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0, 0], "covariance": [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }, "cost": { "type": "quadratic" } }""", "dimension" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0.5], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" } }""", "not symmetric" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 2], [2, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" } }""", "positive definite" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian-mixture", "weights": [0.7, 0.7], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }, "cost": { "type": "quadratic" } }""", "sum to 1" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian-mixture", "weights": [-0.5, 1.5], "means": [[0, 0], [1, 1]], "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] }, "cost": { "type": "quadratic" } }""", "negative" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" }, "solver": { "batch_size": 0 } }""", "batch_size" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "power", "p": 1.5 }, "solver": { "preconditioning": "affine" } }""", "quadratic cost only" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" } }""", "Missing key config.target" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" }, "solver": { "iteration": 5 } }""", "iteration" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" }, "evaluation": { "sample_size": 1 } }""", "evaluation.sample_size" },
        { """{ "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" }, "compare_quadratic": true }""", "already quadratic" },
        { """{ "source": { "type": "csv", "path": "nowhere.csv" }, "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] }, "cost": { "type": "quadratic" } }""", "nowhere.csv" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void BadConfigsFailWithOneLineNamingTheProblem(string json, string expected)
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("config.json");
        File.WriteAllText(path, json);
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", path, "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains(expected, error, StringComparison.OrdinalIgnoreCase);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(outDir, "metrics.json")));
    }

    [Fact]
    public void CsvSamplesWithRaggedRowsNameTheRow()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("points.csv"), "x,y\n1,2\n3\n4,5\n");
        File.WriteAllText(folder.File("config.json"), """
            { "source": { "type": "csv", "path": "points.csv" },
              "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "cost": { "type": "quadratic" } }
            """);
        var (code, _, error) = CliRunner.Run("run", folder.File("config.json"), "--out", folder.File("run"));
        Assert.Equal(1, code);
        Assert.Contains("row 3", error);
    }

    /// <summary>A run says when evaluation starts, and that a data set with fewer rows than the evaluation's samples
    /// is drawn with replacement; then it prints in the order things happened: training, figures, metrics.</summary>
    [Fact]
    public void ARunOnFewRowsSaysTheEvaluationDrawsThemWithReplacement()
    {
        using var folder = new TemporaryFolder();
        var rows = string.Concat(Enumerable.Range(0, 50).Select(i => FormattableString.Invariant($"{Math.Sin(i)},{Math.Cos(3 * i)}\n")));
        File.WriteAllText(folder.File("points.csv"), "x1,x2\n" + rows);
        File.WriteAllText(folder.File("config.json"), """
            { "name": "few-rows", "source": { "type": "csv", "path": "points.csv" },
              "target": { "type": "gaussian", "mean": [2, 0], "covariance": [[1, 0], [0, 1]] },
              "cost": { "type": "quadratic" } }
            """);
        var (code, output, error) = CliRunner.Run("run", folder.File("config.json"), "--fast", "--iterations", "2", "--out", folder.File("run"));
        Assert.True(code == 0, error);
        Assert.Contains("note: the source has 50 rows, fewer than the 500 samples per side", output);
        Assert.DoesNotContain("note: the target", output);
        int At(string text) => output.IndexOf(text, StringComparison.Ordinal) is >= 0 and var at ? at : throw new Xunit.Sdk.XunitException($"no \"{text}\" in {output}");
        Assert.True(At("few-rows evaluating:") < At("few-rows: completed") && At("few-rows: completed") < At("figures:") && At("figures:") < At("  cost_estimate"),
            output);
    }

    /// <summary>The numeric metrics of a run folder, without the wall-clock ones.</summary>
    private static Dictionary<string, double> MetricValues(string folder)
    {
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metrics.json")));
        return metrics.RootElement.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.Number && !p.Name.EndsWith("seconds", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }
}
