using System.CommandLine;
using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot transform &lt;DIR&gt; --input points.csv [--t T] [--reverse] [--out FILE.csv]</c>: a run's learned map
/// (the geodesic at time T, or the reverse map of a bidirectional run) applied to the rows of the user's CSV, streamed
/// in chunks, as CSV to stdout or written atomically to a file (<see cref="RunFolder.Transform(string, string, string, double, bool, int)"/>).
/// </summary>
public static class TransformCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A run folder (the --out of `neuralot run`), finished or stopped after a checkpoint." };
        var input = new Option<string>("--input") { Description = "CSV of points to map, one per row (header optional; as many columns as the run's dimension).", Required = true };
        var time = new Option<double>("--t")
        {
            Description = "The time in [0, 1]: x + T (T(x) - x) on the geodesic; 1 (the default) is the map, 0 the identity.",
            DefaultValueFactory = _ => 1,
        };
        var reverse = new Option<bool>("--reverse") { Description = "Apply the reverse map (target to source) of a bidirectional run." };
        var output = new Option<string?>("--out") { Description = "Write the CSV to this file, atomically (default: standard output)." };
        var command = new Command("transform", "Apply a run's learned map (or the geodesic at time T, or the reverse map) to the points of a CSV file.")
        {
            folder, input, time, reverse, output,
        };
        command.SetAction((parseResult, cancellation) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            return Task.FromResult(CliErrors.Run(parseResult.InvocationConfiguration.Error, () =>
            {
                var t = parseResult.GetValue(time);
                if (!(t >= 0 && t <= 1))
                    throw new ArgumentOutOfRangeException("t", t, FormattableString.Invariant($"--t = {t} is outside [0, 1]: 0 is the identity, 1 the map."));
                var inputPath = parseResult.GetValue(input)!;
                if (!File.Exists(inputPath))
                    throw new ArgumentException(Directory.Exists(inputPath)
                        ? $"--input {inputPath} is a folder; give the CSV file of points to map (one per row)."
                        : $"--input {inputPath}: no such file; give the CSV file of points to map (one per row).", "input");
                var directory = parseResult.GetValue(folder)!;
                try
                {
                    if (parseResult.GetValue(output) is { } path)
                    {
                        OutputFiles.CheckFolder(path);
                        RunFolder.Transform(directory, inputPath, path, t, parseResult.GetValue(reverse), cancellation: cancellation);
                    }
                    else
                    {
                        RunFolder.Transform(directory, inputPath, stdout, t, parseResult.GetValue(reverse), cancellation: cancellation);
                    }
                }
                catch (ArgumentException error) when (error.ParamName == "inputPath")
                {
                    throw new ArgumentException("--input " + ConfigException.OneLine(error.Message) + ".", "input", error);
                }
                catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                {
                    parseResult.InvocationConfiguration.Error.WriteLine("cancelled: the transform stopped; --out, if given, was not written");
                    return RunCommand.Cancelled;
                }
                return 0;
            }));
        });
        return command;
    }
}

/// <summary>Checks shared by the commands that write a file given with <c>--out</c>.</summary>
internal static class OutputFiles
{
    /// <summary>Refuses an <c>--out</c> path whose folder does not exist, before any work.</summary>
    public static void CheckFolder(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
            throw new ArgumentException($"--out {path}: the folder {directory} does not exist; create it first.", "out");
    }
}
