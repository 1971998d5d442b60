using System.Text.Json.Nodes;
using NeuralOT.Costs;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Experiments;

public class ExperimentConfigTests
{
    private const string Minimal = """
        {
          "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
          "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0.5], [0.5, 0.5]] },
          "cost": { "type": "quadratic" }
        }
        """;

    [Theory]
    [MemberData(nameof(CatalogueNames))]
    public void EveryCatalogueConfigRoundTripsThroughJson(string name)
    {
        var config = ExperimentCatalogue.Get(name);
        var json = config.ToJson();
        var reread = ExperimentConfig.Parse(json);
        Assert.Equal(json, reread.ToJson());
        Assert.Equal(config.Solver.Resolve(config.Cost), reread.Solver);
        Assert.Equal(config.CreateDistributions().Source.Dimension, reread.CreateDistributions().Target.Dimension);
    }

    public static TheoryData<string> CatalogueNames() => new(ExperimentCatalogue.Names);

    [Fact]
    public void TheAutomaticPreconditioningIsTheGaussianStartOnlyWhereItApplies()
    {
        var defaults = new SolverOptions();
        Assert.Null(defaults.Preconditioning);
        Assert.Equal(Preconditioning.Gaussian, defaults.Resolve(QuadraticCost.Instance).Preconditioning);
        Assert.Equal(Preconditioning.None, defaults.Resolve(new PowerCost(1.5)).Preconditioning);
        Assert.Equal(Preconditioning.None, (defaults with { Critic = CriticForm.Time }).Resolve(QuadraticCost.Instance).Preconditioning);
        Assert.Equal(Preconditioning.None, (defaults with { Bidirectional = new BidirectionalOptions() }).Resolve(QuadraticCost.Instance).Preconditioning);
        // A config says which start it resolved to, and "auto" reads back as the default.
        var config = ExperimentConfig.Parse(Minimal);
        Assert.Contains("\"preconditioning\": \"gaussian\"", config.ToJson());
        Assert.Null(ExperimentConfig.Parse(With(Minimal, "solver", """{ "preconditioning": "auto" }""")).Solver.Preconditioning);
    }

