using System.Text.Json.Serialization;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>One evaluation of the held-out rows during training (see <see cref="HeldOutOptions"/>).</summary>
/// <param name="Iteration">The outer iteration after which it was measured.</param>
/// <param name="EnergyDistance">The energy distance 2E|T(x) - y| - E|T(x) - T(x')| - E|y - y'| between the map's image
/// of the held-out source rows and the held-out target rows (a V-statistic, so it does not reach zero on finite sets:
/// compare values of one run). Lower is better.</param>
/// <param name="CriticGap">Mean critic value on as many training target rows minus its mean on the held-out target
/// rows, relative to the critic's spread on the held-out rows: how much more the critic likes the rows it was trained on
/// (a diagnostic of the critic fitting the sample; the guard does not act on it).</param>
/// <param name="Excursion">Whether the energy distance exceeded <see cref="HeldOutOptions.ExcursionFactor"/> times the
/// median of the accepted evaluations before it: training had jumped away, and (with rollback) the networks of the
/// last accepted evaluation were put back.</param>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record HeldOutEvaluation(int Iteration, double EnergyDistance, double CriticGap, bool Excursion);

/// <summary>What the held-out guard did in a run: the split, every evaluation, the roll-backs and the iteration whose
/// networks the result holds.</summary>
/// <param name="Fraction">Share of each finite side's rows held out.</param>
/// <param name="SourceHeldOutRows">Source rows held out of training (0 when the source is a sampler: then fixed
/// fresh draws stand in for them).</param>
/// <param name="TargetHeldOutRows">Target rows held out of training (0 when the target is a sampler).</param>
/// <param name="EvaluationRows">Rows per side used by each evaluation.</param>
/// <param name="Interval">Iterations between evaluations (the last iteration is always evaluated).</param>
/// <param name="Rollback">Whether excursions put the last accepted networks back (false: reported only).</param>
/// <param name="Evaluations">Every evaluation, oldest first.</param>
/// <param name="SelectedIteration">The iteration whose networks the result holds: the last one, or with rollback the
/// last accepted evaluation when the end of training was an excursion.</param>
public sealed record HeldOutReport(
    double Fraction, int SourceHeldOutRows, int TargetHeldOutRows, int EvaluationRows, int Interval, bool Rollback,
    IReadOnlyList<HeldOutEvaluation> Evaluations, int SelectedIteration)
{
    /// <summary>The evaluation of <see cref="SelectedIteration"/>.</summary>
    public HeldOutEvaluation Selected => Evaluations.Last(e => e.Iteration == SelectedIteration);

    /// <summary>The last evaluation (the end of training).</summary>
    public HeldOutEvaluation Last => Evaluations[^1];

    /// <summary>Set when the run was resumed from a checkpoint written before checkpoints kept the guard's state: the
    /// iteration it was resumed after. <see cref="Evaluations"/> then start after it (the median and the accepted
    /// networks started afresh there); null when the guard saw the whole run.</summary>
    public int? RestartedAfterIteration { get; init; }

    /// <summary>How many evaluations were excursions (each one a roll-back when <see cref="Rollback"/> is on).</summary>
    public int Excursions => Evaluations.Count(e => e.Excursion);

    /// <summary>The evaluations as CSV: iteration, energy_distance, critic_gap, excursion (0 or 1).</summary>
    public string ToCsv() =>
        "iteration,energy_distance,critic_gap,excursion\n" + string.Concat(Evaluations.Select(e =>
            FormattableString.Invariant($"{e.Iteration},{e.EnergyDistance:R},{e.CriticGap:R},{(e.Excursion ? 1 : 0)}\n")));

    /// <summary>One line for the run's exit message.</summary>
    public string Summary()
    {
        var excursions = Excursions == 0
            ? "no excursion"
            : FormattableString.Invariant($"{Excursions} excursion{(Excursions == 1 ? "" : "s")} (at {string.Join(", ", Evaluations.Where(e => e.Excursion).Select(e => e.Iteration))}){(Rollback ? ", each rolled back" : ", not rolled back (rollback = false)")}");
        var kept = SelectedIteration == Last.Iteration
            ? "the last networks are kept"
            : FormattableString.Invariant($"the networks of iteration {SelectedIteration} are kept");
        var restarted = RestartedAfterIteration is { } after
            ? FormattableString.Invariant($"; the guard restarted after iteration {after} (resumed from a checkpoint without its state)")
            : "";
        return FormattableString.Invariant($"held-out rows: {Evaluations.Count} evaluations, {excursions}; {kept} (energy distance {Selected.EnergyDistance:G3}){restarted}");
    }
}

