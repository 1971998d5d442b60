using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Checkpoints;

/// <summary>
/// Saves and loads a phase-1 result: its networks, the options that built them, the preconditioner, the history
/// and why training stopped. The file is a <see cref="CheckpointFile"/> container (kind <c>transport</c>; layout in
/// that class) whose content header is a <see cref="CheckpointHeader"/> and whose networks are <c>map</c>,
/// <c>critic</c> and, for bidirectional training, <c>reverse_map</c> and <c>reverse_critic</c>. Loading checks the
/// magic, the payload's length and SHA-256 checksum (a truncated or corrupt file is refused) and that the checkpoint
/// fits the problem it is loaded for; saving is atomic.
/// </summary>
public static class TransportCheckpoint
{
    private const string Kind = "transport";

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(TransportResult result, string path) => Save(result, path, null);

    /// <summary>Save with a hook around the file stream (tests use it to simulate a crash mid-write).</summary>
    internal static void Save(TransportResult result, string path, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(result);
        var networks = new List<(string, nn.Module)> { ("map", result.Map), ("critic", result.Critic) };
        if (result.ReverseMap is not null) networks.Add(("reverse_map", result.ReverseMap));
        if (result.ReverseCritic is not null) networks.Add(("reverse_critic", result.ReverseCritic));
        var header = new CheckpointHeader
        {
            Dimension = result.Dimension,
            Cost = result.Cost.Name,
            Solver = result.Options,
            Preconditioner = result.Preconditioner is { } p ? new PreconditionerState(p.Scale, p.SourceMean, p.TargetMean) : null,
            IterationsCompleted = result.IterationsCompleted,
            ExitReason = result.ExitReason,
            ExitMessage = result.ExitMessage,
            TrainingSeconds = result.TrainingTime.TotalSeconds,
            History = result.History.ToCsv(),
        };
        CheckpointFile.Write(path, Kind, header, networks, wrap);
    }

    /// <summary>Reads a checkpoint's header (without loading the networks).</summary>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated or corrupt (the message says which).</exception>
    public static CheckpointHeader ReadHeader(string path) => CheckpointFile.Read<CheckpointHeader>(path, Kind).Content;

    /// <summary>Loads a checkpoint as a result for the given problem.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="source">mu0 of the problem (the checkpoint holds networks, not distributions).</param>
    /// <param name="target">mu1 of the problem.</param>
    /// <param name="cost">The cost; must be the one the checkpoint was trained with.</param>
    /// <param name="expected">If given, the options the caller expects; every setting that shapes the networks
    /// (critic form, network shapes, bidirectional, preconditioning) must match.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated, corrupt, or trained for another problem.</exception>
    public static TransportResult Load(string path, IDistribution source, IDistribution target, ICost cost, SolverOptions? expected = null)
    {
        var (header, sections) = CheckpointFile.Read<CheckpointHeader>(path, Kind);
        var problems = new List<string>();
        if (header.Dimension != source.Dimension || header.Dimension != target.Dimension)
            problems.Add($"it is {header.Dimension}-dimensional but the problem is {source.Dimension}-dimensional");
        if (header.Cost != cost.Name) problems.Add($"it was trained with the cost {header.Cost}, not {cost.Name}");
        if (expected?.Resolve() is { } wanted)
        {
            var saved = header.Solver;
            if (saved.Critic != wanted.Critic) problems.Add($"solver.critic is {Name(saved.Critic)}, not {Name(wanted.Critic)}");
            if (saved.MapNetwork != wanted.MapNetwork) problems.Add($"solver.map_network is {Shape(saved.MapNetwork)}, not {Shape(wanted.MapNetwork)}");
            if (saved.CriticNetwork != wanted.CriticNetwork) problems.Add($"solver.critic_network is {Shape(saved.CriticNetwork)}, not {Shape(wanted.CriticNetwork)}");
            if ((saved.Bidirectional is null) != (wanted.Bidirectional is null)) problems.Add($"it was trained {(saved.Bidirectional is null ? "in one direction" : "bidirectionally")}");
            if (saved.Preconditioning != wanted.Preconditioning) problems.Add($"solver.preconditioning is {Name(saved.Preconditioning)}, not {Name(wanted.Preconditioning)}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"The checkpoint {path} does not fit this problem: {string.Join("; ", problems)}.");

        var options = header.Solver;
        var timeDependent = options.Critic == CriticForm.Time;
        var networks = new Dictionary<string, nn.Module>
        {
            ["map"] = new MapNetwork(header.Dimension, options.MapNetwork),
            ["critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork),
        };
        if (options.Bidirectional is not null)
        {
            networks["reverse_map"] = new MapNetwork(header.Dimension, options.MapNetwork);
            networks["reverse_critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork);
        }
        foreach (var (name, bytes) in sections)
            CheckpointFile.LoadInto(networks.GetValueOrDefault(name) ?? throw new InvalidDataException($"The checkpoint {path} holds an unexpected network \"{name}\"."), bytes, path, name);
        var device = MinimaxSolver.ResolveDevice(options.Device);
        foreach (var network in networks.Values) network.to(device);
        var preconditioner = header.Preconditioner is { } p ? new AffinePreconditioner(p.Scale, p.SourceMean, p.TargetMean) : null;
        var outcome = new TrainingOutcome(TrainingHistory.FromCsv(header.History), header.ExitReason, header.ExitMessage,
            header.IterationsCompleted, TimeSpan.FromSeconds(header.TrainingSeconds));
        return new TransportResult(source, target, cost, options,
            (MapNetwork)networks["map"], (CriticNetwork)networks["critic"],
            networks.GetValueOrDefault("reverse_map") as MapNetwork, networks.GetValueOrDefault("reverse_critic") as CriticNetwork,
            preconditioner, outcome);
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Shape(NetworkOptions network) => $"{network.Depth} x {network.Width} {Name(network.Activation)}";
}

/// <summary>The content header of a phase-1 checkpoint (see <see cref="TransportCheckpoint"/>).</summary>
public sealed record CheckpointHeader
{
    /// <summary>The dimension d.</summary>
    public int Dimension { get; init; }
    /// <summary>The cost's config name.</summary>
    public string Cost { get; init; } = "";
    /// <summary>The resolved options that built and trained the networks.</summary>
    public SolverOptions Solver { get; init; } = new();
    /// <summary>The affine preconditioner, or null.</summary>
    public PreconditionerState? Preconditioner { get; init; }
    /// <summary>Outer iterations completed.</summary>
    public int IterationsCompleted { get; init; }
    /// <summary>Why training stopped (<see cref="ExitReason.Cancelled"/> for a periodic checkpoint).</summary>
    public ExitReason ExitReason { get; init; }
    /// <summary>The one-line explanation.</summary>
    public string ExitMessage { get; init; } = "";
    /// <summary>Training time until the checkpoint.</summary>
    public double TrainingSeconds { get; init; }
    /// <summary>The history as history.csv text.</summary>
    public string History { get; init; } = "";
}

/// <summary>A saved <see cref="AffinePreconditioner"/>.</summary>
public sealed record PreconditionerState(double Scale, double[] SourceMean, double[] TargetMean);
