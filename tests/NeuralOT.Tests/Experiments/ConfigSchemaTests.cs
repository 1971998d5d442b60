using System.Text.Json.Nodes;
using NeuralOT.Distributions;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Experiments;

/// <summary>The config schema reads and writes every key, and refuses an unknown key with the list it reads.</summary>
public class ConfigSchemaTests
{
    /// <summary>Every key of every section, each away from its default (and input_convex, gradient_clip,
    /// min_iterations, interval and compare_quadratic, which are written only when set).</summary>
    private const string EveryKey = """
        {
          "name": "every-key",
          "description": "all keys set",
          "source": { "type": "random-gaussian-mixture", "dimension": 3, "components": 2, "seed": 5 },
          "target": { "type": "known-map", "seed": 2, "width": 16, "depth": 2, "quadratic": 0.3, "strength": 1.5, "sharpness": 2.5 },
          "cost": { "type": "power", "p": 1.5 },
          "solver": {
            "critic": "static",
            "map_network": { "width": 32, "depth": 2, "activation": "tanh" },
            "critic_network": { "width": 48, "depth": 4, "activation": "softplus", "input_convex": true },
            "map_learning_rate": 0.002,
            "critic_learning_rate": 0.003,
            "beta1": 0.6,
            "beta2": 0.99,
            "schedule": "constant",
            "batch_size": 256,
            "critic_steps": 2,
            "map_steps": 4,
            "iterations": 300,
            "gradient_clip": 5,
            "seed": 7,
            "threads": 1,
            "device": "cpu",
            "history_interval": 5,
            "map_averaging": 0.1,
            "engine": "autograd",
            "preconditioning": "none",
            "bidirectional": { "lambda": 2, "eps": 0.05, "min_iterations": 100 },
            "held_out": { "fraction": 0.2, "interval": 25, "rollback": false, "excursion_factor": 3, "max_evaluation_rows": 1000 }
          },
          "velocity": {
            "width": 32, "depth": 2, "activation": "gelu", "learning_rate": 0.0005, "batch_size": 512, "iterations": 100,
            "seed": 3, "integrator": "midpoint", "steps": 10, "oracle": true
          },
          "evaluation": { "sample_size": 300, "reference_draws": 2, "reference_size": 400 },
          "compare_quadratic": true
        }
        """;

    [Fact]
    public void EveryKeyIsReadAndWrittenBack()
    {
        var config = ExperimentConfig.Parse(EveryKey);
        var written = JsonNode.Parse(config.ToJson())!;

        Assert.Equal(KeyPaths(JsonNode.Parse(EveryKey)!), KeyPaths(written));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(EveryKey), written), config.ToJson());
        var reread = ExperimentConfig.Parse(config.ToJson());
        Assert.Equal(config.Solver, reread.Solver);
        Assert.Equal(config.Velocity, reread.Velocity);
        Assert.Equal(config.Evaluation, reread.Evaluation);
        Assert.Equal((config.Source, config.Target, config.CompareQuadratic), (reread.Source, reread.Target, reread.CompareQuadratic));
    }

    [Fact]
    public void AKeySetToItsDefaultIsReadAsTheDefault()
    {
        var config = ExperimentConfig.Parse("""
            { "source": { "type": "mnist", "digit": 3 }, "target": { "type": "mnist", "digit": 5, "split": "test", "noise": 0.1 },
              "cost": { "type": "quadratic" }, "solver": { "held_out": false } }
            """);
        Assert.Equal(new MnistSpec(3), config.Source);
        Assert.Equal(new MnistSpec(5, MnistSplit.Test, 0.1), config.Target);
        Assert.Null(config.Solver.HeldOut);
        Assert.Contains("\"held_out\": false", config.ToJson());
    }

    /// <summary>An unknown key is refused with every key the section reads, in the order config.json writes them.</summary>
    [Theory]
    [InlineData("solver", "critic, map_network, critic_network, map_learning_rate, critic_learning_rate, beta1, beta2, schedule, batch_size, critic_steps, map_steps, iterations, gradient_clip, seed, threads, device, history_interval, map_averaging, engine, preconditioning, bidirectional, held_out")]
    [InlineData("velocity", "width, depth, activation, learning_rate, batch_size, iterations, seed, integrator, steps, oracle")]
    [InlineData("evaluation", "sample_size, reference_draws, reference_size")]
    public void AnUnknownKeyListsTheKeysOfItsSection(string section, string keys)
    {
        var root = JsonNode.Parse(EveryKey)!.AsObject();
        root[section]!["misspelt"] = 1;
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(root.ToJsonString()));
        Assert.Equal($"Unknown key config.{section}.misspelt; valid keys here: {keys}.", error.Message);
    }

    private static List<string> KeyPaths(JsonNode node, string path = "") =>
        node is JsonObject json
            ? json.SelectMany(pair => KeyPaths(pair.Value!, $"{path}.{pair.Key}").Prepend($"{path}.{pair.Key}")).Order(StringComparer.Ordinal).ToList()
            : [];
}
