using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using NeuralOT.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// Phase 1 of the neural solver (docs/method.md, "Phase 1"): trains the OT map T = Id + F and the critic by alternating
/// critic-ascent and map-descent steps with Adam on fresh samples of mu0 and mu1.
/// </summary>
public static class MinimaxSolver
{
    /// <summary>Trains the map from <paramref name="source"/> to <paramref name="target"/>: <see cref="Solve(TransportProblem, SolverOptions?, IProgress{TrainingProgress}?, CancellationToken, TrainingHooks?)"/>
    /// on <c>new TransportProblem(source, target, cost)</c>.</summary>
    /// <param name="source">mu0.</param>
    /// <param name="target">mu1, of the same dimension.</param>
    /// <param name="cost">The transport cost L.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops training within one iteration; the result then holds the last completed iteration.</param>
    /// <param name="hooks">Periodic work during training (checkpoints); null for none.</param>
    /// <returns>The trained result; <see cref="TransportResult.ExitReason"/> says why it stopped.</returns>
    /// <exception cref="ArgumentException">Mismatched dimensions or an invalid option (the message names it).</exception>
    public static TransportResult Solve(
        IDistribution source, IDistribution target, ICost cost, SolverOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, TrainingHooks? hooks = null) =>
        Solve(new TransportProblem(source, target, cost), options, progress, cancellation, hooks);

    /// <summary>Trains the map of <paramref name="problem"/>; the result keeps the problem
    /// (<see cref="TransportResult.Problem"/>).</summary>
    /// <param name="problem">Source, target and cost.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops training within one iteration; the result then holds the last completed iteration.</param>
    /// <param name="hooks">Periodic work during training (checkpoints); null for none.</param>
    /// <returns>The trained result; <see cref="TransportResult.ExitReason"/> says why it stopped.</returns>
    /// <exception cref="ArgumentException">An invalid option, or one that does not fit the problem (the message names it).</exception>
    public static TransportResult Solve(
        TransportProblem problem, SolverOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, TrainingHooks? hooks = null) =>
        Train(problem, Validate(problem, options), progress, cancellation, hooks);

    /// <summary><see cref="Solve(IDistribution, IDistribution, ICost, SolverOptions?, IProgress{TrainingProgress}?, CancellationToken, TrainingHooks?)"/>
    /// with a test seam into the held-out guard (null: the product path).</summary>
    internal static TransportResult SolveWithHeldOutProbe(
        IDistribution source, IDistribution target, ICost cost, SolverOptions? options,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation, TrainingHooks? hooks, HeldOutProbe? heldOutProbe)
    {
        var problem = new TransportProblem(source, target, cost);
        return Train(problem, Validate(problem, options), progress, cancellation, hooks, heldOutProbe);
    }

    /// <summary>Trains with options that <see cref="Validate(TransportProblem, SolverOptions?)"/> already checked and
    /// resolved for this problem (the experiment runner checks a run once, before it writes its folder); a non-null
    /// <paramref name="heldOutProbe"/> is a test seam into the held-out guard (null: the product path).</summary>
    internal static TransportResult Train(
        TransportProblem problem, SolverOptions resolved,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation, TrainingHooks? hooks, HeldOutProbe? heldOutProbe = null)
    {
        if (hooks is { CheckpointInterval: < 1 })
            throw new ArgumentOutOfRangeException(nameof(hooks), hooks.CheckpointInterval, "The checkpoint interval must be at least 1 iteration.");
        var (source, target, cost) = (problem.Source, problem.Target, problem.Cost);
        var device = ResolveDevice(resolved.Device);
        using var threads = TorchGlobalState.WithThreads(resolved.Threads);

        // Finite data sets lose their held-out rows here: everything below (the fits of the start, training) sees
        // only the training rows. Samplers pass through unchanged.
        var (dataSource, dataTarget, monitor) = HeldOutMonitor.Prepare(source, target, resolved);
        using var heldOut = monitor;
        if (monitor is not null) monitor.Probe = heldOutProbe;

        var preconditioner = resolved.Preconditioning == Preconditioning.Affine
            ? AffinePreconditioner.Estimate(dataSource, dataTarget, new Generator((ulong)resolved.Seed + 7))
            : null;
        var trainingSource = preconditioner?.PushForward(dataSource) ?? dataSource;

        var start = resolved.Preconditioning == Preconditioning.Gaussian
            ? GaussianStart.Estimate(dataSource, dataTarget, new Generator((ulong)resolved.Seed + 7))
            : null;

        TransportDirection forward;
        TransportDirection? reverse;
        // The networks' initial weights come from the global generator, seeded here and given back afterwards.
        using (TorchGlobalState.Seeded(resolved.Seed, resolved.Threads))
        {
            forward = CreateDirection(trainingSource, dataTarget, resolved, device, start);
            reverse = resolved.Bidirectional is null ? null : CreateDirection(dataTarget, trainingSource, resolved, device);
        }
        var training = reverse is null
            ? new MinimaxTraining(cost, resolved, device, forward)
            : new MinimaxTraining(cost, resolved, device, forward, reverse);
        TransportResult Result(TrainingOutcome outcome) =>
            new(problem, resolved, forward.OutputMap, forward.Critic, reverse?.OutputMap, reverse?.Critic, preconditioner, outcome);
        var view = Result(new TrainingOutcome(new TrainingHistory(), ExitReason.Cancelled, "", 0, TimeSpan.Zero));
        var outcome = training.Train(progress, cancellation,
            hooks is null ? null : state => hooks.Checkpoint(Result(state)), hooks?.CheckpointInterval ?? int.MaxValue,
            heldOut: monitor is null ? null : new HeldOutWatch(monitor, view.Transport));
        return Result(outcome);
    }

