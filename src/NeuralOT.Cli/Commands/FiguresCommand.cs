using System.CommandLine;
using NeuralOT.Experiments;
using NeuralOT.Plotting;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot figures &lt;DIR&gt;</c>: draws the figures of a run folder again from its checkpoints, without
/// training: after a change of <c>--projection</c>, to add PNG files, or for a run whose figures were not written.
/// </summary>
public static class FiguresCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A run folder (the --out of `neuralot run`)." };
        var command = new Command("figures", "Draw the figures of a run folder again from its checkpoints (no training).") { folder };
        var figures = new FigureOptionsCli(command);
        command.SetAction((parseResult, cancellation) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            return Task.FromResult(CliErrors.Run(stderr, () =>
            {
                var directory = parseResult.GetValue(folder)!;
                // Never draws a folder that a run or resume is still writing (a missing folder fails in LoadMap).
                using var folderLock = Directory.Exists(directory) ? RunFolderLock.Acquire(directory) : null;
                // Half-written figures of a crashed or full-disk attempt would only keep the disk full.
                if (folderLock is not null) NeuralOT.IO.AtomicFile.DeleteLeftovers(directory);
                using var map = RunFolder.LoadMap(directory, out var config);
                var request = figures.Prepare(parseResult, map.Problem);
                var velocityCheckpoint = Path.Combine(directory, ExperimentRunner.VelocityCheckpointFile);
                using var velocity = config.Velocity is not null && File.Exists(velocityCheckpoint) ? RunFolder.LoadVelocity(directory, config, map) : null;
                using var comparison = RunFolder.LoadQuadraticComparison(directory, config, map);
                using var images = ImageSamples.For(config);
                IReadOnlyList<string> written;
                try
                {
                    written = RunFigures.Write(map, velocity, directory, request.Options with { Experiment = config.Name }, request.Export, comparison, images, cancellation);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    stderr.WriteLine($"cancelled: some figures were not drawn; run `neuralot figures {directory}` again");
                    return RunCommand.Cancelled;
                }
                stdout.WriteLine($"figures: {string.Join(", ", written.Select(Path.GetFileName))}");
                return 0;
            }));
        });
        return command;
    }
}
