using NeuralOT.Experiments;
using NeuralOT.Solvers;
using Spectre.Console;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// Shows training progress: a live progress bar with the objectives, W_hat and ETA on a terminal, and a plain line
/// every few seconds when the output is redirected (logs, CI).
/// </summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    public static RunOutcome Run(TextWriter output, string name, Func<IProgress<TrainingProgress>, RunOutcome> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return run(new PlainLines(output, name));

        RunOutcome? outcome = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name));
                outcome = run(new Callback(report =>
                {
                    task.MaxValue = Math.Max(1, report.TotalIterations);
                    task.Value = report.Iteration;
                    task.Description = Markup.Escape(Describe(name, report));
                }));
                task.StopTask();
            });
        return outcome!;
    }

    private static string Describe(string name, TrainingProgress p) =>
        FormattableString.Invariant($"{name} it {p.Iteration}/{p.TotalIterations} critic {p.CriticObjective:F4} map {p.MapObjective:F4} W_hat {p.WHat:F4}");

    private sealed class Callback(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class PlainLines(TextWriter output, string name) : IProgress<TrainingProgress>
    {
        private DateTime lastLine = DateTime.MinValue;

        public void Report(TrainingProgress p)
        {
            var now = DateTime.UtcNow;
            if (now - lastLine < PlainInterval && p.Iteration < p.TotalIterations) return;
            lastLine = now;
            output.WriteLine(FormattableString.Invariant(
                $"{Describe(name, p)} elapsed {p.Elapsed.TotalSeconds:F0}s eta {p.Remaining.TotalSeconds:F0}s"));
        }
    }
}
