using System.CommandLine;
using System.CommandLine.Parsing;
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
        root.Subcommands.Add(TransformCommand.Create());
        root.Subcommands.Add(FiguresCommand.Create());
        root.Subcommands.Add(DistanceCommand.Create());
        root.Subcommands.Add(NotebookCommand.Create());
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output (the console when null).</param>
    /// <param name="error">Standard error (the console when null).</param>
    /// <param name="cancellation">Stops the command as Ctrl+C does (tests use it; the executable passes
    /// <see cref="InvokeWithSignalsAsync"/>'s signal token).</param>
    public static Task<int> InvokeAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellation = default) =>
        Invoke(Create().Parse(args), output, error, cancellation);

    /// <summary>Runs <paramref name="args"/> as the executable does. For the commands that write run folders (and the
    /// notebook runner), SIGINT and SIGTERM cancel the command, which then saves its state and exits 130, and further
    /// signals are ignored until it has; other commands keep the default (a signal ends them at once).</summary>
    /// <param name="args">The command line.</param>
    public static async Task<int> InvokeWithSignalsAsync(string[] args)
    {
        var parseResult = Create().Parse(args);
        var command = parseResult.CommandResult;
        if (command.Parent is not CommandResult { Command: RootCommand } || !CooperativeCommands.Contains(command.Command.Name))
            return await Invoke(parseResult, null, null, CancellationToken.None);
        using var signals = new TerminationSignals(Console.Error);
        return signals.ExitCode(await Invoke(parseResult, null, null, signals.Token), Commands.RunCommand.Cancelled);
    }

    /// <summary>Commands that watch their cancellation token in every phase (a signal must not end them mid-write).</summary>
    private static readonly HashSet<string> CooperativeCommands = ["run", "resume", "figures", "transform"];

    private static Task<int> Invoke(ParseResult parseResult, TextWriter? output, TextWriter? error, CancellationToken cancellation)
    {
        var configuration = new InvocationConfiguration
        {
            // Signals are ours (TerminationSignals): System.CommandLine's handler crashes on a second Ctrl+C
            // (InvalidOperationException from its Cancel) and exits on a timeout whether or not the folder was saved.
            ProcessTerminationTimeout = null,
        };
        if (output is not null) configuration.Output = output;
        if (error is not null) configuration.Error = error;
        return parseResult.InvokeAsync(configuration, cancellation);
    }
}
