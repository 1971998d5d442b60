using System.Globalization;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using static TorchSharp.torch;

namespace NeuralOT.Benchmarks;

/// <summary>
/// The known-map pairs as a user with data has them: a fixed sample of each side (independent draws, as two data
/// sets would be), read back from CSV files, trained with the default solver, and scored against the exact map on
/// fresh source points (held out) and on the training points themselves (in sample).
/// </summary>
public static class KnownMapFiniteSamples
{
    /// <param name="curveInterval">Every this many iterations, print l2_uvp on fresh and on training points and what
    /// the critic and the saddle value look like on the training rows against fresh samples (0: no curve). Reading
    /// the networks does not touch the training stream, so the run is the same with or without the curve.</param>
    /// <param name="heldOut">Train with the held-out guard (the default) or on every row (the run before the guard).</param>
    /// <param name="csv">Append one row per run to this CSV file (null: print only).</param>
    /// <param name="rollback">With the guard: put the last accepted networks back after an excursion (the default), or
    /// only report excursions (the split alone).</param>
    /// <param name="freshSamples">Train on the samplers instead (fresh samples every step, as <c>neuralot run</c>), for the
    /// curve of the run the CSV runs are compared with.</param>
    public static void Run(TextWriter output, int dimension, int seed, int samples, int curveInterval = 0, bool heldOut = true, string? csv = null, bool rollback = true, bool freshSamples = false)
    {
        var config = ExperimentCatalogue.Get($"known-map-{dimension}d");
        var (sampler, target) = config.CreateDistributions();
        var problem = ((KnownMapTarget)target).Problem;
        var folder = Directory.CreateTempSubdirectory("neuralot-known-map-");
        try
        {
            var generator = new Generator(777 + (ulong)seed);
            var sourcePath = Path.Combine(folder.FullName, "source.csv");
            var targetPath = Path.Combine(folder.FullName, "target.csv");
            using (var scope = NewDisposeScope())
            {
                Write(sourcePath, problem.Source.Sample(samples, generator));
                Write(targetPath, problem.Target.Sample(samples, generator));
            }
            var source = new EmpiricalDistribution(CsvSamples.Read(sourcePath), "source.csv");
            var data = new EmpiricalDistribution(CsvSamples.Read(targetPath), "target.csv");
            var options = config.Solver with { Seed = seed, HeldOut = heldOut ? config.Solver.HeldOut! with { Rollback = rollback } : null };
            var guard = !heldOut ? "off" : rollback ? "on" : "report-only";
            var fresh = problem.Source.Sample(10_000, new Generator(99)).DetachFromDisposeScope();
            var freshTargets = problem.Target.Sample(10_000, new Generator(98)).DetachFromDisposeScope();
            var training = tensor(CsvSamples.Read(sourcePath), float64).DetachFromDisposeScope();
            var trainingTargets = tensor(CsvSamples.Read(targetPath), float64).DetachFromDisposeScope();
            TrainingHooks? hooks = null;
            if (curveInterval > 0)
            {
                output.WriteLine("iteration,l2_uvp_fresh,l2_uvp_training,critic_training_minus_fresh,saddle_training,saddle_fresh,energy_to_fresh_targets,energy_to_training_targets,cycle_fresh_targets,cycle_training_targets");
                hooks = new TrainingHooks(curveInterval, state =>
                {
                    using var scope = NewDisposeScope();
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{state.IterationsCompleted},{Uvp(state, problem, fresh):F4},{Uvp(state, problem, training.narrow(0, 0, 10_000)):F4},{CriticMean(state, trainingTargets) - CriticMean(state, freshTargets):F4},{Saddle(state, training, trainingTargets):F4},{Saddle(state, fresh, freshTargets):F4},{Energy(state.Transport(fresh.narrow(0, 0, 2000)), freshTargets.narrow(0, 0, 2000)):F5},{Energy(state.Transport(fresh.narrow(0, 0, 2000)), trainingTargets.narrow(0, 0, 2000)):F5},{Cycle(state, freshTargets):F4},{Cycle(state, trainingTargets.narrow(0, 0, 10_000)):F4}"));
                    output.Flush();
                });
            }
            using var result = freshSamples
                ? MinimaxSolver.Solve(sampler, target, config.Cost, options, hooks: hooks)
                : MinimaxSolver.Solve(source, data, config.Cost, options, hooks: hooks);
            if (freshSamples) guard = "fresh samples";
            using var evaluation = NewDisposeScope();
            if (result.HeldOut is { } evaluations) output.Write(evaluations.ToCsv());
            double freshUvp = Uvp(result, problem, fresh), trainingUvp = Uvp(result, problem, training);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"known-map-{dimension}d seed {seed}, {samples} samples per side from CSV, held-out guard {guard}: l2_uvp {freshUvp:F3} % on fresh points, {trainingUvp:F3} % on the training points; {result.TrainingTime.TotalSeconds:F0} s, {result.ExitMessage}"));
            if (csv is not null)
            {
                var header = !File.Exists(csv);
                using var writer = new StreamWriter(csv, append: true);
                if (header) writer.WriteLine("dimension,seed,samples,held_out,l2_uvp_fresh,l2_uvp_training,selected_iteration,excursions,iterations,energy_selected,energy_last,train_seconds");
                var report = result.HeldOut;
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{dimension},{seed},{samples},{guard},{freshUvp:F4},{trainingUvp:F4},{report?.SelectedIteration ?? result.IterationsCompleted},{report?.Excursions.ToString(CultureInfo.InvariantCulture) ?? ""},{result.IterationsCompleted},{report?.Selected.EnergyDistance.ToString("G4", CultureInfo.InvariantCulture) ?? ""},{report?.Last.EnergyDistance.ToString("G4", CultureInfo.InvariantCulture) ?? ""},{result.TrainingTime.TotalSeconds:F0}"));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static double Uvp(TransportResult result, KnownMapTransport problem, Tensor x)
    {
        using var scope = NewDisposeScope();
        var exact = problem.Map(x);
        return 100 * (result.Transport(x) - exact).square().sum(1).mean().item<double>() / exact.var([0L]).sum().item<double>();
    }

    private static double CriticMean(TransportResult result, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return result.Critic.forward(y.to(float32)).to(float64).mean().item<double>();
    }

    // S = E|T(x) - x|^2/2 - E phi(T(x)) + E phi(y) on the given points.
    private static double Saddle(TransportResult result, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var moved = result.Transport(x);
        return 0.5 * (moved - x).square().sum(1).mean().item<double>() - CriticMean(result, moved) + CriticMean(result, y);
    }

    // 100 E|T(y - grad phi(y)) - y|^2 / Var(y): the map undoing the inverse map the critic implies (zero at the optimum).
    private static double Cycle(TransportResult result, Tensor y)
    {
        using var scope = NewDisposeScope();
        var points = y.to(float32).detach().requires_grad_(true);
        var gradient = autograd.grad([result.Critic.forward(points).sum()], [points])[0];
        var back = (points - gradient).detach().to(float64);
        return 100 * (result.Transport(back) - y).square().sum(1).mean().item<double>() / y.var([0L]).sum().item<double>();
    }

    // The energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between two point sets (V-statistic).
    private static double Energy(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        return (2 * cdist(x, y).mean() - cdist(x, x).mean() - cdist(y, y).mean()).item<double>();
    }

    private static void Write(string path, Tensor samples)
    {
        var rows = samples.data<double>().ToArray();
        var d = (int)samples.shape[1];
        using var writer = new StreamWriter(path);
        for (var i = 0; i < rows.Length / d; i++)
            writer.WriteLine(string.Join(",", rows.Skip(i * d).Take(d).Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    }
}
