using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Checkpoints;

/// <summary>
/// Saves and loads a phase-1 result: its networks, the options that built them, the preconditioner, the history
/// and why training stopped. The file is a <see cref="CheckpointFile"/> container (kind <c>transport</c>; layout in
/// that class) whose content header is a <see cref="CheckpointHeader"/> and whose networks are <c>map</c>,
/// <c>critic</c> and, for bidirectional training, <c>reverse_map</c> and <c>reverse_critic</c>. Loading checks the
/// magic, the file's length and its SHA-256 checksum, header included (a truncated, corrupt or edited file is
/// refused) and that the checkpoint
/// fits the problem it is loaded for; saving is atomic.
/// <para>Training state (content version 2, written since resume exists): when the header's <c>training</c> entry is
/// present, the payload also holds <c>map_optimizer</c>, <c>critic_optimizer</c> (and <c>reverse_map_optimizer</c>,
/// <c>reverse_critic_optimizer</c> when bidirectional), each an Adam state (moments and step counts,
/// <c>save_state_dict</c>), and <c>generator</c>, the training sample stream's state; the entry itself holds the
/// agreement rule's smoothed estimates. With them <see cref="MinimaxSolver.Resume"/> continues exactly where training
/// stopped. Files without the entry (content version 1) still load as results; they cannot be resumed.</para>
/// <para>The held-out guard's state (content version 3, for runs on finite data with the guard): the header's
/// <c>held_out</c> entry holds every evaluation so far and the last accepted iteration, and the payload the accepted
/// networks as <c>held_out_map</c>, <c>held_out_critic</c> (and <c>held_out_reverse_map</c>,
/// <c>held_out_reverse_critic</c>), after the generator, so that a resumed run's guard goes on from the same median and
/// can put back networks accepted before the interruption; a finished file rebuilds its
/// <see cref="TransportResult.HeldOut"/> report. Files without the entry resume with a fresh guard, and the report
/// says after which iteration it restarted.</para>
/// <para>Map averaging (<see cref="SolverOptions.MapAveraging"/>): the result's maps are the running averages, stored
/// after the other networks as <c>averaged_map</c> (and <c>averaged_reverse_map</c>); <c>map</c> is then the network
/// training continues from. Files without them load and resume without averaging.</para>
/// </summary>
public static class TransportCheckpoint
{
    private const string Kind = "transport";

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically.</summary>
    /// <param name="result">The result to save.</param>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="configSha256">The SHA-256 (hex) of the configuration file beside the checkpoint, if any: recorded in
    /// the header, which the file's checksum covers, so that <see cref="Load"/> can tell when that file was edited.</param>
    public static void Save(TransportResult result, string path, string? configSha256 = null) => Save(result, path, configSha256, null);

