using System.CommandLine;
using NeuralOT.Cli.Commands;

var root = new RootCommand("neuralot: neural optimal transport, Wasserstein geodesics and reference solvers.");
root.Subcommands.Add(DistanceCommand.Create());
var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    // One line, like every other failure of the CLI.
    var message = string.Join(' ', parseResult.Errors[0].Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
    Console.Error.WriteLine($"error: {message} (see neuralot {string.Join(' ', args.Take(1))} --help)");
    return 1;
}
return parseResult.Invoke();
