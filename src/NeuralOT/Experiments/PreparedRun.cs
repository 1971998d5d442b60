using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// A run checked and ready to start (<see cref="ExperimentRunner.Prepare"/>): the config with the settings' overrides
/// applied and its problem, built and checked once. Nothing has been written yet. Run it once with
/// <see cref="ExperimentRunner.Run(PreparedRun, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>,
/// whose outcome then owns the problem; disposing a prepared run that never ran frees the problem.
/// </summary>
public sealed class PreparedRun : IDisposable
{
    private TransportProblem? _problem;

    internal PreparedRun(ExperimentConfig config, RunSettings settings, TransportProblem problem)
    {
        Config = config;
        Settings = settings;
        _problem = problem;
        Problem = problem;
    }

    /// <summary>The configuration that will run (overrides applied, solver options resolved).</summary>
    public ExperimentConfig Config { get; }

    /// <summary>Where the run writes and its overrides.</summary>
    public RunSettings Settings { get; }

    /// <summary>The run's problem: source, target, cost and closed form.</summary>
    public TransportProblem Problem { get; }

    /// <summary>Hands the problem to the run that starts now; a prepared run runs once.</summary>
    /// <exception cref="InvalidOperationException">It already ran, or was disposed.</exception>
    internal TransportProblem TakeProblem()
    {
        var problem = _problem ?? throw new InvalidOperationException("This prepared run was already run or disposed: prepare the run again.");
        _problem = null;
        return problem;
    }

    /// <summary>Frees the problem unless a run took it over.</summary>
    public void Dispose()
    {
        _problem?.Dispose();
        _problem = null;
    }
}