    /// <summary>Save with a hook around the file stream (tests use it to simulate a crash mid-write).</summary>
    internal static void Save(TransportResult result, string path, string? configSha256, Func<Stream, Stream>? wrap)
    {
        ArgumentNullException.ThrowIfNull(result);
        // "map" is the network training continues from; with map averaging the result's map is the average, stored
        // after the others as "averaged_map", in the order of TransportDirection.Networks.
        var directions = result.Training?.Directions;
        var networks = new List<(string, nn.Module)> { ("map", directions?[0].Map ?? result.Map), ("critic", result.Critic) };
        if (result.ReverseMap is not null) networks.Add(("reverse_map", directions?[1].Map ?? result.ReverseMap));
        if (result.ReverseCritic is not null) networks.Add(("reverse_critic", result.ReverseCritic));
        foreach (var (prefix, direction) in DirectionNames.Zip(directions ?? []))
            if (direction.AveragedMap is not null) networks.Add((AveragedPrefix + prefix + "map", direction.AveragedMap));
        var sections = networks.Select(n => (n.Item1, CheckpointFile.Serialize(n.Item2))).ToList();
        if (result.Training is { } training)
        {
            foreach (var (prefix, direction) in DirectionNames.Zip(training.Directions))
            {
                sections.Add((prefix + "map_optimizer", CheckpointFile.Serialize(direction.MapOptimizer.save_state_dict)));
                sections.Add((prefix + "critic_optimizer", CheckpointFile.Serialize(direction.CriticOptimizer.save_state_dict)));
            }
            using var generatorState = training.Generator.get_state();
            sections.Add((GeneratorSection, generatorState.data<byte>().ToArray()));
            if (training.HeldOut?.AcceptedNetworks is { } accepted)
                sections.AddRange(networks.Zip(accepted, (network, bytes) => (HeldOutPrefix + network.Item1, bytes)));
        }
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
            Training = result.Training is { } state ? new TrainingStateHeader(state.SmoothedWHat, state.SmoothedWHatReverse) : null,
            HeldOut = result.Training?.HeldOut is { } guard
                ? new HeldOutStateHeader(guard.Evaluations, guard.LastAcceptedIteration, guard.AcceptedNetworks is not null, guard.RestartedAfterIteration)
                : null,
            ConfigSha256 = configSha256,
        };
        CheckpointFile.Write(path, Kind, header, sections, wrap);
    }

    // Section-name prefixes of the forward and reverse direction.
    private static readonly string[] DirectionNames = ["", "reverse_"];
    private const string GeneratorSection = "generator";
    // Section-name prefix of the held-out guard's copy of the last accepted networks.
    private const string HeldOutPrefix = "held_out_";
    // Section-name prefix of the running averages of the maps (SolverOptions.MapAveraging).
    private const string AveragedPrefix = "averaged_";

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
    /// <param name="configSha256">If given, the SHA-256 (hex) of the configuration file the caller read the problem
    /// from; a checkpoint that recorded another one when it was saved is refused (the file was edited since).</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a checkpoint, truncated, corrupt, trained for another problem, or
    /// saved beside another configuration.</exception>
    public static TransportResult Load(
        string path, IDistribution source, IDistribution target, ICost cost, SolverOptions? expected = null, string? configSha256 = null)
    {
        var (header, sections) = CheckpointFile.Read<CheckpointHeader>(path, Kind);
        if (configSha256 is not null && header.ConfigSha256 is { } recorded && !recorded.Equals(configSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"The checkpoint {path} was saved with another configuration: the config file beside it was edited since (its SHA-256 is not the one the checkpoint recorded).");
        var problems = new List<string>();
        if (header.Dimension != source.Dimension || header.Dimension != target.Dimension)
            problems.Add($"it is {header.Dimension}-dimensional but the problem is {source.Dimension}-dimensional");
        if (header.Cost != cost.Name) problems.Add($"it was trained with the cost {header.Cost}, not {cost.Name}");
        if (expected?.Resolve(cost) is { } wanted)
        {
            var saved = header.Solver;
            if (saved.Critic != wanted.Critic) problems.Add($"solver.critic is {Name(saved.Critic)}, not {Name(wanted.Critic)}");
            if (saved.MapNetwork != wanted.MapNetwork) problems.Add($"solver.map_network is {saved.MapNetwork.Describe()}, not {wanted.MapNetwork.Describe()}");
            if (saved.CriticNetwork != wanted.CriticNetwork) problems.Add($"solver.critic_network is {saved.CriticNetwork.Describe()}, not {wanted.CriticNetwork.Describe()}");
            if ((saved.Bidirectional is null) != (wanted.Bidirectional is null)) problems.Add($"it was trained {(saved.Bidirectional is null ? "in one direction" : "bidirectionally")}");
            if (saved.Preconditioning != wanted.Preconditioning) problems.Add($"solver.preconditioning is {saved.Preconditioning?.ToString().ToLowerInvariant()}, not {wanted.Preconditioning?.ToString().ToLowerInvariant()}");
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"The checkpoint {path} does not fit this problem: {string.Join("; ", problems)}.");

        var options = header.Solver;
        var state = sections.ToDictionary(s => s.Name, s => s.Bytes);
        // Checkpoints written before map averaging existed hold no averages (their options read the new default):
        // they load, and resume, without it.
        var averaged = state.ContainsKey(AveragedPrefix + "map");
        if (!averaged) options = options with { MapAveraging = 0 };
        var timeDependent = options.Critic == CriticForm.Time;
        var gaussianStart = options.Preconditioning == Preconditioning.Gaussian;
        var networks = new Dictionary<string, nn.Module>
        {
            ["map"] = new MapNetwork(header.Dimension, options.MapNetwork, linearBase: gaussianStart),
            ["critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork, quadraticBase: gaussianStart),
        };
        if (options.Bidirectional is not null)
        {
            networks["reverse_map"] = new MapNetwork(header.Dimension, options.MapNetwork);
            networks["reverse_critic"] = new CriticNetwork(header.Dimension, timeDependent, options.CriticNetwork);
        }
        if (averaged)
        {
            networks[AveragedPrefix + "map"] = new MapNetwork(header.Dimension, options.MapNetwork, linearBase: gaussianStart);
            if (options.Bidirectional is not null) networks[AveragedPrefix + "reverse_map"] = new MapNetwork(header.Dimension, options.MapNetwork);
        }
        foreach (var (name, network) in networks)
            CheckpointFile.LoadInto(network, state.Remove(name, out var bytes) ? bytes : throw new InvalidDataException($"The checkpoint {path} lacks its {name} network."), path, name);
        var device = MinimaxSolver.ResolveDevice(options.Device);
        foreach (var network in networks.Values) network.to(device);
        var preconditioner = header.Preconditioner is { } p ? new AffinePreconditioner(p.Scale, p.SourceMean, p.TargetMean) : null;
        var map = (MapNetwork)networks["map"];
        var critic = (CriticNetwork)networks["critic"];
        var reverseMap = networks.GetValueOrDefault("reverse_map") as MapNetwork;
        var reverseCritic = networks.GetValueOrDefault("reverse_critic") as CriticNetwork;
        var averagedMap = networks.GetValueOrDefault(AveragedPrefix + "map") as MapNetwork;
        var averagedReverseMap = networks.GetValueOrDefault(AveragedPrefix + "reverse_map") as MapNetwork;
        var (training, heldOutReport) = header.Training is null
            ? default
            : LoadTrainingState(path, header, options, state, source, target, preconditioner,
                new TransportDirectionNetworks(map, critic, averagedMap), reverseMap is null ? null : new TransportDirectionNetworks(reverseMap, reverseCritic!, averagedReverseMap));
        if (state.Count > 0) throw new InvalidDataException($"The checkpoint {path} holds an unexpected section \"{state.Keys.First()}\".");
        var outcome = new TrainingOutcome(TrainingHistory.FromCsv(header.History), header.ExitReason, header.ExitMessage,
            header.IterationsCompleted, TimeSpan.FromSeconds(header.TrainingSeconds), training, heldOutReport);
        return new TransportResult(source, target, cost, options, averagedMap ?? map, critic, averagedReverseMap ?? reverseMap, reverseCritic, preconditioner, outcome);
    }

    /// <summary>Rebuilds the optimisers over the loaded networks and restores their moments, the sample stream and the
    /// held-out guard's state; removes the sections it reads from <paramref name="sections"/>. For a finished run
    /// with the guard's state it also rebuilds the held-out report (so that a run whose evaluation is resumed still
    /// reports it).</summary>
    private static (TrainingState State, HeldOutReport? HeldOut) LoadTrainingState(
        string path, CheckpointHeader header, SolverOptions options, Dictionary<string, byte[]> sections, IDistribution source, IDistribution target,
        AffinePreconditioner? preconditioner, TransportDirectionNetworks forward, TransportDirectionNetworks? reverse)
    {
        byte[] Take(string name) => sections.Remove(name, out var bytes)
            ? bytes
            : throw new InvalidDataException($"The checkpoint {path} is corrupt: its header promises training state but the {name} section is missing.");
        // Training continues on the rows the run trained on: the held-out split is a function of the seed.
        var (dataSource, dataTarget, monitor) = HeldOutMonitor.Prepare(source, target, options);
        using var heldOutMonitor = monitor;
        var trainingSource = preconditioner?.PushForward(dataSource) ?? dataSource;
        var directions = new List<TransportDirection> { new(trainingSource, dataTarget, forward.Map, forward.Critic, options, forward.AveragedMap) };
        if (reverse is not null) directions.Add(new(dataTarget, trainingSource, reverse.Map, reverse.Critic, options, reverse.AveragedMap));
        foreach (var (prefix, direction) in DirectionNames.Zip(directions))
        {
            LoadOptimizer(direction.MapOptimizer, Take(prefix + "map_optimizer"), path, prefix + "map_optimizer");
            LoadOptimizer(direction.CriticOptimizer, Take(prefix + "critic_optimizer"), path, prefix + "critic_optimizer");
        }
        var generator = new Generator((ulong)options.Seed);
        var generatorBytes = Take(GeneratorSection);
        try
        {
            using var saved = torch.tensor(generatorBytes, dtype: uint8);
            generator.set_state(saved);
        }
        catch (Exception error) when (error is ArgumentException or ExternalException or InvalidOperationException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a corrupt sample-stream state: {error.Message}", error);
        }
        HeldOutGuardState? heldOut = null;
        HeldOutReport? report = null;
        if (header.HeldOut is { } guard)
        {
            // The order of TransportDirection.Networks.
            var names = new List<string> { "map", "critic" };
            if (reverse is not null) names.AddRange(["reverse_map", "reverse_critic"]);
            if (forward.AveragedMap is not null) names.Add(AveragedPrefix + "map");
            if (reverse?.AveragedMap is not null) names.Add(AveragedPrefix + "reverse_map");
            var accepted = guard.HasAcceptedNetworks ? names.Select(name => Take(HeldOutPrefix + name)).ToArray() : null;
            heldOut = new HeldOutGuardState(guard.Evaluations, guard.LastAcceptedIteration, accepted, guard.RestartedAfterIteration);
            if (monitor is not null && guard.Evaluations.Count > 0 && header.ExitReason is ExitReason.IterationBudget or ExitReason.Converged)
            {
                try
                {
                    monitor.Continue(heldOut, TransportDirection.Networks(directions), header.IterationsCompleted);
                }
                catch (InvalidDataException error)
                {
                    throw new InvalidDataException($"The checkpoint {path} is corrupt: {error.Message}", error);
                }
                report = monitor.Finish();
            }
        }
        return (new TrainingState(directions.ToArray(), generator, header.Training!.SmoothedWHat, header.Training.SmoothedWHatReverse, heldOut), report);
    }

    private static void LoadOptimizer(TorchSharp.Modules.OptimizerHelper optimizer, byte[] bytes, string path, string name)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception error) when (error is ArgumentException or InvalidDataException or InvalidOperationException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"The checkpoint {path} has a {name} state that does not match its networks: {error.Message}", error);
        }
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}

