using System.Text.Json.Nodes;
using NeuralOT.Dynamics;
using NeuralOT.Experiments;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Experiments;

public class VelocityConfigTests
{
    private const string GaussianPair = """
        {
          "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
          "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0.5], [0.5, 0.5]] },
          "cost": { "type": "quadratic" }
        }
        """;

    [Fact]
    public void WithoutAVelocitySectionTheRunStopsAfterPhaseOne()
    {
        Assert.Null(ExperimentConfig.Parse(GaussianPair).Velocity);
        Assert.DoesNotContain("velocity", ExperimentConfig.Parse(GaussianPair).ToJson());
    }

    [Fact]
    public void AnEmptyVelocitySectionTakesTheDocumentedDefaults()
    {
        var velocity = ExperimentConfig.Parse(WithVelocity("{}")).Velocity!;
        Assert.Equal(new VelocityConfig(), velocity);
        Assert.Equal(new NetworkOptions(64, 3, Activation.SiLU), velocity.Options.Network);
        Assert.Equal(1e-3, velocity.Options.LearningRate);
        Assert.Equal(1024, velocity.Options.BatchSize);
        Assert.Equal(2000, velocity.Options.Iterations);
        Assert.Equal(0, velocity.Options.Seed);
        Assert.Equal(IntegrationMethod.RK4, velocity.Integrator);
        Assert.Equal(20, velocity.Steps);
        Assert.False(velocity.Oracle);
    }

    [Fact]
    public void VelocityKeysAreReadAndWrittenBack()
    {
        var config = ExperimentConfig.Parse(WithVelocity("""
            { "width": 32, "depth": 2, "activation": "tanh", "learning_rate": 0.002, "batch_size": 256,
              "iterations": 50, "seed": 4, "integrator": "midpoint", "steps": 7, "oracle": true }
            """));
        var velocity = config.Velocity!;
        Assert.Equal(new NetworkOptions(32, 2, Activation.Tanh), velocity.Options.Network);
        Assert.Equal(0.002, velocity.Options.LearningRate);
        Assert.Equal(256, velocity.Options.BatchSize);
        Assert.Equal(50, velocity.Options.Iterations);
        Assert.Equal(4, velocity.Options.Seed);
        Assert.Equal(IntegrationMethod.Midpoint, velocity.Integrator);
        Assert.Equal(7, velocity.Steps);
        Assert.True(velocity.Oracle);
        var reread = ExperimentConfig.Parse(config.ToJson());
        Assert.Equal(velocity, reread.Velocity);
        Assert.Equal(config.ToJson(), reread.ToJson());
    }

    [Theory]
    [MemberData(nameof(CatalogueNames))]
    public void EverySyntheticExperimentRunsPhaseTwo(string name)
    {
        var config = ExperimentCatalogue.Get(name);
        // The reproduction set asks for the velocity field on the synthetic problems; the 784-D digit pairs and the known-map pairs
        // (which measure the map against the exact one) train phase 1 only.
        if (config.Source is MnistSpec || config.Target is KnownMapSpec) Assert.Null(config.Velocity);
        else Assert.NotNull(config.Velocity);
    }

    public static TheoryData<string> CatalogueNames() => new(ExperimentCatalogue.Names);

    [Fact]
    public void VelocityTwoDIsTheGaussianPairWithPhaseTwo()
    {
        var velocity = ExperimentCatalogue.Get("velocity-2d");
        var gaussian = ExperimentCatalogue.Get("gaussian-2d");
        Assert.Equal((gaussian with { Name = velocity.Name, Description = velocity.Description }).ToJson(), velocity.ToJson());
        Assert.Contains("mixture-2d", velocity.Description);
    }

    [Theory]
    [InlineData("""{ "widht": 5 }""", "Unknown key config.velocity.widht")]
    [InlineData("""{ "steps": 0 }""", "velocity.steps")]
    [InlineData("""{ "steps": -4 }""", "velocity.steps")]
    [InlineData("""{ "integrator": "heun" }""", "config.velocity.integrator")]
    [InlineData("""{ "learning_rate": -1 }""", "velocity.learning_rate")]
    [InlineData("""{ "batch_size": 0 }""", "velocity.batch_size")]
    [InlineData("""{ "iterations": -1 }""", "velocity.iterations")]
    [InlineData("""{ "depth": 0 }""", "velocity.depth")]
    [InlineData("""{ "oracle": "yes" }""", "config.velocity.oracle")]
    [InlineData("""[1, 2]""", "config.velocity must be a JSON object")]
    public void InvalidVelocityValuesAreNamed(string section, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(WithVelocity(section)));
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void RunOverridesReachPhaseTwo()
    {
        var config = ExperimentCatalogue.Get("velocity-2d");
        var applied = ExperimentRunner.Apply(config, new RunSettings("unused", Fast: true, Seed: 9, Threads: 2));
        Assert.Equal(9, applied.Velocity!.Options.Seed);
        Assert.Equal(ExperimentRunner.FastIterations, applied.Velocity.Options.Iterations);
        Assert.Equal(2, applied.Velocity.Options.Threads);
    }

    [Fact]
    public void AVelocitySectionWithoutATrainedMapIsRefused()
    {
        using var folder = new TemporaryFolder();
        var config = ExperimentConfig.Parse(WithVelocity("{}"));
        var error = Assert.Throws<ConfigException>(() =>
            ExperimentRunner.Run(config, new RunSettings(folder.File("run"), Iterations: 0)));
        Assert.Contains("config.solver.iterations = 0 is invalid", error.Message);
        Assert.Contains("velocity section", error.Message);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void TheOracleNeedsAClosedFormMap()
    {
        using var folder = new TemporaryFolder();
        var config = ExperimentCatalogue.Get("mixture-2d") with { Velocity = new VelocityConfig { Oracle = true } };
        var error = Assert.Throws<ConfigException>(() => ExperimentRunner.Run(config, new RunSettings(folder.File("run"))));
        Assert.Contains("config.velocity.oracle", error.Message);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    private static string WithVelocity(string section)
    {
        var root = JsonNode.Parse(GaussianPair)!.AsObject();
        root["velocity"] = JsonNode.Parse(section);
        return root.ToJsonString();
    }
}
