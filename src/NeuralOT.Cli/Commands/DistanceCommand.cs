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
/// <c>neuralot distance A.csv B.csv [--cost quadratic|power:P] [--method exact|sinkhorn] [--epsilon E] [--debiased]
/// [--source-weights W.csv] [--target-weights W.csv]</c> (or <c>--source A.csv --target B.csv</c>): discrete OT between
/// two sample sets, printed as one JSON object with the optimal mean cost <c>cost_value</c> (of L(v) = |v|^p / p) and
/// the distance <c>w</c> = (p cost_value)^(1/p), which is W_p (POT's <c>ot.emd2</c> on
/// <c>ot.dist(x, y, metric="euclidean") ** p</c> is w^p).
/// </summary>
public static class DistanceCommand
{
    /// <summary>Creates the <c>distance</c> command.</summary>
    public static Command Create()
    {
        var sourceArgument = new Argument<FileInfo?>("source") { Description = "CSV of source samples, one per row (or --source).", Arity = ArgumentArity.ZeroOrOne };
        var targetArgument = new Argument<FileInfo?>("target") { Description = "CSV of target samples, one per row (or --target).", Arity = ArgumentArity.ZeroOrOne };
        var source = new Option<FileInfo?>("--source") { Description = "CSV of source samples, one per row (the first argument)." };
        var target = new Option<FileInfo?>("--target") { Description = "CSV of target samples, one per row (the second argument)." };
        var cost = new Option<string>("--cost")
        {
            Description = "The cost L(y - x): quadratic (|v|^2/2) or power:P (|v|^P/P) with P >= 1; power:1 is the earth mover's distance W1.",
            DefaultValueFactory = _ => "quadratic",
        };
        var method = new Option<string>("--method")
        {
            Description = "exact (any sizes and weights) or sinkhorn (entropic).",
            DefaultValueFactory = _ => "exact",
        };
        method.AcceptOnlyFromAmong("exact", "sinkhorn");
        var epsilon = new Option<double?>("--epsilon")
        {
            Description = "Entropic regularisation for sinkhorn, > 0, in cost units (default: 1% of the mean cost matrix entry).",
        };
        var debiased = new Option<bool>("--debiased")
        {
            Description = "With sinkhorn: the debiased Sinkhorn divergence S(a, b) - (S(a, a) + S(b, b)) / 2, as POT's empirical_sinkhorn_divergence.",
        };
        var sourceWeights = new Option<FileInfo?>("--source-weights") { Description = "CSV with one non-negative weight per source sample, one per row (default: uniform)." };
        var targetWeights = new Option<FileInfo?>("--target-weights") { Description = "CSV with one non-negative weight per target sample, one per row (default: uniform)." };

        var command = new Command("distance", "Optimal transport cost and distance W_p between two sample sets (exact OT or Sinkhorn), as JSON.")
        {
            sourceArgument, targetArgument, source, target, cost, method, epsilon, debiased, sourceWeights, targetWeights,
        };
        command.SetAction(parseResult =>
        {
            var configuration = parseResult.InvocationConfiguration;
            return CliErrors.Run(configuration.Error, () =>
            {
                var sourcePath = OneOf(parseResult.GetValue(sourceArgument), parseResult.GetValue(source), "source", "first");
                var targetPath = OneOf(parseResult.GetValue(targetArgument), parseResult.GetValue(target), "target", "second");
                var request = new Request(sourcePath, targetPath, parseResult.GetValue(cost)!, parseResult.GetValue(method)!,
                    parseResult.GetValue(epsilon), parseResult.GetValue(debiased),
                    parseResult.GetValue(sourceWeights)?.FullName, parseResult.GetValue(targetWeights)?.FullName);
                configuration.Output.WriteLine(Run(request));
                return 0;
            });
        });
        return command;
    }

    private sealed record Request(string Source, string Target, string Cost, string Method, double? Epsilon, bool Debiased,
        string? SourceWeights, string? TargetWeights);

