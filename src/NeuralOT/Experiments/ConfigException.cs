namespace NeuralOT.Experiments;

/// <summary>A configuration that cannot be used; the message names the key (as a JSON path) and the fix.</summary>
public sealed class ConfigException(string message, Exception? inner = null) : InvalidInputException(message, inner)
{
    /// <summary>Wraps a validation error from the library, keeping only its one-line message.</summary>
    public static ConfigException From(ArgumentException error) => new(OneLine(error.Message), error);

    /// <summary>The first line of an exception message, without .NET's " (Parameter 'x')" suffix.</summary>
    public static string OneLine(string message) =>
        message.ReplaceLineEndings("\n").Split('\n')[0].Split(" (Parameter '")[0];
}
