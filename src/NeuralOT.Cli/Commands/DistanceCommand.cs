using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralOT.Costs;
using NeuralOT.Distributions;
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
            double chosenEpsilon = epsilon ?? 0.01 * matrix.Average();
            if (!(chosenEpsilon > 0))
                throw new ArgumentException(
                    $"--epsilon must be a positive number (got {chosenEpsilon.ToString(CultureInfo.InvariantCulture)}); try 1% of the typical cost.",
                    "epsilon");
            var a = Uniform(sourceSamples.GetLength(0));
            var b = Uniform(targetSamples.GetLength(0));
            var result = Sinkhorn.SolveMatrix(matrix, a, b, chosenEpsilon);
            if (!result.Converged) throw new ArgumentException(result.Message, "epsilon");
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

    private static double[] Uniform(int count)
    {
        var weights = new double[count];
        Array.Fill(weights, 1.0 / count);
        return weights;
    }
}
