using NeuralOT.Costs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// The phase-1 training loop: per iteration, critic ascent steps then map descent steps for every direction, on
/// fresh samples, with a dispose scope per iteration. Bidirectional training couples the two maps through the
/// cycle penalty in the map steps and may stop early by the agreement rule.
/// </summary>
internal sealed class MinimaxTraining
{
    // Smoothing of the two W_hat estimates for the agreement rule (about a 50-iteration window): single minibatch
    // estimates fluctuate more than any useful threshold.
    private const double AgreementSmoothing = 0.02;

    private readonly SolverOptions options;
    private readonly ICost cost;
    private readonly Device device;
    private readonly SaddleObjective objective;
    private readonly Generator generator;
    private readonly TransportDirection[] directions;
    // The fused kernels' steps when they cover this training (one direction, plain networks); null: autograd.
    private readonly FusedSaddleSteps? fused;
    // Inside Step the fused steps were synchronised at its start; steps called on their own synchronise first.
    private bool withinIteration;

    /// <summary>Prepares training from scratch: the sample stream starts at the seed.</summary>
    public MinimaxTraining(ICost cost, SolverOptions options, Device device, params TransportDirection[] directions)
        : this(cost, options, device, new Generator((ulong)options.Seed), directions)
    {
    }

    /// <summary>Prepares training that continues a saved state: <paramref name="generator"/> holds the sample
    /// stream where it stopped and the directions hold the networks and their optimisers' moments.</summary>
    public MinimaxTraining(ICost cost, SolverOptions options, Device device, Generator generator, TransportDirection[] directions)
    {
        this.options = options;
        this.cost = cost;
        this.device = device;
        this.directions = directions;
        this.generator = generator;
        objective = SaddleObjective.For(options.Critic, cost);
        fused = FusedSaddleSteps.TryCreate(cost, options, device, directions);
    }

    /// <summary>Whether the fused kernels compute the steps (else autograd).</summary>
    public bool UsesFusedKernels => fused is not null;

    /// <summary>Runs the loop and returns the pieces of a result.</summary>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops the loop within one iteration.</param>
    /// <param name="checkpoint">Called with the outcome so far every <paramref name="checkpointInterval"/> iterations.</param>
    /// <param name="checkpointInterval">Iterations between checkpoints.</param>
    /// <param name="resumeFrom">The outcome of a stopped run to continue (its history, iterations, time and
    /// smoothed estimates); null to start at iteration 1.</param>
    /// <param name="heldOut">The held-out guard for finite data: evaluated every interval and at the end; after an
    /// excursion it puts the last accepted networks back; null when it does not act.</param>
    public TrainingOutcome Train(
        IProgress<TrainingProgress>? progress, CancellationToken cancellation,
        Action<TrainingOutcome>? checkpoint = null, int checkpointInterval = int.MaxValue, TrainingOutcome? resumeFrom = null,
        HeldOutWatch? heldOut = null)
    {
        var networks = TransportDirection.Networks(directions);
        var total = options.Iterations!.Value;
        var averagingHorizon = options.AveragingHorizon(total);
        var history = new TrainingHistory();
        foreach (var entry in resumeFrom?.History.Entries ?? []) history.Add(entry);
        var state = new StepState();
        double? smoothedForward = resumeFrom?.State?.SmoothedWHat, smoothedReverse = resumeFrom?.State?.SmoothedWHatReverse;
        TrainingState Snapshot() => new(directions, generator, smoothedForward, smoothedReverse, heldOut?.Monitor.Snapshot());

        string? Step(int iteration)
        {
            var factor = options.Schedule.Factor(iteration, total);
            foreach (var direction in directions) direction.SetLearningRateFactor(factor, options);
            // The networks may have changed between iterations (a checkpoint loaded, a rollback).
            fused?.Synchronise();
            withinIteration = true;
            try
            {
                for (var step = 0; step < options.CriticSteps; step++)
                    state.CriticObjective = CriticStep();
                for (var step = 1; step < options.MapSteps; step++)
                    MapStep(report: false);
                state.Record(MapStep(report: true)!.Value);
            }
            finally
            {
                withinIteration = false;
            }
            foreach (var direction in directions) direction.UpdateAverage(iteration, averagingHorizon);
            return state.FirstNonFinite();
        }

        string? AfterIteration(int iteration, TimeSpan elapsed)
        {
            // A checkpoint due at an iteration that is also due for evaluation holds the state before that evaluation
            // (the hooks see the networks training produced); a resume from it makes the evaluation first (below).
            if (checkpoint is not null && iteration % checkpointInterval == 0)
                checkpoint(new TrainingOutcome(history, ExitReason.Cancelled, $"checkpoint at iteration {iteration} of {total}", iteration, elapsed, Snapshot()));
            heldOut?.Monitor.Evaluate(iteration, heldOut.Transport, directions[0].Critic, networks);
            if (options.Bidirectional is not { } bidirectional) return null;
            smoothedForward = Smooth(smoothedForward, state.TransportCost);
            smoothedReverse = Smooth(smoothedReverse, state.ReverseTransportCost!.Value);
            var gap = Math.Abs(smoothedForward.Value - smoothedReverse.Value);
            return iteration >= bidirectional.FirstCheckedIteration(total) && gap < bidirectional.Eps
                ? FormattableString.Invariant($"converged at iteration {iteration}: |W_hat_ab - W_hat_ba| = {gap:G3} < eps = {bidirectional.Eps:G3}")
                : null;
        }

        // A resumed run first makes an evaluation that was due at the stop but not yet made (a periodic checkpoint is
        // written just before it): the same networks give the same value and the same decision as without the stop.
        if (resumeFrom is { IterationsCompleted: > 0 } && heldOut is not null)
            heldOut.Monitor.Evaluate(resumeFrom.IterationsCompleted, heldOut.Transport, directions[0].Critic, networks);
        var outcome = TrainingLoop.Run(
            total, options.HistoryInterval, Step,
            (iteration, elapsed) => history.Add(state.Entry(iteration, elapsed)),
            progress is null ? null : (iteration, elapsed) => progress.Report(state.Progress(iteration, total, elapsed)),
            "lower the learning rates or set gradient_clip", cancellation, AfterIteration,
            resumeFrom?.IterationsCompleted ?? 0, resumeFrom?.TrainingTime ?? TimeSpan.Zero);
        if (heldOut is null || outcome.Exit is not (ExitReason.IterationBudget or ExitReason.Converged) || outcome.Completed == 0)
            return new TrainingOutcome(history, outcome.Exit, outcome.Message, outcome.Completed, outcome.Elapsed, Snapshot());
        // The end of training is always evaluated; an excursion there puts the last accepted networks back.
        heldOut.Monitor.Evaluate(outcome.Completed, heldOut.Transport, directions[0].Critic, networks, force: true);
        var report = heldOut.Monitor.Finish();
        return new TrainingOutcome(history, outcome.Exit, $"{outcome.Message}; {report.Summary()}", outcome.Completed, outcome.Elapsed, Snapshot(), report);
    }

