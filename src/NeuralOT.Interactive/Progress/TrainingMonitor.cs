using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;
using NeuralOT.Solvers;

namespace NeuralOT.Interactive.Progress;

/// <summary>
/// Live training progress for a notebook: receives the solvers' progress reports and keeps ONE output of the cell
/// up to date (iteration, objectives, W_hat, ETA and a small live chart), and turns a stop request into the
/// solvers' cancellation. Training stops within one iteration and returns a usable result that holds the last
/// completed iteration.
/// </summary>
/// <remarks>
/// Three things stop training: <see cref="Stop"/>, the notebook's own stop (interrupt) button, which cancels the
/// running cell, and the token given to the constructor. Pass <see cref="Token"/> to the solver.
/// </remarks>
public sealed class TrainingMonitor : IProgress<TrainingProgress>, IProgress<VelocityProgress>, IDisposable
{
    private readonly CancellationTokenSource stop;
    private readonly Action<TrainingStatus> view;
    private readonly CurveBuffer criticCurve = new("critic objective"), mapCurve = new("map objective"), wHatCurve = new("W_hat");
    private readonly CurveBuffer lossCurve = new("velocity loss");
    private readonly CancellationTokenRegistration cellStopped;

    /// <summary>Creates a monitor that shows its panel in the running notebook cell.</summary>
    /// <param name="title">The run's name, shown on the panel.</param>
    /// <param name="cancellation">Also stops training (for example a timeout); the running cell's cancellation is
    /// linked in automatically.</param>
    public TrainingMonitor(string title, CancellationToken cancellation = default)
        : this(title, CellOutput.InCurrentCell(), cancellation)
    {
    }

    /// <summary>Creates a monitor that sends every status to <paramref name="view"/> (tests, other front ends).</summary>
    /// <param name="title">The run's name.</param>
    /// <param name="view">Receives each new status, on the training thread; keep it short.</param>
    /// <param name="cancellation">Also stops training.</param>
    public TrainingMonitor(string title, Action<TrainingStatus> view, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(view);
        Title = title;
        this.view = view;
        var cell = KernelInvocationContext.Current?.CancellationToken ?? CancellationToken.None;
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, cell);
        Status = new TrainingStatus(title, "map", 0, 0, [], TimeSpan.Zero, TimeSpan.Zero, [], null);
        // The stop button ends the cell as soon as its token fires, and the cell's outputs accept no update after that:
        // say so on the panel now (this callback runs before the cell is closed), not after the last iteration.
        cellStopped = cell.Register(() => Show(Status with
        {
            Outcome = "stopped by the notebook's stop button; the result keeps the last completed iteration",
            Interrupted = true,
        }));
    }

    /// <summary>The run's name.</summary>
    public string Title { get; }

    /// <summary>The cancellation to pass to the solvers.</summary>
    public CancellationToken Token => stop.Token;

    /// <summary>The latest status.</summary>
    public TrainingStatus Status { get; private set; }

    /// <summary>How many statuses were sent to the view.</summary>
    public int Updates { get; private set; }

    /// <summary>Asks training to stop; it stops within one iteration and keeps the last completed one.</summary>
    public void Stop() => stop.Cancel();

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        criticCurve.Add(value.Iteration, value.CriticObjective);
        mapCurve.Add(value.Iteration, value.MapObjective);
        wHatCurve.Add(value.Iteration, value.WHat);
        Show(Status with
        {
            Phase = "map",
            Iteration = value.Iteration,
            TotalIterations = value.TotalIterations,
            Values = [new("critic objective", value.CriticObjective), new("map objective", value.MapObjective), new("W_hat", value.WHat)],
            Elapsed = value.Elapsed,
            Remaining = value.Remaining,
            Curves = [criticCurve.Snapshot(), mapCurve.Snapshot(), wHatCurve.Snapshot()],
        });
    }

    /// <inheritdoc />
    public void Report(VelocityProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lossCurve.Add(value.Iteration, value.Loss);
        // The first velocity report closes the map phase of a run.
        var finished = Status.Phase == "map" && Status.Iteration > 0 ? [.. Status.FinishedPhases, Summary(Status, null)] : Status.FinishedPhases;
        Show(Status with
        {
            FinishedPhases = finished,
            Phase = "velocity",
            Iteration = value.Iteration,
            TotalIterations = value.TotalIterations,
            Values = [new("loss", value.Loss)],
            Elapsed = value.Elapsed,
            Remaining = value.Remaining,
            Curves = [lossCurve.Snapshot()],
        });
    }

    /// <summary>Shows why training ended (the last update of the panel) and closes the running phase.</summary>
    /// <param name="outcome">One line, for example the result's exit message.</param>
    /// <param name="interrupted">True when training ended early (stopped, cancelled or diverged); false for a normal
    /// finish (budget or stopping rule).</param>
    /// <param name="phaseExits">Why each phase ended, oldest first (the results' exit messages); null when unknown.</param>
    public void Finish(string outcome, bool interrupted = false, IReadOnlyList<string?>? phaseExits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        IReadOnlyList<PhaseSummary> phases = Status.Iteration > 0 || Status.FinishedPhases.Count == 0
            ? [.. Status.FinishedPhases, Summary(Status, null)] : Status.FinishedPhases;
        if (phaseExits is not null)
            phases = [.. phases.Select((p, i) => i < phaseExits.Count && phaseExits[i] is { } exit ? p with { Exit = exit } : p)];
        Show(Status with { Outcome = outcome, Remaining = TimeSpan.Zero, Interrupted = Status.Interrupted || interrupted, FinishedPhases = phases });
    }

    private static PhaseSummary Summary(TrainingStatus status, string? exit) =>
        new(status.Phase, status.Iteration, status.TotalIterations, status.Elapsed,
            status.Values.LastOrDefault(v => v.Name is "W_hat" or "loss"), exit);

    /// <inheritdoc />
    public void Dispose()
    {
        cellStopped.Dispose();
        stop.Dispose();
    }

    private void Show(TrainingStatus status)
    {
        // The training thread and the stop button's callback both report.
        lock (view)
        {
            Status = status;
            Updates++;
            view(status);
        }
    }

    /// <summary>The output of the running cell: displayed on the first status, replaced in place afterwards.</summary>
    private sealed class CellOutput(KernelInvocationContext? context)
    {
        private DisplayedValue? shown;

        public static Action<TrainingStatus> InCurrentCell()
        {
            var output = new CellOutput(KernelInvocationContext.Current);
            return output.Show;
        }

        private void Show(TrainingStatus status)
        {
            if (context is null) return;
            if (shown is null) shown = context.Display(status, HtmlFormatter.MimeType);
            else shown.Update(status);
        }
    }
}
