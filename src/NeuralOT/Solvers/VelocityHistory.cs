namespace NeuralOT.Solvers;

/// <summary>One recorded iteration of phase-2 training.</summary>
/// <param name="Iteration">1-based iteration.</param>
/// <param name="Loss">The batch's mean squared error E|v(x_t, t) - u|^2.</param>
/// <param name="Seconds">Training time elapsed since the start.</param>
public sealed record VelocityHistoryEntry(int Iteration, double Loss, double Seconds);

/// <summary>The recorded iterations of a phase-2 run, oldest first.</summary>
public sealed class VelocityHistory
{
    private readonly List<VelocityHistoryEntry> entries = [];

    /// <summary>Column names of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader = "iteration,loss,seconds";

    /// <summary>The recorded iterations.</summary>
    public IReadOnlyList<VelocityHistoryEntry> Entries => entries;

    internal void Add(VelocityHistoryEntry entry) => entries.Add(entry);

    /// <summary>The history as CSV with the header <see cref="CsvHeader"/> (invariant culture, round-trip precision).</summary>
    public string ToCsv()
    {
        var text = new System.Text.StringBuilder(CsvHeader).Append('\n');
        foreach (var e in entries) text.Append(FormattableString.Invariant($"{e.Iteration},{e.Loss:R},{e.Seconds:R}\n"));
        return text.ToString();
    }
}

/// <summary>A phase-2 progress report, sent a few times a second and at the end.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="TotalIterations">The budget.</param>
/// <param name="Loss">The latest batch loss.</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="Remaining">Estimated time to the end of the budget.</param>
public sealed record VelocityProgress(int Iteration, int TotalIterations, double Loss, TimeSpan Elapsed, TimeSpan Remaining)
{
    /// <summary>Fraction of the budget done, in [0, 1].</summary>
    public double Fraction => TotalIterations == 0 ? 1 : (double)Iteration / TotalIterations;
}