    /// <summary>One critic ascent step of every direction on fresh samples; returns the forward critic's estimate of S.</summary>
    public double CriticStep()
    {
        if (fused is not null)
        {
            if (!withinIteration) fused.Synchronise();
            return fused.CriticStep(directions[0].Draw(options.BatchSize, options.Critic == CriticForm.Time, generator, device));
        }
        var forwardObjective = double.NaN;
        foreach (var direction in directions)
        {
            var batch = direction.Draw(options.BatchSize, options.Critic == CriticForm.Time, generator, device);
            direction.CriticOptimizer.zero_grad();
            var step = objective.CriticLoss(direction.Map, direction.Critic, batch);
            step.Loss.backward();
            Clip(direction.Critic);
            direction.CriticOptimizer.step();
            if (direction == directions[0]) forwardObjective = step.Objective!.item<float>();
        }
        return forwardObjective;
    }

    /// <summary>One map descent step of every direction, jointly with the cycle penalty when bidirectional.</summary>
    /// <param name="report">Measure the objective, W_hat and the cycle penalty (only the iteration's last map step is
    /// recorded, so the others skip the extra forward pass and the host reads); null when false.</param>
    public MapStepValues? MapStep(bool report = true)
    {
        var batches = directions.Select(d => d.DrawForMap(options.BatchSize, options.Critic == CriticForm.Time, generator, device)).ToArray();
        if (fused is not null)
        {
            if (!withinIteration) fused.Synchronise();
            return fused.MapStep(batches[0], report);
        }
        foreach (var direction in directions) direction.MapOptimizer.zero_grad();
        // The map's loss runs through the critic, but the critic is not updated here: without gradients for its
        // weights, the backward pass skips their products (its input gradients still flow to the map).
        using var frozen = new FrozenParameters(directions.Select(d => d.Critic));
        var steps = directions.Select((d, i) => objective.MapLoss(d.Map, d.Critic, batches[i], report)).ToArray();
        var loss = steps.Select(s => s.Loss).Aggregate((a, b) => a + b);
        Tensor? cycle = null;
        if (options.Bidirectional is { } bidirectional)
        {
            cycle = CyclePenalty(directions[0].Map, directions[1].Map, batches[0].Source, batches[1].Source);
            loss = loss + cycle * bidirectional.Lambda;
        }
        loss.backward();
        foreach (var direction in directions)
        {
            Clip(direction.Map);
            direction.MapOptimizer.step();
        }
        if (!report) return null;
        return new MapStepValues(
            steps[0].Objective!.item<float>(), steps[0].TransportCost!.item<float>(),
            steps.Length > 1 ? steps[1].TransportCost!.item<float>() : null, cycle?.item<float>());
    }

