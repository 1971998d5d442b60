using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>
/// A run folder checked and locked for resuming (<see cref="ExperimentRunner.PrepareResume"/>): its config.json,
/// loaded once, and its problem, built once. Nothing has been trained or written yet. Resume it once with
/// <see cref="ExperimentRunner.Resume(PreparedResume, IProgress{TrainingProgress}?, CancellationToken, IProgress{VelocityProgress}?, IProgress{string}?)"/>,
/// whose outcome then owns the problem and the folder's lock; disposing a prepared resume that never resumed frees both.
/// </summary>
public sealed class PreparedResume : IDisposable
{
    private TransportProblem? _problem;
    private RunFolderLock? _folderLock;

    internal PreparedResume(string directory, ExperimentConfig config, TransportProblem problem, RunFolderLock folderLock)
    {
        Directory = directory;
        Config = config;
        Problem = problem;
        _problem = problem;
        _folderLock = folderLock;
    }

    /// <summary>The run folder.</summary>
    public string Directory { get; }

    /// <summary>The folder's configuration (solver options resolved).</summary>
    public ExperimentConfig Config { get; }

    /// <summary>The run's problem: source, target, cost and closed form.</summary>
    public TransportProblem Problem { get; }

    /// <summary>Hands the problem and the lock to the resume that starts now; a prepared resume resumes once.</summary>
    /// <exception cref="InvalidOperationException">It already resumed, or was disposed.</exception>
    internal (TransportProblem Problem, RunFolderLock FolderLock) Take()
    {
        if (_problem is null || _folderLock is null)
            throw new InvalidOperationException("This prepared resume was already resumed or disposed: prepare it again.");
        var taken = (_problem, _folderLock);
        (_problem, _folderLock) = (null, null);
        return taken;
    }

    /// <summary>Frees the problem and releases the folder unless a resume took them over.</summary>
    public void Dispose()
    {
        _problem?.Dispose();
        _folderLock?.Dispose();
        (_problem, _folderLock) = (null, null);
    }
}
