using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// The empirical distribution of a fixed data set (one sample per row): sampling draws rows uniformly with
/// replacement. Use it for real data such as images or a CSV file of points.
/// </summary>
public sealed class EmpiricalDistribution : IDistribution
{
    // Kept as a tensor (not re-created per draw) because data sets can be large; detached from any dispose scope
    // the caller may be in, so it lives as long as this object.
    private readonly Tensor _data;

    /// <summary>Creates the empirical distribution of the rows of <paramref name="samples"/>.</summary>
    /// <param name="samples">The data, n x d with n, d >= 1 and finite entries (copied).</param>
    /// <param name="description">A one-line description for logs and notebooks, e.g. the data's source.</param>
    /// <exception cref="ArgumentException">The data is empty or has a non-finite entry (the message names its row and column).</exception>
    public EmpiricalDistribution(double[,] samples, string description)
    {
        ArgumentNullException.ThrowIfNull(samples);
        int rows = samples.GetLength(0), columns = samples.GetLength(1);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"samples is empty ({rows} x {columns}): pass at least one row and one column", nameof(samples));
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                if (!double.IsFinite(samples[i, j]))
                    throw new ArgumentException(
                        $"samples has a non-finite entry at row {i}, column {j} ({samples[i, j]}): remove or impute it", nameof(samples));
        if (string.IsNullOrWhiteSpace(description))
            throw new ArgumentException("description is empty: say what the data is (e.g. its file name)", nameof(description));

        _data = tensor(samples, ScalarType.Float64).DetachFromDisposeScope();
        Description = description;
    }

    // Rows already checked (a subset of another instance's rows): no second validation pass.
    private EmpiricalDistribution(Tensor rows, string description)
    {
        _data = rows.DetachFromDisposeScope();
        Description = description;
    }

    /// <summary>
    /// Splits the rows into two disjoint parts: <paramref name="heldOutFraction"/> of them (rounded, at least one) chosen
    /// at random by <paramref name="generator"/> are held out, the rest train. Both parts keep the rows' original order.
    /// The same generator state gives the same split.
    /// </summary>
    /// <param name="heldOutFraction">The share of rows to hold out, in (0, 0.5].</param>
    /// <param name="generator">The random stream that picks the held-out rows.</param>
    /// <returns>The training rows and the held-out rows, each as an empirical distribution.</returns>
    /// <exception cref="ArgumentException">The fraction is outside (0, 0.5], or the data has fewer than two rows per part.</exception>
    public (EmpiricalDistribution Training, EmpiricalDistribution HeldOut) Split(double heldOutFraction, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(heldOutFraction > 0 && heldOutFraction <= 0.5))
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), heldOutFraction,
                $"The held-out fraction must lie in (0, 0.5] (got {heldOutFraction}); 0.1 holds out a tenth of the rows.");
        var heldOutCount = HeldOutCount(Count, heldOutFraction);
        if (heldOutCount < 2 || Count - heldOutCount < 2)
            throw new ArgumentException(
                $"{Description} has {Count} rows: holding out {heldOutFraction:G3} of them leaves {heldOutCount} held out and {Count - heldOutCount} for training; each part needs at least 2 rows (use more data or turn the held-out split off).",
                nameof(heldOutFraction));
        using var scope = NewDisposeScope();
        var order = randperm(Count, generator: generator);
        var heldOutRows = order.narrow(0, 0, heldOutCount).sort().Values;
        var trainingRows = order.narrow(0, heldOutCount, Count - heldOutCount).sort().Values;
        return (new EmpiricalDistribution(_data.index_select(0, trainingRows), $"{Description}, training rows"),
                new EmpiricalDistribution(_data.index_select(0, heldOutRows), $"{Description}, held-out rows"));
    }

    /// <summary>How many of <paramref name="rows"/> rows <see cref="Split"/> holds out: the fraction rounded to the
    /// nearest row, at least one.</summary>
    public static int HeldOutCount(int rows, double heldOutFraction) =>
        Math.Max(1, (int)Math.Round(rows * heldOutFraction, MidpointRounding.AwayFromZero));

    /// <summary>All rows, as a float64 CPU tensor (n x d) the caller owns.</summary>
    public Tensor Rows() => _data.clone();

    /// <summary>Number of data rows n.</summary>
    public int Count => (int)_data.shape[0];

    /// <inheritdoc />
    public int Dimension => (int)_data.shape[1];

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var rows = randint(Count, new long[] { count }, ScalarType.Int64, generator: generator);
        return scope.MoveToOuter(_data.index_select(0, rows));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Description} ({Count} samples in {Dimension} dimensions)";
}
