using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.DotNet.Interactive;
using NeuralOT.Distributions;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using Plotly.NET;

namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// Chart HTML for the formatters. The figures are NeuralOT.Plotting's. Each chart is a block of the output area that
/// takes its width (up to the width the figure was designed for; plotly redraws it when the area is resized) and draws
/// itself with plotly.js from the page. plotly.js (about 3.6 MB) is inlined in the first chart a kernel session
/// shows and not again, so an executed notebook carries it once; later charts wait for it if they render first. The
/// charts render with no network: in the live notebook, in a saved notebook reopened (Jupyter, VS Code), and in
/// <c>jupyter nbconvert --to html</c>.
/// </summary>
internal static class Charts
{
    /// <summary>Kernels (by root) whose session has already been sent plotly.js.</summary>
    private static readonly ConditionalWeakTable<Kernel, object> ScriptSent = [];

    /// <summary>The geodesic with its time slider, and the same at five times beside it: a static copy of the notebook
    /// (HTML export, GitHub) cannot move the slider and would show t = 0 only.</summary>
    public static string Geodesic(TransportResult result) =>
        Embed(Figures.Geodesic(result), "geodesic")
        + "<div style=\"color:#555;margin:4px 0\">The same geodesic at t = 0, 0.25, 0.5, 0.75 and 1 (what a static copy of the notebook shows):</div>"
        + Embed(Figures.GeodesicPanels(result), "geodesic at five times");

    public static string Training(TrainingHistory history, VelocityHistory? velocity = null, bool preconditioned = false) =>
        history.Entries.Count == 0 ? "" : Embed(Figures.Training(history, velocity, preconditioned: preconditioned), "training");

    public static string Velocity(VelocityResult velocity, TransportResult map) =>
        Embed(Figures.Velocity(velocity, map), "velocity field") + Embed(Figures.Tracks(map, velocity), "tracks");

    public static string Loss(VelocityHistory history) =>
        history.Entries.Count == 0 ? "" : Embed(PreviewFigures.VelocityLoss(history), "velocity loss");

    public static string Samples(IDistribution distribution) => Embed(PreviewFigures.Samples(distribution), "samples");

    /// <summary>The chart as a responsive block; plotly.js inline when this kernel session has not had it yet (or when
    /// there is no kernel, so the HTML stands alone).</summary>
    public static string Embed(GenericChart chart, string title)
    {
        var root = KernelInvocationContext.Current?.HandlingKernel?.RootKernel;
        var withScript = true;
        if (root is not null)
        {
            lock (ScriptSent)
            {
                withScript = !ScriptSent.TryGetValue(root, out _);
                if (withScript) ScriptSent.Add(root, new object());
            }
        }
        return Html(chart, title, withScript);
    }

    /// <summary>The chart's HTML; <paramref name="withScript"/> puts plotly.js in front of it.</summary>
    public static string Html(GenericChart chart, string title, bool withScript)
    {
        // A notebook may show the same chart twice: the counter keeps the element ids apart.
        var block = ChartMarkup.Responsive(chart, title, fitWindowHeight: false,
            idSuffix: "-" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture));
        return withScript ? block.Insert(block.IndexOf('>') + 1, PlotlyScript.Value) : block;
    }

    private static int counter;

    /// <summary>plotly.js as one script element that defines <c>window.Plotly</c> and then draws the charts that were
    /// waiting. <c>define</c> is hidden from it: with require.js on the page (classic Jupyter, nbconvert's templates)
    /// plotly.js would register as a module instead of setting <c>window.Plotly</c>.</summary>
    private static readonly Lazy<string> PlotlyScript = new(() =>
        "<script type=\"text/javascript\">(function (define, module, exports) {"
        + FigureFiles.PlotlyScriptText.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)
        + "\n}).call(window);(window.neuralotCharts || []).splice(0).forEach(function (draw) { draw(); });</script>");
}
