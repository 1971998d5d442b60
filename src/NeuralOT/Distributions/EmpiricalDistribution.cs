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
