using System.Globalization;
using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// Turns the expected failures of a command (bad input, a bad file, a full disk) into one line on stderr and exit
/// code 1; a run-folder problem gets its fix in terms of the command line. Anything else is a bug in neuralot: one
/// line that says so, exit code <see cref="Bug"/>, and the stack trace in a log file, so that user input never meets
/// a stack trace on the terminal.
/// </summary>
internal static class CliErrors
{
    public const int Failure = 1;

    /// <summary>Exit code of an internal error (EX_SOFTWARE).</summary>
    public const int Bug = 70;

    /// <summary>Where bug reports are written (the system's temporary folder unless set, for tests).</summary>
    internal static string LogFolder { get; set; } = Path.GetTempPath();

    public static int Run(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (RunFolderException exception)
        {
            error.WriteLine($"error: {exception.Description}; {CommandLineFix(exception)}.");
            return Failure;
        }
        catch (Exception exception) when (exception is InvalidInputException or ArgumentException or IOException
                                              or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {ConfigException.OneLine(exception.Message)}");
            return Failure;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            error.WriteLine($"error: this is a bug in neuralot, not a problem with your input ({exception.GetType().Name}: {ConfigException.OneLine(exception.Message)}); {WriteLog(exception)}");
            return Bug;
        }
    }

    /// <summary>The fix for a run-folder problem in terms of the command line; the library's own where the command line
    /// has nothing better to say.</summary>
    private static string CommandLineFix(RunFolderException exception) => exception.Problem switch
    {
        RunFolderProblem.NotARunFolder => "pass the --out folder of a `neuralot run`",
        RunFolderProblem.HoldsAnotherRun => "choose another --out or pass --force to overwrite it",
        RunFolderProblem.InUse => "wait for it to end or choose another --out",
        RunFolderProblem.AlreadyFinished => "to train longer, start a new run with --iterations",
        RunFolderProblem.NoCheckpoint =>
            $"start it again with `neuralot run {Path.Combine(exception.Directory, ExperimentRunner.ConfigFile)} --out {exception.Directory} --force`",
        RunFolderProblem.NoVelocityPhase => "drop --flow to sample the geodesic, or run again with a velocity section",
        RunFolderProblem.NoReverseMap => "drop --reverse, or train the pair again with \"bidirectional\" in its solver section",
        RunFolderProblem.VelocityPhaseNotTrained => $"resume it with `neuralot resume {exception.Directory}`, or drop --flow",
        _ => exception.Fix,
    };

    /// <summary>Writes the trace to a log file; returns the clause that names it (or says why there is none).</summary>
    private static string WriteLog(Exception exception)
    {
        try
        {
            var path = Path.Combine(LogFolder, string.Create(CultureInfo.InvariantCulture,
                $"neuralot-bug-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}.log"));
            File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture,
                $"neuralot {typeof(CliErrors).Assembly.GetName().Version} {DateTime.UtcNow:O}\n{Environment.CommandLine}\n\n{exception}\n"));
            return $"please report it with the trace in {path}";
        }
        catch (Exception logError) when (logError is IOException or UnauthorizedAccessException)
        {
            return $"please report it (the trace could not be written: {logError.Message})";
        }
    }
}
