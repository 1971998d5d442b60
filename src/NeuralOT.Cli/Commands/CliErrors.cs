using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary>Turns the expected failures of a command into one line on stderr and exit code 1.</summary>
internal static class CliErrors
{
    public const int Failure = 1;

    public static int Run(TextWriter error, Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is ConfigException or ArgumentException or IOException
                                              or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {ConfigException.OneLine(exception.Message)}");
            return Failure;
        }
    }
}
