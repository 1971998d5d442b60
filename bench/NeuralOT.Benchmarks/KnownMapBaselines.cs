using System.Globalization;
using System.Text.Json;
using NeuralOT.Plotting;
using NeuralOT.Metrics;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using static TorchSharp.torch;

namespace NeuralOT.Benchmarks;

/// <summary>
/// What simple maps score on the known-map pairs: the identity and the best affine map (least squares of T*(x) on
/// [x, 1] over 20,000 samples, scored on 10,000 fresh ones), beside W2 and the spread of the target. A learned map
/// has to beat the affine one to show it captured the non-linear part.
/// </summary>
public static class KnownMapBaselines
{
    /// <param name="output">Where the table goes.</param>
    /// <param name="dimensions">Which known-map-&lt;D&gt;d pairs.</param>
    /// <param name="change">Changes to the catalogue's potential (to explore other pairs); null for none.</param>
    public static void Run(TextWriter output, IEnumerable<int> dimensions, Func<KnownMapSpec, KnownMapSpec>? change = null)
    {
        output.WriteLine($"{"pair",-16} {"W2",8} {"tr Cov mu1",11} {"identity l2_uvp %",18} {"affine l2_uvp %",16}");
        foreach (var dimension in dimensions)
        {
            var config = ExperimentCatalogue.Get($"known-map-{dimension}d");
            if (change is not null) config = config with { Target = change((KnownMapSpec)config.Target) };
            var (_, target) = config.CreateDistributions();
            var problem = ((KnownMapTarget)target).Problem;
            using var scope = NewDisposeScope();
            var generator = new Generator(12345);
            var fitX = problem.Source.Sample(20_000, generator);
            var fitY = problem.Map(fitX);
            var design = cat([fitX, ones(fitX.shape[0], 1, dtype: float64)], 1);
            var coefficients = linalg.lstsq(design, fitY).Solution;
            var x = problem.Source.Sample(10_000, generator);
            var y = problem.Map(x);
            var variance = y.var([0L]).sum().item<double>();
            double Uvp(Tensor mapped) => 100 * (mapped - y).square().sum(1).mean().item<double>() / variance;
            var affine = cat([x, ones(x.shape[0], 1, dtype: float64)], 1).matmul(coefficients);
            output.WriteLine($"{config.Name,-16} {problem.EstimateW2(100_000, generator),8:F3} {variance,11:F2} {Uvp(x),18:F1} {Uvp(affine),16:F1}");
        }
    }

    /// <summary>Collects the metrics.json of every known-map run below <paramref name="folder"/> into
    /// <paramref name="csvPath"/> (dimension, seed, l2_uvp_percent, cosine, w2_relative_error, identity_l2_uvp_percent,
    /// train_seconds, iterations), prints the table of the CSV and draws <paramref name="figurePath"/> if given.</summary>
    public static void Collect(TextWriter output, string folder, string csvPath, string? figurePath)
    {
        var rows = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "metrics.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            if (!root.GetProperty("experiment").GetString()!.StartsWith("known-map-", StringComparison.Ordinal)) continue;
            // Run folders written before the percent keys got their suffix name them without it.
            string Value(string key) => (root.TryGetProperty(key, out var value) ? value : root.GetProperty(key.Replace("_percent", ""))).GetRawText();
            rows.Add(string.Join(",", Value("dimension"), Value("seed"), Value(MetricNames.L2Uvp), Value(MetricNames.Cosine), Value(MetricNames.W2RelativeError),
                Value(MetricNames.IdentityL2Uvp), Value("train_seconds"), Value("iterations")));
        }
        if (rows.Count == 0) throw new InvalidOperationException($"No known-map run (metrics.json) below {folder}.");
        rows.Sort((a, b) => (Key(a).Dimension, Key(a).Seed).CompareTo((Key(b).Dimension, Key(b).Seed)));
        File.WriteAllLines(csvPath, rows.Prepend("dimension,seed,l2_uvp_percent,cosine,w2_relative_error,identity_l2_uvp_percent,train_seconds,iterations"));
        Table(output, csvPath, figurePath);
    }

    private static (int Dimension, int Seed) Key(string row) =>
        (int.Parse(row.Split(',')[0], CultureInfo.InvariantCulture), int.Parse(row.Split(',')[1], CultureInfo.InvariantCulture));

    /// <summary>Prints the per-dimension table of a known-map CSV and draws its figure if a path is given.</summary>
    public static void Table(TextWriter output, string csvPath, string? figurePath)
    {
        var rows = File.ReadAllLines(csvPath).Skip(1).Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        output.WriteLine("| D | l2_uvp (%) per seed | target | best published (other pairs) | identity | cosine (min) | w2 error (max, %) | training (s) |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => (int)r[0]).OrderBy(g => g.Key))
        {
            var d = group.Key;
            string F(double v) => v.ToString(v < 1 ? "0.000" : v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
            output.WriteLine($"| {d} | {string.Join(", ", group.Select(r => F(r[2])))} | {(HighDimensionFigure.Targets.TryGetValue(d, out var t) ? F(t) : "")} | {(HighDimensionFigure.PublishedBest.TryGetValue(d, out var p) ? F(p) : "")} | {F(group.Average(r => r[5]))} | {group.Min(r => r[3]):0.0000} | {F(100 * group.Max(r => r[4]))} | {string.Join(", ", group.Select(r => r[6].ToString("0", CultureInfo.InvariantCulture)))} |");
        }
        if (figurePath is null) return;
        var runs = rows.Select(r => new KnownMapRun((int)r[0], (int)r[1], r[2], r[5])).ToList();
        var chart = HighDimensionFigure.Create(runs, HighDimensionFigure.StandardReferences);
        var written = figurePath.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? FigureFiles.WritePng(chart, figurePath) : FigureFiles.WriteHtml(chart, figurePath);
        output.WriteLine($"figure: {written}");
    }
}
