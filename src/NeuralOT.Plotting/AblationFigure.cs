using System.Globalization;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>One run of the solver-variant ablation (the rows of bench/results/ablation.csv).</summary>
/// <param name="Experiment">The problem, for example gaussian-2d.</param>
/// <param name="Variant">The variant, for example time+bidirectional+affine (its first word is the critic form).</param>
/// <param name="Seed">The seed.</param>
/// <param name="Measure">What <paramref name="Percent"/> measures, for example "l2_uvp %".</param>
/// <param name="Percent">The run's error in percent (positive: the axis is logarithmic).</param>
public sealed record AblationRun(string Experiment, string Variant, int Seed, string Measure, double Percent);

/// <summary>
/// The ablation at a glance: one panel per problem, the variants along the bottom, every seed as a dot and the mean as
/// a bar, on a logarithmic axis with the problem's target as a dashed line, so which variants miss it and by how much
/// shows without reading the table.
/// </summary>
public static class AblationFigure
{
    private const int PanelHeight = 230;
    private const int Gap = 40;

    /// <summary>One colour per critic form (static, time, ...), in the order the forms first appear.</summary>
    private static readonly string[] FormColors = [Palette.Source, Palette.Learned, Palette.Transported, Palette.Geodesic];

    /// <summary>Draws the runs; problems and variants appear in the order of their first run.</summary>
    /// <param name="runs">The runs (at least one).</param>
    /// <param name="targets">The target of each problem in percent (a problem without one gets no line).</param>
    /// <param name="title">The figure's title.</param>
    /// <exception cref="ArgumentException">No runs, or a run whose error is not a positive finite number.</exception>
    public static GenericChart Create(IReadOnlyList<AblationRun> runs, IReadOnlyDictionary<string, double> targets,
        string title = "Solver variants: error per seed (dots) and mean (bar)")
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(targets);
        if (runs.Count == 0) throw new ArgumentException("runs is empty: give at least one run of the ablation.", nameof(runs));
        if (runs.FirstOrDefault(r => !(r.Percent > 0 && double.IsFinite(r.Percent))) is { } bad)
            throw new ArgumentException(
                $"runs: {bad.Experiment} {bad.Variant} seed {bad.Seed} has {bad.Measure} = {bad.Percent}; the axis is logarithmic, so every error must be a positive number.",
                nameof(runs));

        var experiments = runs.Select(r => r.Experiment).Distinct().ToList();
        var variants = runs.Select(r => r.Variant).Distinct().ToList();
        var forms = variants.Select(FormOf).Distinct().ToList();
        var plotHeight = experiments.Count * PanelHeight + (experiments.Count - 1) * Gap;
        const int labels = 60; // three lines of variant names under the bottom panel
        var figure = new FigureBuilder(title, 900, plotHeight + 150 + labels, FigureBuilder.LegendPlace.Right);
        var total = (double)(plotHeight + labels);
        for (var panel = 1; panel <= experiments.Count; panel++)
        {
            var experiment = experiments[panel - 1];
            var own = runs.Where(r => r.Experiment == experiment).ToList();
            var top = 1 - (panel - 1) * (PanelHeight + Gap) / total;
            var bottom = top - PanelHeight / total;
            var last = panel == experiments.Count;
            figure.Panel(panel, (0, 1), (bottom, top), last ? "variant" : "", own[0].Measure, logY: true, title: experiment,
                xCategories: variants.Select(v => last ? v.Replace("+", "<br>+", StringComparison.Ordinal) : "").ToList());

            for (var f = 0; f < forms.Count; f++)
            {
                var (form, color) = (forms[f], FormColors[f % FormColors.Length]);
                var dots = own.Where(r => FormOf(r.Variant) == form).ToList();
                if (dots.Count == 0) continue;
                var seeds = Traces.Points(dots.Select(r => (double)variants.IndexOf(r.Variant)).ToArray(),
                    dots.Select(r => r.Percent).ToArray(), color, size: 7, opacity: 0.6);
                Hover(seeds, dots.Select(r => $"{r.Variant}, seed {r.Seed}: {Number(r.Percent)} %"));
                figure.Add(seeds, $"{form} form, one seed", panel);

                var means = dots.GroupBy(r => r.Variant).Select(g => (Variant: g.Key, Mean: g.Average(r => r.Percent), Count: g.Count())).ToList();
                var bars = Traces.Points(means.Select(m => (double)variants.IndexOf(m.Variant)).ToArray(),
                    means.Select(m => m.Mean).ToArray(), color);
                // A short horizontal bar in place of Points' dot.
                bars.SetProperty("marker", new Dictionary<string, object>
                {
                    ["color"] = color, ["size"] = 26, ["symbol"] = "line-ew",
                    ["line"] = new Dictionary<string, object> { ["color"] = color, ["width"] = 3 },
                });
                Hover(bars, means.Select(m => $"{m.Variant}: mean {Number(m.Mean)} % over {m.Count} seeds"));
                figure.Add(bars, $"{form} form, mean", panel);
            }
            if (targets.TryGetValue(experiment, out var target))
                figure.Add(Traces.Line([-0.5, variants.Count - 0.5], [target, target], "#606060", width: 1.5, dash: "dash"),
                    "target", panel);
        }
        return figure.Build();
    }

    /// <summary>The critic form a variant name starts with.</summary>
    private static string FormOf(string variant) => variant.Split('+')[0];

    private static void Hover(Trace trace, IEnumerable<string> texts)
    {
        trace.SetProperty("text", texts.ToArray());
        trace.SetProperty("hoverinfo", "text");
    }

    private static string Number(double value) => value.ToString("G3", CultureInfo.InvariantCulture);
}