    /// <summary>
    /// Continues a stopped run (cancelled, or loaded from a periodic checkpoint) to the end of its iteration budget:
    /// training resumes at the next iteration with the saved Adam moments, learning-rate schedule position and
    /// sample stream, so it takes exactly the steps the uninterrupted run would have taken; the history continues
    /// the stopped one. The returned result takes over <paramref name="stopped"/>'s networks: dispose only the
    /// returned result and do not use <paramref name="stopped"/> afterwards.
    /// </summary>
    /// <param name="stopped">A result whose <see cref="TransportResult.CanResume"/> is true.</param>
    /// <param name="progress">Receives progress a few times a second and at the end.</param>
    /// <param name="cancellation">Stops training within one iteration (the result can be resumed again).</param>
    /// <param name="hooks">Periodic work during training (checkpoints); null for none.</param>
    /// <exception cref="ArgumentException">The result cannot be resumed (the message says why).</exception>
    public static TransportResult Resume(
        TransportResult stopped, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        TrainingHooks? hooks = null) =>
        ResumeWithHeldOutProbe(stopped, progress, cancellation, hooks, heldOutProbe: null);

    /// <summary><see cref="Resume(TransportResult, IProgress{TrainingProgress}?, CancellationToken, TrainingHooks?)"/>
    /// with a test seam into the held-out guard (null: the product path).</summary>
    internal static TransportResult ResumeWithHeldOutProbe(
        TransportResult stopped, IProgress<TrainingProgress>? progress, CancellationToken cancellation, TrainingHooks? hooks,
        HeldOutProbe? heldOutProbe)
    {
        ArgumentNullException.ThrowIfNull(stopped);
        if (!stopped.CanResume)
            throw new ArgumentException(stopped switch
            {
                { ExitReason: ExitReason.Diverged } => $"This run diverged ({stopped.ExitMessage}); resuming would repeat the same steps: lower the learning rates or set gradient_clip and start a new run.",
                { ExitReason: not ExitReason.Cancelled } or { Training: not null } => $"This run already finished ({stopped.ExitMessage}); there is nothing to resume.",
                _ => "This checkpoint holds no optimiser state or sample stream (it was written before resume existed); it can be loaded and evaluated but not resumed: start a new run.",
            }, nameof(stopped));
        if (hooks is { CheckpointInterval: < 1 })
            throw new ArgumentOutOfRangeException(nameof(hooks), hooks.CheckpointInterval, "The checkpoint interval must be at least 1 iteration.");
        var options = stopped.Options;
        var state = stopped.Training!;
        using var threads = TorchGlobalState.WithThreads(options.Threads);
        var training = new MinimaxTraining(stopped.Cost, options, ResolveDevice(options.Device), state.Generator, state.Directions);
        TransportResult Result(TrainingOutcome outcome) =>
            new(stopped.Problem, options, stopped.Map, stopped.Critic, stopped.ReverseMap, stopped.ReverseCritic,
                stopped.Preconditioner, outcome);
        // The same seed holds out the same rows, and the guard goes on from its saved evaluations and accepted
        // networks; a checkpoint written before it kept them restarts the guard (the report says so).
        using var heldOut = HeldOutMonitor.Prepare(stopped.Source, stopped.Target, options).Monitor;
        if (heldOut is not null)
        {
            heldOut.Continue(state.HeldOut, TransportDirection.Networks(state.Directions), stopped.IterationsCompleted);
            heldOut.Probe = heldOutProbe;
        }
        var resumeFrom = new TrainingOutcome(stopped.History, stopped.ExitReason, stopped.ExitMessage, stopped.IterationsCompleted, stopped.TrainingTime, state);
        var outcome = training.Train(progress, cancellation,
            hooks is null ? null : snapshot => hooks.Checkpoint(Result(snapshot)), hooks?.CheckpointInterval ?? int.MaxValue, resumeFrom,
            heldOut is null ? null : new HeldOutWatch(heldOut, Result(resumeFrom).Transport));
        return Result(outcome);
    }

