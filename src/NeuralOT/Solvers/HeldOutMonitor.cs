using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>One evaluation of the held-out rows during training (see <see cref="HeldOutOptions"/>).</summary>
/// <param name="Iteration">The outer iteration after which it was measured.</param>
/// <param name="EnergyDistance">The energy distance 2E|T(x) - y| - E|T(x) - T(x')| - E|y - y'| between the map's image
/// of the held-out source rows and the held-out target rows (a V-statistic, so it does not reach zero on finite sets:
/// compare values of one run). Lower is better; the guard keeps the evaluation where it is lowest.</param>
/// <param name="CriticGap">Mean critic value on as many training target rows minus its mean on the held-out target
/// rows, relative to the critic's spread on the held-out rows: how much more the critic likes the rows it was trained on
/// (a diagnostic of the critic fitting the sample; not used to choose).</param>
public sealed record HeldOutEvaluation(int Iteration, double EnergyDistance, double CriticGap);

/// <summary>What the held-out guard did in a run: the split, every evaluation and the iteration whose networks the
/// result holds.</summary>
/// <param name="Fraction">Share of each finite side's rows held out.</param>
/// <param name="SourceHeldOutRows">Source rows held out of training (0 when the source is a sampler: then fixed
/// fresh draws stand in for them).</param>
/// <param name="TargetHeldOutRows">Target rows held out of training (0 when the target is a sampler).</param>
/// <param name="EvaluationRows">Rows per side used by each evaluation.</param>
/// <param name="Interval">Iterations between evaluations (the last iteration is always evaluated).</param>
/// <param name="KeepBest">Whether the result holds the best evaluation's networks rather than the last ones.</param>
/// <param name="Evaluations">Every evaluation, oldest first.</param>
/// <param name="BestIteration">The iteration with the lowest held-out energy distance.</param>
/// <param name="SelectedIteration">The iteration whose networks the result holds: <paramref name="BestIteration"/>
/// when keeping the best, else the last.</param>
public sealed record HeldOutReport(
    double Fraction, int SourceHeldOutRows, int TargetHeldOutRows, int EvaluationRows, int Interval, bool KeepBest,
    IReadOnlyList<HeldOutEvaluation> Evaluations, int BestIteration, int SelectedIteration)
{
    /// <summary>The evaluation of <see cref="BestIteration"/>.</summary>
    public HeldOutEvaluation Best => Evaluations.Last(e => e.Iteration == BestIteration);

    /// <summary>The evaluation of <see cref="SelectedIteration"/>.</summary>
    public HeldOutEvaluation Selected => Evaluations.Last(e => e.Iteration == SelectedIteration);

    /// <summary>The last evaluation (the end of training).</summary>
    public HeldOutEvaluation Last => Evaluations[^1];

    /// <summary>The evaluations as CSV: iteration, energy_distance, critic_gap.</summary>
    public string ToCsv() =>
        "iteration,energy_distance,critic_gap\n" + string.Concat(Evaluations.Select(e =>
            FormattableString.Invariant($"{e.Iteration},{e.EnergyDistance:R},{e.CriticGap:R}\n")));

    /// <summary>One line for the run's exit message.</summary>
    public string Summary() => BestIteration == Last.Iteration
        ? FormattableString.Invariant($"held-out rows: the last iteration scored best (energy distance {Last.EnergyDistance:G3}) and is kept")
        : KeepBest
            ? FormattableString.Invariant($"held-out rows: kept the networks of iteration {BestIteration} (energy distance {Best.EnergyDistance:G3} against {Last.EnergyDistance:G3} at the end)")
            : FormattableString.Invariant($"held-out rows: iteration {BestIteration} scored best (energy distance {Best.EnergyDistance:G3} against {Last.EnergyDistance:G3} at the end); kept the last networks (keep_best = false)");
}

/// <summary>
/// The held-out guard for finite data: splits the rows, evaluates the held-out rows during training and keeps a copy
/// of the best networks. Reads only fixed tensors, never the training stream, so it does not change the steps
/// training takes.
/// </summary>
internal sealed class HeldOutMonitor : IDisposable
{
    private readonly HeldOutOptions options;
    private readonly int interval;
    private readonly int sourceHeldOutRows;
    private readonly int targetHeldOutRows;
    private readonly Tensor heldOutSource;
    private readonly Tensor heldOutTarget;
    private readonly Tensor trainingTargetSample;
    private readonly double targetSelfTerm;
    private readonly List<HeldOutEvaluation> evaluations = [];
    private Dictionary<string, Tensor>[]? best;
    private double bestScore = double.PositiveInfinity;
    private int bestIteration;

    private HeldOutMonitor(HeldOutOptions options, int interval, int sourceHeldOutRows, int targetHeldOutRows,
        Tensor heldOutSource, Tensor heldOutTarget, Tensor trainingTargetSample)
    {
        this.options = options;
        this.interval = interval;
        this.sourceHeldOutRows = sourceHeldOutRows;
        this.targetHeldOutRows = targetHeldOutRows;
        this.heldOutSource = heldOutSource.DetachFromDisposeScope();
        this.heldOutTarget = heldOutTarget.DetachFromDisposeScope();
        this.trainingTargetSample = trainingTargetSample.DetachFromDisposeScope();
        using var scope = NewDisposeScope();
        targetSelfTerm = cdist(this.heldOutTarget, this.heldOutTarget).mean().item<double>();
    }

    /// <summary>Iterations between evaluations.</summary>
    public int Interval => interval;

