using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.IO;
using NeuralOT.Reference;

namespace NeuralOT.Cli.Commands;

/// <summary>
/// <c>neuralot distance --source A.csv --target B.csv [--cost quadratic|power:P] [--method exact|sinkhorn] [--epsilon E]</c>:
/// the optimal mean cost between two sample sets with uniform weights, printed as one JSON object
/// (<c>cost_value</c>, <c>seconds</c>, and what was solved).
/// </summary>
public static class DistanceCommand
{
    /// <summary>Creates the <c>distance</c> command.</summary>
    public static Command Create()
    {
        var source = new Option<FileInfo>("--source") { Description = "CSV of source samples, one per row.", Required = true };
        var target = new Option<FileInfo>("--target") { Description = "CSV of target samples, one per row.", Required = true };
        var cost = new Option<string>("--cost")
        {
            Description = "The cost L(y - x): quadratic (|v|^2/2) or power:P (|v|^P/P).",
            DefaultValueFactory = _ => "quadratic",
        };
        var method = new Option<string>("--method")
        {
            Description = "exact (equal sample counts) or sinkhorn (entropic; any counts).",
            DefaultValueFactory = _ => "exact",
        };
        method.AcceptOnlyFromAmong("exact", "sinkhorn");
        var epsilon = new Option<double?>("--epsilon")
        {
            Description = "Entropic regularisation for sinkhorn, > 0, in cost units (default: 1% of the mean cost matrix entry).",
        };

        var command = new Command("distance", "Optimal mean transport cost between two sample sets (exact OT or Sinkhorn), as JSON.")
        {
            source, target, cost, method, epsilon,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            return CliErrors.Run(configuration.Error, () =>
            {
                configuration.Output.WriteLine(Run(parseResult.GetValue(source)!.FullName, parseResult.GetValue(target)!.FullName,
                    parseResult.GetValue(cost)!, parseResult.GetValue(method)!, parseResult.GetValue(epsilon)));
                return 0;
            });
        });
        return command;
    }

    private static string Run(string sourcePath, string targetPath, string costName, string method, double? epsilon)
    {
        var cost = Cost.Parse(costName);
        var sourceSamples = CsvSamples.Read(sourcePath);
        var targetSamples = CsvSamples.Read(targetPath);
        if (method == "exact" && epsilon is not null)
            throw new ArgumentException("--epsilon applies to --method sinkhorn only; drop it or add --method sinkhorn.", "epsilon");

        // Every method needs the same space on both sides; checked here to name the files.
        if (sourceSamples.GetLength(1) != targetSamples.GetLength(1))
            throw new ArgumentException(
                $"--source {sourcePath} has dimension {sourceSamples.GetLength(1)} but --target {targetPath} has dimension {targetSamples.GetLength(1)} (columns per row); both sample sets must live in the same space.",
                "target");
        int n = sourceSamples.GetLength(0), m = targetSamples.GetLength(0);
        if (method == "exact" && n == m) CostMatrix.CheckSize(n, m);
        if (method == "sinkhorn")
            MachineLimits.CheckArray(2.0 * n * m, sizeof(double),
                FormattableString.Invariant($"Sinkhorn on {n} source x {m} target samples (the dense cost matrix and its kernel, 16 n m bytes)"), "source",
                "use fewer samples (a random subset of each file).");

        var stopwatch = Stopwatch.StartNew();
        var fields = new Dictionary<string, object?>();
        if (method == "exact")
        {
            var result = ExactTransport.Solve(sourceSamples, targetSamples, cost);
            fields["cost_value"] = result.Cost;
        }
        else
        {
            var matrix = CostMatrix.Build(sourceSamples, targetSamples, cost);
            CheckFinite(matrix, m, sourcePath, targetPath, cost);
            double mean = matrix.Average();
            if (epsilon is null && mean == 0)
                throw new ArgumentException(
                    $"Every cost between {sourcePath} and {targetPath} is 0 (the two point sets coincide), so the optimal cost is 0 and the default --epsilon, 1% of the mean cost, would be 0; pass --epsilon E to run Sinkhorn anyway.",
                    "source");
            double chosenEpsilon = epsilon ?? 0.01 * mean;
            if (!(chosenEpsilon > 0))
                throw new ArgumentException(
                    $"--epsilon must be a positive number (got {chosenEpsilon.ToString(CultureInfo.InvariantCulture)}); try 1% of the typical cost.",
                    "epsilon");
            var a = Uniform(sourceSamples.GetLength(0));
            var b = Uniform(targetSamples.GetLength(0));
            var result = Sinkhorn.SolveMatrix(matrix, a, b, chosenEpsilon);
            if (!result.Converged)
                throw new ArgumentException(epsilon is null ? $"{result.Message} (with the default --epsilon {chosenEpsilon.ToString("G3", CultureInfo.InvariantCulture)}, 1% of the mean cost; pass a larger --epsilon)" : result.Message, "epsilon");
            fields["cost_value"] = result.Cost;
            fields["epsilon"] = chosenEpsilon;
            fields["iterations"] = result.Iterations;
        }
        fields["seconds"] = stopwatch.Elapsed.TotalSeconds;
        fields["method"] = method;
        fields["cost"] = cost.Name;
        fields["source_count"] = sourceSamples.GetLength(0);
        fields["target_count"] = targetSamples.GetLength(0);
        fields["dimension"] = sourceSamples.GetLength(1);
        return JsonSerializer.Serialize(fields);
    }

    /// <summary>Refuses costs that overflowed (huge coordinates), naming the pair, before they reach epsilon.</summary>
    private static void CheckFinite(double[] matrix, int m, string sourcePath, string targetPath, ICost cost)
    {
        var index = Array.FindIndex(matrix, c => !double.IsFinite(c));
        if (index >= 0)
            throw new ArgumentException(
                $"The {cost.Name} cost between source sample {index / m + 1} ({sourcePath}) and target sample {index % m + 1} ({targetPath}) is {matrix[index].ToString(CultureInfo.InvariantCulture)}: the coordinates are too large for double precision; rescale both sample sets.",
                "source");
    }

    private static double[] Uniform(int count)
    {
        var weights = new double[count];
        Array.Fill(weights, 1.0 / count);
        return weights;
    }
}
