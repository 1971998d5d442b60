// Benchmarks, not tests. Modes (first argument):
//   ot      (default) NeuralOT's exact OT and Sinkhorn against POT on the same point sets, in one run:
//           dotnet run -c Release --project bench/NeuralOT.Benchmarks -- ot [--sizes 500,1000,2000,5000]
//           [--dimensions 2,10] [--repeats 1] [--sinkhorn] [--sinkhorn-sizes 500,1000,2000] [--python /usr/bin/python3]
//           [--weighted [--target-ratio 1.2]] (exact OT only, with m = 1.2 n target samples, or the ratio given, and
//           random weights on both sides)
//   solver  speed and memory of the phase-1 solver (SolverBenchmark) [--long-run 20000]: the memory run's iterations.
//   profile where one iteration's time goes: sampling, a critic step, a map step (StepProfile):
//           dotnet run -c Release --project bench/NeuralOT.Benchmarks -- profile [--experiment gaussian-2d] [--batch 512] [--width 64] [--threads 1]
//   peer    the solver against the same solver in PyTorch (bench/peer/minimax_peer.py), alternating, one run:
//           dotnet run -c Release --project bench/NeuralOT.Benchmarks -- peer [--experiments gaussian-2d,gaussian-10d]
//           [--forms static,time] [--repeats 3] [--timed 500] [--warmup 500] [--openblas DIR] [--python /usr/bin/python3]
//           peer --accuracy [--seeds 0,1,2] [--peer-seeds 0] [--every 50] [--csv bench/results/time-to-accuracy.csv]: l2_uvp against
//           training seconds, both solvers, to the catalogue's budget; [--figure f.png] draws the CSV's traces
//           (--redraw: draw only, train nothing)
//   known-map what the identity and the best affine map score on the known-map pairs (KnownMapBaselines):
//           dotnet run -c Release --project bench/NeuralOT.Benchmarks -- known-map [--dimensions 2,4,...,128]
//   known-map-csv [--dimension 64] [--seed 0] [--samples 20000] [--curve 500]: a known-map pair as two CSV files of fixed
//           samples, trained with the defaults and scored against the exact map on fresh and on training points
//           (--curve N: also every N iterations, l2_uvp and the critic's training-minus-fresh mean as CSV lines;
//           --held-out off: train on every row, without the held-out guard; --rollback off: hold out rows and report
//           excursions without rolling back; --fresh-samples: train on the samplers instead, for the curve of the
//           fresh-sample run; --csv FILE: append a row per run)
//           known-map --collect RUNS [--csv bench/results/known-map.csv] [--figure f.png]: the metrics.json of the
//           known-map runs below RUNS as a CSV, the table by dimension and the figure; --table CSV prints a CSV's table
//   ablation the solver variants (critic form x bidirectional x affine preconditioning; AblationBenchmark):
//           dotnet run -c Release --project bench/NeuralOT.Benchmarks -- ablation [--experiments gaussian-2d,...]
//           [--seeds 0,1,2] [--variants static,time+affine,...] [--iterations N] [--csv ablation.csv] [--table]
//           [--figure ablation.png|.html] (--table prints the summary of the CSV for the named experiments and
//           trains nothing; --figure draws every seed's error per variant, a PNG through chromium)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralOT.Benchmarks;
using NeuralOT.Costs;
using NeuralOT.Reference;

