using System.Numerics;
using System.Runtime.CompilerServices;
using NeuralOT.Costs;

namespace NeuralOT.Reference;

/// <summary>Dense cost matrices C[i, j] = L(y_j - x_i) between a source and a target point set.</summary>
public static class CostMatrix
{
    /// <summary>Refuses an n x m matrix that cannot be allocated, before anything is, with the bytes it would need.</summary>
    /// <exception cref="ArgumentException">More entries than one array holds, or more than half the memory.</exception>
    public static void CheckSize(int n, int m) =>
        IO.MachineLimits.CheckArray((double)n * m, sizeof(double),
            FormattableString.Invariant($"The dense cost matrix of {n} source x {m} target samples (8 n m bytes)"), "source",
            "use fewer samples (a random subset of each file), or Sinkhorn on subsets.");

    /// <summary>
    /// Builds the n x m cost matrix in row-major order (entry (i, j) at index i * m + j), where n is the number of
    /// source samples and m the number of target samples. Needs 8 n m bytes.
    /// </summary>
    /// <param name="source">Source samples x_i, n x d.</param>
    /// <param name="target">Target samples y_j, m x d.</param>
    /// <param name="cost">The cost L; the quadratic and power costs take a fast path, any other cost is called per pair.</param>
    /// <exception cref="ArgumentException">The point sets differ in dimension, or the matrix does not fit in memory
    /// (the message gives the 8 n m bytes it needs).</exception>
    // The hot loops are marked AggressiveOptimization: compiled fully optimised on first call, so a one-shot solve
    // (the CLI's distance command) does not run them in tier-0 or on-stack-replacement code (measured 25% slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Build(double[,] source, double[,] target, ICost cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        PointSets.ValidateSameDimension(source, target);
        int n = source.GetLength(0), m = target.GetLength(0), d = source.GetLength(1);
        CheckSize(n, m);
        var matrix = new double[(long)n * m];
        switch (cost)
        {
            case QuadraticCost:
                FillSquaredDistances(source, target, matrix);
                for (int index = 0; index < matrix.Length; index++) matrix[index] *= 0.5;
                break;
            case PowerCost power:
                FillSquaredDistances(source, target, matrix);
                RaiseToPower(matrix, power.P);
                break;
            default:
                Span<double> displacement = d <= 256 ? stackalloc double[d] : new double[d];
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < m; j++)
                    {
                        for (int k = 0; k < d; k++) displacement[k] = target[j, k] - source[i, k];
                        matrix[i * m + j] = cost.Lagrangian(displacement);
                    }
                break;
        }
        return matrix;
    }

    /// <summary>
    /// The n x m matrix of |y_j - x_i|^p / p for any p &gt;= 1 (row-major, as <see cref="Build(double[,], double[,], ICost)"/>):
    /// the costs of discrete OT that need no Hamiltonian, so p = 1 (the earth mover's distance) is allowed here
    /// while <see cref="PowerCost"/> needs p &gt; 1. Equals <see cref="Build(double[,], double[,], ICost)"/> with the
    /// quadratic cost at p = 2 and with <see cref="PowerCost"/> above.
    /// </summary>
    /// <param name="source">Source samples x_i, n x d.</param>
    /// <param name="target">Target samples y_j, m x d.</param>
    /// <param name="p">The exponent, finite and at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">p below 1 or not finite.</exception>
    /// <exception cref="ArgumentException">The point sets differ in dimension, or the matrix does not fit in memory.</exception>
    public static double[] Build(double[,] source, double[,] target, double p)
    {
        if (!(p >= 1) || double.IsInfinity(p))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"The exponent p of |v|^p / p must be at least 1 (got {p}); p = 1 is the earth mover's distance, 2 the quadratic cost.");
        if (p == 2) return Build(source, target, QuadraticCost.Instance);
        PointSets.ValidateSameDimension(source, target);
        int n = source.GetLength(0), m = target.GetLength(0);
        CheckSize(n, m);
        var matrix = new double[(long)n * m];
        FillSquaredDistances(source, target, matrix);
        RaiseToPower(matrix, p);
        return matrix;
    }

    /// <summary>Turns squared distances s into s^(p/2) / p in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RaiseToPower(double[] matrix, double p)
    {
        double halfP = p / 2, inverseP = 1 / p;
        for (int index = 0; index < matrix.Length; index++)
            matrix[index] = Math.Pow(matrix[index], halfP) * inverseP;
    }

    /// <summary>Fills |y_j - x_i|^2, summing coordinate by coordinate (no |x|^2 + |y|^2 - 2 x.y cancellation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillSquaredDistances(double[,] source, double[,] target, double[] matrix)
    {
        int n = source.GetLength(0), m = target.GetLength(0), d = source.GetLength(1);
        // Target coordinates stored coordinate-major, so the inner loop over j runs on contiguous memory.
        var targetByCoordinate = new double[d * m];
        for (int j = 0; j < m; j++)
            for (int k = 0; k < d; k++)
                targetByCoordinate[k * m + j] = target[j, k];

        int width = Vector<double>.Count;
        for (int i = 0; i < n; i++)
        {
            var row = matrix.AsSpan(i * m, m);
            for (int k = 0; k < d; k++)
            {
                double xk = source[i, k];
                var xVector = new Vector<double>(xk);
                var coordinate = targetByCoordinate.AsSpan(k * m, m);
                int j = 0;
                for (; j <= m - width; j += width)
                {
                    var difference = new Vector<double>(coordinate.Slice(j)) - xVector;
                    var sum = k == 0 ? difference * difference : new Vector<double>(row.Slice(j)) + difference * difference;
                    sum.CopyTo(row.Slice(j));
                }
                for (; j < m; j++)
                {
                    double difference = coordinate[j] - xk;
                    row[j] = k == 0 ? difference * difference : row[j] + difference * difference;
                }
            }
        }
    }
}
