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
public sealed partial record ExperimentConfig(
    string Name, string Description, DistributionSpec Source, DistributionSpec Target, ICost Cost, SolverOptions Solver)
{
    /// <summary>Phase-2 settings; null when the run stops after phase 1.</summary>
    public VelocityConfig? Velocity { get; init; }

    /// <summary>How the metrics are measured (the <c>evaluation</c> section; defaults when absent).</summary>
    public EvaluationOptions Evaluation { get; init; } = new();

    /// <summary>For a non-quadratic cost: also solve the same pair under the quadratic cost with the same solver
    /// settings, so the two geodesics can be compared (<c>compare_quadratic</c>, false by default).</summary>
    public bool CompareQuadratic { get; init; }

    /// <summary>Checks every section (the solver, the velocity section, the evaluation) and the settings between
    /// them, naming the first invalid setting by its key: the one check of a config, run when it is read and again
    /// when a run is prepared from it (after the run's overrides, and for configs built in code).</summary>
    /// <exception cref="ConfigException">The first invalid setting (the message names the key and the fix).</exception>
    public void Validate() => Schema.Validate("config", () =>
    {
        InvalidOptionException.CheckWithin(nameof(ExperimentConfig), nameof(Solver), Solver.Validate);
        if (Velocity is { } velocity) InvalidOptionException.CheckWithin(nameof(ExperimentConfig), nameof(Velocity), velocity.Validate);
        InvalidOptionException.CheckWithin(nameof(ExperimentConfig), nameof(Evaluation), Evaluation.Validate);
        if (CompareQuadratic && Cost is QuadraticCost)
            throw new InvalidOptionException(nameof(ExperimentConfig), nameof(CompareQuadratic), true,
                "it compares a non-quadratic cost with the quadratic one, but the cost is already quadratic; remove it or set it to false");
    });

    /// <summary>The key path of a property path of the config (<c>evaluation.sample_size</c> for
    /// <c>Evaluation.SampleSize</c>), for messages that tell which key to set.</summary>
    /// <exception cref="ArgumentException">No key holds the property.</exception>
    internal static string KeyPath(string property) =>
        Schema.KeyPathOf(property)?.Path ?? throw new ArgumentException($"No config key holds {property}.", nameof(property));

    /// <summary>The config's wording of an invalid option of the section in <paramref name="property"/> (for the
    /// checks of a run against its problem, which the library makes).</summary>
    internal static ConfigException Refusal(string property, InvalidOptionException error) =>
        Schema.Refusal("config", error.Within(nameof(ExperimentConfig), property));

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
        try
        {
            var config = Schema.Read(new JsonSection(root, "config"), Unread(fallbackName));
            // The name becomes a folder: a fallback from a file name is checked like a name in the config.
            CheckName(config.Name);
            if (config.Source is KnownMapSpec)
                throw new ConfigException("config.source.type = \"known-map\" is valid for the target only: it is the image of the source under a known optimal map; use it as config.target with a source such as random-gaussian-mixture.");
            config.Validate();
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
    public string ToJson() => Schema.Write(this).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

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
                throw new ConfigException($"{section.Path}.type = \"{type}\" is not a known cost; use \"quadratic\" or \"power\" (with \"p\" > 1).");
        }
    }

    private static JsonObject CostJson(ICost cost) => cost switch
    {
        QuadraticCost => new JsonObject { ["type"] = "quadratic" },
        PowerCost power => new JsonObject { ["type"] = "power", ["p"] = power.P },
        _ => new JsonObject { ["type"] = cost.Name },
    };
}
