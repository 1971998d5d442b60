using System.Text.Json;
using System.Text.Json.Nodes;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Metrics;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// Everything that defines a run: the two distributions, the cost and the solver settings. The JSON schema is the
/// one <c>neuralot run</c> reads and writes (keys in snake_case; see README "Configs").
/// </summary>
/// <param name="Name">The experiment name (used for the default output folder).</param>
/// <param name="Description">One line for listings.</param>
/// <param name="Source">mu0.</param>
/// <param name="Target">mu1.</param>
/// <param name="Cost">The transport cost.</param>
/// <param name="Solver">Phase-1 solver settings.</param>
public sealed record ExperimentConfig(
    string Name, string Description, DistributionSpec Source, DistributionSpec Target, ICost Cost, SolverOptions Solver)
{
    private static readonly string[] TopLevelKeys = ["name", "description", "source", "target", "cost", "solver", "velocity", "evaluation", "compare_quadratic"];
    private static readonly string[] SolverKeys =
    [
        "critic", "map_network", "critic_network", "map_learning_rate", "critic_learning_rate", "beta1", "beta2",
        "schedule", "batch_size", "critic_steps", "map_steps", "iterations", "gradient_clip", "seed", "threads",
        "device", "history_interval", "bidirectional", "preconditioning", "held_out",
    ];
    private static readonly string[] HeldOutKeys = ["fraction", "interval", "rollback", "excursion_factor", "max_evaluation_rows"];
    private static readonly string[] BidirectionalKeys = ["lambda", "eps", "min_iterations"];
    private static readonly string[] NetworkKeys = ["width", "depth", "activation", "input_convex"];

    /// <summary>Phase-2 settings; null when the run stops after phase 1.</summary>
    public VelocityConfig? Velocity { get; init; }

    /// <summary>How the metrics are measured (the <c>evaluation</c> section; defaults when absent).</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>For a non-quadratic cost: also solve the same pair under the quadratic cost with the same solver
    /// settings, so the two geodesics can be compared (<c>compare_quadratic</c>, false by default).</summary>
    public bool CompareQuadratic { get; init; }

    /// <summary>Throws a <see cref="ConfigException"/> naming the first invalid setting outside the solver and
    /// velocity sections (which validate themselves).</summary>
    public void ValidateRunSettings()
    {
        try
        {
            Evaluation.Validate();
        }
        catch (ArgumentException error)
        {
            throw ConfigException.From(error);
        }
        if (CompareQuadratic && Cost is QuadraticCost)
            throw new ConfigException("config.compare_quadratic = true compares a non-quadratic cost with the quadratic one, but config.cost is already quadratic; remove compare_quadratic or set it to false.");
    }

    /// <summary>Builds the two samplers (validating their parameters). A <c>known-map</c> target is built as the
    /// image of the source. The caller owns them; <see cref="ToProblem"/> gives them with an owner.</summary>
    /// <exception cref="ArgumentException">A distribution's parameters are invalid (the message names them).</exception>
    public (IDistribution Source, IDistribution Target) CreateDistributions()
    {
        var source = Source.Create();
        return (source, Target is KnownMapSpec known ? known.CreateTransport(source).Target : Target.Create());
    }

    /// <summary>The problem this config describes: its two distributions, built once (a <c>known-map</c> target as
    /// the image of the source), and its cost. The problem owns what it built (a known map's potential): dispose it
    /// when done.</summary>
    /// <exception cref="ConfigException">A distribution's parameters are invalid, or the source and the target have
    /// different dimensions (the message names the key).</exception>
    public TransportProblem ToProblem()
    {
        var owned = new List<IDisposable>();
        try
        {
            var source = Source.Create();
            IDistribution target;
            if (Target is KnownMapSpec known)
            {
                var transport = known.CreateTransport(source);
                owned.Add(transport);
                target = transport.Target;
            }
            else
            {
                target = Target.Create();
            }
            owned.AddRange(new[] { source, target }.OfType<IDisposable>());
            if (source.Dimension != target.Dimension)
                throw new ConfigException($"config.source has dimension {source.Dimension} but config.target has dimension {target.Dimension}; both must live in the same space.");
            return new TransportProblem(source, target, Cost, owned);
        }
        catch (Exception error)
        {
            foreach (var built in owned) built.Dispose();
            if (error is ArgumentException argument) throw ConfigException.From(argument);
            throw;
        }
    }

    /// <summary>Reads a config from JSON text; <paramref name="fallbackName"/> names it when the text has no <c>name</c>.</summary>
    /// <exception cref="ConfigException">Malformed JSON, a missing or unknown key, or an invalid value (the message names it).</exception>
    public static ExperimentConfig Parse(string json, string fallbackName = "custom")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException error)
        {
            throw new ConfigException($"The config is not valid JSON: {error.Message}", error);
        }
        JsonDuplicateKeys.Reject(json, "config");
        var section = new JsonSection(root, "config");
        section.RejectUnknownKeys(TopLevelKeys);
        try
        {
            var config = new ExperimentConfig(
                CheckName(section.OptionalString("name") ?? fallbackName),
                section.OptionalString("description") ?? "",
                DistributionSpec.Parse(section.Section("source")),
                DistributionSpec.Parse(section.Section("target")),
                ParseCost(section.Section("cost")),
                ParseSolver(section.OptionalSection("solver")))
            {
                Velocity = section.OptionalSection("velocity") is { } velocity ? VelocityConfig.Parse(velocity) : null,
                Evaluation = section.OptionalSection("evaluation") is { } evaluation ? ParseEvaluation(evaluation) : new EvaluationOptions(),
                CompareQuadratic = section.OptionalBoolean("compare_quadratic") ?? false,
            };
            if (config.Source is KnownMapSpec)
                throw new ConfigException("config.source.type = \"known-map\" is valid for the target only: it is the image of the source under a known optimal map; use it as config.target with a source such as random-gaussian-mixture.");
            config.Solver.Validate();
            config.Velocity?.Validate();
            config.ValidateRunSettings();
            return config;
        }
        catch (ArgumentException error)
        {
            throw ConfigException.From(error);
        }
    }

    /// <summary>Longest accepted <c>name</c>: it becomes a folder name and part of figure titles.</summary>
    public const int MaxNameLength = 100;

    /// <summary>
    /// Refuses a <c>name</c> that is not a plain name. The name is the default output folder <c>runs/&lt;name&gt;</c>,
    /// so a path in it would write elsewhere ("/abs/path", "../../../x") or into <c>runs/</c> itself (""): such names
    /// are refused, not rewritten, so that a run never lands somewhere its config did not say.
    /// </summary>
    /// <exception cref="ConfigException">Empty, "." or "..", a path separator or a character no file name may hold,
    /// a control character, or longer than <see cref="MaxNameLength"/>.</exception>
    public static string CheckName(string name)
    {
        var problem =
            string.IsNullOrWhiteSpace(name) ? "it is empty" :
            name is "." or ".." ? "it names a folder, not a run" :
            name.IndexOfAny(['/', '\\']) >= 0 ? "it holds a path separator" :
            name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Any(char.IsControl) ? "it holds a character a folder name cannot" :
            name.Length > MaxNameLength ? $"it is longer than {MaxNameLength} characters" :
            name != name.Trim() ? "it starts or ends with white space" :
            null;
        if (problem is null) return name;
        // Shown escaped, so that a newline in the name cannot break the one-line message.
        var shown = string.Concat((name.Length > 60 ? name[..60] : name).Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))
                    + (name.Length > 60 ? "..." : "");
        throw new ConfigException($"config.name = \"{shown}\" is refused: {problem}, and the name is the default output folder runs/<name>, not a path; use letters, digits, '-' and '_' (and pass --out DIR to choose the folder).");
    }

    /// <summary>Reads a config file; relative data paths inside it resolve against the file's folder.</summary>
    public static ExperimentConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"Config file not found: {path}.");
        var config = Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return config with { Source = config.Source.WithPathsRelativeTo(folder), Target = config.Target.WithPathsRelativeTo(folder) };
    }

    /// <summary>The config as JSON, with every solver option written out (the resolved configuration).</summary>
    public string ToJson()
    {
        var solver = Solver.Resolve(Cost);
        var root = new JsonObject
        {
            ["name"] = Name,
            ["description"] = Description,
            ["source"] = Source.ToJson(),
            ["target"] = Target.ToJson(),
            ["cost"] = CostJson(Cost),
            ["solver"] = new JsonObject
            {
                ["critic"] = solver.Critic.ToString().ToLowerInvariant(),
                ["map_network"] = NetworkJson(solver.MapNetwork),
                ["critic_network"] = NetworkJson(solver.CriticNetwork),
                ["map_learning_rate"] = solver.MapLearningRate,
                ["critic_learning_rate"] = solver.CriticLearningRate,
                ["beta1"] = solver.Beta1,
                ["beta2"] = solver.Beta2,
                ["schedule"] = solver.Schedule.ToString().ToLowerInvariant(),
                ["batch_size"] = solver.BatchSize,
                ["critic_steps"] = solver.CriticSteps,
                ["map_steps"] = solver.MapSteps,
                ["iterations"] = solver.Iterations,
                ["gradient_clip"] = solver.GradientClip,
                ["seed"] = solver.Seed,
                ["threads"] = solver.Threads,
                ["device"] = solver.Device,
                ["history_interval"] = solver.HistoryInterval,
                ["preconditioning"] = solver.Preconditioning?.ToString().ToLowerInvariant() ?? "auto",
            },
        };
        if (solver.Bidirectional is { } bidirectional)
        {
            var section = new JsonObject { ["lambda"] = bidirectional.Lambda, ["eps"] = bidirectional.Eps };
            if (bidirectional.MinIterations is { } minIterations) section["min_iterations"] = minIterations;
            root["solver"]!["bidirectional"] = section;
        }
        if (solver.GradientClip is null) root["solver"]!.AsObject().Remove("gradient_clip");
        root["solver"]!["held_out"] = solver.HeldOut is { } heldOut ? HeldOutJson(heldOut) : false;
        if (Velocity is not null) root["velocity"] = Velocity.ToJson();
        root["evaluation"] = EvaluationJson(Evaluation);
        if (CompareQuadratic) root["compare_quadratic"] = true;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static readonly string[] EvaluationKeys = ["sample_size", "reference_draws", "reference_size"];

    private static EvaluationOptions ParseEvaluation(JsonSection section)
    {
        section.RejectUnknownKeys(EvaluationKeys);
        var defaults = new EvaluationOptions();
        return new EvaluationOptions
        {
            SampleSize = section.OptionalInteger("sample_size") ?? defaults.SampleSize,
            ReferenceDraws = section.OptionalInteger("reference_draws") ?? defaults.ReferenceDraws,
            ReferenceSize = section.OptionalInteger("reference_size") ?? defaults.ReferenceSize,
        };
    }

    private static JsonObject EvaluationJson(EvaluationOptions evaluation) => new()
    {
        ["sample_size"] = evaluation.SampleSize,
        ["reference_draws"] = evaluation.ReferenceDraws,
        ["reference_size"] = evaluation.ReferenceSize,
    };

    private static ICost ParseCost(JsonSection section)
    {
        var type = section.String("type");
        switch (type)
        {
            case "quadratic":
                section.RejectUnknownKeys(["type"]);
                return QuadraticCost.Instance;
            case "power":
                section.RejectUnknownKeys(["type", "p"]);
                return Costs.Cost.Power(section.Number("p"));
            default:
                throw new ConfigException($"config.cost.type = \"{type}\" is not a known cost; use \"quadratic\" or \"power\" (with \"p\" > 1).");
        }
    }

    private static JsonObject CostJson(ICost cost) => cost switch
    {
        QuadraticCost => new JsonObject { ["type"] = "quadratic" },
        PowerCost power => new JsonObject { ["type"] = "power", ["p"] = power.P },
        _ => new JsonObject { ["type"] = cost.Name },
    };

    private static SolverOptions ParseSolver(JsonSection? section)
    {
        var options = new SolverOptions();
        if (section is null) return options;
        section.RejectUnknownKeys(SolverKeys);
        return options with
        {
            Critic = section.OptionalString("critic") is { } critic ? ParseEnum<CriticForm>(critic, "config.solver.critic") : options.Critic,
            MapNetwork = ParseNetwork(section.OptionalSection("map_network"), options.MapNetwork),
            CriticNetwork = ParseNetwork(section.OptionalSection("critic_network"), options.CriticNetwork),
            MapLearningRate = section.OptionalNumber("map_learning_rate") ?? options.MapLearningRate,
            CriticLearningRate = section.OptionalNumber("critic_learning_rate") ?? options.CriticLearningRate,
            Beta1 = section.OptionalNumber("beta1") ?? options.Beta1,
            Beta2 = section.OptionalNumber("beta2") ?? options.Beta2,
            Schedule = section.OptionalString("schedule") is { } schedule ? ParseEnum<LearningRateSchedule>(schedule, "config.solver.schedule") : options.Schedule,
            BatchSize = section.OptionalInteger("batch_size") ?? options.BatchSize,
            CriticSteps = section.OptionalInteger("critic_steps") ?? options.CriticSteps,
            MapSteps = section.OptionalInteger("map_steps") ?? options.MapSteps,
            Iterations = section.OptionalInteger("iterations") ?? options.Iterations,
            GradientClip = section.OptionalNumber("gradient_clip") ?? options.GradientClip,
            Seed = section.OptionalInteger("seed") ?? options.Seed,
            Threads = section.OptionalInteger("threads") ?? options.Threads,
            Device = section.OptionalString("device") ?? options.Device,
            HistoryInterval = section.OptionalInteger("history_interval") ?? options.HistoryInterval,
            Preconditioning = section.OptionalString("preconditioning") switch
            {
                null or "auto" => options.Preconditioning,
                var preconditioning => ParseEnum<Preconditioning>(preconditioning, "config.solver.preconditioning"),
            },
            Bidirectional = ParseBidirectional(section.OptionalSection("bidirectional",
                "Write { \"lambda\": 1, \"eps\": 0.01 } to train both directions, or leave the key out to train one.")),
            HeldOut = ParseHeldOut(section, options.HeldOut),
        };
    }

    // "held_out": false turns the guard off, true or absent keeps the defaults, an object sets its fields.
    private static HeldOutOptions? ParseHeldOut(JsonSection solver, HeldOutOptions? defaults)
    {
        if (!solver.Has("held_out")) return defaults;
        if (solver.IsBoolean("held_out")) return solver.OptionalBoolean("held_out") == true ? new HeldOutOptions() : null;
        var section = solver.Section("held_out", "Write false to train on every row, true for the defaults, or an object such as { \"fraction\": 0.1 }.");
        section.RejectUnknownKeys(HeldOutKeys);
        var options = new HeldOutOptions();
        return options with
        {
            Fraction = section.OptionalNumber("fraction") ?? options.Fraction,
            Interval = section.OptionalInteger("interval") ?? options.Interval,
            Rollback = section.OptionalBoolean("rollback") ?? options.Rollback,
            ExcursionFactor = section.OptionalNumber("excursion_factor") ?? options.ExcursionFactor,
            MaxEvaluationRows = section.OptionalInteger("max_evaluation_rows") ?? options.MaxEvaluationRows,
        };
    }

    private static JsonObject HeldOutJson(HeldOutOptions heldOut)
    {
        var json = new JsonObject { ["fraction"] = heldOut.Fraction };
        if (heldOut.Interval is { } interval) json["interval"] = interval;
        json["rollback"] = heldOut.Rollback;
        json["excursion_factor"] = heldOut.ExcursionFactor;
        json["max_evaluation_rows"] = heldOut.MaxEvaluationRows;
        return json;
    }

    private static BidirectionalOptions? ParseBidirectional(JsonSection? section)
    {
        if (section is null) return null;
        section.RejectUnknownKeys(BidirectionalKeys);
        return new BidirectionalOptions(section.Number("lambda"), section.Number("eps"), section.OptionalInteger("min_iterations"));
    }

    private static NetworkOptions ParseNetwork(JsonSection? section, NetworkOptions defaults)
    {
        if (section is null) return defaults;
        section.RejectUnknownKeys(NetworkKeys);
        return new NetworkOptions(
            section.OptionalInteger("width") ?? defaults.Width,
            section.OptionalInteger("depth") ?? defaults.Depth,
            section.OptionalString("activation") is { } name ? Activations.Parse(name) : defaults.Activation,
            section.OptionalBoolean("input_convex") ?? defaults.InputConvex);
    }

    private static JsonObject NetworkJson(NetworkOptions network)
    {
        var json = new JsonObject { ["width"] = network.Width, ["depth"] = network.Depth, ["activation"] = network.Activation.ConfigName() };
        if (network.InputConvex) json["input_convex"] = true;
        return json;
    }

    private static T ParseEnum<T>(string value, string key) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ConfigException($"{key} = \"{value}\" is invalid; use one of {string.Join(", ", Enum.GetNames<T>().Select(n => $"\"{n.ToLowerInvariant()}\""))}.");
}
