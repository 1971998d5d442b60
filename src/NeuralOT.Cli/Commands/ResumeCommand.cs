using System.CommandLine;
using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot resume &lt;DIR&gt;</c>: continues a run folder that <c>run</c> left unfinished (Ctrl+C, or a process
/// stopped after a periodic checkpoint) from its checkpoint and config.json, then evaluates and writes it exactly as
/// <c>run</c> would (<see cref="ExperimentRunner.Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> says what is restored).
/// </summary>
public static class ResumeCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "The run folder to continue (the --out of `neuralot run`)." };
        var command = new Command("resume", "Continue a cancelled or interrupted run from its checkpoint; writes the folder as `run` does.") { folder };
        var figures = new FigureOptionsCli(command);
        command.SetAction((parseResult, cancellation) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            return Task.FromResult(CliErrors.Run(stderr, () =>
            {
                var directory = parseResult.GetValue(folder)!;
                if (ExperimentRunner.IsFinished(directory))
                {
                    stdout.WriteLine($"{directory}: the run already finished ({ExperimentRunner.MetricsFile} exists); nothing to resume. If its figures are missing or incomplete (a crash or Ctrl+C while they were drawn), draw them with `neuralot figures {directory}`; to train longer, start a new run with --iterations.");
                    return 0;
                }
                // The folder is checked, locked and its problem built once; the figure options are checked against
                // that problem before any training.
                using var prepared = ExperimentRunner.PrepareResume(directory);
                var figureRequest = figures.Prepare(parseResult, prepared.Problem);
                // The experiment's name labels the progress, as in the run that is resumed.
                using var outcome = ProgressDisplay.Run(stdout, prepared.Config.Name,
                    (progress, velocityProgress, stages) => ExperimentRunner.Resume(prepared, progress, cancellation, velocityProgress, stages));
                return RunCommand.Report(outcome, stdout, stderr, figureRequest, cancellation);
            }));
        });
        return command;
    }
}
