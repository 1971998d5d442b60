using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Checkpoints;

/// <summary>
/// Saves and loads a phase-2 result: the velocity network, the options that built it, the history and why training
/// stopped. Same container as <see cref="TransportCheckpoint"/> (kind <c>velocity</c>, one network <c>velocity</c>),
/// with the same integrity checks and atomic writes.
/// </summary>
public static class VelocityCheckpoint
{
    private const string Kind = "velocity";

    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(VelocityResult result, string path)
    {
        ArgumentNullException.ThrowIfNull(result);
        var header = new VelocityCheckpointHeader
        {
            Dimension = result.Dimension,
            Velocity = result.Options,
            IterationsCompleted = result.IterationsCompleted,
            ExitReason = result.ExitReason,
            ExitMessage = result.ExitMessage,
            TrainingSeconds = result.TrainingTime.TotalSeconds,
            History = result.History.ToCsv(),
        };
        CheckpointFile.Write(path, Kind, header, [("velocity", CheckpointFile.Serialize(result.Network))]);
    }

    /// <summary>Loads a phase-2 checkpoint.</summary>
    /// <param name="path">The checkpoint file.</param>
    /// <param name="supervision">The data the field was trained on (for example <c>VelocitySupervision.FromMap</c> of
    /// the loaded phase-1 result); it must have the checkpoint's dimension.</param>
    /// <param name="expected">If given, the network shape must match its <c>Network</c>.</param>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">Not a velocity checkpoint, truncated, corrupt, or of another shape.</exception>
    public static VelocityResult Load(string path, VelocitySupervision supervision, VelocityOptions? expected = null)
    {
        ArgumentNullException.ThrowIfNull(supervision);
        var (header, sections) = CheckpointFile.Read<VelocityCheckpointHeader>(path, Kind);
        var problems = new List<string>();
        if (header.Dimension != supervision.Dimension)
            problems.Add($"it is {header.Dimension}-dimensional but the supervision is {supervision.Dimension}-dimensional");
        if (expected is not null && expected.Network != header.Velocity.Network)
            problems.Add($"velocity network is {header.Velocity.Network.Describe()}, not {expected.Network.Describe()}");
        if (problems.Count > 0)
            throw new InvalidDataException($"The checkpoint {path} does not fit: {string.Join("; ", problems)}.");
        var network = new VelocityNetwork(header.Dimension, header.Velocity.Network);
        foreach (var (name, bytes) in sections)
        {
            if (name != "velocity") throw new InvalidDataException($"The checkpoint {path} holds an unexpected network \"{name}\".");
            CheckpointFile.LoadInto(network, bytes, path, name);
        }
        network.to(MinimaxSolver.ResolveDevice(header.Velocity.Device));
        return new VelocityResult(supervision, header.Velocity, network, VelocityHistory.FromCsv(header.History),
            header.ExitReason, header.ExitMessage, header.IterationsCompleted, TimeSpan.FromSeconds(header.TrainingSeconds));
    }
}

/// <summary>The content header of a phase-2 checkpoint (see <see cref="VelocityCheckpoint"/>).</summary>
public sealed record VelocityCheckpointHeader
{
    /// <summary>The dimension d.</summary>
    public int Dimension { get; init; }
    /// <summary>The options that built and trained the network.</summary>
    public VelocityOptions Velocity { get; init; } = new();
    /// <summary>Iterations completed.</summary>
    public int IterationsCompleted { get; init; }
    /// <summary>Why training stopped.</summary>
    public ExitReason ExitReason { get; init; }
    /// <summary>The one-line explanation.</summary>
    public string ExitMessage { get; init; } = "";
    /// <summary>Training time.</summary>
    public double TrainingSeconds { get; init; }
    /// <summary>The history as velocity_history.csv text.</summary>
    public string History { get; init; } = "";
}
