using System.CommandLine;
using NeuralOT.Experiments;

namespace NeuralOT.Cli.Commands;

/// <summary><c>neuralot list</c>: the named experiments, one per line with a description.</summary>
public static class ListCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var command = new Command("list", "List the named experiments.");
        command.SetAction(parseResult =>
        {
            var width = ExperimentCatalogue.Names.Max(n => n.Length);
            foreach (var name in ExperimentCatalogue.Names)
                parseResult.InvocationConfiguration.Output.WriteLine($"{name.PadRight(width)}  {ExperimentCatalogue.Get(name).Description}");
            return 0;
        });
        return command;
    }
}
