using System.Text.Json;
using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Experiments;

/// <summary>Overrides and output settings of one run (the options of <c>neuralot run</c>).</summary>
/// <param name="OutputDirectory">Where the run writes its files.</param>
/// <param name="Fast">A quick look: <see cref="ExperimentRunner.FastIterations"/> iterations at most.</param>
/// <param name="Seed">Overrides <c>solver.seed</c>.</param>
/// <param name="Iterations">Overrides <c>solver.iterations</c> (and fast mode).</param>
/// <param name="Threads">Overrides <c>solver.threads</c>.</param>
/// <param name="Device">Overrides <c>solver.device</c>.</param>
/// <param name="Force">Overwrite a folder that holds another run.</param>
public sealed record RunSettings(
    string OutputDirectory, bool Fast = false, int? Seed = null, int? Iterations = null,
    int? Threads = null, string? Device = null, bool Force = false);

/// <summary>What a run produced.</summary>
/// <param name="Config">The configuration actually run (overrides applied).</param>
/// <param name="Result">The trained solution (the caller disposes it).</param>
/// <param name="Metrics">The metrics written to metrics.json (empty when training diverged).</param>
/// <param name="OutputDirectory">The folder written.</param>
public sealed record RunOutcome(ExperimentConfig Config, TransportResult Result, IReadOnlyDictionary<string, object> Metrics, string OutputDirectory)
{
    /// <summary>The trained phase-2 field (the caller disposes it); null when the config has no velocity section or
    /// phase 1 did not finish.</summary>
    public VelocityResult? Velocity { get; init; }
}

/// <summary>
/// Trains and evaluates an experiment and writes <c>config.json</c>, <c>history.csv</c>, <c>checkpoint.ckpt</c>
/// (every <see cref="CheckpointInterval"/> iterations and at the end) and <c>metrics.json</c> (SPEC 6). Each file is
/// written atomically; metrics.json is written last and only for a usable result.
/// </summary>
public static partial class ExperimentRunner
{
    /// <summary>The iteration budget of fast mode.</summary>
    public const int FastIterations = 200;

    /// <summary>The files a run writes.</summary>
    public const string ConfigFile = "config.json", HistoryFile = "history.csv", MetricsFile = "metrics.json", CheckpointFile = "checkpoint.ckpt";

    /// <summary>Iterations between the periodic checkpoints of a run (one is also written at the end).</summary>
    public const int CheckpointInterval = 1000;

    /// <summary>The configuration with the settings' overrides applied.</summary>
    public static ExperimentConfig Apply(ExperimentConfig config, RunSettings settings)
    {
        var solver = config.Solver.Resolve();
        if (settings.Fast) solver = solver with { Iterations = Math.Min(solver.Iterations!.Value, FastIterations) };
        solver = solver with
        {
            Seed = settings.Seed ?? solver.Seed,
            Iterations = settings.Iterations ?? solver.Iterations,
            Threads = settings.Threads ?? solver.Threads,
            Device = settings.Device ?? solver.Device,
        };
        solver.Validate();
        return config with { Solver = solver, Velocity = ApplyToVelocity(config.Velocity, solver, settings) };
    }

    /// <summary>Runs the experiment and writes its folder.</summary>
    /// <exception cref="ConfigException">Invalid configuration, or the output folder holds another run and Force is off.</exception>
    public static RunOutcome Run(
        ExperimentConfig config, RunSettings settings,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IProgress<VelocityProgress>? velocityProgress = null)
    {
        ExperimentConfig applied;
        IDistribution source, target;
        try
        {
            applied = Apply(config, settings);
            source = applied.Source.Create();
            target = applied.Target.Create();
            if (source.Dimension != target.Dimension)
                throw new ConfigException($"config.source has dimension {source.Dimension} but config.target has dimension {target.Dimension}; both must live in the same space.");
            MinimaxSolver.Validate(source, target, applied.Cost, applied.Solver);
            CheckVelocitySection(applied);
        }
        catch (ArgumentException error)
        {
            throw ConfigException.From(error);
        }
        PrepareOutputDirectory(settings.OutputDirectory, settings.Force);
        WriteAtomically(Path.Combine(settings.OutputDirectory, ConfigFile), applied.ToJson());

        var checkpoint = Path.Combine(settings.OutputDirectory, CheckpointFile);
        var result = MinimaxSolver.Solve(source, target, applied.Cost, applied.Solver, progress, cancellation,
            new TrainingHooks(CheckpointInterval, state => TransportCheckpoint.Save(state, checkpoint)));
        WriteAtomically(Path.Combine(settings.OutputDirectory, HistoryFile), result.History.ToCsv());
        // A diverged run keeps its last periodic checkpoint, which predates the blow-up, and gets no metrics.
        if (result.ExitReason == ExitReason.Diverged)
            return new RunOutcome(applied, result, new Dictionary<string, object>(), settings.OutputDirectory);
        TransportCheckpoint.Save(result, checkpoint);

        var velocity = TrainVelocity(applied, result, settings.OutputDirectory, velocityProgress, cancellation);
        if (velocity?.ExitReason == ExitReason.Diverged)
            return new RunOutcome(applied, result, new Dictionary<string, object>(), settings.OutputDirectory) { Velocity = velocity };
        var metrics = Evaluate(applied, result, settings.Fast ? FastSampleMetricSize : SampleMetricSize);
        if (velocity is not null) AddVelocityMetrics(metrics, applied, result, velocity);
        WriteAtomically(Path.Combine(settings.OutputDirectory, MetricsFile),
            JsonSerializer.Serialize(metrics, new JsonSerializerOptions { WriteIndented = true }));
        return new RunOutcome(applied, result, metrics, settings.OutputDirectory) { Velocity = velocity };
    }

