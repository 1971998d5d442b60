using System.Text.Json;

namespace NeuralOT.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class MnistRunTests
{
    /// <summary>A few iterations of mnist-4-8 in fast mode: every MNIST metric is written and in range (accuracy
    /// after full training is measured by runs, not here).</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AFastMnistRunWritesTheDigitMetrics()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", "mnist-4-8", "--fast", "--iterations", "4", "--out", outDir);
        Assert.True(code == 0, error);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var root = metrics.RootElement;
        Assert.Equal(784, root.GetProperty("dimension").GetInt32());
        Assert.InRange(root.GetProperty("target_class_accuracy").GetDouble(), 0, 1);
        Assert.True(root.GetProperty("classifier_test_accuracy").GetDouble() >= 0.97);
        Assert.Equal(200, root.GetProperty("sample_metric_size").GetInt32());
        var floor = root.GetProperty("pushforward_w2_floor").GetDouble();
        Assert.True(floor > 0 && root.GetProperty("pushforward_w2").GetDouble() > 0);
        Assert.True(root.GetProperty("w_hat").GetDouble() > 0);
        Assert.False(root.TryGetProperty("endpoint_error", out _), "MNIST runs train no velocity field");
        foreach (var figure in new[] { "digit_geodesic.html", "digit_neighbours.html" })
            Assert.Contains("\"type\":\"heatmap\"", File.ReadAllText(Path.Combine(outDir, figure)));
    }

    /// <summary>A zero-iteration run still writes valid JSON: its untrained critic gives a negative dual cost
    /// estimate here (seed 0, no preconditioning), for which no W2 exists, so w2_estimate is null rather than a NaN
    /// that JSON cannot hold (the write used to fail and leave no metrics.json).</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AZeroIterationRunWritesValidMetricsWithAnUndefinedW2AsNull()
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("config.json");
        File.WriteAllText(config, """
            { "source": { "type": "mnist", "digit": 0, "noise": 0.01 }, "target": { "type": "mnist", "digit": 1, "noise": 0.01 },
              "cost": { "type": "quadratic" },
              "solver": { "iterations": 0, "batch_size": 256, "seed": 0, "preconditioning": "none", "map_network": { "width": 512, "depth": 2 },
                          "critic_network": { "width": 512, "depth": 2 } } }
            """);
        var outDir = folder.File("run");
        var (code, output, error) = CliRunner.Run("run", config, "--fast", "--out", outDir);
        Assert.True(code == 0, error);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var root = metrics.RootElement;
        var costEstimate = root.GetProperty("cost_estimate").GetDouble();
        Assert.True(costEstimate < 0, $"the seed-0 untrained critic gave cost_estimate {costEstimate}; the test needs a negative one");
        Assert.Equal(JsonValueKind.Null, root.GetProperty("w2_estimate").ValueKind);
        Assert.Contains("w2_estimate undefined for this run", output);
    }

    /// <summary>Both directions on request: a bidirectional config also judges the reverse map on the target
    /// digit's test images.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void ABidirectionalMnistRunJudgesBothDirections()
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("config.json");
        File.WriteAllText(config, """
            { "source": { "type": "mnist", "digit": 6 }, "target": { "type": "mnist", "digit": 9 },
              "cost": { "type": "quadratic" },
              "solver": { "iterations": 3, "batch_size": 64, "map_network": { "width": 64, "depth": 1 },
                          "critic_network": { "width": 64, "depth": 1 }, "bidirectional": { "lambda": 1, "eps": 0.01 } } }
            """);
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", config, "--fast", "--out", outDir);
        Assert.True(code == 0, error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.InRange(metrics.RootElement.GetProperty("target_class_accuracy").GetDouble(), 0, 1);
        Assert.InRange(metrics.RootElement.GetProperty("target_class_accuracy_reverse").GetDouble(), 0, 1);
    }

    [Theory]
    [InlineData("\"digit\": 12", "config.source.digit = 12 is invalid: it is not a digit; use 0-9")]
    [InlineData("\"digit\": 4, \"split\": \"validation\"", "config.source.split = \"validation\" is invalid")]
    [InlineData("\"digit\": 4, \"noise\": -0.1", "config.source.noise = -0.1 is invalid")]
    [InlineData("\"digit\": 4, \"colour\": 1", "Unknown key config.source.colour")]
    [InlineData("\"digit\": 4, \"path\": \"missing/mnist-digits.bin.gz\"", "make_mnist.py")]
    public void BadMnistConfigsFailWithOneLineNamingTheKey(string sourceFields, string expected)
    {
        using var folder = new TemporaryFolder();
        var config = folder.File("config.json");
        File.WriteAllText(config, $$"""
            { "source": { "type": "mnist", {{sourceFields}} }, "target": { "type": "mnist", "digit": 8 },
              "cost": { "type": "quadratic" } }
            """);
        var (code, _, error) = CliRunner.Run("run", config, "--out", folder.File("run"));
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(folder.File("run"), "metrics.json")));
    }
}