    /// <summary>The file given as the positional argument or as the option, not both and not neither.</summary>
    private static string OneOf(FileInfo? argument, FileInfo? option, string name, string position)
    {
        if (argument is not null && option is not null)
            throw new ArgumentException($"The {name} file is given twice ({argument.Name} and --{name} {option.Name}); give it once.", name);
        return (argument ?? option)?.FullName
               ?? throw new ArgumentException($"No {name} samples: give the {name} CSV as the {position} argument (distance a.csv b.csv) or with --{name}.", name);
    }

    private static string Run(Request request)
    {
        var p = Cost.ParseExponent(request.Cost);
        if (!(p >= 1))
            throw new ArgumentException(FormattableString.Invariant(
                $"--cost {request.Cost}: the exponent must be at least 1 (|v|^p / p is not a convex cost below 1); use power:1 for the earth mover's distance."), "cost");
        var costName = request.Cost.Trim().Equals("quadratic", StringComparison.OrdinalIgnoreCase) ? "quadratic" : FormattableString.Invariant($"power:{p}");
        var exact = request.Method == "exact";
        if (exact && request.Epsilon is not null)
            throw new ArgumentException("--epsilon applies to --method sinkhorn only; drop it or add --method sinkhorn.", "epsilon");
        if (exact && request.Debiased)
            throw new ArgumentException("--debiased applies to --method sinkhorn only (exact OT has no entropic bias); drop it or add --method sinkhorn.", "debiased");

        var sourceSamples = CsvSamples.Read(request.Source);
        var targetSamples = CsvSamples.Read(request.Target);
        // Every method needs the same space on both sides; checked here to name the files.
        if (sourceSamples.GetLength(1) != targetSamples.GetLength(1))
            throw new ArgumentException(
                $"--source {request.Source} has dimension {sourceSamples.GetLength(1)} but --target {request.Target} has dimension {targetSamples.GetLength(1)} (columns per row); both sample sets must live in the same space.",
                "target");
        int n = sourceSamples.GetLength(0), m = targetSamples.GetLength(0);
        var a = ReadWeights(request.SourceWeights, n, "source");
        var b = ReadWeights(request.TargetWeights, m, "target");
        if (exact)
            CostMatrix.CheckSize(n, m);
        else
            MachineLimits.CheckArray(2.0 * n * m, sizeof(double),
                FormattableString.Invariant($"Sinkhorn on {n} source x {m} target samples (the dense cost matrix and its kernel, 16 n m bytes)"), "source",
                "use fewer samples (a random subset of each file).");

        var stopwatch = Stopwatch.StartNew();
        var fields = new Dictionary<string, object?>();
        var matrix = CostMatrix.Build(sourceSamples, targetSamples, p);
        CheckFinite(matrix, m, request.Source, request.Target, costName);
        double value;
        if (exact)
        {
            value = n == m && a is null && b is null
                ? ExactTransport.SolveAssignment(matrix, n).Cost
                : ExactTransport.SolveWeighted(matrix, a ?? Uniform(n), b ?? Uniform(m)).Cost;
        }
        else
        {
            double mean = matrix.Average();
            if (request.Epsilon is null && mean == 0)
                throw new ArgumentException(
                    $"Every cost between {request.Source} and {request.Target} is 0 (the two point sets coincide), so the optimal cost is 0 and the default --epsilon, 1% of the mean cost, would be 0; pass --epsilon E to run Sinkhorn anyway.",
                    "source");
            double chosenEpsilon = request.Epsilon ?? 0.01 * mean;
            if (!(chosenEpsilon > 0))
                throw new ArgumentException(
                    $"--epsilon must be a positive number (got {chosenEpsilon.ToString(CultureInfo.InvariantCulture)}); try 1% of the typical cost.",
                    "epsilon");
            var sourceMass = a ?? Uniform(n);
            var targetMass = b ?? Uniform(m);
            var result = Solve(matrix, sourceMass, targetMass, chosenEpsilon, request.Epsilon is null);
            value = result.Cost;
            var iterations = result.Iterations;
            if (request.Debiased)
            {
                // The same epsilon on each side's self-transport, as POT's empirical_sinkhorn_divergence.
                MachineLimits.CheckArray(2.0 * Math.Max((double)n * n, (double)m * m), sizeof(double),
                    FormattableString.Invariant($"The debiased divergence's self-transport of {Math.Max(n, m)} samples (16 n^2 bytes)"), "debiased",
                    "use fewer samples, or drop --debiased.");
                var sourceSelf = Solve(CostMatrix.Build(sourceSamples, sourceSamples, p), sourceMass, sourceMass, chosenEpsilon, request.Epsilon is null,
                    "--debiased, the source set with itself");
                var targetSelf = Solve(CostMatrix.Build(targetSamples, targetSamples, p), targetMass, targetMass, chosenEpsilon, request.Epsilon is null,
                    "--debiased, the target set with itself");
                fields["sinkhorn_cost"] = value;
                fields["sinkhorn_cost_source_self"] = sourceSelf.Cost;
                fields["sinkhorn_cost_target_self"] = targetSelf.Cost;
                value = Math.Max(0, value - 0.5 * (sourceSelf.Cost + targetSelf.Cost));
                iterations += sourceSelf.Iterations + targetSelf.Iterations;
            }
            fields["epsilon"] = chosenEpsilon;
            fields["iterations"] = iterations;
        }
        var ordered = new Dictionary<string, object?>
        {
            ["cost_value"] = value,
            ["w"] = Math.Pow(p * value, 1 / p),
            ["p"] = p,
        };
        foreach (var (key, field) in fields) ordered[key] = field;
        ordered["seconds"] = stopwatch.Elapsed.TotalSeconds;
        ordered["method"] = request.Debiased ? "sinkhorn_divergence" : request.Method;
        ordered["cost"] = costName;
        ordered["source_count"] = n;
        ordered["target_count"] = m;
        ordered["weighted"] = a is not null || b is not null;
        ordered["dimension"] = sourceSamples.GetLength(1);
        return JsonSerializer.Serialize(ordered);
    }