/// <summary>The networks of one direction as a checkpoint loads them: the trained map, its critic and the map's
/// running average (null without map averaging).</summary>
internal sealed record TransportDirectionNetworks(MapNetwork Map, CriticNetwork Critic, MapNetwork? AveragedMap);

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
    /// <summary>Present when the file holds the training state resume needs (see <see cref="TransportCheckpoint"/>);
    /// null in files written before resume existed.</summary>
    public TrainingStateHeader? Training { get; init; }
    /// <summary>Present when the run trained with the held-out guard and the file keeps the guard's state (see
    /// <see cref="TransportCheckpoint"/>); null without the guard, or in files written before checkpoints kept it (a
    /// resume then restarts the guard).</summary>
    public HeldOutStateHeader? HeldOut { get; init; }
    /// <summary>The SHA-256 (hex) of the run folder's config.json when a run saved the checkpoint; null for a
    /// checkpoint saved on its own, or written before this entry existed (then an edited config is not detected).</summary>
    public string? ConfigSha256 { get; init; }
}

/// <summary>The header part of the training state: the agreement rule's smoothed W_hat estimates (bidirectional
/// training; null otherwise). The optimisers and the sample stream are payload sections.</summary>
public sealed record TrainingStateHeader(double? SmoothedWHat, double? SmoothedWHatReverse);

/// <summary>The header part of the held-out guard's state; the accepted networks are payload sections
/// (<c>held_out_map</c>, <c>held_out_critic</c>, and the reverse direction's when bidirectional).</summary>
/// <param name="Evaluations">Every evaluation so far, oldest first.</param>
/// <param name="LastAcceptedIteration">The iteration of the last accepted evaluation (0 before the first).</param>
/// <param name="HasAcceptedNetworks">Whether the payload holds that evaluation's networks (false before the first
/// accepted evaluation).</param>
/// <param name="RestartedAfterIteration">Set when the guard restarted after a resume from a checkpoint without its
/// state: the iteration the run was resumed after.</param>
public sealed record HeldOutStateHeader(
    IReadOnlyList<HeldOutEvaluation> Evaluations, int LastAcceptedIteration, bool HasAcceptedNetworks, int? RestartedAfterIteration);

/// <summary>A saved <see cref="AffinePreconditioner"/>.</summary>
public sealed record PreconditionerState(double Scale, double[] SourceMean, double[] TargetMean);