    /// <summary>E|G(x + F(x)) + F(x)|^2 + E|F(y + G(y)) + G(y)|^2: zero when G inverts F.</summary>
    internal static Tensor CyclePenalty(Networks.MapNetwork forward, Networks.MapNetwork reverse, Tensor x, Tensor y)
    {
        var fx = forward.forward(x);
        var gy = reverse.forward(y);
        var forwardCycle = (reverse.forward(x + fx) + fx).square().sum(1).mean();
        var reverseCycle = (forward.forward(y + gy) + gy).square().sum(1).mean();
        return forwardCycle + reverseCycle;
    }

    private static double Smooth(double? previous, double value) =>
        previous is { } p ? p + AgreementSmoothing * (value - p) : value;

    private void Clip(nn.Module module)
    {
        if (options.GradientClip is { } maxNorm)
            nn.utils.clip_grad_norm_(module.parameters(), maxNorm);
    }
}

/// <summary>Turns off the gradients of some networks' weights for a scope (a player's step through the other
/// player's network), and back on at its end.</summary>
internal readonly struct FrozenParameters : IDisposable
{
    private readonly Parameter[] parameters;

    public FrozenParameters(IEnumerable<nn.Module> modules)
    {
        parameters = modules.SelectMany(m => m.parameters()).Where(p => p.requires_grad).ToArray();
        foreach (var parameter in parameters) parameter.requires_grad = false;
    }

    public void Dispose()
    {
        foreach (var parameter in parameters) parameter.requires_grad = true;
    }
}

/// <summary>What one map step measured: the forward map's objective and W_hat, and for bidirectional training the
/// reverse W_hat and the cycle penalty.</summary>
internal readonly record struct MapStepValues(double Objective, double TransportCost, double? ReverseTransportCost, double? CycleError);

/// <summary>How a training loop ended; <see cref="State"/> is what training would continue from (null for a result
/// loaded from a checkpoint written without it).</summary>
internal sealed record TrainingOutcome(
    TrainingHistory History, ExitReason ExitReason, string ExitMessage, int IterationsCompleted, TimeSpan TrainingTime,
    TrainingState? State = null, HeldOutReport? HeldOut = null);

/// <summary>The held-out guard of a training run and the forward map it evaluates (float64 rows in and out).</summary>
internal sealed record HeldOutWatch(HeldOutMonitor Monitor, Func<Tensor, Tensor> Transport);

/// <summary>
/// Everything beyond the networks' weights that phase-1 training continues from: each direction's Adam moments and
/// step counts (inside its optimisers), the position of the sample stream, the agreement rule's smoothed
/// W_hat estimates and, for a guarded run on finite data, the held-out guard's evaluations and accepted networks
/// (null when the guard does not act, or in a checkpoint written before checkpoints kept it). With it a resumed run
/// takes exactly the steps the uninterrupted run would have taken.
/// </summary>
internal sealed record TrainingState(
    TransportDirection[] Directions, Generator Generator, double? SmoothedWHat, double? SmoothedWHatReverse,
    HeldOutGuardState? HeldOut = null);

/// <summary>The latest values the loop reports and records.</summary>
internal sealed class StepState
{
    public double CriticObjective { get; set; } = double.NaN;
    public double MapObjective { get; private set; } = double.NaN;
    public double TransportCost { get; private set; } = double.NaN;
    public double? ReverseTransportCost { get; private set; }
    public double? CycleError { get; private set; }

    public void Record(MapStepValues values)
    {
        MapObjective = values.Objective;
        TransportCost = values.TransportCost;
        ReverseTransportCost = values.ReverseTransportCost;
        CycleError = values.CycleError;
    }

    private IEnumerable<(string Name, double Value)> Values()
    {
        yield return ("critic objective", CriticObjective);
        yield return ("map objective", MapObjective);
        yield return ("transport cost W_hat", TransportCost);
        if (ReverseTransportCost is { } reverse) yield return ("reverse transport cost W_hat_ba", reverse);
        if (CycleError is { } cycle) yield return ("cycle penalty", cycle);
    }

    /// <summary>"name became NaN" (or infinite) for the first non-finite value; null when all are finite.</summary>
    public string? FirstNonFinite() => Values().Select(v => TrainingLoop.NonFinite(v.Name, v.Value)).FirstOrDefault(m => m is not null);

    public HistoryEntry Entry(int iteration, TimeSpan elapsed) =>
        new(iteration, CriticObjective, MapObjective, TransportCost, elapsed.TotalSeconds, ReverseTransportCost, CycleError);

    public TrainingProgress Progress(int iteration, int total, TimeSpan elapsed) =>
        new(iteration, total, CriticObjective, MapObjective, TransportCost, elapsed,
            iteration == 0 ? TimeSpan.Zero : elapsed / iteration * (total - iteration));
}
