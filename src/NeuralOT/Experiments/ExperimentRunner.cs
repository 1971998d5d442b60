using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.IO;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Runtime;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Experiments;

/// <summary>Overrides and output settings of one run (the options of <c>neuralot run</c>).</summary>
/// <param name="OutputDirectory">Where the run writes its files.</param>
/// <param name="Fast">A quick look: <see cref="ExperimentRunner.FastIterations"/> iterations at most
/// (<see cref="ExperimentRunner.FastDigitIterations"/> for digit images).</param>
/// <param name="Seed">Overrides <c>solver.seed</c>.</param>
/// <param name="Iterations">Overrides <c>solver.iterations</c> (and fast mode).</param>
/// <param name="Threads">Overrides <c>solver.threads</c>.</param>
/// <param name="Device">Overrides <c>solver.device</c>.</param>
/// <param name="Force">Overwrite a folder that holds another run.</param>
public sealed record RunSettings(
    string OutputDirectory, bool Fast = false, int? Seed = null, int? Iterations = null,
    int? Threads = null, string? Device = null, bool Force = false);

/// <summary>What a run produced. Dispose it to free the networks of every result it holds.</summary>
/// <param name="Config">The configuration actually run (overrides applied).</param>
/// <param name="Result">The trained solution.</param>
/// <param name="Metrics">The metrics written to metrics.json; null when the run did not finish (training diverged
/// or was cancelled: the folder then holds no metrics.json).</param>
/// <param name="OutputDirectory">The folder written.</param>
public sealed record RunOutcome(ExperimentConfig Config, TransportResult Result, RunMetrics? Metrics, string OutputDirectory)
    : IDisposable
{
    /// <summary>The trained phase-2 field; null when the config has no velocity section or phase 1 did not finish.</summary>
    public VelocityResult? Velocity { get; init; }

    /// <summary>With <c>compare_quadratic</c>: the same pair solved under the quadratic cost with the same solver
    /// settings, to compare the geodesics of the two costs; null otherwise.</summary>
    public TransportResult? QuadraticComparison { get; init; }

    /// <summary>Whether every phase finished and metrics.json was written.</summary>
    public bool Finished => Metrics is not null;

    /// <summary>Training finished but the run was cancelled while it was being evaluated: no metrics.json was written
    /// and <see cref="ExperimentRunner.Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> evaluates it again.</summary>
    public bool EvaluationCancelled { get; init; }

    /// <summary>The problem the run solved (built once from <see cref="Config"/>); the outcome owns it and frees it when
    /// disposed. The results' <see cref="TransportResult.Problem"/> hold the same distributions.</summary>
    public TransportProblem? Problem { get; init; }

    /// <summary>The run folder's lock (<see cref="RunFolderLock"/>), held until this outcome is disposed so that the
    /// figures written after the run belong to it too.</summary>
    internal RunFolderLock? FolderLock { get; init; }

    /// <summary>Gives up the run folder before the outcome is disposed, once nothing more will be written into it
    /// (a notebook keeps its outcome in a variable but writes no figures: the next run into the same folder, from a
    /// re-run cell, must not find it locked by its own session). Calling it twice does nothing.</summary>
    public void ReleaseFolder() => FolderLock?.Dispose();

    /// <inheritdoc />
    public void Dispose()
    {
        ReleaseFolder();
        Result.Dispose();
        Velocity?.Dispose();
        QuadraticComparison?.Dispose();
        // Last: the results above sample from its distributions.
        Problem?.Dispose();
    }
}

/// <summary>
/// Trains and evaluates an experiment and writes <c>config.json</c>, <c>history.csv</c>, <c>checkpoint.ckpt</c>
/// (every <see cref="CheckpointInterval"/> iterations, with the history so far, and at the end) and
/// <c>metrics.json</c> (the README lists every file and key; <see cref="RunFiles"/> names them). Each file is written
/// atomically; metrics.json is written last and only when every phase finished. A cancelled run leaves config.json, the checkpoint and the history so far, which
/// <see cref="Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> continues; <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> and <see cref="Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> share the path that trains what is
/// left, evaluates and writes the files.
/// </summary>
public static partial class ExperimentRunner
{
    /// <summary>The iteration budget of fast mode.</summary>
    public const int FastIterations = 200;

