using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Plotting;
using NeuralOT.Solvers;

namespace NeuralOT.Interactive.Progress;

/// <summary>
/// The solvers with a live progress panel in the running notebook cell. Each call blocks the cell while it trains;
/// the notebook's stop button ends training within one iteration and the call still returns a usable result (its
/// <c>ExitReason</c> is <see cref="ExitReason.Cancelled"/>).
/// </summary>
public static class NotebookTraining
{
    /// <summary>The environment variable that switches notebooks to fast mode (CI): "1" or "true".</summary>
    public const string FastModeVariable = "NEURALOT_FAST";

    /// <summary>True when <see cref="FastModeVariable"/> asks for fast mode.</summary>
    public static bool FastMode => Environment.GetEnvironmentVariable(FastModeVariable) is { } value
        && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The environment variable that names the folder notebook runs write into (<c>runs</c> under the
    /// working directory when unset): tests point it at a temporary folder.</summary>
    public const string RunsFolderVariable = "NEURALOT_RUNS";

    /// <summary><paramref name="full"/> normally, <paramref name="fast"/> in fast mode: budgets that notebooks scale down for CI.</summary>
    public static int Choose(int full, int fast) => FastMode ? fast : full;

    /// <summary>Phase 1 (<see cref="MinimaxSolver.Solve(IDistribution, IDistribution, ICost, SolverOptions?, IProgress{TrainingProgress}?, CancellationToken, TrainingHooks?)"/>) with a live panel.</summary>
    /// <param name="source">mu0.</param>
    /// <param name="target">mu1.</param>
    /// <param name="cost">The transport cost.</param>
    /// <param name="options">Solver settings; null for the defaults.</param>
    /// <param name="monitor">The panel; null for a new one in the running cell (pass your own to call
    /// <see cref="TrainingMonitor.Stop"/>).</param>
    public static TransportResult Solve(
        IDistribution source, IDistribution target, ICost cost, SolverOptions? options = null, TrainingMonitor? monitor = null)
    {
        using var owned = monitor is null ? new TrainingMonitor("phase 1: the map") : null;
        var panel = monitor ?? owned!;
        var result = MinimaxSolver.Solve(source, target, cost, options, panel, panel.Token);
        panel.Finish($"map: {result.ExitMessage} in {result.TrainingTime.TotalSeconds:F1} s", Early(result.ExitReason), [result.ExitMessage]);
        return result;
    }

    /// <summary>Phase 2 (<see cref="VelocitySolver.Train(TransportResult, VelocityOptions?, IProgress{VelocityProgress}?, CancellationToken)"/>) with a live panel.</summary>
    /// <param name="map">A trained phase-1 result.</param>
    /// <param name="options">Phase-2 settings; null for the defaults.</param>
    /// <param name="monitor">The panel; null for a new one in the running cell.</param>
    public static VelocityResult TrainVelocity(TransportResult map, VelocityOptions? options = null, TrainingMonitor? monitor = null)
    {
        using var owned = monitor is null ? new TrainingMonitor("phase 2: the velocity field") : null;
        var panel = monitor ?? owned!;
        var result = VelocitySolver.Train(map, options, panel, panel.Token);
        panel.Finish($"velocity: {result.ExitMessage} in {result.TrainingTime.TotalSeconds:F1} s", Early(result.ExitReason), [result.ExitMessage]);
        return result;
    }

    /// <summary>
    /// Runs a named experiment exactly as <c>neuralot run</c> does (same configuration, seeds and metrics; fast mode
    /// follows <see cref="FastModeVariable"/>) and writes the same run folder: metrics, checkpoints and figures.
    /// </summary>
    /// <param name="experiment">A name of <see cref="ExperimentCatalogue.Names"/>.</param>
    /// <param name="outputDirectory">The run folder; null for <c>runs/&lt;name&gt;</c> under the working directory
    /// (or <c>&lt;name&gt;</c> in the folder <see cref="RunsFolderVariable"/> names). A previous notebook run there is
    /// replaced.</param>
    /// <param name="monitor">The panel; null for a new one in the running cell.</param>
    /// <exception cref="ConfigException">Unknown experiment name (the message lists the valid ones).</exception>
    public static RunOutcome Run(string experiment, string? outputDirectory = null, TrainingMonitor? monitor = null)
    {
        var config = ExperimentCatalogue.Get(experiment);
        using var owned = monitor is null ? new TrainingMonitor(experiment) : null;
        var panel = monitor ?? owned!;
        var runs = Environment.GetEnvironmentVariable(RunsFolderVariable) is { Length: > 0 } folder ? folder : "runs";
        var settings = new RunSettings(outputDirectory ?? Path.Combine(runs, experiment), Fast: FastMode, Force: true);
        var outcome = ExperimentRunner.Run(config, settings, panel, panel.Token, panel);
        try
        {
            // The same folder as `neuralot run` writes: metrics, checkpoints and the figures.
            if (outcome.Finished) RunFigures.Write(outcome, cancellation: panel.Token);
        }
        catch (OperationCanceledException) when (panel.Token.IsCancellationRequested)
        {
            // Stopped while drawing: metrics.json is complete, and `neuralot figures` draws the rest.
        }
        // The notebook writes nothing more into the folder: free it, so that running the cell again can write it.
        outcome.ReleaseFolder();
        var velocity = outcome.Velocity is { } v ? $"; velocity: {v.ExitMessage}" : "";
        panel.Finish($"map: {outcome.Result.ExitMessage}{velocity}",
            Early(outcome.Result.ExitReason) || outcome.Velocity is { } w && Early(w.ExitReason),
            [outcome.Result.ExitMessage, outcome.Velocity?.ExitMessage]);
        return outcome;
    }

    /// <summary>Whether an exit reason means training ended before its budget or stopping rule.</summary>
    private static bool Early(ExitReason reason) => reason is ExitReason.Cancelled or ExitReason.Diverged;
}
