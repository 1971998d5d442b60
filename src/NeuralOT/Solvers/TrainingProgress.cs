namespace NeuralOT.Solvers;

/// <summary>Why training stopped.</summary>
public enum ExitReason
{
    /// <summary>All iterations ran.</summary>
    IterationBudget,
    /// <summary>A convergence rule was met before the budget.</summary>
    Converged,
    /// <summary>An objective became NaN or infinite; training stopped at once.</summary>
    Diverged,
    /// <summary>The caller cancelled; the networks hold the last completed iteration.</summary>
    Cancelled,
}

/// <summary>A progress report, sent through <see cref="IProgress{T}"/> a few times a second and at the end.</summary>
/// <param name="Iteration">Outer iterations completed.</param>
/// <param name="TotalIterations">The budget.</param>
/// <param name="CriticObjective">Latest critic-side estimate of the saddle objective.</param>
/// <param name="MapObjective">Latest map-side estimate of the saddle objective.</param>
/// <param name="WHat">Latest mean transport cost E L(F(x)).</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="Remaining">Estimated time to the end of the budget.</param>
public sealed record TrainingProgress(
    int Iteration, int TotalIterations, double CriticObjective, double MapObjective, double WHat,
    TimeSpan Elapsed, TimeSpan Remaining) : IIterationProgress;

/// <summary>What every progress report of an iterative trainer says: how far it is and how long it takes.</summary>
public interface IIterationProgress
{
    /// <summary>Iterations completed.</summary>
    int Iteration { get; }

    /// <summary>The budget.</summary>
    int TotalIterations { get; }

    /// <summary>Training time so far.</summary>
    TimeSpan Elapsed { get; }

    /// <summary>Estimated time to the end of the budget.</summary>
    TimeSpan Remaining { get; }
}
