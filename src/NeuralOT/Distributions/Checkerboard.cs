using System.Globalization;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// The checkerboard toy in 2-D: the square [-h, h]^2 cut into n x n cells, uniform on the cells whose column and row
/// indices (counted from the lower-left corner) have an even sum, so the lower-left cell is filled. The defaults
/// (4 x 4 cells on [-4, 4]^2) are the board common in the normalising-flow literature.
/// </summary>
public sealed class Checkerboard : IDistribution
{
    private readonly double[] _filledColumns;
    private readonly double[] _filledRows;

    /// <summary>Creates the checkerboard sampler.</summary>
    /// <param name="cellsPerSide">Number of cells along each side; positive. Default 4.</param>
    /// <param name="halfWidth">Half the side length h of the board; finite and positive. Default 4.</param>
    public Checkerboard(int cellsPerSide = 4, double halfWidth = 4.0)
    {
        ParameterChecks.Positive(cellsPerSide, nameof(cellsPerSide));
        ParameterChecks.Positive(halfWidth, nameof(halfWidth));
        CellsPerSide = cellsPerSide;
        HalfWidth = halfWidth;
        var filled = (from column in Enumerable.Range(0, cellsPerSide)
                      from row in Enumerable.Range(0, cellsPerSide)
                      where IsFilled(column, row)
                      select (column, row)).ToArray();
        _filledColumns = filled.Select(cell => (double)cell.column).ToArray();
        _filledRows = filled.Select(cell => (double)cell.row).ToArray();
    }

    /// <summary>Number of cells along each side.</summary>
    public int CellsPerSide { get; }

    /// <summary>Half the side length of the board, which covers [-HalfWidth, HalfWidth]^2.</summary>
    public double HalfWidth { get; }

    /// <summary>The side length of one cell.</summary>
    public double CellSize => 2 * HalfWidth / CellsPerSide;

    /// <summary>Whether the cell with the given column and row (0-based, from the lower-left corner) carries mass.</summary>
    public static bool IsFilled(int column, int row) => (column + row) % 2 == 0;

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"checkerboard, {CellsPerSide} x {CellsPerSide} cells on [-{HalfWidth:G4}, {HalfWidth:G4}]^2");

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var cell = ToySampling.Choice(count, _filledColumns.Length, generator).to(ScalarType.Int64);
        var column = tensor(_filledColumns, ScalarType.Float64).index(cell);
        var row = tensor(_filledRows, ScalarType.Float64).index(cell);
        var x = column.add(ToySampling.Uniform(count, generator)).mul_(CellSize).sub_(HalfWidth);
        var y = row.add(ToySampling.Uniform(count, generator)).mul_(CellSize).sub_(HalfWidth);
        return scope.MoveToOuter(ToySampling.Points(x, y));
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
