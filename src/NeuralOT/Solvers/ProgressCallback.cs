namespace NeuralOT.Solvers;

/// <summary>
/// An <see cref="IProgress{T}"/> that calls its action at once, on the training thread. (The framework's
/// <see cref="Progress{T}"/> posts each report to a synchronization context or the thread pool, so reports can arrive
/// late, out of order, or after training ended.) Keep the action short: training waits for it.
/// </summary>
/// <typeparam name="T">The report type, e.g. <see cref="TrainingProgress"/>.</typeparam>
public sealed class ProgressCallback<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