if (args.Length > 0 && args[0] == "solver")
{
    var longRun = Array.IndexOf(args, "--long-run") is var at and > 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : 20_000;
    SolverBenchmark.Run(Console.Out, longRun);
    return;
}
if (args.Length > 0 && args[0] == "profile")
{
    StepProfile.Run(Console.Out, Option("--experiment") ?? "gaussian-2d", ParseInteger("--batch", "512"), ParseInteger("--width", "64"), ParseInteger("--threads", "1"));
    return;
}
if (args.Length > 0 && args[0] == "peer")
{
    var settings = new PeerBenchmark.Settings(
        Option("--python") ?? "/usr/bin/python3",
        // bench/peer/fetch-openblas.sh unpacks a serial OpenBLAS there; without it the peer runs on the system BLAS.
        Option("--openblas") ?? (Directory.Exists("bench/peer/.openblas") ? Path.GetFullPath("bench/peer/.openblas/usr/lib/x86_64-linux-gnu/openblas-serial") : null),
        (Option("--experiments") ?? "gaussian-2d,gaussian-10d").Split(',', StringSplitOptions.RemoveEmptyEntries),
        (Option("--forms") ?? "static,time").Split(',', StringSplitOptions.RemoveEmptyEntries),
        ParseInteger("--repeats", "3"), ParseInteger("--timed", "500"), ParseInteger("--warmup", "500"), ParseList("--seeds", "0,1,2"),
        ParseList("--peer-seeds", Option("--seeds") ?? "0,1,2"), ParseInteger("--every", "50"),
        (Option("--variants") ?? string.Join(',', PeerBenchmark.Settings.KnownVariants)).Split(',', StringSplitOptions.RemoveEmptyEntries));
    if (settings.Variants.FirstOrDefault(v => !PeerBenchmark.Settings.KnownVariants.Contains(v)) is { } unknown)
    {
        Console.Error.WriteLine($"--variants: unknown variant \"{unknown}\"; use any of {string.Join(", ", PeerBenchmark.Settings.KnownVariants)}.");
        Environment.ExitCode = 2;
        return;
    }
    var accuracyCsv = Option("--csv") ?? "bench/results/time-to-accuracy.csv";
    if (args.Contains("--accuracy") && !args.Contains("--redraw"))
        PeerBenchmark.Accuracy(Console.Out, settings, accuracyCsv);
    if (args.Contains("--accuracy") && Option("--figure") is { } figure)
        Console.WriteLine($"figure: {PeerBenchmark.Figure(accuracyCsv, figure)}");
    if (!args.Contains("--accuracy"))
        PeerBenchmark.Speed(Console.Out, settings);
    return;
}
if (args.Length > 0 && args[0] == "known-map-csv")
{
    NeuralOT.Benchmarks.KnownMapFiniteSamples.Run(Console.Out, ParseInteger("--dimension", "64"), ParseInteger("--seed", "0"), ParseInteger("--samples", "20000"), ParseInteger("--curve", "0"),
        heldOut: Option("--held-out") is not "off", csv: Option("--csv"), rollback: Option("--rollback") is not "off",
        freshSamples: args.Contains("--fresh-samples"));
    return;
}
if (args.Length > 0 && args[0] == "known-map" && (Option("--collect") is not null || Option("--table") is not null))
{
    if (Option("--collect") is { } runsFolder)
        NeuralOT.Benchmarks.KnownMapBaselines.Collect(Console.Out, runsFolder, Option("--csv") ?? "bench/results/known-map.csv", Option("--figure"));
    else
        NeuralOT.Benchmarks.KnownMapBaselines.Table(Console.Out, Option("--table")!, Option("--figure"));
    return;
}
if (args.Length > 0 && args[0] == "known-map")
{
    NeuralOT.Benchmarks.KnownMapBaselines.Run(Console.Out, ParseList("--dimensions", "2,4,8,16,32,64,128"), spec => spec with
    {
        Width = Option("--width") is { } width ? int.Parse(width, CultureInfo.InvariantCulture) : spec.Width,
        Depth = Option("--depth") is { } depth ? int.Parse(depth, CultureInfo.InvariantCulture) : spec.Depth,
        Sharpness = Option("--sharpness") is { } sharpness ? double.Parse(sharpness, CultureInfo.InvariantCulture) : spec.Sharpness,
        Strength = Option("--strength") is { } strength ? double.Parse(strength, CultureInfo.InvariantCulture) : spec.Strength,
        Quadratic = Option("--quadratic") is { } quadratic ? double.Parse(quadratic, CultureInfo.InvariantCulture) : spec.Quadratic,
    });
    return;
}
if (args.Length > 0 && args[0] == "ablation")
{
    try
    {
        AblationBenchmark.Run(Console.Out,
            (Option("--experiments") ?? "gaussian-2d,gaussian-10d,mixture-2d").Split(',', StringSplitOptions.RemoveEmptyEntries),
            ParseList("--seeds", "0,1,2"),
            (Option("--variants") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            Option("--iterations") is null ? null : ParseInteger("--iterations", "10000"),
            Option("--csv") ?? "ablation.csv",
            tableOnly: args.Contains("--table"),
            figurePath: Option("--figure"));
    }
    catch (Exception error) when (error is ArgumentException or FormatException or IOException or InvalidOperationException
                                   or NeuralOT.Experiments.ConfigException)
    {
        // Bad arguments or a foreign CSV: the message says what to change; a stack trace would only hide it.
        Console.Error.WriteLine($"ablation: {error.Message}");
        Environment.ExitCode = 2;
    }
    return;
}

var sizes = ParseList("--sizes", "500,1000,2000,5000");
var dimensions = ParseList("--dimensions", "2,10");
int repeats = ParseInteger("--repeats", "1");
string python = Option("--python") ?? "/usr/bin/python3";
bool sinkhorn = args.Contains("--sinkhorn");
// Weighted: unequal sizes (m = 1.2 n, or --target-ratio) and random weights, the transportation problem (ExactTransport.SolveWeighted).
bool weighted = args.Contains("--weighted");
double targetRatio = Option("--target-ratio") is { } ratioText ? double.Parse(ratioText, CultureInfo.InvariantCulture) : 1.2;
if (!(targetRatio > 0) || double.IsInfinity(targetRatio))
    throw new ArgumentException($"--target-ratio must be a positive number (got {targetRatio}), for example 1.2.", "--target-ratio");
if (weighted && sinkhorn)
    throw new ArgumentException("--weighted times exact OT only; drop --sinkhorn.", "--weighted");
// POT's log-domain Sinkhorn takes minutes at n = 5000, so its sizes are chosen apart from the exact solver's.
var sinkhornSizes = ParseList("--sinkhorn-sizes", "500,1000,2000");
const double SinkhornEpsilonFraction = 0.05; // of the mean cost-matrix entry

var script = Path.Combine(AppContext.BaseDirectory, "pot_timing.py");
// Warm up the JIT (several calls, so tiered compilation reaches optimised code) before anything is timed.
for (int warmup = 0; warmup < 5; warmup++)
{
    ExactTransport.Solve(Gaussian(new Random(1), 400, 2, 0, 1), Gaussian(new Random(2), 400, 2, 1, 1));
    if (weighted)
    {
        var warmupMatrix = CostMatrix.Build(Gaussian(new Random(1), 300, 2, 0, 1), Gaussian(new Random(2), 360, 2, 1, 1), QuadraticCost.Instance);
        ExactTransport.SolveWeighted(warmupMatrix, RandomWeights(new Random(3), 300), RandomWeights(new Random(4), 360));
    }
}
Sinkhorn.Solve(Gaussian(new Random(1), 50, 2, 0, 1), Gaussian(new Random(2), 50, 2, 1, 1), 0.1);
var directory = Directory.CreateTempSubdirectory("neuralot-bench-");
try
{
    Console.WriteLine($"Load average (1, 5, 15 min) at the start: {PythonPeers.LoadAverage()}; {Environment.ProcessorCount} cores.");
    Console.WriteLine(weighted
        ? $"Weighted exact OT (ExactTransport.SolveWeighted; POT ot.emd2 with the same weights), n source and m = {targetRatio} n target samples, weights Dirichlet(1) (normalised exponential draws) on both sides."
        : "Exact OT (ExactTransport.SolveAssignment; POT ot.emd2), n source and n target samples, uniform weights.");
    Console.WriteLine($"Quadratic cost |v|^2/2, Gaussian samples N(0, I) -> N(1, 2 I); best of {repeats}; seconds include building the cost matrix (both sides), solve columns exclude it.");
    Console.WriteLine("Wall seconds can include time the process was descheduled or stopped; CPU seconds (process CPU time, cost matrix included) cannot.");
    Console.WriteLine("cert: our optimality certificate's worst violation / max |C| (dual infeasibility, primal - dual gap, and for weights the largest row or column sum error), checked after timing.");
    Console.WriteLine($"{"n",6} {"d",3} {"POT emd2 s",11} {"ours s",9} {"ratio",7} {"POT solve",10} {"our solve",10} {"ratio",7} {"POT cpu",9} {"our cpu",9} {"ratio",7} {"rel. diff",10} {"cert",8}");
    foreach (int d in dimensions)
        foreach (int n in sizes)
            RunExact(n, d);
    if (sinkhorn)
    {
        Console.WriteLine();
        Console.WriteLine($"Sinkhorn (log-domain stabilised), epsilon {SinkhornEpsilonFraction} x mean cost entry; ours: L1 marginal tolerance 1e-9; POT: ot.sinkhorn2(method=\"sinkhorn_log\", stopThr=1e-9).");
        Console.WriteLine($"{"n",6} {"d",3} {"POT s",9} {"ours s",9} {"ratio",7} {"POT cpu",9} {"our cpu",9} {"ratio",7} {"rel. diff",10}");
        foreach (int d in dimensions)
            foreach (int n in sinkhornSizes)
                RunSinkhorn(n, d);
    }
    Console.WriteLine($"Load average at the end: {PythonPeers.LoadAverage()}.");
}
finally
{
    directory.Delete(recursive: true);
}

void RunExact(int n, int d)
{
    var (source, target, sourcePath, targetPath) = WriteProblem(n, d, weighted ? Math.Max(1, (int)Math.Round(targetRatio * n)) : n);
    double[] a = [], b = [];
    string[] weightPaths = [];
    if (weighted)
    {
        var random = new Random(7000 * n + d);
        a = RandomWeights(random, source.GetLength(0));
        b = RandomWeights(random, target.GetLength(0));
        weightPaths = [WriteWeights($"source-weights-{n}-{d}.csv", a), WriteWeights($"target-weights-{n}-{d}.csv", b)];
    }
    double potBestTotal = double.MaxValue, potBestSolve = double.MaxValue, potValue = 0;
    double oursBestTotal = double.MaxValue, oursBestSolve = double.MaxValue, oursValue = 0;
    double potBestCpu = double.MaxValue, oursBestCpu = double.MaxValue;
    double[] matrix = [];
    double certificate = 0;
    for (int r = 0; r < repeats; r++)
    {
        var pot = RunPot(weighted ? "exact-weighted" : "exact", [sourcePath, targetPath, .. weightPaths]);
        if (pot.GetProperty("result_code").GetInt32() != 1)
            throw new InvalidOperationException($"POT's emd2 stopped before optimality at n = {n}, d = {d} (result_code {pot.GetProperty("result_code")}); its cost would not be the optimum.");
        potBestCpu = Math.Min(potBestCpu, pot.GetProperty("cpu_seconds").GetDouble());
        potValue = pot.GetProperty("cost_value").GetDouble();
        double matrixSeconds = pot.GetProperty("matrix_seconds").GetDouble(), solveSeconds = pot.GetProperty("solve_seconds").GetDouble();
        potBestTotal = Math.Min(potBestTotal, matrixSeconds + solveSeconds);
        potBestSolve = Math.Min(potBestSolve, solveSeconds);

        var cpuStart = ProcessCpuSeconds();
        var stopwatch = Stopwatch.StartNew();
        matrix = CostMatrix.Build(source, target, QuadraticCost.Instance);
        var matrixTime = stopwatch.Elapsed.TotalSeconds;
        ExactPlan? plan = null;
        ExactTransportResult? assignment = null;
        if (weighted) plan = ExactTransport.SolveWeighted(matrix, a, b);
        else assignment = ExactTransport.SolveAssignment(matrix, n);
        var total = stopwatch.Elapsed.TotalSeconds;
        oursBestCpu = Math.Min(oursBestCpu, ProcessCpuSeconds() - cpuStart);
        oursBestTotal = Math.Min(oursBestTotal, total);
        oursBestSolve = Math.Min(oursBestSolve, total - matrixTime);
        oursValue = plan?.Cost ?? assignment!.Cost;
        certificate = plan is not null
            ? CertificateError(matrix, plan.RowPotential, plan.ColumnPotential, plan.Cost, plan.DualCost, MarginalError(plan, a, b))
            : CertificateError(matrix, assignment!.RowPotential, assignment.ColumnPotential, assignment.Cost, assignment.DualCost, 0);
    }
    Console.WriteLine($"{n,6} {d,3} {potBestTotal,11:F3} {oursBestTotal,9:F3} {potBestTotal / oursBestTotal,7:F2} {potBestSolve,10:F3} {oursBestSolve,10:F3} {potBestSolve / oursBestSolve,7:F2} {potBestCpu,9:F3} {oursBestCpu,9:F3} {potBestCpu / oursBestCpu,7:F2} {Math.Abs(oursValue - potValue) / potValue,10:E1} {certificate,8:E1}");
}

void RunSinkhorn(int n, int d)
{
    var (source, target, sourcePath, targetPath) = WriteProblem(n, d, n);
    double potBest = double.MaxValue, oursBest = double.MaxValue, potValue = 0, oursValue = 0;
    double potBestCpu = double.MaxValue, oursBestCpu = double.MaxValue;
    for (int r = 0; r < repeats; r++)
    {
        var pot = RunPot("sinkhorn", [sourcePath, targetPath]);
        potBestCpu = Math.Min(potBestCpu, pot.GetProperty("cpu_seconds").GetDouble());
        potValue = pot.GetProperty("cost_value").GetDouble();
        potBest = Math.Min(potBest, pot.GetProperty("matrix_seconds").GetDouble() + pot.GetProperty("solve_seconds").GetDouble());
        var cpuStart = ProcessCpuSeconds();
        var stopwatch = Stopwatch.StartNew();
        var matrix = CostMatrix.Build(source, target, QuadraticCost.Instance);
        var uniform = Enumerable.Repeat(1.0 / n, n).ToArray();
        var result = Sinkhorn.SolveMatrix(matrix, uniform, uniform, SinkhornEpsilonFraction * matrix.Average());
        oursBest = Math.Min(oursBest, stopwatch.Elapsed.TotalSeconds);
        oursBestCpu = Math.Min(oursBestCpu, ProcessCpuSeconds() - cpuStart);
        oursValue = result.Cost;
    }
    Console.WriteLine($"{n,6} {d,3} {potBest,9:F3} {oursBest,9:F3} {potBest / oursBest,7:F2} {potBestCpu,9:F3} {oursBestCpu,9:F3} {potBestCpu / oursBestCpu,7:F2} {Math.Abs(oursValue - potValue) / potValue,10:E1}");
}

(double[,] Source, double[,] Target, string SourcePath, string TargetPath) WriteProblem(int n, int d, int m)
{
    var random = new Random(1000 * n + d);
    var source = Gaussian(random, n, d, 0, 1);
    var target = Gaussian(random, m, d, 1, Math.Sqrt(2));
    string sourcePath = Path.Combine(directory.FullName, $"source-{n}-{d}.csv");
    string targetPath = Path.Combine(directory.FullName, $"target-{n}-{d}.csv");
    WriteCsv(sourcePath, source);
    WriteCsv(targetPath, target);
    return (source, target, sourcePath, targetPath);
}

string WriteWeights(string name, double[] weights)
{
    var path = Path.Combine(directory.FullName, name);
    File.WriteAllLines(path, weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture)));
    return path;
}

