using System.Text.Json;
using NeuralOT.Cli.Notebooks;
using NeuralOT.Tests.Cli;

namespace NeuralOT.Tests.Notebooks;

/// <summary>The in-process notebook runner and <c>neuralot notebook run</c> on small notebooks (no training).</summary>
public class NotebookRunnerTests
{
    [Fact]
    public void AFailingCellStopsTheRunWithItsNumberAndTheOutputsSoFarAreWritten()
    {
        using var folder = new TemporaryFolder();
        var notebook = folder.File("small.ipynb");
        File.WriteAllText(notebook, Notebook(
            ("markdown", "# title"),
            ("code", "Console.WriteLine(\"hello\");\n1 + 1"),
            ("code", "throw new InvalidOperationException(\"broken on purpose\");"),
            ("code", "Console.WriteLine(\"never\");")));
        var executed = folder.File("out.ipynb");

        var (exit, output, error) = CliRunner.Run("notebook", "run", notebook, "--out", executed);

        Assert.Equal(1, exit);
        Assert.Contains("error: cell 3 failed: ", error);
        Assert.Contains("broken on purpose", error);
        Assert.Contains("cell 2: ok", output);
        using var document = JsonDocument.Parse(File.ReadAllText(executed));
        var cells = document.RootElement.GetProperty("cells");
        Assert.Equal(4, cells.GetArrayLength());
        var outputs = cells[1].GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Contains(outputs, o => o.GetProperty("output_type").GetString() == "stream" && o.GetProperty("text").ToString().Contains("hello"));
        Assert.Contains(outputs, o => o.GetProperty("output_type").GetString() == "execute_result");
        Assert.Contains(cells[2].GetProperty("outputs").EnumerateArray(), o => o.GetProperty("output_type").GetString() == "error");
        Assert.Empty(cells[3].GetProperty("outputs").EnumerateArray());
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public async Task FastModeSetsTheVariableOnlyWhileTheNotebookRuns()
    {
        using var folder = new TemporaryFolder();
        var notebook = folder.File("fast.ipynb");
        File.WriteAllText(notebook, Notebook(("code", $"display(HTML(\"<b>\" + (Environment.GetEnvironmentVariable(\"{NotebookRunner.FastModeVariable}\") ?? \"unset\") + \"</b>\"));")));
        var before = Environment.GetEnvironmentVariable(NotebookRunner.FastModeVariable);

        var fast = await NotebookRunner.RunAsync(notebook, new NotebookRunOptions(Fast: true));
        var normal = await NotebookRunner.RunAsync(notebook);

        Assert.Equal("<b>1</b>", fast.Cells.Single().Html.Single());
        Assert.Equal($"<b>{before ?? "unset"}</b>", normal.Cells.Single().Html.Single());
        Assert.Equal(before, Environment.GetEnvironmentVariable(NotebookRunner.FastModeVariable));
    }

    [Fact]
    public void AMissingOrInvalidNotebookIsAOneLineError()
    {
        using var folder = new TemporaryFolder();
        var (exit, _, error) = CliRunner.Run("notebook", "run", folder.File("missing.ipynb"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: No notebook at", error);

        File.WriteAllText(folder.File("bad.ipynb"), "not json");
        (exit, _, error) = CliRunner.Run("notebook", "run", folder.File("bad.ipynb"));
        Assert.Equal(1, exit);
        Assert.Contains("is not a Jupyter notebook", error);
    }

    /// <summary>A notebook in the Polyglot format with the given cells.</summary>
    internal static string Notebook(params (string Kind, string Source)[] cells) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["cells"] = cells.Select(c => c.Kind == "markdown"
            ? new Dictionary<string, object> { ["cell_type"] = "markdown", ["metadata"] = new { }, ["source"] = c.Source }
            : new Dictionary<string, object>
            {
                ["cell_type"] = "code", ["execution_count"] = null!, ["outputs"] = Array.Empty<object>(), ["source"] = c.Source,
                ["metadata"] = new Dictionary<string, object> { ["polyglot_notebook"] = new { kernelName = "csharp" } },
            }).ToArray(),
        ["metadata"] = new Dictionary<string, object>
        {
            ["kernelspec"] = new { display_name = ".NET (C#)", language = "C#", name = ".net-csharp" },
            ["language_info"] = new { name = "polyglot-notebook" },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
    });
}
