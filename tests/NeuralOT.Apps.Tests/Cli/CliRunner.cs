using NeuralOT.Cli;

namespace NeuralOT.Tests.Cli;

/// <summary>Runs the <c>neuralot</c> command tree in-process and captures its output.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = CliApplication.InvokeAsync(args, output, error).GetAwaiter().GetResult();
        return (exitCode, output.ToString(), error.ToString());
    }
}