JsonElement RunPot(string method, string[] paths) =>
    PythonPeers.RunJson(python, [script, method, SinkhornEpsilonFraction.ToString("R", CultureInfo.InvariantCulture), .. paths], null,
        $"POT timing failed (is python3-pot installed for {python}?)");

// The worst violation of an optimality certificate relative to the largest cost: u_i + v_j above C_ij, the gap between
// primal and dual value, and the marginal error passed in.
static double CertificateError(double[] matrix, double[] u, double[] v, double cost, double dualCost, double marginalError)
{
    int m = v.Length;
    double largest = matrix.Max(Math.Abs), worst = Math.Abs(cost - dualCost);
    for (int i = 0; i < u.Length; i++)
        for (int j = 0; j < m; j++)
            worst = Math.Max(worst, u[i] + v[j] - matrix[(long)i * m + j]);
    return Math.Max(worst / (largest > 0 ? largest : 1), marginalError);
}

// The largest difference between a row or column sum of the plan and its (normalised) weight.
static double MarginalError(ExactPlan plan, double[] a, double[] b)
{
    var rows = new double[a.Length];
    var columns = new double[b.Length];
    foreach (var entry in plan.Entries)
    {
        rows[entry.Source] += entry.Mass;
        columns[entry.Target] += entry.Mass;
    }
    return Math.Max(a.Select((w, i) => Math.Abs(w - rows[i])).Max(), b.Select((w, j) => Math.Abs(w - columns[j])).Max());
}

