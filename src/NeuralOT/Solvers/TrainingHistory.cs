namespace NeuralOT.Solvers;

/// <summary>One recorded iteration of phase-1 training.</summary>
/// <param name="Iteration">1-based outer iteration.</param>
/// <param name="CriticObjective">The saddle objective S as estimated in the critic's last step (the critic maximises it).</param>
/// <param name="MapObjective">S as estimated in the map's last step (the map minimises it).</param>
/// <param name="WHat">The distance monitor E_{x~mu0} L(F(x)) on the map's batch: the mean transport cost.</param>
/// <param name="Seconds">Training time elapsed since the start.</param>
/// <param name="WHatReverse">Bidirectional training: the reverse map's mean cost E_{y~mu1} L(G(y)); null otherwise.</param>
/// <param name="CycleError">Bidirectional training: the cycle penalty E|G(x + F(x)) + F(x)|^2 + E|F(y + G(y)) + G(y)|^2; null otherwise.</param>
public sealed record HistoryEntry(
    int Iteration, double CriticObjective, double MapObjective, double WHat, double Seconds,
    double? WHatReverse = null, double? CycleError = null);

/// <summary>The recorded iterations of a training run, oldest first.</summary>
public sealed class TrainingHistory
{
    private readonly List<HistoryEntry> entries = [];

    /// <summary>The recorded iterations.</summary>
    public IReadOnlyList<HistoryEntry> Entries => entries;

    /// <summary>Column names of <see cref="ToCsv"/>; bidirectional runs add <see cref="BidirectionalColumns"/>.</summary>
    public const string CsvHeader = "iteration,critic_objective,map_objective,w_hat,seconds";

    /// <summary>The extra columns of a bidirectional run.</summary>
    public const string BidirectionalColumns = "w_hat_reverse,cycle_error";

    internal void Add(HistoryEntry entry) => entries.Add(entry);

    /// <summary>The history as CSV with the header <see cref="CsvHeader"/> (invariant culture, round-trip precision).</summary>
    public string ToCsv()
    {
        var bidirectional = entries.Any(e => e.WHatReverse is not null);
        var text = new System.Text.StringBuilder(CsvHeader);
        if (bidirectional) text.Append(',').Append(BidirectionalColumns);
        text.Append('\n');
        foreach (var e in entries)
        {
            text.Append(FormattableString.Invariant($"{e.Iteration},{e.CriticObjective:R},{e.MapObjective:R},{e.WHat:R},{e.Seconds:R}"));
            if (bidirectional) text.Append(FormattableString.Invariant($",{e.WHatReverse ?? double.NaN:R},{e.CycleError ?? double.NaN:R}"));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Reads what <see cref="ToCsv"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The text is not a history written by <see cref="ToCsv"/>.</exception>
    public static TrainingHistory FromCsv(string csv)
    {
        var lines = csv.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || !lines[0].StartsWith(CsvHeader, StringComparison.Ordinal))
            throw new InvalidDataException($"A training history must start with the header \"{CsvHeader}\".");
        var bidirectional = lines[0] == CsvHeader + "," + BidirectionalColumns;
        var history = new TrainingHistory();
        foreach (var (line, row) in lines.Skip(1).Select((l, i) => (l, i + 2)))
        {
            var cells = line.Split(',');
            if (cells.Length != (bidirectional ? 7 : 5))
                throw new InvalidDataException($"Training history row {row} has {cells.Length} cells; expected {(bidirectional ? 7 : 5)}.");
            double Cell(int i) => double.Parse(cells[i], System.Globalization.CultureInfo.InvariantCulture);
            history.Add(new HistoryEntry((int)Cell(0), Cell(1), Cell(2), Cell(3), Cell(4),
                bidirectional ? Cell(5) : null, bidirectional ? Cell(6) : null));
        }
        return history;
    }
}
