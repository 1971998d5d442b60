using NeuralOT.Checkpoints;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Experiments;

/// <summary>
/// Reads what <see cref="ExperimentRunner"/> wrote into a run folder: its config, its phase-1 and phase-2
/// checkpoints, and samples of the geodesic or of the velocity flow at any time.
/// </summary>
public static class RunFolder
{
    /// <summary>The run's config.json, checked like a config given to <see cref="ExperimentRunner.Run"/>, with the
    /// solver options resolved.</summary>
    /// <exception cref="RunFolderException">No such folder, or no config.json in it.</exception>
    /// <exception cref="ConfigException">An invalid config.</exception>
    public static ExperimentConfig LoadConfig(string directory)
    {
        if (!Directory.Exists(directory))
            throw new RunFolderException(RunFolderProblem.NotARunFolder, directory,
                $"No run folder at {directory}",
                "give the folder a run wrote");
        var configPath = Path.Combine(directory, ExperimentRunner.ConfigFile);
        if (!File.Exists(configPath))
            throw new RunFolderException(RunFolderProblem.NotARunFolder, directory,
                $"{directory} is not a run folder: it has no {ExperimentRunner.ConfigFile}",
                "give the folder a run wrote");
        var config = ExperimentConfig.Load(configPath);
        try
        {
            config.Solver.Validate();
        }
        catch (ArgumentException error)
        {
            throw ConfigException.From(error);
        }
        return config with { Solver = config.Solver.Resolve(config.Cost) };
    }

    /// <summary>The phase-1 result in the folder's checkpoint.ckpt (as far as training got: a cancelled run's
    /// checkpoint holds the map of its last completed iteration). The caller disposes it.</summary>
    /// <exception cref="RunFolderException">Not a run folder, or no checkpoint.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static TransportResult LoadMap(string directory, out ExperimentConfig config)
    {
        config = LoadConfig(directory);
        var problem = ExperimentRunner.Problem.Create(config);
        var checkpoint = Path.Combine(directory, ExperimentRunner.CheckpointFile);
        if (!File.Exists(checkpoint))
            throw new RunFolderException(RunFolderProblem.NoCheckpoint, directory,
                $"{directory} has no {ExperimentRunner.CheckpointFile}: the run stopped before its first checkpoint",
                "run it again");
        return TransportCheckpoint.Load(checkpoint, problem.Source, problem.Target, config.Cost, config.Solver, RunFiles.ConfigSha256(directory));
    }

    /// <summary>The phase-2 field in the folder's velocity_checkpoint.ckpt, learned from <paramref name="map"/>.
    /// The caller disposes it.</summary>
    /// <exception cref="RunFolderException">The run has no phase 2 (no velocity section, or phase 2 did not run).</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static VelocityResult LoadVelocity(string directory, ExperimentConfig config, TransportResult map)
    {
        var checkpoint = Path.Combine(directory, ExperimentRunner.VelocityCheckpointFile);
        if (config.Velocity is null)
            throw new RunFolderException(RunFolderProblem.NoVelocityPhase, directory,
                $"The run in {directory} has no phase 2: its {ExperimentRunner.ConfigFile} has no velocity section",
                "sample the geodesic instead, or run again with a velocity section");
        if (!File.Exists(checkpoint))
            throw new RunFolderException(RunFolderProblem.VelocityPhaseNotTrained, directory,
                $"The run in {directory} has no phase 2 yet ({ExperimentRunner.VelocityCheckpointFile} is missing: phase 1 did not finish)",
                "resume the run first, or sample the geodesic instead");
        return VelocityCheckpoint.Load(checkpoint, VelocitySupervision.FromMap(map), config.Velocity.Options);
    }

    /// <summary>The quadratic-cost companion of a <c>compare_quadratic</c> run (quadratic_checkpoint.ckpt), or null
    /// when the run has none. The caller disposes it.</summary>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static TransportResult? LoadQuadraticComparison(string directory, ExperimentConfig config)
    {
        var checkpoint = Path.Combine(directory, ExperimentRunner.QuadraticCheckpointFile);
        if (!config.CompareQuadratic || !File.Exists(checkpoint)) return null;
        var problem = ExperimentRunner.Problem.Create(config);
        return TransportCheckpoint.Load(checkpoint, problem.Source, problem.Target, Costs.QuadraticCost.Instance, config.Solver, RunFiles.ConfigSha256(directory));
    }

    /// <summary>
    /// <paramref name="count"/> samples of the run's geodesic mu_t = (Id + t F)#mu0 at time <paramref name="t"/>, or
    /// with <paramref name="flow"/> of the phase-2 flow: source samples integrated along the learned velocity field
    /// from 0 to t with the config's integrator and steps. A float64 count x d tensor on the CPU.
    /// </summary>
    /// <param name="directory">A run folder.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <param name="count">How many samples, at least 1.</param>
    /// <param name="flow">Sample the velocity flow instead of the geodesic.</param>
    /// <param name="seed">Seed of the source samples.</param>
    /// <exception cref="ArgumentOutOfRangeException">t outside [0, 1] or count below 1.</exception>
    /// <exception cref="RunFolderException">Not a run folder, no checkpoint, or no phase 2 with <paramref name="flow"/>.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static Tensor Sample(string directory, double t, int count, bool flow = false, int seed = 0)
    {
        if (!(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(t), t, FormattableString.Invariant($"t = {t} is outside [0, 1]: 0 is the source, 1 the target."));
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is invalid: ask for at least 1 sample.");
        using var map = LoadMap(directory, out var config);
        var generator = new Generator((ulong)seed);
        if (!flow) return map.SampleGeodesic(t, count, generator);
        using var velocity = LoadVelocity(directory, config, map);
        using var start = map.Source.Sample(count, generator);
        return velocity.Flow(start, t, config.Velocity!.Integrator, config.Velocity.Steps);
    }
}