    /// <summary>Checks a problem and its options without training; returns the resolved options:
    /// <see cref="Validate(TransportProblem, SolverOptions?)"/> on <c>new TransportProblem(source, target, cost)</c>.</summary>
    /// <exception cref="ArgumentException">Mismatched dimensions, an invalid option, or an option that does not
    /// apply to the cost (the message names it and the fix).</exception>
    public static SolverOptions Validate(IDistribution source, IDistribution target, ICost cost, SolverOptions? options = null) =>
        Validate(new TransportProblem(source, target, cost), options);

    /// <summary>Checks options against a problem without training: each option in range, the batch within the
    /// machine's memory for the problem's dimension, and the options that hold for one cost only (an input-convex
    /// critic, the Gaussian and affine starts) against its cost. Returns the resolved options.</summary>
    /// <exception cref="ArgumentException">An invalid option, or an option that does not apply to the cost (the
    /// message names it and the fix).</exception>
    public static SolverOptions Validate(TransportProblem problem, SolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var (source, cost) = (problem.Source, problem.Cost);
        var resolved = (options ?? new SolverOptions()).Resolve(cost);
        resolved.Validate();
        // Checked before any network or batch exists: an absurd batch would otherwise grow until the OOM killer.
        var directions = resolved.Bidirectional is null ? 1 : 2;
        OptionChecks.Batch(nameof(SolverOptions), nameof(SolverOptions.BatchSize), resolved.BatchSize, source.Dimension,
            directions * ((long)resolved.MapNetwork.Width * resolved.MapNetwork.Depth + (long)resolved.CriticNetwork.Width * resolved.CriticNetwork.Depth),
            new SolverOptions().BatchSize);
        if (resolved.CriticNetwork.InputConvex && cost is not QuadraticCost)
            throw new InvalidOptionException(nameof(SolverOptions), $"{nameof(SolverOptions.CriticNetwork)}.{nameof(NetworkOptions.InputConvex)}", true,
                $"it applies to the quadratic cost only: the critic |y|^2/2 - psi(y) with psi convex is the form of the quadratic cost's optimal potentials, not of {cost.Name}'s");
        if (resolved.Preconditioning == Preconditioning.Gaussian && cost is not QuadraticCost)
            throw new InvalidOptionException(nameof(SolverOptions), nameof(SolverOptions.Preconditioning), Preconditioning.Gaussian,
                $"it applies to the quadratic cost only: it starts from the Gaussian fits' optimal map and critic for |v|^2/2, not for {cost.Name}; use none");
        if (resolved.Preconditioning == Preconditioning.Affine && cost is not QuadraticCost)
            throw new InvalidOptionException(nameof(SolverOptions), nameof(SolverOptions.Preconditioning), Preconditioning.Affine,
                $"it applies to the quadratic cost only: an affine change of variables keeps a map optimal for |v|^2/2 (arXiv 2102.02992, Theorem 3) but not for {cost.Name}; use none");
        return resolved;
    }

    private static TransportDirection CreateDirection(IDistribution from, IDistribution to, SolverOptions options, Device device, GaussianStart? start = null)
    {
        var map = new MapNetwork(from.Dimension, options.MapNetwork, linearBase: start is not null);
        var critic = new CriticNetwork(from.Dimension, options.Critic == CriticForm.Time, options.CriticNetwork, quadraticBase: start is not null);
        if (start is not null)
        {
            using var scope = NewDisposeScope();
            var (weight, bias) = start.DisplacementLayer();
            map.SetLinearBase(weight, bias, tensor(start.SourceMean, float32), start.SourceSpread, start.TargetSpread);
            var (inverseMap, offset) = start.CriticTerms();
            critic.SetGaussianStart(inverseMap, offset, tensor(start.TargetMean, float32), start.TargetSpread);
        }
        map.to(device);
        critic.to(device);
        MapNetwork? averaged = null;
        if (options.MapAveraging > 0)
        {
            // The same network with the same fixed parts; UpdateAverage overwrites its weights at the first iteration.
            averaged = new MapNetwork(from.Dimension, options.MapNetwork, linearBase: start is not null);
            averaged.load_state_dict(map.state_dict());
            averaged.to(device);
        }
        return new TransportDirection(from, to, map, critic, options, averaged);
    }

    internal static Device ResolveDevice(string name, string owner = nameof(SolverOptions))
    {
        if (name == "cuda" && !torch.cuda.is_available())
            throw new InvalidOptionException(owner, nameof(SolverOptions.Device), name,
                "no CUDA device is usable: this build references TorchSharp-cpu. Reference a CUDA build of TorchSharp (libtorch-cuda) on a machine with an NVIDIA GPU, or use cpu");
        return torch.device(name);
    }
}