    [Fact]
    public void AKnownMapSourceIsRefusedAndAKnownMapTargetIsBuiltFromTheSource()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse("""
            { "source": { "type": "known-map" }, "target": { "type": "random-gaussian-mixture", "dimension": 2 }, "cost": { "type": "quadratic" } }
            """));
        Assert.Contains("valid for the target only", error.Message);
        var config = ExperimentConfig.Parse("""
            { "source": { "type": "random-gaussian-mixture", "dimension": 3, "seed": 4 }, "target": { "type": "known-map", "seed": 2, "strength": 1.5 },
              "cost": { "type": "quadratic" } }
            """);
        Assert.Equal(new KnownMapSpec(Seed: 2, Strength: 1.5), config.Target);
        var (source, target) = config.CreateDistributions();
        Assert.Equal(3, target.Dimension);
        Assert.Same(source, ((NeuralOT.Reference.KnownMapTarget)target).Problem.Source);
        Assert.Equal(config.ToJson(), ExperimentConfig.Parse(config.ToJson()).ToJson());
    }

    [Fact]
    public void AMinimalConfigTakesEveryDefault()
    {
        var config = ExperimentConfig.Parse(Minimal, "mine");
        Assert.Equal("mine", config.Name);
        Assert.Same(QuadraticCost.Instance, config.Cost);
        Assert.Equal(new SolverOptions(), config.Solver);
        Assert.Equal(4000, config.Solver.Resolve().Iterations);
    }

    [Fact]
    public void SolverKeysAreRead()
    {
        var config = ExperimentConfig.Parse(With(Minimal, "solver", """
            { "critic": "time", "map_network": { "width": 32, "depth": 2, "activation": "tanh" }, "batch_size": 256,
              "iterations": 10, "gradient_clip": 5, "seed": 7, "schedule": "constant", "map_learning_rate": 0.002 }
            """));
        var solver = config.Solver.Resolve();
        Assert.Equal(CriticForm.Time, solver.Critic);
        Assert.Equal(new Networks.NetworkOptions(32, 2, Networks.Activation.Tanh), solver.MapNetwork);
        Assert.Equal(256, solver.BatchSize);
        Assert.Equal(3, solver.CriticSteps);
        Assert.Equal(5.0, solver.GradientClip);
        Assert.Equal(LearningRateSchedule.Constant, solver.Schedule);
        Assert.Equal(0.002, solver.MapLearningRate);
    }

    [Fact]
    public void VariantKeysAreReadAndWritten()
    {
        var config = ExperimentConfig.Parse(With(Minimal, "solver", """
            { "bidirectional": { "lambda": 2, "eps": 0.05, "min_iterations": 500 }, "preconditioning": "affine" }
            """));
        Assert.Equal(new BidirectionalOptions(2, 0.05, 500), config.Solver.Bidirectional);
        Assert.Equal(Preconditioning.Affine, config.Solver.Preconditioning);
        Assert.Equal(config.ToJson(), ExperimentConfig.Parse(config.ToJson()).ToJson());
        Assert.Contains("\"preconditioning\": \"affine\"", config.ToJson());
    }

    [Fact]
    public void ThePowerCostIsRead()
    {
        var config = ExperimentConfig.Parse(Minimal.Replace("""{ "type": "quadratic" }""", """{ "type": "power", "p": 1.5 }"""));
        Assert.Equal(1.5, Assert.IsType<PowerCost>(config.Cost).P);
    }

    [Theory]
    [InlineData("""{ "sourse": 1 }""", "config.sourse")]
    [InlineData("""{ "solver": { "batchsize": 5 } }""", "config.solver.batchsize")]
    [InlineData("""{ "solver": { "map_network": { "widht": 5 } } }""", "config.solver.map_network.widht")]
    [InlineData("""{ "cost": { "type": "quadratic", "p": 2 } }""", "config.cost.p")]
    public void UnknownKeysAreNamed(string patch, string key)
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(Merge(Minimal, patch)));
        Assert.Contains($"Unknown key {key}", error.Message);
    }

    [Theory]
    [InlineData("source", "Missing key config.source")]
    [InlineData("cost", "Missing key config.cost")]
    public void MissingKeysAreNamed(string key, string message)
    {
        var root = JsonNode.Parse(Minimal)!.AsObject();
        root.Remove(key);
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(root.ToJsonString()));
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("""{ "solver": { "map_learning_rate": -0.001 } }""", "solver.map_learning_rate")]
    [InlineData("""{ "solver": { "batch_size": 0 } }""", "solver.batch_size")]
    [InlineData("""{ "solver": { "map_averaging": -0.1 } }""", "solver.map_averaging = -0.1 is invalid: it must lie in [0, 1]")]
    [InlineData("""{ "solver": { "critic": "dynamic" } }""", "config.solver.critic")]
    [InlineData("""{ "solver": { "iterations": "many" } }""", "config.solver.iterations")]
    [InlineData("""{ "cost": { "type": "cubic" } }""", "config.cost.type")]
    [InlineData("""{ "solver": { "preconditioning": "whiten" } }""", "use one of \"none\", \"affine\"")]
    [InlineData("""{ "solver": { "bidirectional": { "lambda": 0, "eps": 0.01 } } }""", "config.solver.bidirectional.lambda = 0 is invalid: it must be a positive number")]
    [InlineData("""{ "solver": { "held_out": { "fraction": 0.6 } } }""", "config.solver.held_out.fraction = 0.6 is invalid: it must lie in (0, 0.5] (0.1 holds out a tenth of the rows), or turn the guard off to train on every row (\"held_out\": false turns the guard off).")]
    [InlineData("""{ "solver": { "critic_network": { "width": 0 } } }""", "config.solver.critic_network.width = 0 is invalid: it must be at least 1.")]
    [InlineData("""{ "solver": { "map_network": { "input_convex": true } } }""", "config.solver.map_network.input_convex = true is invalid")]
    [InlineData("""{ "evaluation": { "reference_draws": -1 } }""", "config.evaluation.reference_draws = -1 is invalid")]
    [InlineData("""{ "cost": { "type": "quadratic" }, "compare_quadratic": true }""", "config.compare_quadratic = true is invalid: it compares a non-quadratic cost")]
    [InlineData("""{ "solver": { "bidirectional": { "lambda": 1, "eps": -1 } } }""", "solver.bidirectional.eps")]
    [InlineData("""{ "solver": { "bidirectional": { "lambda": 1 } } }""", "Missing key config.solver.bidirectional.eps")]
    [InlineData("""{ "solver": { "bidirectional": { "lambda": 1, "eps": 0.1, "gamma": 2 } } }""", "Unknown key config.solver.bidirectional.gamma")]
    [InlineData("""{ "solver": { "bidirectional": true } }""", "config.solver.bidirectional must be a JSON object (got true). Write { \"lambda\": 1, \"eps\": 0.01 }")]
    [InlineData("""{ "cost": { "type": "power", "p": 0.5 } }""", "p > 1")]
    [InlineData("""{ "source": { "type": "uniform" } }""", "config.source.type")]
    [InlineData("""{ "source": { "type": "gaussian", "mean": [0, "a"], "covariance": [[1, 0], [0, 1]] } }""", "config.source.mean[1]")]
    public void InvalidValuesAreNamedWithTheFix(string patch, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(Merge(Minimal, patch)));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("moons")]
    [InlineData("circles")]
    [InlineData("checkerboard")]
    [InlineData("spirals")]
    [InlineData("ring")]
    public void ToysAreConfigurableAndRoundTrip(string toy)
    {
        var config = ExperimentConfig.Parse(Merge(Minimal, $$"""{ "target": { "type": "{{toy}}" } }"""));
        Assert.Equal(toy, config.Target.Type);
        Assert.Equal(2, config.Target.Create().Dimension);
        Assert.Equal(config.ToJson(), ExperimentConfig.Parse(config.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("""{ "target": { "type": "spirals", "arms": 1.5 } }""", "arms")]
    [InlineData("""{ "target": { "type": "moons", "noise": -1 } }""", "noise")]
    [InlineData("""{ "target": { "type": "ring", "radius": 4, "sigma": 1 } }""", "config.target.sigma")]
    public void ToyParametersAreValidated(string patch, string expected)
    {
        var config = Record.Exception(() => ExperimentConfig.Parse(Merge(Minimal, patch)).Target.Create());
        Assert.NotNull(config);
        Assert.Contains(expected, config.Message);
    }

    [Fact]
    public void MalformedJsonIsReported()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse("{ \"source\": "));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void UnknownExperimentsListTheKnownOnes()
    {
        var error = Assert.Throws<ConfigException>(() => ExperimentCatalogue.Get("gaussian-3d"));
        Assert.Contains("gaussian-2d", error.Message);
        Assert.Contains("mixture-10d", error.Message);
    }

    [Fact]
    public void TheTenDimensionalTargetHasTheSpecifiedMeanNormAndSpectrum()
    {
        var target = Assert.IsType<GaussianSpec>(ExperimentCatalogue.Get("gaussian-10d").Target);
        Assert.Equal(3, Math.Sqrt(target.Mean.Sum(v => v * v)), 9);
        var gaussian = target.CreateGaussian();
        using var covariance = TorchSharp.torch.tensor(gaussian.Covariance);
        var eigenvalues = TorchSharp.torch.linalg.eigvalsh(covariance).data<double>().ToArray();
        Assert.Equal(0.25, eigenvalues.Min(), 9);
        Assert.Equal(2.0, eigenvalues.Max(), 9);
    }

    private static string With(string json, string key, string value)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        root[key] = JsonNode.Parse(value);
        return root.ToJsonString();
    }

    /// <summary>Overlays the top-level keys of <paramref name="patch"/> onto <paramref name="json"/>.</summary>
    private static string Merge(string json, string patch)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject())
            root[key] = value?.DeepClone();
        return root.ToJsonString();
    }
}
