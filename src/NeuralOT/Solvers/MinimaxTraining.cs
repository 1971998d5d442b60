using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>The state of one phase-1 training run: the two players, their optimisers and the sample stream.</summary>
internal sealed class MinimaxTraining(
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
        double criticObjective = double.NaN, mapObjective = double.NaN, transportCost = double.NaN;
        var outcome = TrainingLoop.Run(
            total, options.HistoryInterval,
            step: iteration =>
            {
                SetLearningRates(iteration, total);
                for (var step = 0; step < options.CriticSteps; step++)
                    criticObjective = CriticStep();
                for (var step = 0; step < options.MapSteps; step++)
                    (mapObjective, transportCost) = MapStep();
                return TrainingLoop.NonFinite("critic objective", criticObjective)
                    ?? TrainingLoop.NonFinite("map objective", mapObjective)
                    ?? TrainingLoop.NonFinite("transport cost W_hat", transportCost);
            },
            record: (iteration, elapsed) =>
                history.Add(new HistoryEntry(iteration, criticObjective, mapObjective, transportCost, elapsed.TotalSeconds)),
            report: progress is null ? null : (iteration, elapsed) =>
                progress.Report(Progress(iteration, total, criticObjective, mapObjective, transportCost, elapsed)),
            divergenceFix: "lower the learning rates or set gradient_clip",
            cancellation);
        return new TransportResult(source, target, cost, options, map, critic, history,
            outcome.Exit, outcome.Message, outcome.Completed, outcome.Elapsed);
    }

    private static TrainingProgress Progress(int iteration, int total, double critic, double map, double cost, TimeSpan elapsed) =>
        new(iteration, total, critic, map, cost, elapsed,
            iteration == 0 ? TimeSpan.Zero : elapsed / iteration * (total - iteration));

    /// <summary>One critic ascent step on fresh samples; returns the critic's estimate of S.</summary>
    public double CriticStep()
    {
        var batch = DrawBatch();
        criticOptimizer.zero_grad();
        var step = objective.CriticLoss(map, critic, batch);
        step.Loss.backward();
        Clip(critic);
        criticOptimizer.step();
        return step.Objective.item<float>();
    }

    /// <summary>One map descent step on fresh samples; returns the map's estimate of S and W_hat.</summary>
    public (double Objective, double TransportCost) MapStep()
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
        var factor = options.Schedule.Factor(iteration, total);
        foreach (var group in mapOptimizer.ParamGroups) group.LearningRate = options.MapLearningRate * factor;
        foreach (var group in criticOptimizer.ParamGroups) group.LearningRate = options.CriticLearningRate * factor;
    }
}