    /// <summary>
    /// Splits the finite sides of the problem. Returns the distributions to train on and the monitor, or the inputs
    /// unchanged and null when the guard is off or neither side is a finite data set (samplers are never split).
    /// The split is a function of the seed alone: the same seed holds out the same rows.
    /// </summary>
    public static (IDistribution Source, IDistribution Target, HeldOutMonitor? Monitor) Prepare(
        IDistribution source, IDistribution target, SolverOptions options)
    {
        if (options.HeldOut is not { } heldOut || (source is not EmpiricalDistribution && target is not EmpiricalDistribution))
            return (source, target, null);
        using var scope = NewDisposeScope();
        var (trainingSource, sourceRows, sourceCount) = SplitSide(source, heldOut, (ulong)options.Seed + 11);
        var (trainingTarget, targetRows, targetCount) = SplitSide(target, heldOut, (ulong)options.Seed + 13);
        // A sampler side gets fixed fresh draws, as many as the finite side holds out, from its own stream.
        var rows = Math.Min(heldOut.MaxEvaluationRows, Math.Max(sourceCount, targetCount));
        var evaluationGenerator = new Generator((ulong)options.Seed + 17);
        var sourceEvaluation = sourceRows?.narrow(0, 0, Math.Min(rows, sourceCount)) ?? source.Sample(rows, evaluationGenerator);
        var targetEvaluation = targetRows?.narrow(0, 0, Math.Min(rows, targetCount)) ?? target.Sample(rows, evaluationGenerator);
        var comparison = trainingTarget.Sample((int)targetEvaluation.shape[0], evaluationGenerator);
        var monitor = new HeldOutMonitor(heldOut, heldOut.ResolveInterval(options.Iterations!.Value), sourceCount, targetCount,
            sourceEvaluation, targetEvaluation, comparison);
        return (trainingSource, trainingTarget, monitor);
    }

    // The held-out rows come in a random order (the split's permutation is not sorted for the evaluation subset), so
    // taking the first rows is a random subset.
    private static (IDistribution Training, Tensor? HeldOutRows, int Count) SplitSide(IDistribution side, HeldOutOptions options, ulong seed)
    {
        if (side is not EmpiricalDistribution data) return (side, null, 0);
        var generator = new Generator(seed);
        var (training, heldOut) = data.Split(options.Fraction, generator);
        var rows = heldOut.Rows();
        var shuffled = rows.index_select(0, randperm(rows.shape[0], generator: generator));
        return (training, shuffled, heldOut.Count);
    }

    /// <summary>Evaluates the current networks when <paramref name="iteration"/> is due (or <paramref name="force"/>)
    /// and keeps a copy of them when they score best.</summary>
    /// <param name="iteration">The iteration just completed.</param>
    /// <param name="transport">The forward map T(x) on float64 rows (with any preconditioning).</param>
    /// <param name="critic">The forward critic (evaluated at t = 1 for the time form).</param>
    /// <param name="networks">Every network of the run, copied when the evaluation is the best so far.</param>
    /// <param name="force">Evaluate even when the iteration is not a multiple of the interval (the end of training).</param>
    public void Evaluate(int iteration, Func<Tensor, Tensor> transport, CriticNetwork critic, IReadOnlyList<nn.Module> networks, bool force = false)
    {
        if (!force && iteration % interval != 0) return;
        if (evaluations.Count > 0 && evaluations[^1].Iteration == iteration) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var moved = transport(heldOutSource);
        var energy = 2 * cdist(moved, heldOutTarget).mean().item<double>() - cdist(moved, moved).mean().item<double>() - targetSelfTerm;
        var parameter = critic.parameters().First();
        var onHeldOut = critic.Forward(heldOutTarget.to(parameter.dtype, parameter.device), 1.0).to(float64, CPU);
        var onTraining = critic.Forward(trainingTargetSample.to(parameter.dtype, parameter.device), 1.0).to(float64, CPU);
        var spread = onHeldOut.std().item<double>();
        var gap = (onTraining.mean() - onHeldOut.mean()).item<double>() / (spread > 0 ? spread : 1);
        evaluations.Add(new HeldOutEvaluation(iteration, energy, gap));
        if (double.IsFinite(energy) && energy < bestScore)
        {
            bestScore = energy;
            bestIteration = iteration;
            if (options.KeepBest) Copy(networks);
        }
    }

    private void Copy(IReadOnlyList<nn.Module> networks)
    {
        Release();
        best = networks.Select(network => network.state_dict().ToDictionary(
            entry => entry.Key, entry => entry.Value.detach().clone().DetachFromDisposeScope())).ToArray();
    }

    /// <summary>Puts the best evaluation's weights back into <paramref name="networks"/> (when keeping the best and it
    /// is not the last evaluation) and returns the report.</summary>
    public HeldOutReport Finish(IReadOnlyList<nn.Module> networks)
    {
        if (evaluations.Count == 0) throw new InvalidOperationException("No held-out evaluation was made: evaluate the final state first.");
        var bestEvaluated = bestIteration > 0 ? bestIteration : evaluations[^1].Iteration;
        var selected = options.KeepBest ? bestEvaluated : evaluations[^1].Iteration;
        if (options.KeepBest && best is not null && selected != evaluations[^1].Iteration)
        {
            using var _ = no_grad();
            foreach (var (network, saved) in networks.Zip(best))
            {
                var live = network.state_dict();
                foreach (var (name, value) in saved) live[name].copy_(value);
            }
        }
        return new HeldOutReport(options.Fraction, sourceHeldOutRows, targetHeldOutRows, (int)heldOutTarget.shape[0], interval,
            options.KeepBest, evaluations.ToArray(), bestEvaluated, selected);
    }

    private void Release()
    {
        foreach (var tensor in best?.SelectMany(b => b.Values) ?? []) tensor.Dispose();
        best = null;
    }

    public void Dispose()
    {
        Release();
        heldOutSource.Dispose();
        heldOutTarget.Dispose();
        trainingTargetSample.Dispose();
    }
}
