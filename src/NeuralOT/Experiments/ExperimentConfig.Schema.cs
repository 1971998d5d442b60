using System.Text.Json.Nodes;
using NeuralOT.Costs;
using NeuralOT.Metrics;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>The JSON schema of a config: every key of every section once, read by <see cref="Parse"/>, written by
/// <see cref="ToJson"/>, listed when a key is unknown and named when a value is invalid (README "Configs").</summary>
public sealed partial record ExperimentConfig
{
    /// <summary>A network's shape (<c>map_network</c>, <c>critic_network</c>).</summary>
    private static readonly ConfigSchema<NetworkOptions> NetworkSchema = new(
        ConfigKey.Integer<NetworkOptions>("width", nameof(NetworkOptions.Width), n => n.Width, (n, v) => n with { Width = v }),
        ConfigKey.Integer<NetworkOptions>("depth", nameof(NetworkOptions.Depth), n => n.Depth, (n, v) => n with { Depth = v }),
        ConfigKey.Choice<NetworkOptions, Activation>("activation", nameof(NetworkOptions.Activation), n => n.Activation, (n, v) => n with { Activation = v }),
        ConfigKey.Boolean<NetworkOptions>("input_convex", nameof(NetworkOptions.InputConvex), n => n.InputConvex, (n, v) => n with { InputConvex = v },
            writeWhen: convex => convex));

    /// <summary><c>solver.bidirectional</c>: lambda and eps are required, so that both directions are asked for on purpose.</summary>
    private static readonly ConfigSchema<BidirectionalOptions> BidirectionalSchema = new(
        ConfigKey.Number<BidirectionalOptions>("lambda", nameof(BidirectionalOptions.Lambda), b => b.Lambda, (b, v) => b with { Lambda = v }) with { Required = true },
        ConfigKey.Number<BidirectionalOptions>("eps", nameof(BidirectionalOptions.Eps), b => b.Eps, (b, v) => b with { Eps = v }) with { Required = true },
        ConfigKey.OptionalInteger<BidirectionalOptions>("min_iterations", nameof(BidirectionalOptions.MinIterations), b => b.MinIterations, (b, v) => b with { MinIterations = v }));

    /// <summary><c>solver.held_out</c>.</summary>
    private static readonly ConfigSchema<HeldOutOptions> HeldOutSchema = new(
        ConfigKey.Number<HeldOutOptions>("fraction", nameof(HeldOutOptions.Fraction), h => h.Fraction, (h, v) => h with { Fraction = v }),
        ConfigKey.OptionalInteger<HeldOutOptions>("interval", nameof(HeldOutOptions.Interval), h => h.Interval, (h, v) => h with { Interval = v }),
        ConfigKey.Boolean<HeldOutOptions>("rollback", nameof(HeldOutOptions.Rollback), h => h.Rollback, (h, v) => h with { Rollback = v }),
        ConfigKey.Number<HeldOutOptions>("excursion_factor", nameof(HeldOutOptions.ExcursionFactor), h => h.ExcursionFactor, (h, v) => h with { ExcursionFactor = v }),
        ConfigKey.Integer<HeldOutOptions>("max_evaluation_rows", nameof(HeldOutOptions.MaxEvaluationRows), h => h.MaxEvaluationRows, (h, v) => h with { MaxEvaluationRows = v }));

