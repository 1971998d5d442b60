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

    public static RunOutcome Run(TextWriter output, string name, Func<IProgress<TrainingProgress>, IProgress<VelocityProgress>, IProgress<string>, RunOutcome> run)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return run(new PlainLines<TrainingProgress>(output, p => Describe(name, p)), new PlainLines<VelocityProgress>(output, p => Describe(name, p)),
                new ProgressCallback<string>(stage => output.WriteLine($"{name} {stage}")));

        RunOutcome? outcome = null;
        AnsiConsole.Progress()
            // The time left is the solver's estimate, in the description: a bar's own estimate would take a resumed
            // run's jump from 0 to its saved iteration for speed and promise the end far too soon.
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name));
                ProgressTask? velocityTask = null;
                ProgressTask? stageTask = null;
                outcome = run(new ProgressCallback<TrainingProgress>(report =>
                {
                    task.MaxValue = Math.Max(1, report.TotalIterations);
                    task.Value = report.Iteration;
                    task.Description = Markup.Escape(Describe(name, report) + Eta(report));
                }), new ProgressCallback<VelocityProgress>(report =>
                {
                    task.StopTask();
                    velocityTask ??= context.AddTask(Markup.Escape(name + " velocity"));
                    velocityTask.MaxValue = Math.Max(1, report.TotalIterations);
                    velocityTask.Value = report.Iteration;
                    velocityTask.Description = Markup.Escape(Describe(name, report) + Eta(report));
                }), new ProgressCallback<string>(stage =>
                {
                    task.StopTask();
                    velocityTask?.StopTask();
                    // A step without iterations: an indeterminate bar with its description.
                    stageTask?.StopTask();
                    stageTask = context.AddTask(Markup.Escape($"{name} {stage}")).IsIndeterminate();
                }));
                task.StopTask();
                velocityTask?.StopTask();
                stageTask?.StopTask();
            });
        return outcome!;
    }

    private static string Eta(IIterationProgress p) =>
        p.Iteration >= p.TotalIterations ? "" : FormattableString.Invariant($" eta {(int)p.Remaining.TotalHours:D2}:{p.Remaining.Minutes:D2}:{p.Remaining.Seconds:D2}");

    private static string Describe(string name, TrainingProgress p) =>
        FormattableString.Invariant($"{name} it {p.Iteration}/{p.TotalIterations} critic {p.CriticObjective:F4} map {p.MapObjective:F4} W_hat {p.WHat:F4}");

    private static string Describe(string name, VelocityProgress p) =>
        FormattableString.Invariant($"{name} velocity it {p.Iteration}/{p.TotalIterations} loss {p.Loss:G4}");

    /// <summary>One line every few seconds (and at the end) for logs.</summary>
    private sealed class PlainLines<T>(TextWriter output, Func<T, string> describe) : IProgress<T> where T : IIterationProgress
    {
        private DateTime lastLine = DateTime.MinValue;

        public void Report(T p)
        {
            var now = DateTime.UtcNow;
            if (now - lastLine < PlainInterval && p.Iteration < p.TotalIterations) return;
            lastLine = now;
            output.WriteLine(FormattableString.Invariant(
                $"{describe(p)} elapsed {p.Elapsed.TotalSeconds:F0}s eta {p.Remaining.TotalSeconds:F0}s"));
        }
    }
}
