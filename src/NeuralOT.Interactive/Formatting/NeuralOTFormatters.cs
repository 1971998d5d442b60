using Deedle;
using Microsoft.DotNet.Interactive.Formatting;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Interactive.Progress;
using NeuralOT.Solvers;
using Plotly.NET;

namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// The HTML formatters of the kernel extension: what a notebook shows when a cell returns (or displays) one of the
/// core's results, and for Plotly.NET charts. Charts are drawn by NeuralOT.Plotting and carry plotly.js with them, so
/// they render offline.
/// </summary>
public static class NeuralOTFormatters
{
    /// <summary>The types that get an HTML formatter.</summary>
    public static IReadOnlyList<Type> RegisteredTypes { get; } =
    [
        typeof(TransportResult), typeof(VelocityResult), typeof(TrainingHistory), typeof(VelocityHistory),
        typeof(IDistribution), typeof(MetricsTable), typeof(RunOutcome), typeof(TrainingStatus),
        typeof(Frame<int, string>), typeof(Frame<string, string>), typeof(GenericChart),
    ];

    /// <summary>Registers every formatter (idempotent: a later registration replaces an earlier one).</summary>
    public static void Register()
    {
        Add<TransportResult>(ResultViews.Transport);
        Add<VelocityResult>(ResultViews.Velocity);
        Add<TrainingHistory>(ResultViews.History);
        Add<VelocityHistory>(ResultViews.History);
        Add<IDistribution>(ResultViews.Distribution);
        Add<MetricsTable>(ResultViews.Metrics);
        Add<RunOutcome>(ResultViews.Run);
        Add<TrainingStatus>(ProgressPanel.ToHtml);
        Add<Frame<int, string>>(FrameView.ToHtml);
        Add<Frame<string, string>>(FrameView.ToHtml);
        // Any Plotly.NET chart, such as NeuralOT.Plotting's figures: offline, unlike Plotly.NET.Interactive's formatter.
        Add<GenericChart>(chart => Charts.Embed(chart, "chart"));
    }

    /// <summary>The HTML a notebook shows for <paramref name="value"/> (the registered formatter when there is one).</summary>
    public static string ToHtml(object value) => value.ToDisplayString(HtmlFormatter.MimeType);

    private static void Add<T>(Func<T, string> html)
    {
        Formatter.Register<T>((value, writer) => writer.Write(html(value)), HtmlFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(T), HtmlFormatter.MimeType);
    }
}
