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

    /// <summary>Reads what <see cref="ToCsv"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The text is not a history written by <see cref="ToCsv"/>.</exception>
    public static VelocityHistory FromCsv(string csv)
    {
        var lines = csv.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != CsvHeader)
            throw new InvalidDataException($"A velocity history must start with the header \"{CsvHeader}\".");
        var history = new VelocityHistory();
        foreach (var (line, row) in lines.Skip(1).Select((l, i) => (l, i + 2)))
        {
            var cells = line.Split(',');
            if (cells.Length != 3) throw new InvalidDataException($"Velocity history row {row} has {cells.Length} cells; expected 3.");
            double Cell(int i) => double.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture);
            history.Add(new VelocityHistoryEntry((int)Cell(0), Cell(1), Cell(2)));
        }
        return history;
    }
}

/// <summary>A phase-2 progress report, sent a few times a second and at the end.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="TotalIterations">The budget.</param>
/// <param name="Loss">The latest batch loss.</param>
/// <param name="Elapsed">Training time so far.</param>
/// <param name="Remaining">Estimated time to the end of the budget.</param>
public sealed record VelocityProgress(int Iteration, int TotalIterations, double Loss, TimeSpan Elapsed, TimeSpan Remaining)
    : IIterationProgress;
