using NeuralOT.Networks;
using NeuralOT.Reference;
using NeuralOT.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// Phase 2 of the neural solver (docs/method.md, "Phase 2"): learns the velocity field v(x, t) by least squares on the straight
/// particle paths of a transport map, min E|v(x_t, t) - u|^2 with x_t = z + t F(z), u = F(z), z ~ mu0, t ~ U(0, 1).
/// The map stays frozen; only v is trained (Adam, fresh samples every step).
/// </summary>
public static class VelocitySolver
{
    /// <summary>Learns the velocity field of a trained phase-1 map.</summary>
    /// <param name="map">The phase-1 result; it must have completed at least one iteration without diverging.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops training within one iteration; the result then holds the last completed iteration.</param>
    /// <exception cref="ArgumentException">The map is untrained or diverged, or an option is invalid (the message names it).</exception>
    public static VelocityResult Train(
        TransportResult map, VelocityOptions? options = null,
        IProgress<VelocityProgress>? progress = null, CancellationToken cancellation = default) =>
        Train(VelocitySupervision.FromMap(map), options, progress, cancellation);

    /// <summary>The oracle mode: the same regression on the exact paths of a Gaussian pair (T* instead of a learned map).</summary>
    /// <inheritdoc cref="Train(TransportResult, VelocityOptions?, IProgress{VelocityProgress}?, CancellationToken)"/>
    public static VelocityResult TrainOracle(
        GaussianTransport reference, VelocityOptions? options = null,
        IProgress<VelocityProgress>? progress = null, CancellationToken cancellation = default) =>
        Train(VelocitySupervision.Exact(reference), options, progress, cancellation);

    /// <summary>Learns a velocity field from any supervision (see <see cref="VelocitySupervision"/>).</summary>
    /// <inheritdoc cref="Train(TransportResult, VelocityOptions?, IProgress{VelocityProgress}?, CancellationToken)"/>
    public static VelocityResult Train(
        VelocitySupervision supervision, VelocityOptions? options = null,
        IProgress<VelocityProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(supervision);
        var resolved = options ?? new VelocityOptions();
        resolved.Validate();
        var device = MinimaxSolver.ResolveDevice(resolved.Device);
        using var threads = TorchGlobalState.WithThreads(resolved.Threads);
        VelocityNetwork network;
        using (TorchGlobalState.Seeded(resolved.Seed, resolved.Threads))
            network = new VelocityNetwork(supervision.Dimension, resolved.Network);
        network.to(device);
        return new VelocityTraining(supervision, resolved, network, device).Train(progress, cancellation);
    }
}

/// <summary>The state of one phase-2 run: the network, its optimiser and the sample stream.</summary>
internal sealed class VelocityTraining(VelocitySupervision supervision, VelocityOptions options, VelocityNetwork network, Device device)
{
    private readonly Generator generator = new((ulong)options.Seed);
    private readonly optim.Optimizer optimizer = optim.Adam(network.parameters(), options.LearningRate);

    public VelocityResult Train(IProgress<VelocityProgress>? progress, CancellationToken cancellation)
    {
        var total = options.Iterations;
        var history = new VelocityHistory();
        var loss = double.NaN;
        var outcome = TrainingLoop.Run(
            total, options.HistoryInterval,
            step: iteration =>
            {
                foreach (var group in optimizer.ParamGroups) group.LearningRate = options.LearningRate * options.Schedule.Factor(iteration, total);
                loss = Step();
                return TrainingLoop.NonFinite("loss", loss);
            },
            record: (iteration, elapsed) => history.Add(new VelocityHistoryEntry(iteration, loss, elapsed.TotalSeconds)),
            report: progress is null ? null : (iteration, elapsed) => progress.Report(new VelocityProgress(
                iteration, total, loss, elapsed, iteration == 0 ? TimeSpan.Zero : elapsed / iteration * (total - iteration))),
            divergenceFix: "lower velocity.learning_rate, or check the map and the samples for NaN or infinite values",
            cancellation);
        return new VelocityResult(supervision, options, network, history, outcome.Exit, outcome.Message, outcome.Completed, outcome.Elapsed);
    }

    /// <summary>One Adam step on a fresh batch; returns the batch's mean squared error.</summary>
    public double Step()
    {
        var batch = supervision.Sample(options.BatchSize, generator);
        var points = batch.Points.to(float32, device);
        var times = batch.Times.to(float32, device);
        var target = batch.Velocities.to(float32, device);
        optimizer.zero_grad();
        var loss = (network.forward(points, times) - target).square().sum(1).mean();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
