namespace NeuralOT.Experiments;

/// <summary>
/// Input that cannot be used (a config, a run folder, a file the user named), as opposed to a bug in the library: the
/// message is one line that names the problem and how to fix it in the library's own terms, so a front end can show
/// it as it is. <see cref="ConfigException"/> and <see cref="RunFolderException"/> are the kinds the library throws.
/// </summary>
public class InvalidInputException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What is wrong with a run folder, so that a front end can add the fix in its own terms (a command-line
/// option, a notebook call) to the library's message.</summary>
public enum RunFolderProblem
{
    /// <summary>No folder at the path, or one without config.json.</summary>
    NotARunFolder,

    /// <summary>The folder holds the files of another run and overwriting was not allowed.</summary>
    HoldsAnotherRun,

    /// <summary>Another process writes the folder (it holds the folder's lock).</summary>
    InUse,

    /// <summary>The run finished: there is nothing to resume.</summary>
    AlreadyFinished,

    /// <summary>The run stopped before its first checkpoint: nothing can be continued or sampled.</summary>
    NoCheckpoint,

    /// <summary>The run has no phase 2 (no velocity section in its config).</summary>
    NoVelocityPhase,

    /// <summary>Phase 2 has not run yet: phase 1 did not finish.</summary>
    VelocityPhaseNotTrained,

    /// <summary>The folder's checkpoint cannot be continued faithfully (other settings than its config.json, a
    /// diverged run, or no optimiser state).</summary>
    CannotResume,

    /// <summary>The reverse map was asked for, but the run was not trained bidirectionally.</summary>
    NoReverseMap,
}

/// <summary>A run folder that cannot be used for what was asked: <see cref="Problem"/> says why, and the message is
/// <see cref="Description"/> followed by <see cref="Fix"/>, which a front end may replace by its own.</summary>
/// <param name="problem">What is wrong.</param>
/// <param name="directory">The run folder.</param>
/// <param name="description">What is wrong with this folder, without the fix.</param>
/// <param name="fix">What to do, in the library's terms.</param>
public sealed class RunFolderException(RunFolderProblem problem, string directory, string description, string fix)
    : InvalidInputException($"{description}; {fix}.")
{
    /// <summary>What is wrong.</summary>
    public RunFolderProblem Problem { get; } = problem;

    /// <summary>The run folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>What is wrong with this folder, without the fix.</summary>
    public string Description { get; } = description;

    /// <summary>What to do, in the library's terms.</summary>
    public string Fix { get; } = fix;
}
