using Deedle;
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

/// <summary>Every type the kernel extension registers gets its own HTML, and charts come with plotly.js inside
/// (they render offline).</summary>
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
        var metrics = new MetricsTable(outcome.Metrics, "run metrics");
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
    public void TablesShowTheValuesAndFramesKeepTheHistory()
    {
        var metrics = new MetricsTable(new Dictionary<string, object> { ["experiment"] = "x<y", ["l2_uvp"] = 0.0123456, ["dimension"] = 2 });
        var html = NeuralOTFormatters.ToHtml(metrics);
        Assert.Contains("x&lt;y", html);          // text is encoded
        Assert.Contains("0.0123", html);          // four significant digits
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