    /// <summary>The iteration budget of fast mode for digit images: one of their iterations (784-D samples through
    /// 512-wide networks) costs what about 20 of a low-dimensional problem does.</summary>
    public const int FastDigitIterations = 40;

    /// <summary>The files a run writes.</summary>
    public const string ConfigFile = RunFiles.Config, HistoryFile = RunFiles.History, MetricsFile = RunFiles.Metrics,
        CheckpointFile = RunFiles.Checkpoint;

    /// <summary>With <c>compare_quadratic</c>: the companion quadratic solve's checkpoint and history.</summary>
    public const string QuadraticCheckpointFile = RunFiles.QuadraticCheckpoint, QuadraticHistoryFile = RunFiles.QuadraticHistory;

    private static bool IsDigitTransport(ExperimentConfig config) => config.Source is MnistSpec && config.Target is MnistSpec;

    /// <summary>Iterations between the periodic checkpoints of a run (one is also written at the end).</summary>
    public const int CheckpointInterval = 1000;

    /// <summary>The configuration with the settings' overrides applied.</summary>
    public static ExperimentConfig Apply(ExperimentConfig config, RunSettings settings)
    {
        var solver = config.Solver.Resolve(config.Cost);
        if (settings.Fast)
            solver = solver with { Iterations = Math.Min(solver.Iterations!.Value, IsDigitTransport(config) ? FastDigitIterations : FastIterations) };
        solver = solver with
        {
            Seed = settings.Seed ?? solver.Seed,
            Iterations = settings.Iterations ?? solver.Iterations,
            Threads = settings.Threads ?? solver.Threads,
            Device = settings.Device ?? solver.Device,
        };
        // Checked once, with the problem, by Prepare.
        return config with
        {
            Solver = solver,
            Velocity = ApplyToVelocity(config.Velocity, solver, settings),
            Evaluation = settings.Fast ? config.Evaluation.ForFastMode() : config.Evaluation,
        };
    }

