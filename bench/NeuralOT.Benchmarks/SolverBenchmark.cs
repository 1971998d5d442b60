using System.Diagnostics;
using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Benchmarks;

/// <summary>
/// Speed and memory of the phase-1 solver with the default networks: milliseconds per outer iteration on
/// gaussian-2d and gaussian-10d (both critic forms), and the process's resident memory after 1,000 and 20,000
/// iterations of one long run (it must stay flat: the dispose scope per iteration frees every temporary tensor).
/// </summary>
internal static class SolverBenchmark
{
    public static void Run(TextWriter output, int longRunIterations = 20_000)
    {
        output.WriteLine("| experiment | critic | ms per outer iteration | steps per iteration |");
        output.WriteLine("|---|---|---|---|");
        foreach (var name in new[] { "gaussian-2d", "gaussian-10d" })
        foreach (var form in new[] { CriticForm.Static, CriticForm.Time })
        {
            var config = ExperimentCatalogue.Get(name);
            var options = config.Solver with { Critic = form, Iterations = null, CriticSteps = null, MapSteps = null };
            var resolved = options.Resolve();
            // A short warm-up run first, so one-time costs (native library load, JIT) are not counted.
            Train(config, options with { Iterations = 20 });
            var timed = resolved.Critic == CriticForm.Static ? 1000 : 300;
            using var result = Train(config, options with { Iterations = timed });
            output.WriteLine($"| {name} | {form.ToString().ToLowerInvariant()} | {result.TrainingTime.TotalMilliseconds / timed:F2} | {resolved.CriticSteps} critic + {resolved.MapSteps} map |");
        }

        output.WriteLine();
        output.WriteLine($"Resident memory during one gaussian-2d run of {longRunIterations} iterations (static critic):");
        var process = Process.GetCurrentProcess();
        var samples = new SortedDictionary<int, long>();
        var checkpoints = new[] { 1000, longRunIterations / 4, longRunIterations / 2, longRunIterations };
        var gaussian = ExperimentCatalogue.Get("gaussian-2d");
        using (Train(gaussian, gaussian.Solver with { Iterations = longRunIterations, HistoryInterval = 1 }, new ProgressCallback<TrainingProgress>(p =>
               {
                   // Progress arrives every 250 ms; record the first report at or past each checkpoint.
                   foreach (var checkpoint in checkpoints)
                       if (p.Iteration >= checkpoint && !samples.ContainsKey(checkpoint))
                       {
                           process.Refresh();
                           samples[checkpoint] = process.WorkingSet64;
                       }
               })))
        {
        }
        foreach (var (iteration, bytes) in samples)
            output.WriteLine($"  after {iteration,6} iterations: {bytes / 1048576.0:F1} MiB");
        var first = samples[checkpoints[0]];
        var last = samples[checkpoints[^1]];
        output.WriteLine($"  change from {checkpoints[0]} to {checkpoints[^1]} iterations: {100.0 * (last - first) / first:+0.0;-0.0} %");
    }

    private static TransportResult Train(ExperimentConfig config, SolverOptions options, IProgress<TrainingProgress>? progress = null) =>
        MinimaxSolver.Solve(config.Source.Create(), config.Target.Create(), config.Cost, options, progress);
}
