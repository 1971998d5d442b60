using Deedle;
using Microsoft.DotNet.Interactive.CSharp;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Interactive;
using NeuralOT.Interactive.Formatting;
using NeuralOT.Interactive.Frames;
using NeuralOT.Interactive.Progress;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using NeuralOT.Tests.Cli;
using Plotly.NET;

namespace NeuralOT.Tests.Interactive;

/// <summary>Every type the kernel extension registers gets its own HTML, and charts render offline: outside a kernel
/// each carries plotly.js, inside a kernel session only the first does.</summary>
[Collection(TrainingCollection.Name)]
public class FormatterTests
{
    private const string OfflineChart = "class=\"neuralot-chart\"";
    private static readonly System.Text.RegularExpressions.Regex RemoteSource = new("src=(\"|&quot;)(https?:)?//", System.Text.RegularExpressions.RegexOptions.IgnoreCase);

    [Fact]
    public async Task EveryRegisteredTypeIsFormattedAsItsOwnHtml()
    {
        await new NeuralOTKernelExtension().OnLoadAsync(new Microsoft.DotNet.Interactive.CompositeKernel());
        using var folder = new TemporaryFolder();
        var config = ExperimentCatalogue.Get("gaussian-2d");
        var outcome = ExperimentRunner.Run(config, new RunSettings(folder.Path, Fast: true, Iterations: 30), velocityProgress: null);
        using var result = outcome.Result;
        using var velocity = outcome.Velocity!;
        var metrics = new MetricsTable(outcome.Metrics!, "run metrics");
        var status = new TrainingStatus("t", "map", 5, 10, [new("W_hat", 1.5)], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1),
            [new StatusCurve("W_hat", [(1, 1.0), (5, 1.5)])], null);

        // One sample per registered type: the HTML names the type's view, and views with a picture embed a chart.
        var samples = new Dictionary<Type, (object Value, string Marker, bool Chart)>
        {
            [typeof(TransportResult)] = (result, "neuralot-transport", true),
            [typeof(VelocityResult)] = (velocity, "neuralot-velocity", true),
            [typeof(TrainingHistory)] = (result.History, "neuralot-history", true),
            [typeof(VelocityHistory)] = (velocity.History, "neuralot-history", true),
            [typeof(IDistribution)] = (result.Target, "neuralot-distribution", true),
            [typeof(MetricsTable)] = (metrics, "neuralot-metrics", false),
            [typeof(RunOutcome)] = (outcome, "neuralot-run", true),
            [typeof(TrainingStatus)] = (status, "neuralot-progress", false),
            [typeof(Frame<int, string>)] = (result.History.ToFrame(), "neuralot-frame", false),
            [typeof(Frame<string, string>)] = (metrics.ToFrame(), "neuralot-frame", false),
            [typeof(GenericChart)] = (Figures.Map(result), "neuralot-chart", true),
        };
        Assert.Equal(NeuralOTFormatters.RegisteredTypes.OrderBy(t => t.FullName), samples.Keys.OrderBy(t => t.FullName));
        foreach (var (type, (value, marker, chart)) in samples)
        {
            var html = NeuralOTFormatters.ToHtml(value);
            Assert.True(html.Contains(marker, StringComparison.Ordinal), $"{type.Name}: no {marker} in its HTML");
            Assert.Equal(chart, html.Contains(OfflineChart, StringComparison.Ordinal));
            // Nothing is loaded from the network: no script or page has a remote source (plotly.js is inline).
            Assert.DoesNotMatch(RemoteSource, html);
        }
    }

    [Fact]
    public async Task AKernelSessionGetsPlotlyJsOnceAndEveryChartTakesTheWidthOfTheOutputArea()
    {
        static async Task<string[]> ChartsOfOneSession()
        {
            var csharp = new CSharpKernel().UseKernelHelpers();
            using var kernel = new Microsoft.DotNet.Interactive.CompositeKernel { csharp };
            kernel.DefaultKernelName = csharp.Name;
            await new NeuralOTKernelExtension().OnLoadAsync(kernel);
            csharp.AddAssemblyReferences([typeof(IDistribution).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location]);
            var results = new List<Microsoft.DotNet.Interactive.KernelCommandResult>();
            // Two cells: the first shows two charts (a distribution and its scatter), the second one more.
            results.Add(await kernel.SendAsync(new Microsoft.DotNet.Interactive.Commands.SubmitCode(
                "var d = NeuralOT.Distributions.GaussianDistribution.StandardNormal(2); display(d); display(d);")));
            results.Add(await kernel.SendAsync(new Microsoft.DotNet.Interactive.Commands.SubmitCode("d")));
            return [.. results.SelectMany(r => r.Events).OfType<Microsoft.DotNet.Interactive.Events.DisplayEvent>()
                .SelectMany(e => e.FormattedValues).Where(v => v.MimeType == "text/html").Select(v => v.Value)];
        }

        var plotly = FigureFiles.PlotlyScriptText[^200..];
        foreach (var outputs in new[] { await ChartsOfOneSession(), await ChartsOfOneSession() })
        {
            Assert.Equal(3, outputs.Count(h => h.Contains(OfflineChart, StringComparison.Ordinal)));
            // plotly.js in the first chart of each session only; the others draw with it once it is there.
            Assert.Equal(1, outputs.Sum(h => CountOf(h, plotly)));
            Assert.Contains(plotly, outputs[0]);
            Assert.All(outputs, h => Assert.Contains("Plotly.newPlot", h));
            Assert.All(outputs, h => Assert.Contains("neuralotCharts", h));
            // No fixed width: the block takes the output area's width up to the figure's designed width.
            Assert.All(outputs, h => Assert.Contains("style=\"width:100%;max-width:", h));
            Assert.DoesNotContain(outputs, h => h.Contains("<iframe", StringComparison.Ordinal));
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public void TablesShowTheValuesAndFramesKeepTheHistory()
    {
        var metrics = new MetricsTable(new Dictionary<string, object?> { ["experiment"] = "x<y", ["l2_uvp"] = 0.0123456, ["dimension"] = 2, ["w2_estimate"] = null });
        var html = NeuralOTFormatters.ToHtml(metrics);
        Assert.Contains("x&lt;y", html);          // text is encoded
        Assert.Contains("0.0123", html);          // four significant digits
        Assert.Contains("undefined", html);       // a null (undefined) metric says so rather than showing an empty cell
        var frame = metrics.ToFrame();
        Assert.Equal(["l2_uvp", "dimension"], frame.RowKeys);
        Assert.Equal(0.0123456, frame.GetColumn<double>("value")["l2_uvp"]);

        var history = TrainingHistory.FromCsv("iteration,critic_objective,map_objective,w_hat,seconds\n10,1,2,3,0.5\n20,4,5,6,1\n");
        var historyFrame = history.ToFrame();
        Assert.Equal([10, 20], historyFrame.RowKeys);
        Assert.Equal(6.0, historyFrame.GetColumn<double>("w_hat")[20]);
        Assert.Equal(["critic_objective", "map_objective", "w_hat", "seconds"], historyFrame.ColumnKeys);
    }
}