/// <summary>
/// The held-out guard for finite data: splits the rows, evaluates the held-out rows during training, keeps a copy of
/// the networks of the last accepted evaluation and puts it back after an excursion. Reads only fixed tensors, never
/// the training stream: a run without excursions takes exactly the steps it would take without the evaluations.
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
    private Dictionary<string, Tensor>[]? lastAccepted;
    private byte[][]? lastAcceptedBytes;
    private int lastAcceptedIteration;
    private int? restartedAfterIteration;

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

    /// <summary>A test seam: substitutes evaluation values and observes the networks after the guard acted. Null (the
    /// product path): the guard measures and acts as documented.</summary>
    internal HeldOutProbe? Probe { get; set; }

    /// <summary>
    /// Splits the finite sides of the problem. Returns the distributions to train on and the monitor, or the inputs
    /// unchanged and null when the guard is off, neither side is a finite data set (samplers are never split), or a
    /// finite side is too small to hold out <see cref="HeldOutOptions.MinimumHeldOutRows"/> rows.
    /// The split is a function of the seed alone: the same seed holds out the same rows.
    /// </summary>
    public static (IDistribution Source, IDistribution Target, HeldOutMonitor? Monitor) Prepare(
        IDistribution source, IDistribution target, SolverOptions options)
    {
        if (options.HeldOut is not { } heldOut || (source is not EmpiricalDistribution && target is not EmpiricalDistribution))
            return (source, target, null);
        if (new[] { source, target }.OfType<EmpiricalDistribution>().Any(data =>
                EmpiricalDistribution.HeldOutCount(data.Count, heldOut.Fraction) < HeldOutOptions.MinimumHeldOutRows))
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

    // Returns the held-out rows shuffled (by the same stream, after the split), so that their first rows are a random
    // subset when an evaluation uses fewer than all of them.
    private static (IDistribution Training, Tensor? HeldOutRows, int Count) SplitSide(IDistribution side, HeldOutOptions options, ulong seed)
    {
        if (side is not EmpiricalDistribution data) return (side, null, 0);
        var generator = new Generator(seed);
        var (training, heldOut) = data.Split(options.Fraction, generator);
        var rows = heldOut.Rows();
        var shuffled = rows.index_select(0, randperm(rows.shape[0], generator: generator));
        return (training, shuffled, heldOut.Count);
    }

    /// <summary>Evaluates the current networks when <paramref name="iteration"/> is due (or <paramref name="force"/>).
    /// An evaluation whose energy distance exceeds <see cref="HeldOutOptions.ExcursionFactor"/> times the median of
    /// the accepted ones (once there are <see cref="HeldOutOptions.MinimumAcceptedEvaluations"/>) is an excursion:
    /// with rollback the networks of the last accepted evaluation are put back; any other evaluation is accepted and
    /// its networks copied.</summary>
    /// <param name="iteration">The iteration just completed.</param>
    /// <param name="transport">The forward map T(x) on float64 rows (with any preconditioning).</param>
    /// <param name="critic">The forward critic (evaluated at t = 1 for the time form).</param>
    /// <param name="networks">Every network of the run: copied when accepted, restored after an excursion.</param>
    /// <param name="force">Evaluate even when the iteration is not a multiple of the interval (the end of training).</param>
    public void Evaluate(int iteration, Func<Tensor, Tensor> transport, CriticNetwork critic, IReadOnlyList<nn.Module> networks, bool force = false)
    {
        if (!force && iteration % interval != 0) return;
        if (evaluations.Count > 0 && evaluations[^1].Iteration == iteration) return;
        double energy, gap;
        using (NewDisposeScope())
        using (no_grad())
        {
            var moved = transport(heldOutSource);
            energy = 2 * cdist(moved, heldOutTarget).mean().item<double>() - cdist(moved, moved).mean().item<double>() - targetSelfTerm;
            var parameter = critic.parameters().First();
            var onHeldOut = critic.Forward(heldOutTarget.to(parameter.dtype, parameter.device), 1.0).to(float64, CPU);
            var onTraining = critic.Forward(trainingTargetSample.to(parameter.dtype, parameter.device), 1.0).to(float64, CPU);
            var spread = onHeldOut.std().item<double>();
            gap = (onTraining.mean() - onHeldOut.mean()).item<double>() / (spread > 0 ? spread : 1);
        }
        if (Probe?.Score is { } score) energy = score(iteration, energy);
        var excursion = IsExcursion(energy, evaluations.Where(e => !e.Excursion).Select(e => e.EnergyDistance).ToList(), options.ExcursionFactor);
        var evaluation = new HeldOutEvaluation(iteration, energy, gap, excursion);
        evaluations.Add(evaluation);
        if (!excursion)
        {
            Copy(networks);
            lastAcceptedIteration = iteration;
        }
        else if (options.Rollback && lastAccepted is not null)
        {
            Restore(networks);
        }
        Probe?.AfterEvaluation?.Invoke(evaluation, networks);
    }

    /// <summary>Whether <paramref name="energy"/> is an excursion from the accepted values: not finite, or above
    /// <paramref name="factor"/> times their median once there are enough of them to have one.</summary>
    internal static bool IsExcursion(double energy, IReadOnlyList<double> accepted, double factor)
    {
        if (!double.IsFinite(energy)) return accepted.Count > 0;
        if (accepted.Count < HeldOutOptions.MinimumAcceptedEvaluations) return false;
        var sorted = accepted.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        return energy > factor * median;
    }

    private void Copy(IReadOnlyList<nn.Module> networks)
    {
        Release();
        lastAcceptedBytes = null;
        lastAccepted = networks.Select(network => network.state_dict().ToDictionary(
            entry => entry.Key, entry => entry.Value.detach().clone().DetachFromDisposeScope())).ToArray();
    }

    private void Restore(IReadOnlyList<nn.Module> networks)
    {
        using var _ = no_grad();
        foreach (var (network, saved) in networks.Zip(lastAccepted!))
        {
            var live = network.state_dict();
            foreach (var (name, value) in saved) live[name].copy_(value);
        }
    }

    /// <summary>Returns the report. The networks are already those of <see cref="HeldOutReport.SelectedIteration"/>:
    /// an excursion at the end was rolled back by <see cref="Evaluate"/>.</summary>
    public HeldOutReport Finish()
    {
        if (evaluations.Count == 0) throw new InvalidOperationException("No held-out evaluation was made: evaluate the final state first.");
        var selected = options.Rollback && evaluations[^1].Excursion && lastAccepted is not null ? lastAcceptedIteration : evaluations[^1].Iteration;
        return new HeldOutReport(options.Fraction, sourceHeldOutRows, targetHeldOutRows, (int)heldOutTarget.shape[0], interval,
            options.Rollback, evaluations.ToArray(), selected) { RestartedAfterIteration = restartedAfterIteration };
    }

    /// <summary>The guard's state for a checkpoint: every evaluation so far, the iteration of the last accepted one and
    /// its networks (each network's state as bytes, see <see cref="SerializeState"/>; null before the first accepted
    /// evaluation). With it <see cref="Continue"/> goes on exactly as this monitor would.</summary>
    public HeldOutGuardState Snapshot()
    {
        if (lastAccepted is not null) lastAcceptedBytes ??= lastAccepted.Select(SerializeState).ToArray();
        return new HeldOutGuardState(evaluations.ToArray(), lastAcceptedIteration, lastAcceptedBytes, restartedAfterIteration);
    }

    /// <summary>Takes up a saved state (<see cref="Snapshot"/>) in a fresh monitor: the evaluations (so the median
    /// goes on from them) and the accepted networks (so an excursion after a resume can put back networks accepted
    /// before the interruption).</summary>
    /// <param name="saved">The state, or null for a checkpoint written before checkpoints kept it: the guard then
    /// starts afresh, and the report says after which iteration.</param>
    /// <param name="networks">The run's networks, in the order <see cref="Evaluate"/> receives them: the saved copies
    /// must match their entries' names, types and shapes.</param>
    /// <param name="iterationsCompleted">The iterations the run completed before the stop.</param>
    /// <exception cref="InvalidDataException">The saved networks do not match <paramref name="networks"/>.</exception>
    public void Continue(HeldOutGuardState? saved, IReadOnlyList<nn.Module> networks, int iterationsCompleted)
    {
        if (evaluations.Count > 0) throw new InvalidOperationException("The guard has evaluated already: continue a saved state in a fresh monitor.");
        if (saved is null)
        {
            restartedAfterIteration = iterationsCompleted > 0 ? iterationsCompleted : null;
            return;
        }
        evaluations.AddRange(saved.Evaluations);
        lastAcceptedIteration = saved.LastAcceptedIteration;
        restartedAfterIteration = saved.RestartedAfterIteration;
        if (saved.AcceptedNetworks is not { } bytes) return;
        if (bytes.Count != networks.Count)
            throw new InvalidDataException($"The saved held-out guard holds {bytes.Count} accepted networks, the run has {networks.Count}.");
        lastAccepted = networks.Zip(bytes, DeserializeState).ToArray();
        lastAcceptedBytes = bytes.ToArray();
    }

    /// <summary>A state dictionary as bytes: the entry count, then per entry its name, dtype, shape and raw data
    /// (little-endian, as the tensor holds it on the CPU).</summary>
    internal static byte[] SerializeState(Dictionary<string, Tensor> state) => Checkpoints.CheckpointFile.Serialize(writer =>
    {
        using var scope = NewDisposeScope();
        writer.Write(state.Count);
        foreach (var (name, value) in state)
        {
            writer.Write(name);
            writer.Write((int)value.dtype);
            writer.Write((int)value.ndim);
            foreach (var size in value.shape) writer.Write(size);
            var data = value.detach().cpu().contiguous().bytes.ToArray();
            writer.Write(data.Length);
            writer.Write(data);
        }
    });

    /// <summary>Reads <see cref="SerializeState"/>'s bytes into tensors shaped like <paramref name="network"/>'s state
    /// (on its device); anything else is refused.</summary>
    internal static Dictionary<string, Tensor> DeserializeState(nn.Module network, byte[] bytes)
    {
        // The live entries are taken outside the scope below, which disposes only the temporaries made here.
        var live = network.state_dict();
        using var scope = NewDisposeScope();
        var restored = new Dictionary<string, Tensor>();
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes));
            var count = reader.ReadInt32();
            if (count != live.Count) throw new InvalidDataException($"{count} entries, the network has {live.Count}");
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var dtype = (ScalarType)reader.ReadInt32();
                var shape = new long[reader.ReadInt32()];
                for (var k = 0; k < shape.Length; k++) shape[k] = reader.ReadInt64();
                var data = reader.ReadBytes(reader.ReadInt32());
                if (!live.TryGetValue(name, out var target) || target.dtype != dtype || !target.shape.SequenceEqual(shape))
                    throw new InvalidDataException($"the entry {name} ({dtype}, [{string.Join(", ", shape)}]) is not one of the network's");
                var onCpu = empty(shape, dtype);
                if (data.Length != onCpu.bytes.Length) throw new InvalidDataException($"the entry {name} has {data.Length} bytes, not {onCpu.bytes.Length}");
                onCpu.bytes = data;
                restored[name] = onCpu.to(target.device).clone().DetachFromDisposeScope();
            }
            if (reader.BaseStream.Position != bytes.Length) throw new InvalidDataException("bytes after the last entry");
            return restored;
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            foreach (var tensor in restored.Values) tensor.Dispose();
            throw new InvalidDataException($"The saved held-out guard's accepted networks do not match the run's: {error.Message}", error);
        }
    }

    private void Release()
    {
        foreach (var tensor in lastAccepted?.SelectMany(b => b.Values) ?? []) tensor.Dispose();
        lastAccepted = null;
    }

    public void Dispose()
    {
        Release();
        heldOutSource.Dispose();
        heldOutTarget.Dispose();
        trainingTargetSample.Dispose();
    }
}

