using System.Globalization;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Plotting;
using NeuralOT.Solvers;

namespace NeuralOT.Benchmarks;

/// <summary>
/// The solver-variant ablation: critic form (static, time) x bidirectional training (off, on) x affine
/// preconditioning (off, on) on named experiments and seeds, each variant at its default settings unless an
/// iteration budget is given. Every finished run is appended to a CSV file at once, so an interrupted benchmark
/// continues where it stopped; the summary table is computed from that file.
/// </summary>
internal static class AblationBenchmark
{
    /// <summary>One variant of the solver.</summary>
    public sealed record Variant(string Name, CriticForm Critic, bool Bidirectional, bool Affine)
    {
        public SolverOptions Apply(SolverOptions options) => options with
        {
            Critic = Critic,
            // An experiment's own budget (gaussian-10d, the mixtures) holds for every variant; otherwise each form
            // keeps its default.
            CriticSteps = null,
            MapSteps = null,
            Bidirectional = Bidirectional ? new BidirectionalOptions() : null,
            Preconditioning = Affine ? Preconditioning.Affine : Preconditioning.None,
        };
    }

    /// <summary>The eight combinations, in table order.</summary>
    public static readonly Variant[] Variants =
        (from critic in new[] { CriticForm.Static, CriticForm.Time }
         from bidirectional in new[] { false, true }
         from affine in new[] { false, true }
         select new Variant(
             critic.ToString().ToLowerInvariant() + (bidirectional ? "+bidirectional" : "") + (affine ? "+affine" : ""),
             critic, bidirectional, affine)).ToArray();

    private static readonly string[] Columns =
    [
        "experiment", "variant", "seed", "iterations", "exit_reason", "train_seconds", MetricNames.L2Uvp, "w2_relative_error",
        "w2_estimate", "w2_reference", "pushforward_w2", "pushforward_w2_floor", "cycle_error",
    ];

    /// <param name="tableOnly">Print the summary of the rows already in <paramref name="csvPath"/> and train nothing.</param>
    /// <param name="figurePath">Also draw the runs of the named experiments (<see cref="Plotting.AblationFigure"/>) to
    /// this .png (through chromium) or .html file.</param>
    public static void Run(TextWriter output, string[] experiments, int[] seeds, string[] variantNames, int? iterations, string csvPath,
                           bool tableOnly = false, string? figurePath = null)
    {
        var variants = variantNames.Length == 0
            ? Variants
            : variantNames.Select(name => Variants.FirstOrDefault(v => v.Name == name)
                ?? throw new ArgumentException($"Unknown variant '{name}'; valid: {string.Join(", ", Variants.Select(v => v.Name))}.")).ToArray();
        foreach (var name in experiments) ExperimentCatalogue.Get(name); // an unknown name fails before any file is written
        var rows = ReadRows(csvPath);
        if (tableOnly)
        {
            if (!File.Exists(csvPath))
                throw new FileNotFoundException($"--table prints the rows of {csvPath}, which does not exist; pass the benchmark's CSV with --csv.", csvPath);
            Report(output, rows.Where(r => experiments.Contains(r["experiment"])).ToList(), figurePath);
            return;
        }
        if (!File.Exists(csvPath))
            File.WriteAllText(csvPath, string.Join(',', Columns) + "\n");
        foreach (var experiment in experiments)
        foreach (var seed in seeds)
        foreach (var variant in variants)
        {
            if (rows.Any(r => r["experiment"] == experiment && r["variant"] == variant.Name && r["seed"] == Invariant(seed)))
                continue;
            var config = ExperimentCatalogue.Get(experiment);
            if (config.Cost is not Costs.QuadraticCost && variant.Affine)
                continue; // Affine preconditioning applies to the quadratic cost only.
            var options = variant.Apply(config.Solver) with { Seed = seed, Iterations = iterations ?? config.Solver.Iterations };
            config = config with { Solver = options, Velocity = null };
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {experiment} {variant.Name} seed {seed} ...");
            using var result = MinimaxSolver.Solve(config.Source.Create(), config.Target.Create(), config.Cost, options);
            // Without a closed form, w2_reference is the mean exact-OT value over draws of 5,000 samples per side.
            var metrics = MetricSuite.Evaluate(config.Name, result, config.Evaluation).ByName;
            var row = Columns.ToDictionary(c => c, c => c switch
            {
                "experiment" => experiment,
                "variant" => variant.Name,
                _ => metrics.TryGetValue(c, out var value) ? Format(value) : "",
            });
            File.AppendAllText(csvPath, string.Join(',', Columns.Select(c => row[c])) + "\n");
            rows.Add(row);
            output.WriteLine($"  {string.Join(", ", Columns.Skip(3).Where(c => row[c] != "").Select(c => $"{c} {row[c]}"))}");
        }
        output.WriteLine();
        Report(output, rows.Where(r => experiments.Contains(r["experiment"])).ToList(), figurePath);
    }

