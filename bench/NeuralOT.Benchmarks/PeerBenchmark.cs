using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Benchmarks;

/// <summary>
/// NeuralOT's phase-1 solver against the same solver written directly in PyTorch (bench/peer/minimax_peer.py), in one
/// run, alternating ours and the peer's so that both see the same machine load.
/// <list type="bullet">
/// <item>Speed: milliseconds per outer iteration of both forms on the same Gaussian pair, networks, batch, optimiser
/// and schedule (the catalogue's paper settings: no preconditioning), ours with the catalogue's thread count.</item>
/// <item>Accuracy: l2_uvp against the closed-form map during training, against training seconds (the clock stops
/// while the score is taken): ours with the catalogue's settings (the paper's identity start, with the averaged
/// map), with the last weights instead (the peer's method exactly) and with the library's default preconditioning
/// (the Gaussian start), and the peer.</item>
/// </list>
/// </summary>
internal static class PeerBenchmark
{
    private const string PeerScript = "bench/peer/minimax_peer.py";

    public sealed record Settings(
        string Python, string? OpenBlas, IReadOnlyList<string> Experiments, IReadOnlyList<string> Forms, int Repeats,
        int TimedIterations, int WarmupIterations, IReadOnlyList<int> Seeds, IReadOnlyList<int> PeerSeeds, int EvaluateEvery,
        IReadOnlyList<string> Variants)
    {
        /// <summary>The variants of ours that <c>--accuracy</c> can train: the catalogue's settings (identity start,
        /// averaged map), the same with the last weights (map_averaging 0: the peer's method exactly) and the
        /// library's default start for a config of one's own (the Gaussian start).</summary>
        public static readonly string[] KnownVariants = ["catalogue", "last-weights", "gaussian-start"];

        public string PeerBlas => OpenBlas is null ? "the system BLAS" : "a serial OpenBLAS";
    }