    /// <summary><c>solver</c>: the phase-1 solver; config.json holds every option resolved (<see cref="SolverOptions.Resolve"/>).</summary>
    private static readonly ConfigSchema<SolverOptions> SolverSchema = new(
        ConfigKey.Choice<SolverOptions, CriticForm>("critic", nameof(SolverOptions.Critic), o => o.Critic, (o, v) => o with { Critic = v }),
        ConfigKey.Section("map_network", nameof(SolverOptions.MapNetwork), NetworkSchema, (SolverOptions o) => o.MapNetwork, (o, v) => o with { MapNetwork = v }),
        ConfigKey.Section("critic_network", nameof(SolverOptions.CriticNetwork), NetworkSchema, (SolverOptions o) => o.CriticNetwork, (o, v) => o with { CriticNetwork = v }),
        ConfigKey.Number<SolverOptions>("map_learning_rate", nameof(SolverOptions.MapLearningRate), o => o.MapLearningRate, (o, v) => o with { MapLearningRate = v }),
        ConfigKey.Number<SolverOptions>("critic_learning_rate", nameof(SolverOptions.CriticLearningRate), o => o.CriticLearningRate, (o, v) => o with { CriticLearningRate = v }),
        ConfigKey.Number<SolverOptions>("beta1", nameof(SolverOptions.Beta1), o => o.Beta1, (o, v) => o with { Beta1 = v }),
        ConfigKey.Number<SolverOptions>("beta2", nameof(SolverOptions.Beta2), o => o.Beta2, (o, v) => o with { Beta2 = v }),
        ConfigKey.Choice<SolverOptions, LearningRateSchedule>("schedule", nameof(SolverOptions.Schedule), o => o.Schedule, (o, v) => o with { Schedule = v }),
        ConfigKey.Integer<SolverOptions>("batch_size", nameof(SolverOptions.BatchSize), o => o.BatchSize, (o, v) => o with { BatchSize = v }),
        ConfigKey.OptionalInteger<SolverOptions>("critic_steps", nameof(SolverOptions.CriticSteps), o => o.CriticSteps, (o, v) => o with { CriticSteps = v }),
        ConfigKey.OptionalInteger<SolverOptions>("map_steps", nameof(SolverOptions.MapSteps), o => o.MapSteps, (o, v) => o with { MapSteps = v }),
        ConfigKey.OptionalInteger<SolverOptions>("iterations", nameof(SolverOptions.Iterations), o => o.Iterations, (o, v) => o with { Iterations = v }),
        ConfigKey.OptionalNumber<SolverOptions>("gradient_clip", nameof(SolverOptions.GradientClip), o => o.GradientClip, (o, v) => o with { GradientClip = v }),
        ConfigKey.Integer<SolverOptions>("seed", nameof(SolverOptions.Seed), o => o.Seed, (o, v) => o with { Seed = v }),
        ConfigKey.Integer<SolverOptions>("threads", nameof(SolverOptions.Threads), o => o.Threads, (o, v) => o with { Threads = v }),
        ConfigKey.Text<SolverOptions>("device", nameof(SolverOptions.Device), o => o.Device, (o, v) => o with { Device = v }),
        ConfigKey.Integer<SolverOptions>("history_interval", nameof(SolverOptions.HistoryInterval), o => o.HistoryInterval, (o, v) => o with { HistoryInterval = v }),
        ConfigKey.Number<SolverOptions>("map_averaging", nameof(SolverOptions.MapAveraging), o => o.MapAveraging, (o, v) => o with { MapAveraging = v }),
        ConfigKey.Choice<SolverOptions, TrainingEngine>("engine", nameof(SolverOptions.Engine), o => o.Engine, (o, v) => o with { Engine = v }),
        // "auto" (or no key) leaves the start to the cost and the critic form (SolverOptions.Resolve).
        new ConfigKey<SolverOptions>("preconditioning",
            (section, key, o) => o with
            {
                Preconditioning = section.String(key) is var name && name == "auto" ? null : ConfigKey.ParseChoice<Preconditioning>(name, $"{section.Path}.{key}"),
            },
            o => o.Preconditioning?.ToString().ToLowerInvariant() ?? "auto")
        { Property = nameof(SolverOptions.Preconditioning) },
        new ConfigKey<SolverOptions>("bidirectional",
            (section, key, o) => o with
            {
                Bidirectional = BidirectionalSchema.Read(
                    section.Section(key, "Write { \"lambda\": 1, \"eps\": 0.01 } to train both directions, or leave the key out to train one."),
                    new BidirectionalOptions()),
            },
            o => o.Bidirectional is { } bidirectional ? BidirectionalSchema.Write(bidirectional) : null)
        { Property = nameof(SolverOptions.Bidirectional), Section = BidirectionalSchema },
        // false turns the guard off, true keeps the defaults, an object sets its fields.
        new ConfigKey<SolverOptions>("held_out",
            (section, key, o) => o with
            {
                HeldOut = section.IsBoolean(key)
                    ? section.OptionalBoolean(key) == true ? new HeldOutOptions() : null
                    : HeldOutSchema.Read(
                        section.Section(key, "Write false to train on every row, true for the defaults, or an object such as { \"fraction\": 0.1 }."),
                        new HeldOutOptions()),
            },
            o => o.HeldOut is { } heldOut ? HeldOutSchema.Write(heldOut) : false)
        { Property = nameof(SolverOptions.HeldOut), Section = HeldOutSchema, Hint = "\"held_out\": false turns the guard off" });

