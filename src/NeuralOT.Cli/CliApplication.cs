using System.CommandLine;
using NeuralOT.Cli.Commands;

namespace NeuralOT.Cli;

/// <summary>The <c>neuralot</c> command tree, shared by the executable and the tests.</summary>
public static class CliApplication
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("neuralot: neural optimal transport — Wasserstein geodesics, OT maps and velocity fields from samples (arXiv 2602.22003).");
        root.Subcommands.Add(ListCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(SampleCommand.Create());
        root.Subcommands.Add(FiguresCommand.Create());
        root.Subcommands.Add(DistanceCommand.Create());
        root.Subcommands.Add(NotebookCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output (the console when null).</param>
    /// <param name="error">Standard error (the console when null).</param>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration
        {
            // Ctrl+C cancels the token; training stops within one iteration, then the run folder is written.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
        };
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        return Create().Parse(args).InvokeAsync(configuration);
    }
}
