namespace NeuralOT.Solvers;

/// <summary>Work the solver does for its caller during training, such as periodic checkpoints.</summary>
/// <param name="CheckpointInterval">Call <paramref name="Checkpoint"/> every this many iterations (&gt;= 1).</param>
/// <param name="Checkpoint">Receives a view of the current state (it shares the live networks: read it, save it,
/// do not dispose it or keep it).</param>
public sealed record TrainingHooks(int CheckpointInterval, Action<TransportResult> Checkpoint);