/// <summary>What the held-out guard carries across a checkpoint (<see cref="HeldOutMonitor.Snapshot"/>).</summary>
/// <param name="Evaluations">Every evaluation so far, oldest first: the median of the accepted ones goes on from them.</param>
/// <param name="LastAcceptedIteration">The iteration of the last accepted evaluation (0 before the first).</param>
/// <param name="AcceptedNetworks">That evaluation's networks, one state per network in the order map, critic (and
/// reverse map, reverse critic when bidirectional), as <see cref="HeldOutMonitor.SerializeState"/> writes them; null
/// before the first accepted evaluation.</param>
/// <param name="RestartedAfterIteration">Set when the guard restarted after a resume from a checkpoint without this
/// state (see <see cref="HeldOutReport.RestartedAfterIteration"/>).</param>
internal sealed record HeldOutGuardState(
    IReadOnlyList<HeldOutEvaluation> Evaluations, int LastAcceptedIteration, IReadOnlyList<byte[]>? AcceptedNetworks,
    int? RestartedAfterIteration = null);

/// <summary>
/// A test seam into the held-out guard: tests substitute an evaluation's value to make a chosen evaluation an
/// excursion (a late jump the networks did not really make) and observe the networks right after the guard acted.
/// The product never sets one: without a probe the guard measures and acts exactly as documented.
/// </summary>
internal sealed class HeldOutProbe
{
    /// <summary>The energy distance the guard uses, given the iteration and the measured value; null keeps the measured one.</summary>
    public Func<int, double, double>? Score { get; init; }

    /// <summary>Called after every evaluation, once the guard has acted (copied the accepted networks or put them
    /// back), with the evaluation and the run's networks.</summary>
    public Action<HeldOutEvaluation, IReadOnlyList<nn.Module>>? AfterEvaluation { get; init; }
}
