using System.CommandLine;
using NeuralOT.Cli.Notebooks;
using NeuralOT.Experiments;
using NeuralOT.IO;

namespace NeuralOT.Cli.Commands;

/// <summary><c>neuralot notebook run &lt;nb.ipynb&gt;</c>: executes a notebook headlessly, in this process.</summary>
public static class NotebookCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var notebook = new Argument<string>("notebook") { Description = "The notebook (.ipynb) to execute." };
        var output = new Option<string?>("--out") { Description = "Where to write the executed notebook (default: <name>.executed.ipynb beside it)." };
        var fast = new Option<bool>("--fast") { Description = $"Fast mode: sets {NotebookRunner.FastModeVariable}=1, which the notebooks read to shrink their budgets." };
        var run = new Command("run", "Execute every cell of a C# notebook in-process and write the outputs (charts included) into a copy of it.")
        {
            notebook, output, fast,
        };
        run.SetAction(async (parseResult, cancellation) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetValue(notebook)!;
            var target = parseResult.GetValue(output) ?? Path.ChangeExtension(path, ".executed.ipynb");
            NotebookRun result;
            try
            {
                result = await NotebookRunner.RunAsync(path, new NotebookRunOptions(parseResult.GetValue(fast)), cancellation);
            }
            catch (Exception error) when (error is IOException or InvalidDataException)
            {
                stderr.WriteLine($"error: {ConfigException.OneLine(error.Message)}");
                return CliErrors.Failure;
            }
            AtomicFile.Write(target, result.Json);
            foreach (var cell in result.Cells)
                stdout.WriteLine(FormattableString.Invariant($"cell {cell.Number}: {(cell.Succeeded ? "ok" : "FAILED")} in {cell.Seconds:F1} s"));
            if (result.Failure is { } failure)
            {
                stderr.WriteLine($"error: cell {failure.Number} failed: {failure.Error}");
                return CliErrors.Failure;
            }
            stdout.WriteLine($"{result.Cells.Count} code cells ran without error; executed notebook: {target}");
            return 0;
        });
        return new Command("notebook", "Work with the bundled notebooks.") { run };
    }
}