    /// <summary><c>evaluation</c>: how the metrics are measured.</summary>
    private static readonly ConfigSchema<EvaluationOptions> EvaluationSchema = new(
        ConfigKey.Integer<EvaluationOptions>("sample_size", nameof(EvaluationOptions.SampleSize), e => e.SampleSize, (e, v) => e with { SampleSize = v }),
        ConfigKey.Integer<EvaluationOptions>("reference_draws", nameof(EvaluationOptions.ReferenceDraws), e => e.ReferenceDraws, (e, v) => e with { ReferenceDraws = v }),
        ConfigKey.Integer<EvaluationOptions>("reference_size", nameof(EvaluationOptions.ReferenceSize), e => e.ReferenceSize, (e, v) => e with { ReferenceSize = v }));

    /// <summary>The whole config.</summary>
    private static readonly ConfigSchema<ExperimentConfig> Schema = new(
        new ConfigKey<ExperimentConfig>("name", (section, key, c) => c with { Name = CheckName(section.String(key)) }, c => c.Name) { Property = nameof(Name) },
        ConfigKey.Text<ExperimentConfig>("description", nameof(Description), c => c.Description, (c, v) => c with { Description = v }),
        new ConfigKey<ExperimentConfig>("source", (section, key, c) => c with { Source = DistributionSpec.Parse(section.Section(key)) }, c => c.Source.ToJson())
        { Required = true, Property = nameof(Source) },
        new ConfigKey<ExperimentConfig>("target", (section, key, c) => c with { Target = DistributionSpec.Parse(section.Section(key)) }, c => c.Target.ToJson())
        { Required = true, Property = nameof(Target) },
        new ConfigKey<ExperimentConfig>("cost", (section, key, c) => c with { Cost = ParseCost(section.Section(key)) }, c => CostJson(c.Cost))
        { Required = true, Property = nameof(Cost) },
        // Written resolved: config.json says which step counts, budget and start the run used.
        new ConfigKey<ExperimentConfig>("solver", (section, key, c) => c with { Solver = SolverSchema.Read(section.Section(key), c.Solver) },
            c => SolverSchema.Write(c.Solver.Resolve(c.Cost)))
        { Property = nameof(Solver), Section = SolverSchema },
        new ConfigKey<ExperimentConfig>("velocity", (section, key, c) => c with { Velocity = VelocityConfig.Schema.Read(section.Section(key), new VelocityConfig()) },
            c => c.Velocity is { } velocity ? VelocityConfig.Schema.Write(velocity) : null)
        { Property = nameof(Velocity), Section = VelocityConfig.Schema },
        ConfigKey.Section("evaluation", nameof(Evaluation), EvaluationSchema, (ExperimentConfig c) => c.Evaluation, (c, v) => c with { Evaluation = v }),
        ConfigKey.Boolean<ExperimentConfig>("compare_quadratic", nameof(CompareQuadratic), c => c.CompareQuadratic, (c, v) => c with { CompareQuadratic = v },
            writeWhen: compare => compare));

    /// <summary>What <see cref="Schema"/> reads into: the defaults, and placeholders for the required keys, which the
    /// reader always replaces (or refuses the config for missing them).</summary>
    private static ExperimentConfig Unread(string fallbackName) =>
        new(fallbackName, "", UnreadSpec.Instance, UnreadSpec.Instance, QuadraticCost.Instance, new SolverOptions());

    /// <summary>The placeholder of a required distribution before it is read; never part of a config that was read.</summary>
    private sealed record UnreadSpec : DistributionSpec
    {
        public static readonly UnreadSpec Instance = new();

        public override string Type => "unread";

        public override Distributions.IDistribution Create() => throw new InvalidOperationException("A required key of the config was not read.");

        public override JsonObject ToJson() => throw new InvalidOperationException("A required key of the config was not read.");
    }
}
