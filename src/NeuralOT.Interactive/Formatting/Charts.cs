using System.Net;
using NeuralOT.Distributions;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using Plotly.NET;

namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// Chart HTML for the formatters. The figures are NeuralOT.Plotting's; each is embedded as a self-contained page
/// (plotly.js inline) in an iframe, so it renders with no network, in any front end, whether or not other outputs of
/// the notebook are still there, and without clashing with the front end's own scripts.
/// </summary>
internal static class Charts
{
    public static string Geodesic(TransportResult result) => Embed(Figures.Geodesic(result), "geodesic");

    public static string Training(TrainingHistory history, VelocityHistory? velocity = null, bool preconditioned = false) =>
        history.Entries.Count == 0 ? "" : Embed(Figures.Training(history, velocity, preconditioned: preconditioned), "training");

    public static string Velocity(VelocityResult velocity, TransportResult map) =>
        Embed(Figures.Velocity(velocity, map), "velocity field") + Embed(Figures.Tracks(map, velocity), "tracks");

    public static string Loss(VelocityHistory history) =>
        history.Entries.Count == 0 ? "" : Embed(PreviewFigures.VelocityLoss(history), "velocity loss");

    public static string Samples(IDistribution distribution) => Embed(PreviewFigures.Samples(distribution), "samples");

    /// <summary>The chart as a self-contained page in an iframe of the chart's size.</summary>
    public static string Embed(GenericChart chart, string title)
    {
        var (width, height) = FigureFiles.Size(chart);
        var page = FigureFiles.ToHtml(chart, title, inlineScript: true);
        return $"<iframe class=\"neuralot-chart\" title=\"{WebUtility.HtmlEncode(title)}\" width=\"{width + 20}\" height=\"{height + 20}\" "
            + $"style=\"border:0;display:block\" srcdoc=\"{WebUtility.HtmlEncode(page)}\"></iframe>";
    }
}
