using System.Diagnostics;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>How a training loop ended.</summary>
/// <param name="Exit">Why it stopped.</param>
/// <param name="Message">A one-line explanation.</param>
/// <param name="Completed">Iterations completed (the last good state).</param>
/// <param name="Elapsed">Wall-clock time of the loop.</param>
internal sealed record LoopOutcome(ExitReason Exit, string Message, int Completed, TimeSpan Elapsed);

/// <summary>
/// The iteration driver of a training run: a dispose scope per iteration (memory stays flat), cancellation checked
/// before every iteration, a stop at the first non-finite monitored value, history rows at a fixed interval and
/// progress reports throttled to a few a second.
/// </summary>
internal static class TrainingLoop
{
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Runs <paramref name="total"/> iterations.</summary>
    /// <param name="total">The iteration budget.</param>
    /// <param name="historyInterval">Record every this many iterations (the last one and a divergent one always).</param>
    /// <param name="step">Runs 1-based iteration i and returns null, or a description of the monitored value that
    /// became non-finite (for example "loss became NaN").</param>
    /// <param name="record">Adds a history row for iteration i at the elapsed time.</param>
    /// <param name="report">Sends progress for iteration i at the elapsed time; null for none.</param>
    /// <param name="divergenceFix">What to change when training diverges (ends the message).</param>
    /// <param name="cancellation">Stops before the next iteration.</param>
    /// <param name="afterIteration">Runs after each completed iteration (periodic work such as checkpoints) and
    /// returns null to go on, or a message to stop early with <see cref="ExitReason.Converged"/>.</param>
    /// <param name="completedBefore">Iterations a resumed run already completed: the loop starts after them.</param>
    /// <param name="elapsedBefore">Their training time: elapsed times continue from it.</param>
    public static LoopOutcome Run(
        int total, int historyInterval, Func<int, string?> step, Action<int, TimeSpan> record,
        Action<int, TimeSpan>? report, string divergenceFix, CancellationToken cancellation,
        Func<int, TimeSpan, string?>? afterIteration = null, int completedBefore = 0, TimeSpan elapsedBefore = default)
    {
        var stopwatch = Stopwatch.StartNew();
        TimeSpan Elapsed() => elapsedBefore + stopwatch.Elapsed;
        var lastReport = elapsedBefore;
        var exit = ExitReason.IterationBudget;
        var message = $"completed the budget of {total} iterations";
        var completed = completedBefore;
        for (var iteration = completedBefore + 1; iteration <= total; iteration++)
        {
            if (cancellation.IsCancellationRequested)
            {
                exit = ExitReason.Cancelled;
                message = $"cancelled after {completed} of {total} iterations";
                break;
            }
            string? failure;
            using (NewDisposeScope()) failure = step(iteration);
            if (failure is not null)
            {
                exit = ExitReason.Diverged;
                message = $"diverged: the {failure} at iteration {iteration}; {divergenceFix}";
                record(iteration, Elapsed());
                break;
            }
            completed = iteration;
            if (iteration % historyInterval == 0 || iteration == total) record(iteration, Elapsed());
            if (report is not null && (Elapsed() - lastReport >= ProgressInterval || iteration == total))
            {
                lastReport = Elapsed();
                report(iteration, Elapsed());
            }
            if (iteration < total && afterIteration?.Invoke(iteration, Elapsed()) is { } convergence)
            {
                exit = ExitReason.Converged;
                message = convergence;
                if (iteration % historyInterval != 0) record(iteration, Elapsed());
                break;
            }
        }
        stopwatch.Stop();
        if (report is not null && exit != ExitReason.IterationBudget) report(completed, Elapsed());
        return new LoopOutcome(exit, message, completed, Elapsed());
    }

    /// <summary>"name became NaN" or "name became infinite" for a non-finite value; null for a finite one.</summary>
    public static string? NonFinite(string name, double value) =>
        double.IsFinite(value) ? null : $"{name} became {(double.IsNaN(value) ? "NaN" : "infinite")}";
}