    public static void Speed(TextWriter output, Settings settings)
    {
        output.WriteLine($"Per outer iteration, ms (one TorchSharp or PyTorch thread each, the fused kernels on two cores of their own; the peer on {settings.PeerBlas}; load average at start {PythonPeers.LoadAverage()}):");
        output.WriteLine($"(each after {settings.WarmupIterations} warm-up iterations, then {settings.TimedIterations} timed; NeuralOT with its default engine, the fused kernels, and with autograd)");
        output.WriteLine("| repeat | experiment | form | steps | NeuralOT ms | NeuralOT autograd ms | PyTorch ms | PyTorch / NeuralOT |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        for (var repeat = 1; repeat <= settings.Repeats; repeat++)
        foreach (var name in settings.Experiments)
        foreach (var form in settings.Forms)
        {
            var config = ExperimentCatalogue.Get(name);
            var options = config.Solver with { Critic = ParseForm(form), Iterations = null, CriticSteps = null, MapSteps = null };
            var resolved = options.Resolve(config.Cost);
            var (source, target) = Gaussians(config);
            // Warm-up first, so one-time costs (native library load, JIT compilation and tiering) are not counted.
            double Ours(TrainingEngine engine)
            {
                var chosen = options with { Engine = engine };
                using (MinimaxSolver.Solve(source, target, config.Cost, chosen with { Iterations = settings.WarmupIterations })) { }
                using var result = MinimaxSolver.Solve(source, target, config.Cost, chosen with { Iterations = settings.TimedIterations });
                return result.TrainingTime.TotalMilliseconds / settings.TimedIterations;
            }
            var fused = Ours(TrainingEngine.Auto);
            var autograd = Ours(TrainingEngine.Autograd);
            var peer = RunPeer(settings, source, target, ["--mode", "speed", "--form", form, "--warmup", $"{settings.WarmupIterations}", "--timed", $"{settings.TimedIterations}"])
                .GetProperty("ms_per_iteration").GetDouble();
            output.WriteLine(FormattableString.Invariant(
                $"| {repeat} | {name} | {form} | {resolved.CriticSteps} critic + {resolved.MapSteps} map | {fused:F2} | {autograd:F2} | {peer:F2} | {peer / fused:F2} |"));
        }
        output.WriteLine($"load average at end {PythonPeers.LoadAverage()}");
    }

    /// <summary>Trains both to the catalogue's budget, scoring l2_uvp every <c>EvaluateEvery</c> iterations; prints
    /// the seconds each first reached 0.1 % and 0.05 % and writes every trace to <paramref name="csvPath"/>.</summary>
    public static void Accuracy(TextWriter output, Settings settings, string csvPath)
    {
        var rows = new List<string> { "experiment,solver,seed,iteration,seconds,l2_uvp_percent" };
        output.WriteLine($"Time to accuracy (training seconds; the peer on {settings.PeerBlas}; load average at start {PythonPeers.LoadAverage()}):");
        output.WriteLine("| experiment | seed | solver | iterations | s to l2_uvp <= 0.1 % | s to <= 0.05 % | final l2_uvp % | total s |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var name in settings.Experiments)
        foreach (var seed in settings.Seeds)
        {
            var config = ExperimentCatalogue.Get(name);
            var options = config.Solver with { Seed = seed };
            var resolved = options.Resolve(config.Cost);
            var (source, target) = Gaussians(config);
            var reference = new GaussianTransport(source, target);
            if (settings.Variants.Contains("catalogue"))
                Report(output, rows, name, seed, "NeuralOT", TrainScored(source, target, config, options, reference, settings.EvaluateEvery));
            if (settings.Variants.Contains("last-weights"))
                Report(output, rows, name, seed, "NeuralOT last weights",
                    TrainScored(source, target, config, options with { MapAveraging = 0 }, reference, settings.EvaluateEvery));
            // The library's default for a config of one's own (automatic preconditioning), when the catalogue's differs.
            var automatic = options with { Preconditioning = null };
            if (settings.Variants.Contains("gaussian-start") && automatic.Resolve(config.Cost).Preconditioning != resolved.Preconditioning)
                Report(output, rows, name, seed, "NeuralOT Gaussian start",
                    TrainScored(source, target, config, automatic, reference, settings.EvaluateEvery));
            if (!settings.PeerSeeds.Contains(seed)) continue;
            var peerTrace = RunPeer(settings, source, target,
                    ["--mode", "accuracy", "--form", resolved.Critic.ToString().ToLowerInvariant(), "--iterations", $"{resolved.Iterations}",
                     "--eval-every", $"{settings.EvaluateEvery}", "--seed", $"{seed}"])
                .GetProperty("trace").EnumerateArray()
                .Select(point => (point[0].GetDouble(), point[1].GetInt32(), point[2].GetDouble())).ToList();
            Report(output, rows, name, seed, "PyTorch", peerTrace);
        }
        File.WriteAllLines(csvPath, rows);
        output.WriteLine($"load average at end {PythonPeers.LoadAverage()}; traces written to {csvPath}");
    }

    /// <summary>Draws the traces of an accuracy CSV (as <see cref="Accuracy"/> writes it): l2_uvp against training
    /// seconds, a panel per experiment; a PNG through chromium when the path ends in .png, else HTML.</summary>
    public static string Figure(string csvPath, string figurePath)
    {
        var traces = File.ReadLines(csvPath).Skip(1)
            .Select(line => line.Split(','))
            .GroupBy(f => (Experiment: f[0], Solver: f[1], Seed: int.Parse(f[2], CultureInfo.InvariantCulture)))
            .Select(g => new Plotting.ConvergenceTrace(g.Key.Experiment, g.Key.Solver switch
            {
                "PyTorch" => "PyTorch peer, identity start",
                "NeuralOT" => "NeuralOT, identity start, averaged map (the catalogue's settings)",
                "NeuralOT last weights" => "NeuralOT, identity start, last weights (the peer's method)",
                "NeuralOT Gaussian start" => "NeuralOT, Gaussian start (library default)",
                _ => g.Key.Solver,
            }, g.Key.Seed,
                g.Select(f => (double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture))).ToList()))
            .ToList();
        var chart = Plotting.ConvergenceFigure.Create(traces, [0.1, 0.05], title: "gaussian pairs: l2_uvp against training seconds, one line per seed");
        return figurePath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
            ? Plotting.FigureFiles.WritePng(chart, figurePath)
            : Plotting.FigureFiles.WriteHtml(chart, figurePath);
    }

    private static List<(double Seconds, int Iteration, double L2Uvp)> TrainScored(
        GaussianDistribution source, GaussianDistribution target, ExperimentConfig config, SolverOptions options, GaussianTransport reference, int every)
    {
        var trace = new List<(double Seconds, int Iteration, double L2Uvp)>();
        var scoring = TimeSpan.Zero;
        var generator = new torch.Generator(12345);
        var hooks = new TrainingHooks(every, snapshot =>
        {
            var clock = Stopwatch.StartNew();
            var l2Uvp = GaussianMapMetrics.L2Uvp(snapshot, reference, generator);
            // The snapshot's training time includes the earlier scoring; take it out.
            trace.Add(((snapshot.TrainingTime - scoring).TotalSeconds, snapshot.IterationsCompleted, l2Uvp));
            scoring += clock.Elapsed;
        });
        using var result = MinimaxSolver.Solve(source, target, config.Cost, options, hooks: hooks);
        if (trace.Count == 0 || trace[^1].Iteration != result.IterationsCompleted)
            trace.Add(((result.TrainingTime - scoring).TotalSeconds, result.IterationsCompleted, GaussianMapMetrics.L2Uvp(result, reference, generator)));
        return trace;
    }

    private static void Report(TextWriter output, List<string> rows, string name, int seed, string solver, List<(double Seconds, int Iteration, double L2Uvp)> trace)
    {
        string FirstAt(double threshold) =>
            trace.FirstOrDefault(p => p.L2Uvp <= threshold) is { Iteration: > 0 } hit
                ? FormattableString.Invariant($"{hit.Seconds:F1} (it. {hit.Iteration})")
                : "not reached";
        var last = trace[^1];
        output.WriteLine(FormattableString.Invariant(
            $"| {name} | {seed} | {solver} | {last.Iteration} | {FirstAt(0.1)} | {FirstAt(0.05)} | {last.L2Uvp:G3} | {last.Seconds:F1} |"));
        rows.AddRange(trace.Select(p => FormattableString.Invariant($"{name},{solver},{seed},{p.Iteration},{p.Seconds:F3},{p.L2Uvp:G6}")));
    }

    private static (GaussianDistribution Source, GaussianDistribution Target) Gaussians(ExperimentConfig config) =>
        config.Source.Create() is GaussianDistribution source && config.Target.Create() is GaussianDistribution target
            ? (source, target)
            : throw new ArgumentException($"The peer solves Gaussian pairs only; {config.Name} is not one (use gaussian-2d or gaussian-10d).");

    private static CriticForm ParseForm(string form) => form switch
    {
        "static" => CriticForm.Static,
        "time" => CriticForm.Time,
        _ => throw new ArgumentException($"--forms: unknown form \"{form}\"; use static, time or both (static,time)."),
    };

    private static JsonElement RunPeer(Settings settings, GaussianDistribution source, GaussianDistribution target, string[] arguments)
    {
        var pairPath = Path.Combine(Path.GetTempPath(), $"neuralot-peer-{Environment.ProcessId}.json");
        File.WriteAllText(pairPath, JsonSerializer.Serialize(new
        {
            source_mean = source.Mean, source_covariance = Rows(source.Covariance),
            target_mean = target.Mean, target_covariance = Rows(target.Covariance),
        }));
        try
        {
            var environment = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1", ["OPENBLAS_NUM_THREADS"] = "1" };
            if (settings.OpenBlas is { } openBlas) environment["LD_LIBRARY_PATH"] = openBlas;
            return PythonPeers.RunJson(settings.Python, [PeerScript, "--pair", pairPath, .. arguments], environment,
                $"The PyTorch peer failed (is python3-torch installed for {settings.Python}?)");
        }
        finally
        {
            File.Delete(pairPath);
        }
    }

    private static double[][] Rows(double[,] matrix) =>
        Enumerable.Range(0, matrix.GetLength(0)).Select(r => Enumerable.Range(0, matrix.GetLength(1)).Select(c => matrix[r, c]).ToArray()).ToArray();

}
