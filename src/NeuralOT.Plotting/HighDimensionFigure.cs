using System.Globalization;
using Plotly.NET;

namespace NeuralOT.Plotting;

/// <summary>One run on a known-map pair (the rows of bench/results/known-map.csv).</summary>
/// <param name="Dimension">D of known-map-&lt;D&gt;d.</param>
/// <param name="Seed">The seed.</param>
/// <param name="L2UvpPercent">The learned map's l2_uvp (percent).</param>
/// <param name="IdentityL2UvpPercent">What the identity map scores on the same pair (percent).</param>
public sealed record KnownMapRun(int Dimension, int Seed, double L2UvpPercent, double IdentityL2UvpPercent);

/// <summary>
/// Accuracy against dimension: the learned map's l2_uvp on the known-map pairs for every seed (dots) and their mean
/// (line), beside the identity map and, optionally, reference values per dimension (targets, or published numbers on
/// other pairs), on logarithmic axes.
/// </summary>
public static class HighDimensionFigure
{
    /// <summary>The l2_uvp targets (percent) by dimension that the known-map pairs are measured against.</summary>
    public static IReadOnlyDictionary<int, double> Targets { get; } = new Dictionary<int, double>
    {
        [2] = 0.5, [4] = 1, [8] = 3, [16] = 5, [32] = 8, [64] = 10, [128] = 10,
    };

    /// <summary>The best published l2_uvp (percent) on the Mix3toMix10 pairs of Korotin et al. (NeurIPS 2021,
    /// arXiv 2106.01954), another family of known-map pairs: a yardstick, not the same problems.</summary>
    public static IReadOnlyDictionary<int, double> PublishedBest { get; } = new Dictionary<int, double>
    {
        [2] = 0.1, [4] = 0.3, [8] = 0.7, [16] = 1.4, [32] = 2.8, [64] = 3.2, [128] = 2.0,
    };

    /// <summary>The reference lines the README's figure draws: <see cref="Targets"/> and <see cref="PublishedBest"/>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> StandardReferences { get; } =
        new Dictionary<string, IReadOnlyDictionary<int, double>>
        {
            ["target"] = Targets,
            ["best published, Korotin et al. 2021 (their pairs)"] = PublishedBest,
        };

    /// <summary>Draws the runs.</summary>
    /// <param name="runs">At least one run; every l2_uvp must be positive (the axis is logarithmic).</param>
    /// <param name="references">Named lines, each a value per dimension (dimensions without a value are skipped).</param>
    /// <param name="title">The figure's title.</param>
    /// <exception cref="ArgumentException">No runs, or a non-positive or non-finite error.</exception>
    public static GenericChart Create(IReadOnlyList<KnownMapRun> runs, IReadOnlyDictionary<string, IReadOnlyDictionary<int, double>> references,
        string title = "Known-map pairs: error of the learned map against the dimension")
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(references);
        if (runs.Count == 0) throw new ArgumentException("runs is empty: give at least one run.", nameof(runs));
        if (runs.FirstOrDefault(r => !(r.L2UvpPercent > 0 && double.IsFinite(r.L2UvpPercent))) is { } bad)
            throw new ArgumentException($"runs: dimension {bad.Dimension} seed {bad.Seed} has l2_uvp {bad.L2UvpPercent}; the axis is logarithmic, so it must be a positive number.", nameof(runs));

        var dimensions = runs.Select(r => r.Dimension).Distinct().Order().ToList();
        double Position(int d) => dimensions.IndexOf(d);
        var figure = new FigureBuilder(title, 900, 520, FigureBuilder.LegendPlace.Right);
        figure.Panel(1, (0, 1), (0, 1), "dimension D", "l2_uvp (%)", logY: true,
            xCategories: dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToList());

        var identity = dimensions.Select(d => runs.Where(r => r.Dimension == d).Average(r => r.IdentityL2UvpPercent)).ToArray();
        figure.Add(Traces.Line(dimensions.Select(d => (double?)Position(d)).ToArray(), identity.Select(v => (double?)v).ToArray(), "#9A9A9A", dash: "dot"),
            "identity map (not moving)");
        string[] colors = ["#D62728", "#2CA02C", "#9467BD", "#8C564B"];
        var index = 0;
        foreach (var (name, values) in references)
        {
            var known = dimensions.Where(values.ContainsKey).ToArray();
            figure.Add(Traces.Line(known.Select(d => (double?)Position(d)).ToArray(), known.Select(d => (double?)values[d]).ToArray(),
                colors[index++ % colors.Length], width: 1.5, dash: "dash"), name);
        }
        var dots = Traces.Points(runs.Select(r => Position(r.Dimension)).ToArray(), runs.Select(r => r.L2UvpPercent).ToArray(), Palette.Learned, size: 7, opacity: 0.6);
        dots.SetProperty("text", runs.Select(r => $"D = {r.Dimension}, seed {r.Seed}: {r.L2UvpPercent.ToString("G3", CultureInfo.InvariantCulture)} %").ToArray());
        dots.SetProperty("hoverinfo", "text");
        figure.Add(dots, "ours, one seed");
        var means = dimensions.Select(d => runs.Where(r => r.Dimension == d).Average(r => r.L2UvpPercent)).ToArray();
        figure.Add(Traces.Line(dimensions.Select(d => (double?)Position(d)).ToArray(), means.Select(v => (double?)v).ToArray(), Palette.Learned), "ours, mean");
        return figure.Build();
    }
}
