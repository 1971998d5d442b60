using System.Diagnostics;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// Phase 1 of the neural solver (SPEC 2.1): trains the OT map T = Id + F and the critic by alternating
/// critic-ascent and map-descent steps with Adam on fresh samples of mu0 and mu1.
/// </summary>
public static class MinimaxSolver
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Trains the map from <paramref name="source"/> to <paramref name="target"/>.</summary>
    /// <param name="source">mu0.</param>
    /// <param name="target">mu1, of the same dimension.</param>
    /// <param name="cost">The transport cost L.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops training within one iteration; the result then holds the last completed iteration.</param>
    /// <returns>The trained result; <see cref="TransportResult.ExitReason"/> says why it stopped.</returns>
    /// <exception cref="ArgumentException">Mismatched dimensions or an invalid option (the message names it).</exception>
    public static TransportResult Solve(
        IDistribution source, IDistribution target, ICost cost, SolverOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cost);
        if (source.Dimension != target.Dimension)
            throw new ArgumentException(
                $"The source has dimension {source.Dimension} but the target has dimension {target.Dimension}; both distributions must live in the same space.",
                nameof(target));
        var resolved = (options ?? new SolverOptions()).Resolve();
        resolved.Validate();
        var device = ResolveDevice(resolved.Device);
        torch.set_num_threads(resolved.Threads);

        torch.manual_seed(resolved.Seed);
        var map = new MapNetwork(source.Dimension, resolved.MapNetwork);
        var critic = new CriticNetwork(source.Dimension, resolved.Critic == CriticForm.Time, resolved.CriticNetwork);
        map.to(device);
        critic.to(device);
        var run = new TrainingRun(source, target, cost, resolved, map, critic, device);
        return run.Train(progress, cancellation);
    }

    internal static Device ResolveDevice(string name)
    {
        if (name == "cuda" && !torch.cuda.is_available())
            throw new ArgumentException(
                "solver.device = cuda, but no CUDA device is usable: this build references TorchSharp-cpu. Reference a CUDA build of TorchSharp (libtorch-cuda) on a machine with an NVIDIA GPU, or use \"cpu\".",
                "device");
        return torch.device(name);
    }

    /// <summary>The mutable state of one training run.</summary>
    private sealed class TrainingRun(
        IDistribution source, IDistribution target, ICost cost, SolverOptions options,
        MapNetwork map, CriticNetwork critic, Device device)
    {
        private readonly SaddleObjective objective = SaddleObjective.For(options.Critic, cost);
        private readonly Generator generator = new Generator((ulong)options.Seed);
        private readonly optim.Optimizer mapOptimizer = optim.Adam(map.parameters(), options.MapLearningRate, options.Beta1, options.Beta2);
        private readonly optim.Optimizer criticOptimizer = optim.Adam(critic.parameters(), options.CriticLearningRate, options.Beta1, options.Beta2);

        public TransportResult Train(IProgress<TrainingProgress>? progress, CancellationToken cancellation)
        {
            var total = options.Iterations!.Value;
            var history = new TrainingHistory();
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            var exit = ExitReason.IterationBudget;
            var message = $"completed the budget of {total} iterations";
            double criticObjective = double.NaN, mapObjective = double.NaN, transportCost = double.NaN;
            var completed = 0;

            for (var iteration = 1; iteration <= total; iteration++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    exit = ExitReason.Cancelled;
                    message = $"cancelled after {completed} of {total} iterations";
                    break;
                }
                using (var scope = NewDisposeScope())
                {
                    SetLearningRates(iteration, total);
                    for (var step = 0; step < options.CriticSteps; step++)
                        criticObjective = CriticStep();
                    for (var step = 0; step < options.MapSteps; step++)
                        (mapObjective, transportCost) = MapStep();
                }
                if (!double.IsFinite(criticObjective) || !double.IsFinite(mapObjective) || !double.IsFinite(transportCost))
                {
                    exit = ExitReason.Diverged;
                    var which = !double.IsFinite(criticObjective) ? "critic objective" : !double.IsFinite(mapObjective) ? "map objective" : "transport cost W_hat";
                    message = $"diverged: the {which} became {(double.IsNaN(criticObjective + mapObjective + transportCost) ? "NaN" : "infinite")} at iteration {iteration}; lower the learning rates or set gradient_clip";
                    history.Add(new HistoryEntry(iteration, criticObjective, mapObjective, transportCost, clock.Elapsed.TotalSeconds));
                    break;
                }
                completed = iteration;
                if (iteration % options.HistoryInterval == 0 || iteration == total)
                    history.Add(new HistoryEntry(iteration, criticObjective, mapObjective, transportCost, clock.Elapsed.TotalSeconds));
                if (progress is not null && (clock.Elapsed - lastReport >= ProgressInterval || iteration == total))
                {
                    lastReport = clock.Elapsed;
                    progress.Report(Progress(iteration, total, criticObjective, mapObjective, transportCost, clock.Elapsed));
                }
            }
            clock.Stop();
            if (progress is not null && exit != ExitReason.IterationBudget)
                progress.Report(Progress(completed, total, criticObjective, mapObjective, transportCost, clock.Elapsed));
            return new TransportResult(source, target, cost, options, map, critic, history, exit, message, completed, clock.Elapsed);
        }

        private static TrainingProgress Progress(int iteration, int total, double critic, double map, double cost, TimeSpan elapsed) =>
            new(iteration, total, critic, map, cost, elapsed,
                iteration == 0 ? TimeSpan.Zero : elapsed / iteration * (total - iteration));

        private double CriticStep()
        {
            var batch = DrawBatch();
            criticOptimizer.zero_grad();
            var step = objective.CriticLoss(map, critic, batch);
            step.Loss.backward();
            Clip(critic);
            criticOptimizer.step();
            return step.Objective.item<float>();
        }

        private (double Objective, double TransportCost) MapStep()
        {
            var batch = DrawBatch();
            mapOptimizer.zero_grad();
            var step = objective.MapLoss(map, critic, batch);
            step.Loss.backward();
            Clip(map);
            mapOptimizer.step();
            return (step.Objective.item<float>(), step.TransportCost!.item<float>());
        }

        private MinibatchSamples DrawBatch()
        {
            var n = options.BatchSize;
            var x = source.Sample(n, generator).to(float32, device);
            var y = target.Sample(n, generator).to(float32, device);
            var t = options.Critic == CriticForm.Time ? rand(n, 1, generator: generator).to(device) : empty(0);
            return new MinibatchSamples(x, y, t);
        }

        private void Clip(nn.Module module)
        {
            if (options.GradientClip is { } maxNorm)
                nn.utils.clip_grad_norm_(module.parameters(), maxNorm);
        }

        private void SetLearningRates(int iteration, int total)
        {
            var factor = options.Schedule == LearningRateSchedule.Cosine
                ? 0.5 * (1 + Math.Cos(Math.PI * (iteration - 1) / total))
                : 1.0;
            foreach (var group in mapOptimizer.ParamGroups) group.LearningRate = options.MapLearningRate * factor;
            foreach (var group in criticOptimizer.ParamGroups) group.LearningRate = options.CriticLearningRate * factor;
        }
    }
}
