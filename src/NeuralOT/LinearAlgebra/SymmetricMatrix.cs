using static TorchSharp.torch;

namespace NeuralOT.LinearAlgebra;

/// <summary>
/// Float64 helpers for symmetric (positive definite) matrices, shared by the Gaussian samplers and the
/// Gaussian closed forms so that validation and square roots are done one way only.
/// </summary>
internal static class SymmetricMatrix
{
    /// <summary>Relative tolerance (to the largest entry) under which a[i,j] and a[j,i] count as equal.</summary>
    public const double SymmetryTolerance = 1e-9;

    /// <summary>
    /// Relative tolerance (to the largest eigenvalue magnitude) under which a negative eigenvalue counts as a rounding
    /// error of a positive semi-definite matrix, e.g. an empirical covariance of degenerate data.
    /// </summary>
    public const double SemiDefiniteTolerance = 1e-10;

    /// <summary>Copies a managed matrix into a float64 CPU tensor.</summary>
    public static Tensor ToTensor(double[,] matrix) => tensor(matrix, ScalarType.Float64);

    /// <summary>Copies a managed vector into a float64 CPU tensor.</summary>
    public static Tensor ToTensor(double[] vector) => tensor(vector, ScalarType.Float64);

    /// <summary>Copies a 2-D tensor into a managed matrix (converted to float64 on the CPU).</summary>
    public static double[,] ToMatrix(Tensor matrix)
    {
        if (matrix.dim() != 2) throw new ArgumentException($"expected a 2-D tensor, got {matrix.dim()}-D", nameof(matrix));
        using var host = matrix.detach().to(ScalarType.Float64, CPU).contiguous();
        var flat = host.data<double>().ToArray();
        int rows = (int)host.shape[0], columns = (int)host.shape[1];
        var result = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    /// <summary>Copies a 1-D tensor into a managed vector (converted to float64 on the CPU).</summary>
    public static double[] ToVector(Tensor vector)
    {
        using var host = vector.detach().to(ScalarType.Float64, CPU).contiguous();
        return host.data<double>().ToArray();
    }

    /// <summary>(M + M^T) / 2: removes the rounding asymmetry that products of symmetric matrices pick up.</summary>
    public static Tensor Symmetrise(Tensor matrix) => matrix.add(matrix.mT).mul_(0.5);

    /// <summary>(M + M^T) / 2 of a managed matrix (assumed square).</summary>
    public static double[,] Symmetrise(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var result = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                result[i, j] = 0.5 * (matrix[i, j] + matrix[j, i]);
        return result;
    }

    /// <summary>
    /// Applies f to the eigenvalues of a symmetric matrix: V diag(f(lambda)) V^T, symmetrised.
    /// </summary>
    public static Tensor ApplyToEigenvalues(Tensor symmetric, Func<Tensor, Tensor> f)
    {
        using var scope = NewDisposeScope();
        var (eigenvalues, eigenvectors) = linalg.eigh(Symmetrise(symmetric));
        var result = Symmetrise(eigenvectors.mul(f(eigenvalues).unsqueeze(0)).matmul(eigenvectors.mT));
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// The symmetric positive semi-definite square root. Eigenvalues that rounding pushed slightly below zero are
    /// clamped to zero, so the result never contains NaN.
    /// </summary>
    public static Tensor Sqrt(Tensor symmetric) => ApplyToEigenvalues(symmetric, l => l.clamp_min(0).sqrt());

    /// <summary>The inverse of the symmetric square root of a symmetric positive definite matrix.</summary>
    public static Tensor InverseSqrt(Tensor symmetricPositiveDefinite) =>
        ApplyToEigenvalues(symmetricPositiveDefinite, l => l.rsqrt());

    /// <summary>
    /// A factor L with L L^T = S for drawing samples (x = m + L z). Cholesky when it succeeds and is finite; the
    /// symmetric square root otherwise (nearly singular S), which is defined for every positive semi-definite S.
    /// </summary>
    public static Tensor SamplingFactor(Tensor symmetricPositiveDefinite)
    {
        using var scope = NewDisposeScope();
        var (cholesky, info) = linalg.cholesky_ex(symmetricPositiveDefinite, check_errors: false);
        bool choleskyFailed = info.item<int>() != 0 || !cholesky.isfinite().all().item<bool>();
        var factor = choleskyFailed ? Sqrt(symmetricPositiveDefinite) : cholesky;
        return scope.MoveToOuter(factor);
    }

    /// <summary>The eigenvalues of a symmetric matrix in ascending order.</summary>
    public static double[] Eigenvalues(double[,] symmetric)
    {
        using var scope = NewDisposeScope();
        return ToVector(linalg.eigvalsh(ToTensor(symmetric)));
    }

    /// <summary>
    /// Checks that a covariance matrix is square, finite, symmetric and positive definite (or, if allowed, positive
    /// semi-definite), throwing an <see cref="ArgumentException"/> with a one-line message that names the problem and the fix.
    /// </summary>
    /// <param name="matrix">The matrix to check.</param>
    /// <param name="paramName">The parameter name reported in the exception.</param>
    /// <param name="label">How the message names the matrix, e.g. "covariance" or "covariance of component 2".</param>
    /// <param name="expectedDimension">The dimension d the matrix must have, with a hint naming where d comes from.</param>
    /// <param name="allowSingular">Accept positive semi-definite matrices (eigenvalues down to minus a rounding tolerance).</param>
    public static void ValidateCovariance(
        double[,]? matrix, string paramName, string label, (int Dimension, string Source)? expectedDimension = null, bool allowSingular = false)
    {
        if (matrix is null) throw new ArgumentNullException(paramName, $"{label} is null: pass a d x d matrix");
        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        if (rows != columns)
            throw new ArgumentException($"{label} is not square ({rows} x {columns}): pass a d x d matrix", paramName);
        if (expectedDimension is { } expected && rows != expected.Dimension)
            throw new ArgumentException(
                $"{label} is {rows} x {columns} but {expected.Source} has dimension {expected.Dimension}: pass a {expected.Dimension} x {expected.Dimension} matrix",
                paramName);
        if (rows == 0) throw new ArgumentException($"{label} is empty: pass a d x d matrix with d >= 1", paramName);

        double largest = 0;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                double value = matrix[i, j];
                if (!double.IsFinite(value))
                    throw new ArgumentException($"{label} has a non-finite entry [{i},{j}] = {value}: every entry must be a finite number", paramName);
                largest = Math.Max(largest, Math.Abs(value));
            }

        double tolerance = SymmetryTolerance * largest;
        for (int i = 0; i < rows; i++)
            for (int j = i + 1; j < columns; j++)
                if (Math.Abs(matrix[i, j] - matrix[j, i]) > tolerance)
                    throw new ArgumentException(
                        $"{label} is not symmetric: entry [{i},{j}] = {matrix[i, j]} but [{j},{i}] = {matrix[j, i]}; a covariance must equal its transpose",
                        paramName);

        var eigenvalues = Eigenvalues(Symmetrise(matrix));
        double smallest = eigenvalues[0];
        if (allowSingular)
        {
            double scale = Math.Max(Math.Abs(eigenvalues[0]), Math.Abs(eigenvalues[^1]));
            if (smallest < -SemiDefiniteTolerance * scale)
                throw new ArgumentException(
                    $"{label} is not positive semi-definite: its smallest eigenvalue is {smallest}; every eigenvalue must be >= 0",
                    paramName);
        }
        else if (!(smallest > 0))
            throw new ArgumentException(
                $"{label} is not positive definite: its smallest eigenvalue is {smallest}; every eigenvalue must be > 0 (add a small multiple of the identity for a degenerate distribution)",
                paramName);
    }
}
