using NeuralOT.Checkpoints;
using NeuralOT.IO;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Experiments;

/// <summary>Phase 2 in a run: trains the velocity field after the map and adds its metrics (docs/method.md,
/// "Phase 2").</summary>
public static partial class ExperimentRunner
{
    /// <summary>The phase-2 history: <c>iteration,loss,seconds</c>.</summary>
    public const string VelocityHistoryFile = RunFiles.VelocityHistory;

    /// <summary>The phase-2 checkpoint (<see cref="VelocityCheckpoint"/>), written when phase 2 ends without diverging.</summary>
    public const string VelocityCheckpointFile = RunFiles.VelocityCheckpoint;

    /// <summary>The velocity section with the run's overrides: <c>--seed</c> sets its seed too, fast mode caps its
    /// iterations at <see cref="FastIterations"/>, and it uses the solver's threads and device.</summary>
    private static VelocityConfig? ApplyToVelocity(VelocityConfig? velocity, SolverOptions solver, RunSettings settings)
    {
        if (velocity is null) return null;
        var options = velocity.Options;
        return velocity with
        {
            Options = options with
            {
                Seed = settings.Seed ?? options.Seed,
                Iterations = settings.Fast ? Math.Min(options.Iterations, FastIterations) : options.Iterations,
                Threads = solver.Threads,
                Device = solver.Device,
            },
        };
    }

    /// <summary>Phase 2 against the problem and phase 1: a trained map to learn from, a closed form for the oracle,
    /// a batch that fits in memory, a usable device.</summary>
    private static void CheckVelocitySection(ExperimentConfig config, VelocityConfig velocity, TransportProblem problem)
    {
        CheckedAgainst(nameof(ExperimentConfig.Solver), () =>
        {
            if (config.Solver.Iterations == 0)
                throw new InvalidOptionException(nameof(SolverOptions), nameof(SolverOptions.Iterations), 0,
                    "phase 2 (the velocity section) learns from a trained map: train it (iterations above 0) or remove the velocity section");
        });
        CheckedAgainst(nameof(ExperimentConfig.Velocity), () =>
        {
            if (velocity.Oracle && problem.ClosedForm is not GaussianTransport)
                throw new InvalidOptionException(nameof(VelocityConfig), nameof(VelocityConfig.Oracle), true,
                    "the oracle needs a closed-form map: a gaussian source and target under the quadratic cost; set it to false for this problem");
            InvalidOptionException.CheckWithin(nameof(VelocityConfig), nameof(VelocityConfig.Options), () =>
            {
                MinimaxSolver.ResolveDevice(velocity.Options.Device, nameof(VelocityOptions));
                OptionChecks.Batch(nameof(VelocityOptions), nameof(VelocityOptions.BatchSize), velocity.Options.BatchSize, problem.Dimension,
                    (long)velocity.Options.Network.Width * velocity.Options.Network.Depth, new VelocityOptions().BatchSize);
            });
        });
    }

    /// <summary>Trains phase 2 when the config asks for it and phase 1 was not cancelled; writes its history.</summary>
    private static VelocityResult? TrainVelocity(
        ExperimentConfig config, TransportResult map, string outputDirectory,
        IProgress<VelocityProgress>? progress, CancellationToken cancellation)
    {
        if (config.Velocity is not { } velocity || map.ExitReason == ExitReason.Cancelled) return null;
        var supervision = velocity.Oracle ? VelocitySupervision.Exact((GaussianTransport)map.Problem.ClosedForm!) : VelocitySupervision.FromMap(map);
        var result = VelocitySolver.Train(supervision, velocity.Options, progress, cancellation);
        AtomicFile.Write(Path.Combine(outputDirectory, VelocityHistoryFile), result.History.ToCsv());
        if (result.ExitReason != ExitReason.Diverged)
            VelocityCheckpoint.Save(result, Path.Combine(outputDirectory, VelocityCheckpointFile));
        return result;
    }
}