    private static SinkhornResult Solve(double[] matrix, double[] a, double[] b, double epsilon, bool defaultEpsilon, string? problem = null)
    {
        var result = Sinkhorn.SolveMatrix(matrix, a, b, epsilon);
        if (!result.Converged)
            throw new ArgumentException((problem is null ? "" : $"{problem}: ") + (defaultEpsilon
                ? $"{result.Message} (with the default --epsilon {epsilon.ToString("G3", CultureInfo.InvariantCulture)}, 1% of the mean cost; pass a larger --epsilon)"
                : result.Message), "epsilon");
        return result;
    }

    /// <summary>The weights of a --source-weights or --target-weights file (one number per row), or null.</summary>
    private static double[]? ReadWeights(string? path, int count, string side)
    {
        if (path is null) return null;
        var option = $"--{side}-weights {path}";
        if (!File.Exists(path))
            throw new ArgumentException($"{option}: no such file; give a CSV with one weight per {side} sample, one per row.", $"{side}-weights");
        var weights = CsvSamples.Read(path);
        if (weights.GetLength(1) != 1)
            throw new ArgumentException($"{option} has {weights.GetLength(1)} columns; give one weight per row.", $"{side}-weights");
        if (weights.GetLength(0) != count)
            throw new ArgumentException($"{option} has {weights.GetLength(0)} weights for {count} {side} samples; give one weight per sample, in the same order.", $"{side}-weights");
        var values = weights.Cast<double>().ToArray();
        if (values.Any(w => w < 0) || !(values.Sum() > 0))
            throw new ArgumentException($"{option}: the weights must be >= 0 with a positive sum (they are normalised to sum 1).", $"{side}-weights");
        return values;
    }

    /// <summary>Refuses costs that overflowed (huge coordinates), naming the pair, before they reach a solver.</summary>
    private static void CheckFinite(double[] matrix, int m, string sourcePath, string targetPath, string cost)
    {
        var index = Array.FindIndex(matrix, c => !double.IsFinite(c));
        if (index >= 0)
            throw new ArgumentException(
                $"The {cost} cost between source sample {index / m + 1} ({sourcePath}) and target sample {index % m + 1} ({targetPath}) is {matrix[index].ToString(CultureInfo.InvariantCulture)}: the coordinates are too large for double precision; rescale both sample sets.",
                "source");
    }

    private static double[] Uniform(int count)
    {
        var weights = new double[count];
        Array.Fill(weights, 1.0 / count);
        return weights;
    }
}
