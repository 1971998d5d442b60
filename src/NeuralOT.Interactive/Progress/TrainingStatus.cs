namespace NeuralOT.Interactive.Progress;

/// <summary>One named number of a progress panel (an objective, W_hat, a loss).</summary>
/// <param name="Name">What it is, as shown.</param>
/// <param name="Value">Its latest value.</param>
public sealed record StatusValue(string Name, double Value);

/// <summary>
/// What the live progress panel of a notebook shows at one moment: how far training is, the latest objectives, the
/// time left, and a short history of the monitored curves. Immutable; the monitor replaces it on every report.
/// </summary>
/// <param name="Title">The run's name.</param>
/// <param name="Phase">"map" (phase 1) or "velocity" (phase 2).</param>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="TotalIterations">The budget.</param>
/// <param name="Values">The latest numbers, in display order.</param>
/// <param name="Elapsed">Training time of this phase so far.</param>
/// <param name="Remaining">Estimated time to the end of the budget.</param>
/// <param name="Curves">Each monitored curve (name and values, oldest first) for the small live chart.</param>
/// <param name="Outcome">Null while training runs; then why it stopped.</param>
public sealed record TrainingStatus(
    string Title, string Phase, int Iteration, int TotalIterations, IReadOnlyList<StatusValue> Values,
    TimeSpan Elapsed, TimeSpan Remaining, IReadOnlyList<StatusCurve> Curves, string? Outcome)
{
    /// <summary>The share of the budget done, in [0, 1].</summary>
    public double Fraction => TotalIterations <= 0 ? 1 : Math.Clamp((double)Iteration / TotalIterations, 0, 1);

    /// <summary>True once training stopped.</summary>
    public bool IsFinished => Outcome is not null;

    /// <summary>True when training ended before its budget or rule said so: the stop button, <c>Stop()</c>, or
    /// divergence. False for a normal finish.</summary>
    public bool Interrupted { get; init; }

    /// <summary>One line per phase that has ended (a run has a map phase and, for some experiments, a velocity
    /// phase), oldest first; the phase shown in the header is not among them while it runs.</summary>
    public IReadOnlyList<PhaseSummary> FinishedPhases { get; init; } = [];
}

/// <summary>How one training phase ended, for the compact lines of a finished run's panel.</summary>
/// <param name="Phase">"map" or "velocity".</param>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="TotalIterations">The budget.</param>
/// <param name="Elapsed">The phase's training time.</param>
/// <param name="Final">Its last W_hat (map) or loss (velocity); null when no iteration was reported.</param>
/// <param name="Exit">Why it ended (the result's exit message); null when not known.</param>
public sealed record PhaseSummary(string Phase, int Iteration, int TotalIterations, TimeSpan Elapsed, StatusValue? Final, string? Exit);

/// <summary>A monitored curve of the live chart.</summary>
/// <param name="Name">Its legend.</param>
/// <param name="Points">(iteration, value) pairs, oldest first.</param>
public sealed record StatusCurve(string Name, IReadOnlyList<(int Iteration, double Value)> Points);
