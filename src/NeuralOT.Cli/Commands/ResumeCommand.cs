using System.CommandLine;
using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot resume &lt;DIR&gt;</c>: continues a run folder that <c>run</c> left unfinished (Ctrl+C, or a process
/// stopped after a periodic checkpoint) from its checkpoint and config.json, then evaluates and writes it exactly as
/// <c>run</c> would (<see cref="ExperimentRunner.Resume"/> says what is restored).
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
                // Figure options are checked before training; a folder without config.json fails in Resume instead.
                var configPath = Path.Combine(directory, ExperimentRunner.ConfigFile);
                var config = File.Exists(configPath) ? ExperimentConfig.Load(configPath) : null;
                FigureOptionsCli.Request? figureRequest = null;
                if (config is not null)
                {
                    // Resume builds the problem again from the folder, under its lock.
                    using var problem = config.ToProblem();
                    figureRequest = figures.Prepare(parseResult, problem);
                }
                // The experiment's name labels the progress, as in the run that is resumed.
                var name = config?.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
                using var outcome = ProgressDisplay.Run(stdout, name,
                    (progress, velocityProgress, stages) => ExperimentRunner.Resume(directory, progress, cancellation, velocityProgress, stages));
                return RunCommand.Report(outcome, stdout, stderr, figureRequest, cancellation);
            }));
        });
        return command;
    }
}