    /// <summary>
    /// Readies a run without touching its folder: applies the settings' overrides, builds the config's problem
    /// (<see cref="ExperimentConfig.ToProblem"/>) and checks the whole run once: the solver settings against the
    /// problem (its cost and dimension), the devices, the velocity section and the evaluation. Start it with
    /// <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>;
    /// meanwhile its <see cref="PreparedRun.Problem"/> can set up what the run's figures need (a projection).
    /// </summary>
    /// <param name="config">The experiment.</param>
    /// <param name="settings">Where to write and the overrides (fast mode, seed, iterations, threads, device).</param>
    /// <exception cref="ConfigException">Invalid configuration.</exception>
    public static PreparedRun Prepare(ExperimentConfig config, RunSettings settings)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(settings);
        var applied = Apply(config, settings);
        return new PreparedRun(applied, settings, CheckedProblem(applied));
    }

    /// <summary>Runs the experiment and writes its folder: <see cref="Prepare"/>, then
    /// <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>.</summary>
    /// <param name="config">The experiment.</param>
    /// <param name="settings">Where to write and the overrides (fast mode, seed, iterations, threads, device).</param>
    /// <param name="progress">Receives phase-1 progress.</param>
    /// <param name="cancellation">Stops training within one iteration (the folder can be resumed).</param>
    /// <param name="velocityProgress">Receives phase-2 progress.</param>
    /// <param name="stages">Receives one line as each step without iterations begins (evaluation), for a display.</param>
    /// <exception cref="ConfigException">Invalid configuration.</exception>
    /// <exception cref="RunFolderException">The output folder holds another run and Force is off, or another process
    /// writes it.</exception>
    public static RunOutcome Run(
        ExperimentConfig config, RunSettings settings,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IProgress<VelocityProgress>? velocityProgress = null, IProgress<string>? stages = null)
    {
        using var prepared = Prepare(config, settings);
        return Run(prepared, progress, cancellation, velocityProgress, stages);
    }

    /// <summary>Runs a prepared experiment and writes its folder. The outcome takes over the prepared run's problem
    /// and frees it when disposed; a run that fails frees it at once. A prepared run runs once.</summary>
    /// <param name="prepared">What <see cref="Prepare"/> returned.</param>
    /// <param name="progress">Receives phase-1 progress.</param>
    /// <param name="cancellation">Stops training within one iteration (the folder can be resumed).</param>
    /// <param name="velocityProgress">Receives phase-2 progress.</param>
    /// <param name="stages">Receives one line as each step without iterations begins (evaluation), for a display.</param>
    /// <exception cref="RunFolderException">The output folder holds another run and Force is off, or another process
    /// writes it.</exception>
    /// <exception cref="InvalidOperationException">The prepared run was already run or disposed.</exception>
    public static RunOutcome Run(
        PreparedRun prepared,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IProgress<VelocityProgress>? velocityProgress = null, IProgress<string>? stages = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var problem = prepared.TakeProblem();
        var (applied, settings) = (prepared.Config, prepared.Settings);
        // Training, evaluation and the velocity phase all run on the solver's threads; the caller's count comes back after.
        using var threads = TorchGlobalState.WithThreads(applied.Solver.Threads);
        var directory = settings.OutputDirectory;
        var createdFolder = !Directory.Exists(directory);
        RunFolderLock folderLock;
        try
        {
            folderLock = RunFolderLock.Acquire(directory);
        }
        catch
        {
            problem.Dispose();
            throw;
        }
        var folderReady = false;
        try
        {
            PrepareOutputDirectory(directory, settings.Force);
            folderReady = true;
            AtomicFile.Write(Path.Combine(directory, ConfigFile), applied.ToJson());
            return Continue(applied, problem, directory, new StoppedRun(null, null), progress, cancellation, velocityProgress, stages)
                with { FolderLock = folderLock, Problem = problem };
        }
        catch
        {
            try
            {
                if (folderReady) RemoveUnresumableRun(directory, createdFolder);
                else if (createdFolder) RemoveFolderIfOnlyLock(directory);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // The original error is the one to report (a full disk may refuse the cleanup too).
            }
            folderLock.Dispose();
            problem.Dispose();
            throw;
        }
    }

    /// <summary>After a run failed with an error before its first checkpoint, nothing in its folder can be resumed:
    /// removes its config.json and history, so that the corrected rerun is not refused as "already holds a run", and
    /// the folder itself when this run created it.</summary>
    private static void RemoveUnresumableRun(string directory, bool createdFolder)
    {
        if (File.Exists(Path.Combine(directory, CheckpointFile))) return;
        foreach (var file in new[] { ConfigFile, HistoryFile, VelocityHistoryFile, QuadraticHistoryFile })
            File.Delete(Path.Combine(directory, file));
        AtomicFile.DeleteLeftovers(directory);
        if (createdFolder) RemoveFolderIfOnlyLock(directory);
    }

    private static void RemoveFolderIfOnlyLock(string directory)
    {
        if (Directory.EnumerateFileSystemEntries(directory).Any(e => Path.GetFileName(e) != RunFolderLock.FileName)) return;
        // The lock file goes with the folder: no other process can hold it, since this one does.
        File.Delete(Path.Combine(directory, RunFolderLock.FileName));
        Directory.Delete(directory);
    }

    /// <summary>Whether <paramref name="directory"/> holds a run that finished (its metrics.json exists).</summary>
    public static bool IsFinished(string directory) => File.Exists(Path.Combine(directory, MetricsFile));

    /// <summary>
    /// Continues a run folder that <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> left unfinished (cancelled, or stopped after a periodic
    /// checkpoint) from its config.json and checkpoints: phase 1 resumes at the saved iteration with the saved
    /// optimiser state, learning-rate schedule position and sample stream (<see cref="MinimaxSolver.Resume"/>), so
    /// it reaches the same result as an uninterrupted run; history.csv continues the saved history (rows after the
    /// last checkpoint are recomputed, identically). A companion quadratic solve continues the same way, or starts
    /// if it had not. Phase 2 is retrained from its start: it takes a tenth of phase 1's time and, being seeded on its
    /// own, gives the same field as in an uninterrupted run. Then the run is evaluated and written as by <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>.
    /// </summary>
    /// <exception cref="RunFolderException">Not a run folder, a finished run, a run that diverged, or a checkpoint
    /// that does not fit config.json (<see cref="RunFolderException.Problem"/> says which).</exception>
    /// <exception cref="ConfigException">The folder's config.json is invalid.</exception>
    /// <exception cref="InvalidDataException">A truncated or corrupt checkpoint.</exception>
    public static RunOutcome Resume(
        string directory, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IProgress<VelocityProgress>? velocityProgress = null, IProgress<string>? stages = null)
    {
        using var prepared = PrepareResume(directory);
        return Resume(prepared, progress, cancellation, velocityProgress, stages);
    }

    /// <summary>Checks and locks a run folder for resuming: loads its config.json once, refuses a finished run and one
    /// without a checkpoint, and builds the problem once (which a caller can use before training, for example to set
    /// up the figures' projection). Nothing is trained or written. The folder stays locked until the resume's outcome,
    /// or this prepared resume if it never resumes, is disposed.</summary>
    /// <exception cref="RunFolderException">Not a run folder, a finished run, no checkpoint, or another process holds
    /// the folder.</exception>
    /// <exception cref="ConfigException">The folder's config.json is invalid.</exception>
    public static PreparedResume PrepareResume(string directory)
    {
        // Refuses a missing folder before the lock would create it.
        RunFolder.RequireFolder(directory);
        var folderLock = RunFolderLock.Acquire(directory);
        try
        {
            var config = RunFolder.LoadConfig(directory);
            if (IsFinished(directory))
                throw new RunFolderException(RunFolderProblem.AlreadyFinished, directory,
                    $"The run in {directory} already finished ({MetricsFile} exists): there is nothing to resume",
                    "to train longer, start a new run with more iterations");
            TransportProblem problem;
            using (TorchGlobalState.WithThreads(config.Solver.Threads))
                problem = CheckedProblem(config);
            if (!File.Exists(Path.Combine(directory, CheckpointFile)))
            {
                problem.Dispose();
                throw new RunFolderException(RunFolderProblem.NoCheckpoint, directory,
                    $"{directory} has no {CheckpointFile}: the run stopped before its first checkpoint (written every {CheckpointInterval} iterations and when a run is cancelled)",
                    $"start it again from its {ConfigFile}, overwriting the folder");
            }
            return new PreparedResume(directory, config, problem, folderLock);
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>Resumes a prepared run folder (<see cref="PrepareResume"/>) as <see cref="Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>
    /// describes. The outcome takes over the problem and the folder's lock; a resume that fails frees both at once.
    /// A prepared resume resumes once.</summary>
    /// <exception cref="RunFolderException">A run that diverged, or a checkpoint that does not fit config.json.</exception>
    /// <exception cref="InvalidDataException">A truncated or corrupt checkpoint.</exception>
    /// <exception cref="InvalidOperationException">The prepared resume was already resumed or disposed.</exception>
    public static RunOutcome Resume(
        PreparedResume prepared, IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default,
        IProgress<VelocityProgress>? velocityProgress = null, IProgress<string>? stages = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var (problem, folderLock) = prepared.Take();
        var (directory, config) = (prepared.Directory, prepared.Config);
        try
        {
            using var threads = TorchGlobalState.WithThreads(config.Solver.Threads);
            var main = LoadStopped(Path.Combine(directory, CheckpointFile), Path.Combine(directory, HistoryFile), problem, config.Cost, config.Solver);
            TransportResult? companion = null;
            try
            {
                var companionCheckpoint = Path.Combine(directory, QuadraticCheckpointFile);
                if (config.CompareQuadratic && File.Exists(companionCheckpoint))
                    companion = LoadStopped(companionCheckpoint, Path.Combine(directory, QuadraticHistoryFile), problem, QuadraticCost.Instance, config.Solver);
            }
            catch
            {
                main.Dispose();
                throw;
            }
            return Continue(config, problem, directory, new StoppedRun(main, companion), progress, cancellation, velocityProgress, stages)
                with { Problem = problem, FolderLock = folderLock };
        }
        catch
        {
            problem.Dispose();
            folderLock.Dispose();
            throw;
        }
    }

    /// <summary>Loads a phase-1 checkpoint of a run folder to continue it; refuses one that does not fit the
    /// folder's config or whose run diverged.</summary>
    private static TransportResult LoadStopped(string checkpoint, string historyPath, TransportProblem problem, ICost cost, SolverOptions solver)
    {
        var result = TransportCheckpoint.Load(checkpoint, problem.Source, problem.Target, cost, solver,
            RunFiles.ConfigSha256(Path.GetDirectoryName(checkpoint)!));
        try
        {
            if (result.Options != solver)
                throw new RunFolderException(RunFolderProblem.CannotResume, Path.GetDirectoryName(checkpoint)!,
                    $"{checkpoint} was trained with other solver settings than {ConfigFile} beside it",
                    "resume needs the folder as the run wrote it");
            if (File.Exists(historyPath) && TrainingHistory.FromCsv(File.ReadAllText(historyPath)).Entries is { Count: > 0 } rows
                && rows[^1] is var last && !(double.IsFinite(last.CriticObjective) && double.IsFinite(last.MapObjective) && double.IsFinite(last.WHat)))
                throw new RunFolderException(RunFolderProblem.CannotResume, Path.GetDirectoryName(checkpoint)!,
                    $"The run diverged at iteration {last.Iteration} ({historyPath})",
                    "resuming would repeat the same steps: lower the learning rates or set gradient_clip and start a new run");
            if (result.ExitReason == ExitReason.Cancelled && !result.CanResume)
                throw new RunFolderException(RunFolderProblem.CannotResume, Path.GetDirectoryName(checkpoint)!,
                    $"{checkpoint} holds no optimiser state (it was written before resume existed), so it cannot be resumed faithfully",
                    "start the run again");
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>The config's problem, built once, with the whole run checked against it once: the config's own
    /// checks (<see cref="ExperimentConfig.Validate"/>, after the run's overrides), then the solver settings against the
    /// cost and the dimension (for the companion quadratic solve too), the devices and the velocity section. Runs,
    /// resumes and the readers of a run folder all start here.</summary>
    /// <exception cref="ConfigException">The first invalid setting (the message names the key).</exception>
    internal static TransportProblem CheckedProblem(ExperimentConfig config)
    {
        var problem = config.ToProblem();
        try
        {
            config.Validate();
            CheckedAgainst(nameof(ExperimentConfig.Solver), () =>
            {
                MinimaxSolver.Validate(problem, config.Solver);
                if (config.CompareQuadratic) MinimaxSolver.Validate(problem.WithCost(QuadraticCost.Instance), config.Solver);
                // A device that cannot be used is refused here, before the run folder gets a config.json.
                MinimaxSolver.ResolveDevice(config.Solver.Device);
            });
            if (config.Velocity is { } velocity) CheckVelocitySection(config, velocity, problem);
            return problem;
        }
        catch (Exception error)
        {
            problem.Dispose();
            if (error is ArgumentException argument) throw ConfigException.From(argument);
            throw;
        }
    }

    /// <summary>Runs a check of the config's section in <paramref name="property"/> that the library makes (naming
    /// options by their properties), naming the option by its config key instead.</summary>
    private static void CheckedAgainst(string property, Action check)
    {
        try
        {
            check();
        }
        catch (InvalidOptionException error)
        {
            throw ExperimentConfig.Refusal(property, error);
        }
    }

    /// <summary>Phase-1 results a resumed run starts from (null: train from scratch).</summary>
    private sealed record StoppedRun(TransportResult? Main, TransportResult? Companion);

    /// <summary>
    /// The path <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> and <see cref="Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> share: trains what is left (phase 1, the companion
    /// quadratic solve, phase 2), stopping early without metrics when a phase diverges or is cancelled, and then
    /// finishes the run (<see cref="Finish"/>).
    /// </summary>
    private static RunOutcome Continue(
        ExperimentConfig config, TransportProblem problem, string directory, StoppedRun stopped,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation, IProgress<VelocityProgress>? velocityProgress,
        IProgress<string>? stages)
    {
        var result = TrainMap(config, problem, stopped.Main, directory, CheckpointFile, HistoryFile, progress, cancellation);
        var outcome = new RunOutcome(config, result, Metrics: null, directory);
        if (result.ExitReason is ExitReason.Diverged or ExitReason.Cancelled)
        {
            stopped.Companion?.Dispose();
            return outcome;
        }
        if (config.CompareQuadratic)
        {
            var companion = TrainMap(config, problem.WithCost(QuadraticCost.Instance), stopped.Companion, directory, QuadraticCheckpointFile, QuadraticHistoryFile, progress, cancellation);
            outcome = outcome with { QuadraticComparison = companion };
            if (companion.ExitReason is ExitReason.Diverged or ExitReason.Cancelled) return outcome;
        }
        var velocity = TrainVelocity(config, result, directory, velocityProgress, cancellation);
        outcome = outcome with { Velocity = velocity };
        if (velocity?.ExitReason is ExitReason.Diverged or ExitReason.Cancelled) return outcome;
        return Finish(outcome, cancellation, stages);
    }

    /// <summary>Trains (or continues, or takes as finished) one phase-1 solve and writes its history and checkpoint.
    /// A diverged solve keeps its last periodic checkpoint, which predates the blow-up.</summary>
    private static TransportResult TrainMap(
        ExperimentConfig config, TransportProblem problem, TransportResult? stopped, string directory, string checkpointFile, string historyFile,
        IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        var checkpoint = Path.Combine(directory, checkpointFile);
        var history = Path.Combine(directory, historyFile);
        var configSha256 = RunFiles.ConfigSha256(directory);
        var hooks = new TrainingHooks(CheckpointInterval, state =>
        {
            TransportCheckpoint.Save(state, checkpoint, configSha256);
            AtomicFile.Write(history, state.History.ToCsv());
        });
        var result = stopped switch
        {
            // Checked with the problem before the run began (CheckedProblem).
            null => MinimaxSolver.Train(problem, config.Solver, progress, cancellation, hooks),
            { CanResume: true } => MinimaxSolver.Resume(stopped, progress, cancellation, hooks),
            _ => stopped,
        };
        AtomicFile.Write(history, result.History.ToCsv());
        if (result.HeldOut is { } heldOut && checkpointFile == CheckpointFile)
            AtomicFile.Write(Path.Combine(directory, RunFiles.HeldOut), heldOut.ToCsv());
        if (result.ExitReason != ExitReason.Diverged) TransportCheckpoint.Save(result, checkpoint, configSha256);
        return result;
    }

    /// <summary>Evaluates a run whose phases all finished and writes metrics.json: the one place a run ends, for
    /// <see cref="Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> and <see cref="Resume(string, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/> alike.</summary>
    private static RunOutcome Finish(RunOutcome outcome, CancellationToken cancellation, IProgress<string>? stages)
    {
        var evaluation = outcome.Config.Evaluation;
        RunMetrics metrics;
        try
        {
            stages?.Report(MetricSuite.Describe(outcome.Result, evaluation));
            foreach (var note in ResampledDataNotes(outcome.Result, evaluation)) stages?.Report(note);
            metrics = MetricSuite.Evaluate(ToEvaluate(outcome), cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The checkpoints are complete; without metrics.json the folder is one that resume finishes.
            return outcome with { EvaluationCancelled = true };
        }
        AtomicFile.Write(Path.Combine(outcome.OutputDirectory, MetricsFile), metrics.ToJson());
        return outcome with { Metrics = metrics };
    }

    /// <summary>A note for each side given as data with fewer rows than a sample the evaluation draws from it: those
    /// samples repeat rows (drawn with replacement), so the metrics describe the rows rather than fresh data.</summary>
    private static IEnumerable<string> ResampledDataNotes(TransportResult result, EvaluationOptions evaluation)
    {
        var largest = Math.Max(evaluation.SampleSize, evaluation.ReferenceDraws > 0 ? evaluation.ReferenceSize : 0);
        var sampleSize = ExperimentConfig.KeyPath($"{nameof(ExperimentConfig.Evaluation)}.{nameof(EvaluationOptions.SampleSize)}");
        var referenceSize = ExperimentConfig.KeyPath($"{nameof(ExperimentConfig.Evaluation)}.{nameof(EvaluationOptions.ReferenceSize)}");
        foreach (var (side, distribution) in new[] { ("source", result.Source), ("target", result.Target) })
            if (distribution is EmpiricalDistribution data && data.Count < largest)
                yield return FormattableString.Invariant(
                    $"note: the {side} has {data.Count:N0} rows, fewer than the {largest:N0} samples per side the evaluation draws; they are drawn with replacement (set {sampleSize} and {referenceSize} to at most {data.Count:N0} to avoid repeats)");
    }

    /// <summary>What the metrics need of a run whose phases all finished.</summary>
    private static RunToEvaluate ToEvaluate(RunOutcome outcome) => new(outcome.Config.Name, outcome.Result, outcome.Config.Evaluation)
    {
        Velocity = outcome.Velocity is { } field && outcome.Config.Velocity is { } velocity
            ? new PhaseTwoToEvaluate(field, velocity.Oracle, velocity.Integrator, velocity.Steps)
            : null,
        QuadraticCompanion = outcome.QuadraticComparison,
    };

    /// <summary>Readies a folder this process holds the lock of: refuses another run's files without
    /// <paramref name="force"/>, and clears what a run left (its files, figures, and the temporary files of writes a
    /// killed process never finished).</summary>
    private static void PrepareOutputDirectory(string directory, bool force)
    {
        if (Directory.Exists(directory))
        {
            var runFiles = RunFiles.DataFiles.Where(f => File.Exists(Path.Combine(directory, f))).ToArray();
            if (runFiles.Length > 0 && !force)
                throw new RunFolderException(RunFolderProblem.HoldsAnotherRun, directory,
                    $"The output folder {directory} already holds a run ({string.Join(", ", runFiles)})",
                    $"write into another folder or allow overwriting it ({nameof(RunSettings)}.{nameof(RunSettings.Force)})");
            foreach (var file in runFiles) File.Delete(Path.Combine(directory, file));
            // The previous run's figures go too, so that a rerun that fails or is cancelled never leaves stale figures
            // next to its partial files.
            if (runFiles.Length > 0)
                foreach (var figure in Directory.EnumerateFiles(directory).Where(f => RunFiles.IsFigureFile(Path.GetFileName(f))).ToList())
                    File.Delete(figure);
            AtomicFile.DeleteLeftovers(directory);
        }
        Directory.CreateDirectory(directory);
    }
}
