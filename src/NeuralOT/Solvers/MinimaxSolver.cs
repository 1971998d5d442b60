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
        var run = new MinimaxTraining(source, target, cost, resolved, map, critic, device);
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
}
