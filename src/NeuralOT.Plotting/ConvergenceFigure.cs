using System.Globalization;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>One solver's error during one training run: (training seconds, error in percent) pairs in time order.</summary>
/// <param name="Panel">The panel title (for example the experiment's name).</param>
/// <param name="Solver">The legend entry (for example "NeuralOT" or "PyTorch peer").</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Points">Training seconds and the error then.</param>
public sealed record ConvergenceTrace(string Panel, string Solver, int Seed, IReadOnlyList<(double Seconds, double ErrorPercent)> Points);

/// <summary>
/// Error against training time, one panel per problem, one colour per solver, one line per seed, with horizontal
/// lines at given thresholds: how long each solver needs to reach an accuracy, seen at once.
/// </summary>
public static class ConvergenceFigure
{
    private static readonly string[] Colors = [Palette.Learned, "#D62728", "#2CA02C", "#9467BD"];

    /// <summary>Draws the traces on a logarithmic error axis.</summary>
    /// <param name="traces">At least one trace; every error must be positive (the axis is logarithmic).</param>
    /// <param name="thresholds">Errors (percent) to mark with dashed lines, for example 0.1 and 0.05.</param>
    /// <param name="errorName">The vertical axis title.</param>
    /// <param name="title">The figure title.</param>
    public static GenericChart Create(IReadOnlyList<ConvergenceTrace> traces, IReadOnlyList<double> thresholds,
        string errorName = "l2_uvp (%)", string title = "Error against training time")
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(thresholds);
        if (traces.Count == 0) throw new ArgumentException("traces is empty: give at least one trace.", nameof(traces));
        if (traces.FirstOrDefault(t => t.Points.Count == 0 || t.Points.Any(p => !(p.ErrorPercent > 0 && double.IsFinite(p.ErrorPercent)) || !double.IsFinite(p.Seconds))) is { } bad)
            throw new ArgumentException($"traces: {bad.Solver} seed {bad.Seed} on {bad.Panel} is empty or has an error that is not a positive number (the axis is logarithmic).", nameof(traces));

        var panels = traces.Select(t => t.Panel).Distinct().ToList();
        var solvers = traces.Select(t => t.Solver).Distinct().ToList();
        var figure = new FigureBuilder(title, 460 * panels.Count, 460, FigureBuilder.LegendPlace.Right);
        const double gap = 0.08;
        var width = (1 - gap * (panels.Count - 1)) / panels.Count;
        for (var i = 0; i < panels.Count; i++)
        {
            var start = i * (width + gap);
            figure.Panel(i + 1, (start, start + width), (0, 1), "training seconds", i == 0 ? errorName : "", logY: true, title: panels[i]);
        }
        foreach (var trace in traces)
        {
            var panel = panels.IndexOf(trace.Panel) + 1;
            var color = Colors[solvers.IndexOf(trace.Solver) % Colors.Length];
            var line = Traces.Line(trace.Points.Select(p => (double?)p.Seconds).ToArray(), trace.Points.Select(p => (double?)p.ErrorPercent).ToArray(),
                color, width: 1.5, opacity: 0.8);
            line.SetProperty("text", trace.Points.Select(p => $"{trace.Solver}, seed {trace.Seed}: {p.ErrorPercent.ToString("G3", CultureInfo.InvariantCulture)} % at {p.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s").ToArray());
            line.SetProperty("hoverinfo", "text");
            figure.Add(line, trace.Solver, panel);
        }
        foreach (var (panel, index) in panels.Select((p, i) => (p, i + 1)))
        {
            var end = traces.Where(t => t.Panel == panel).Max(t => t.Points[^1].Seconds);
            foreach (var threshold in thresholds)
            {
                var line = Traces.Line([0, end], [threshold, threshold], "#9A9A9A", width: 1, dash: "dash");
                line.SetProperty("hoverinfo", "skip");
                figure.Add(line, FormattableString.Invariant($"{threshold} % (dashed)"), index);
            }
        }
        return figure.Build();
    }
}