    /// <summary>Samples per side of the exact-OT metrics (pushforward W2, in-sample map error): exact OT of
    /// 2,000 points takes about a second.</summary>
    public const int SampleMetricSize = 2000;

    /// <summary>The same in fast mode.</summary>
    public const int FastSampleMetricSize = 500;

    /// <summary>The metrics of SPEC 3 that apply to this experiment, plus the run's identity.</summary>
    /// <param name="config">The configuration that was run.</param>
    /// <param name="result">Its result.</param>
    /// <param name="sampleMetricSize">Samples per side of the exact-OT metrics.</param>
    public static Dictionary<string, object> Evaluate(ExperimentConfig config, TransportResult result, int sampleMetricSize = SampleMetricSize)
    {
        var metrics = new Dictionary<string, object>
        {
            ["experiment"] = config.Name,
            ["dimension"] = result.Dimension,
            ["cost"] = config.Cost.Name,
            ["critic"] = result.Options.Critic.ToString().ToLowerInvariant(),
            ["seed"] = result.Options.Seed,
            ["iterations"] = result.IterationsCompleted,
            ["train_seconds"] = Math.Round(result.TrainingTime.TotalSeconds, 3),
            ["exit_reason"] = ExitReasonName(result.ExitReason),
        };
        // Evaluation samples come from their own stream, apart from the training samples.
        var generator = new torch.Generator((ulong)result.Options.Seed + 1_000_003UL);
        var costSamples = CostSampleCounts(config);
        var costEstimate = result.EstimateOptimalCost(costSamples.Cost, generator);
        metrics[MetricNames.CostEstimate] = costEstimate;
        metrics[MetricNames.WHat] = result.EstimateTransportCost(costSamples.Moments, generator);
        if (config.Cost is QuadraticCost && config.Source is GaussianSpec source && config.Target is GaussianSpec target)
        {
            var reference = new GaussianTransport(source.CreateGaussian(), target.CreateGaussian());
            foreach (var (name, value) in GaussianMapMetrics.Evaluate(result, reference, generator, costEstimate))
                metrics[name] = value;
        }
        else if (config.Cost is QuadraticCost)
        {
            metrics[MetricNames.W2Estimate] = Math.Sqrt(2 * costEstimate);
        }
        var sampleMetrics = config.Source is MnistSpec digitSource && config.Target is MnistSpec digitTarget
            ? DigitMetrics(digitSource, digitTarget, result, generator)
            : SampleBasedMetrics(result, config.Cost, sampleMetricSize, generator);
        foreach (var (name, value) in sampleMetrics)
            metrics[name] = value;
        if (result.ReverseMap is not null)
        {
            metrics[MetricNames.CostEstimateReverse] = result.EstimateReverseTransportCost(GaussianMapMetrics.MomentSamples, generator);
            metrics[MetricNames.CycleError] = result.CycleError(GaussianMapMetrics.MapSamples, generator);
        }
        return metrics;
    }

    /// <summary>Metrics against exact OT on samples, which apply to every problem: the in-sample map error under
    /// the problem's cost and, for the quadratic cost, the pushforward W2 beside its noise floor.</summary>
    private static Dictionary<string, object> SampleBasedMetrics(TransportResult result, ICost cost, int n, torch.Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        var source = result.Source.Sample(n, generator);
        var mapped = PointSets.FromTensor(result.Transport(source), "mapped");
        var target = PointSets.FromTensor(result.Target.Sample(n, generator), "target");
        var metrics = new Dictionary<string, object>
        {
            [MetricNames.SampleMetricSize] = n,
            [MetricNames.InSampleMapError] = SampleMetrics.InSampleMapError(PointSets.FromTensor(source, "source"), mapped, target, cost),
        };
        if (cost is QuadraticCost)
        {
            var otherTarget = PointSets.FromTensor(result.Target.Sample(n, generator), "target");
            metrics[MetricNames.PushforwardW2] = SampleMetrics.PushforwardW2(mapped, otherTarget);
            metrics[MetricNames.PushforwardW2Floor] = SampleMetrics.PushforwardW2Floor(target, otherTarget);
        }
        return metrics;
    }

    /// <summary>The snake_case name of an exit reason as written in metrics.json.</summary>
    public static string ExitReasonName(ExitReason reason) => reason switch
    {
        ExitReason.IterationBudget => "iteration_budget",
        ExitReason.Converged => "converged",
        ExitReason.Diverged => "diverged",
        ExitReason.Cancelled => "cancelled",
        _ => reason.ToString().ToLowerInvariant(),
    };

    private static void PrepareOutputDirectory(string directory, bool force)
    {
        if (Directory.Exists(directory))
        {
            var runFiles = new[] { ConfigFile, HistoryFile, MetricsFile, CheckpointFile, VelocityHistoryFile, VelocityCheckpointFile }.Where(f => File.Exists(Path.Combine(directory, f))).ToArray();
            if (runFiles.Length > 0 && !force)
                throw new ConfigException($"The output folder {directory} already holds a run ({string.Join(", ", runFiles)}); choose another --out or pass --force to overwrite it.");
            foreach (var file in runFiles) File.Delete(Path.Combine(directory, file));
        }
        Directory.CreateDirectory(directory);
    }

    /// <summary>Writes through a temporary file and a rename, so a crash never leaves a truncated file under the final name.</summary>
    public static void WriteAtomically(string path, string contents)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, contents);
        File.Move(temporary, path, overwrite: true);
    }
}
