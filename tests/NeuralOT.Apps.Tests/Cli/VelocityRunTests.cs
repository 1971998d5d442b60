using System.Text.Json;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class VelocityRunTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void AFastVelocityRunWritesThePhaseTwoHistoryAndMetrics()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var (code, output, error) = CliRunner.Run("run", "velocity-2d", "--fast", "--out", outDir, "--seed", "2");
        Assert.True(code == 0, error);
        Assert.Contains("velocity_relative_error", output);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
        var root = metrics.RootElement;
        foreach (var key in new[] { "velocity_relative_error", "kinetic_energy_gap", "endpoint_error", "velocity_train_seconds",
                     "velocity_iterations", "velocity_exit_reason", "velocity_supervision", "l2_uvp_percent" })
            Assert.True(root.TryGetProperty(key, out _), $"metrics.json lacks {key}");
        Assert.Equal(ExperimentRunner.FastIterations, root.GetProperty("velocity_iterations").GetInt32());
        Assert.Equal("map", root.GetProperty("velocity_supervision").GetString());
        Assert.Equal("iteration_budget", root.GetProperty("velocity_exit_reason").GetString());
        Assert.True(root.GetProperty("endpoint_error").GetDouble() < 1, "the flow ended nowhere near the map");

        var history = File.ReadAllLines(Path.Combine(outDir, ExperimentRunner.VelocityHistoryFile));
        Assert.Equal("iteration,loss,seconds", history[0]);
        Assert.Equal(ExperimentRunner.FastIterations / 10 + 1, history.Length);
        Assert.All(history.Skip(1), line => Assert.Equal(3, line.Split(',').Length));

        var config = ExperimentConfig.Load(Path.Combine(outDir, ExperimentRunner.ConfigFile));
        Assert.Equal(2, config.Velocity!.Options.Seed);
        Assert.Equal(ExperimentRunner.FastIterations, config.Velocity.Options.Iterations);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void WithoutAClosedFormOnlyTheEndPointErrorIsReported()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("config.json"), """
            { "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "ring" },
              "cost": { "type": "quadratic" },
              "solver": { "iterations": 30 },
              "velocity": { "iterations": 30, "integrator": "euler", "steps": 4 } }
            """);
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", folder.File("config.json"), "--fast", "--out", outDir);
        Assert.True(code == 0, error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
        var root = metrics.RootElement;
        Assert.True(root.TryGetProperty("endpoint_error", out var endpoint) && double.IsFinite(endpoint.GetDouble()));
        Assert.Equal("euler", root.GetProperty("velocity_integrator").GetString());
        Assert.False(root.TryGetProperty("velocity_relative_error", out _));
        Assert.False(root.TryGetProperty("kinetic_energy_gap", out _));
    }

    [Fact]
    public void ABadVelocitySectionFailsWithOneLine()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("config.json"), """
            { "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian", "mean": [1, 0], "covariance": [[1, 0], [0, 1]] },
              "cost": { "type": "quadratic" },
              "velocity": { "steps": -1 } }
            """);
        var (code, _, error) = CliRunner.Run("run", folder.File("config.json"), "--out", folder.File("run"));
        Assert.Equal(1, code);
        Assert.Contains("velocity.steps", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
