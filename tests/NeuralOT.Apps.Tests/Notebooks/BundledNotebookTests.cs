using NeuralOT.Cli.Notebooks;

namespace NeuralOT.Tests.Notebooks;

/// <summary>
/// Every bundled notebook (notebooks/*.ipynb) runs headlessly in fast mode, as <c>neuralot notebook run --fast</c> does:
/// no cell fails and every cell tagged "chart" shows an offline chart. The notebooks load NeuralOT.Interactive from
/// artifacts/feed, which this test project's build fills (see the .csproj).
/// </summary>
[Collection(TrainingCollection.Name)]
public class BundledNotebookTests
{
    public static TheoryData<string> BundledNotebooks() => new(NotebookNames());

    private static string[] NotebookNames() =>
        [.. Directory.GetFiles(Path.Combine(RepositoryRoot(), "notebooks"), "*.ipynb")
            .Where(path => !path.EndsWith(".executed.ipynb", StringComparison.Ordinal)).Select(Path.GetFileName).Order()!];

    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [MemberData(nameof(BundledNotebooks))]
    public async Task RunsInFastModeWithoutAFailedCellAndDrawsEveryChart(string notebook)
    {
        // The notebooks' run folders go to the test run's temporary folder (TestEnvironment sets NEURALOT_RUNS).
        var run = await NotebookRunner.RunAsync(Path.Combine(RepositoryRoot(), "notebooks", notebook), new NotebookRunOptions(Fast: true));

        Assert.True(run.Failure is null, $"{notebook}: cell {run.Failure?.Number} failed: {run.Failure?.Error}");
        var charts = run.Cells.Where(c => c.Tags.Contains("chart")).ToArray();
        Assert.NotEmpty(charts);
        foreach (var cell in charts)
            Assert.True(cell.Html.Any(h => h.Contains("class=\"neuralot-chart\"", StringComparison.Ordinal) && h.Contains("Plotly.newPlot", StringComparison.Ordinal)),
                $"{notebook}: chart cell {cell.Number} produced no chart");
    }

    [Theory]
    [InlineData("00-quickstart.ipynb")]
    [InlineData("06-your-data.ipynb")]
    public void TheNotebooksCiExecutesInJupyterAreBundled(string notebook) =>
        Assert.Contains(notebook, NotebookNames());

    private static string RepositoryRoot() => Documentation.ReadmeExampleTests.RepositoryRoot();
}