// Normalised exponential draws: a uniform draw from the simplex (Dirichlet(1, ..., 1)), weights from about 0 to
// several times the mean.
static double[] RandomWeights(Random random, int count)
{
    var weights = new double[count];
    for (int k = 0; k < count; k++) weights[k] = -Math.Log(1 - random.NextDouble());
    var total = weights.Sum();
    return weights.Select(w => w / total).ToArray();
}

// CPU time of the whole process (every thread; the solvers are single-threaded, so it is their time plus the GC's).
static double ProcessCpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;


static double[,] Gaussian(Random random, int n, int d, double mean, double scale)
{
    var samples = new double[n, d];
    for (int i = 0; i < n; i++)
        for (int k = 0; k < d; k++)
        {
            // Box-Muller
            double u = 1 - random.NextDouble(), v = random.NextDouble();
            samples[i, k] = mean + scale * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
        }
    return samples;
}

static void WriteCsv(string path, double[,] samples)
{
    using var writer = new StreamWriter(path);
    for (int i = 0; i < samples.GetLength(0); i++)
    {
        var row = new string[samples.GetLength(1)];
        for (int k = 0; k < row.Length; k++) row[k] = samples[i, k].ToString("R", CultureInfo.InvariantCulture);
        writer.WriteLine(string.Join(',', row));
    }
}

string? Option(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

int[] ParseList(string option, string defaultValue)
{
    var text = Option(option) ?? defaultValue;
    return text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(item => Integer(option, item, defaultValue)).ToArray();
}

int ParseInteger(string option, string defaultValue) => Integer(option, Option(option) ?? defaultValue, defaultValue);

static int Integer(string option, string item, string example) =>
    int.TryParse(item, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
        ? value
        : throw new FormatException($"{option}: '{item}' is not an integer (for example {option} {example}).");