    /// <summary>The targets of the core issue, in percent: l2_uvp on the Gaussian pairs, the W2 error on mixture-2d.</summary>
    private static readonly Dictionary<string, double> Targets = new() { ["gaussian-2d"] = 1, ["gaussian-10d"] = 1, ["mixture-2d"] = 5 };

    private static void Report(TextWriter output, List<Dictionary<string, string>> rows, string? figurePath)
    {
        WriteTable(output, rows);
        if (figurePath is null) return;
        // l2_uvp where there is a closed-form map, otherwise the distance's error against exact OT on samples.
        var runs = rows.Select(r =>
        {
            var seed = int.Parse(r["seed"], CultureInfo.InvariantCulture);
            var l2Uvp = Value(r, MetricNames.L2Uvp);
            return double.IsFinite(l2Uvp)
                ? new AblationRun(r["experiment"], r["variant"], seed, "l2_uvp %", l2Uvp)
                : new AblationRun(r["experiment"], r["variant"], seed, "W2 error %", 100 * Value(r, "w2_relative_error"));
        }).ToList();
        var chart = AblationFigure.Create(runs, Targets);
        var written = figurePath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? FigureFiles.WritePng(chart, figurePath)
            : FigureFiles.WriteHtml(chart, figurePath);
        output.WriteLine($"figure: {written}");
    }

    /// <summary>Mean and range over seeds, per experiment and variant.</summary>
    private static void WriteTable(TextWriter output, List<Dictionary<string, string>> rows)
    {
        output.WriteLine("| experiment | variant | seeds | iterations | l2_uvp % | w2 error % | pushforward / floor | cycle error | train s |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => (Experiment: r["experiment"], Variant: r["variant"]))
                     .OrderBy(g => g.Key.Experiment).ThenBy(g => Array.FindIndex(Variants, v => v.Name == g.Key.Variant)))
        {
            var list = group.ToList();
            output.WriteLine($"| {group.Key.Experiment} | {group.Key.Variant} | {list.Count} | {Summary(list, r => Value(r, "iterations"), "F0")} | " +
                             $"{Summary(list, r => Value(r, MetricNames.L2Uvp), "F3")} | {Summary(list, r => 100 * Value(r, "w2_relative_error"), "F3")} | " +
                             $"{Summary(list, r => Value(r, "pushforward_w2") / Value(r, "pushforward_w2_floor"), "F2")} | " +
                             $"{Summary(list, r => Value(r, "cycle_error"), "G2")} | {Summary(list, r => Value(r, "train_seconds"), "F0")} |");
        }
    }

    /// <summary>"mean (min-max)", or "mean" when all seeds agree, or "-" when the value does not apply.</summary>
    private static string Summary(List<Dictionary<string, string>> rows, Func<Dictionary<string, string>, double> value, string format)
    {
        var values = rows.Select(value).Where(double.IsFinite).ToList();
        if (values.Count == 0) return "-";
        string F(double v) => v.ToString(format, CultureInfo.InvariantCulture);
        return values.Count == 1 || F(values.Min()) == F(values.Max())
            ? F(values.Average())
            : $"{F(values.Average())} ({F(values.Min())}-{F(values.Max())})";
    }

    private static double Value(Dictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    private static List<Dictionary<string, string>> ReadRows(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        if (!header.SequenceEqual(Columns))
            throw new InvalidOperationException($"{path} has other columns than this benchmark writes; move it away or pass another --csv.");
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static string Format(object? value) => value switch
    {
        // An undefined metric (null in metrics.json), as the CSV has always written a NaN.
        null => "NaN",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
