using TorchSharp;
using NeuralOT.Distributions;
using NeuralOT.LinearAlgebra;
using static TorchSharp.torch;

namespace NeuralOT.Reference;

/// <summary>
/// Closed-form optimal transport for the quadratic cost between two Gaussians N(m0, S0) and N(m1, S1) in any dimension:
/// the map T*(x) = m1 + A (x - m0) with A = S0^-1/2 (S0^1/2 S1 S0^1/2)^1/2 S0^-1/2, the distance
/// W2^2 = |m0 - m1|^2 + tr(S0 + S1 - 2 (S0^1/2 S1 S0^1/2)^1/2), the geodesic marginals N(m_t, S_t) and the velocity
/// field v*(x, t) that moves mass along it. The ground truth the neural solvers are measured against.
/// </summary>
public sealed class GaussianTransport : IClosedFormTransport
{
    private readonly double[] _sourceMean;
    private readonly double[] _targetMean;
    private readonly double[,] _sourceCovariance;
    private readonly double[,] _mapMatrix;
    // A = V diag(a) V^T: (A - I) and ((1-t) I + t A)^-1 share these eigenvectors, so the velocity is a diagonal scaling.
    private readonly double[] _mapEigenvalues;
    private readonly double[,] _mapEigenvectors;

    /// <summary>Computes the closed forms for transporting <paramref name="source"/> onto <paramref name="target"/>.</summary>
    /// <param name="source">The source N(m0, S0).</param>
    /// <param name="target">The target N(m1, S1), of the same dimension.</param>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public GaussianTransport(GaussianDistribution source, GaussianDistribution target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (source.Dimension != target.Dimension)
            throw new ArgumentException(
                $"target has dimension {target.Dimension} but source has dimension {source.Dimension}: pass two Gaussians of the same dimension",
                nameof(target));

        Source = source;
        Target = target;
        _sourceMean = source.Mean;
        _targetMean = target.Mean;
        _sourceCovariance = source.Covariance;

        using var scope = NewDisposeScope();
        var sourceCovariance = SymmetricMatrix.ToTensor(_sourceCovariance);
        var targetCovariance = SymmetricMatrix.ToTensor(target.Covariance);
        var sourceRoot = SymmetricMatrix.Sqrt(sourceCovariance);
        var middleRoot = MiddleRoot(sourceRoot, targetCovariance);
        var sourceInverseRoot = SymmetricMatrix.InverseSqrt(sourceCovariance);
        var map = SymmetricMatrix.Symmetrise(sourceInverseRoot.matmul(middleRoot).matmul(sourceInverseRoot));
        _mapMatrix = SymmetricMatrix.ToMatrix(map);
        var (eigenvalues, eigenvectors) = linalg.eigh(map);
        _mapEigenvalues = SymmetricMatrix.ToVector(eigenvalues);
        _mapEigenvectors = SymmetricMatrix.ToMatrix(eigenvectors);
        W2Squared = SquaredDistance(_sourceMean, sourceCovariance, _targetMean, targetCovariance, middleRoot);
    }

    /// <summary>The source N(m0, S0).</summary>
    public GaussianDistribution Source { get; }

    /// <summary>The target N(m1, S1).</summary>
    public GaussianDistribution Target { get; }

    IDistribution IClosedFormTransport.Source => Source;

    IDistribution IClosedFormTransport.Target => Target;

    /// <summary>The dimension d.</summary>
    public int Dimension => _sourceMean.Length;

    /// <summary>The symmetric positive definite matrix A of the optimal map T*(x) = m1 + A (x - m0) (a copy).</summary>
    public double[,] MapMatrix => (double[,])_mapMatrix.Clone();

    /// <summary>The 2-Wasserstein distance W2 itself (not squared, not halved).</summary>
    public double W2 => Math.Sqrt(W2Squared);

    /// <summary>The squared distance W2^2; the optimal mean cost under L(v) = |v|^2 / 2 is half of it.</summary>
    public double W2Squared { get; }

    /// <summary>The optimal map T*(x) = m1 + A (x - m0), applied row-wise.</summary>
    /// <param name="x">Points, n x d, any floating dtype and device.</param>
    /// <returns>T*(x), n x d, with the dtype and device of <paramref name="x"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not an n x d floating-point tensor.</exception>
    public Tensor Map(Tensor x)
    {
        CheckPoints(x, nameof(x));
        using var scope = NewDisposeScope();
        var mapped = x.sub(Like(_sourceMean, x)).matmul(Like(_mapMatrix, x)).add_(Like(_targetMean, x));
        return scope.MoveToOuter(mapped);
    }

    /// <summary>The geodesic interpolation T*_t(x) = (1 - t) x + t T*(x): where the particle starting at x is at time t.</summary>
    /// <param name="x">Starting points (source samples), n x d, any floating dtype and device.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not an n x d floating-point tensor.</exception>
    public Tensor Interpolate(Tensor x, double t)
    {
        CheckTime(t, nameof(t));
        CheckPoints(x, nameof(x));
        using var scope = NewDisposeScope();
        var interpolated = x.mul(1 - t).add_(Map(x), alpha: t);
        return scope.MoveToOuter(interpolated);
    }

    /// <summary>
    /// The geodesic marginal mu_t = N(m_t, S_t), with m_t = (1-t) m0 + t m1 and S_t = B_t S0 B_t, B_t = (1-t) I + t A.
    /// </summary>
    /// <param name="t">The time, in [0, 1]; 0 gives the source and 1 the target (up to rounding).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is outside [0, 1].</exception>
    public GaussianDistribution Marginal(double t)
    {
        CheckTime(t, nameof(t));
        var mean = new double[Dimension];
        for (int i = 0; i < Dimension; i++) mean[i] = (1 - t) * _sourceMean[i] + t * _targetMean[i];

        using var scope = NewDisposeScope();
        var blend = eye(Dimension, dtype: ScalarType.Float64).mul_(1 - t).add_(SymmetricMatrix.ToTensor(_mapMatrix), alpha: t);
        var covariance = SymmetricMatrix.Symmetrise(blend.matmul(SymmetricMatrix.ToTensor(_sourceCovariance)).matmul(blend));
        return new GaussianDistribution(mean, SymmetricMatrix.ToMatrix(covariance));
    }

    /// <summary>
    /// The velocity field of the geodesic, v*(x, t) = (m1 - m0) + (A - I) ((1-t) I + t A)^-1 (x - m_t), applied row-wise.
    /// A particle at T*_t(x) moves with velocity T*(x) - x.
    /// </summary>
    /// <param name="x">Points, n x d, any floating dtype and device.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="t"/> is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not an n x d floating-point tensor.</exception>
    public Tensor Velocity(Tensor x, double t)
    {
        CheckTime(t, nameof(t));
        CheckPoints(x, nameof(x));
        using var scope = NewDisposeScope();
        var times = full(new long[] { x.shape[0], 1 }, t, dtype: x.dtype, device: x.device);
        return scope.MoveToOuter(VelocityAt(x, times));
    }

    /// <summary>The velocity field v*(x, t) with one time per row.</summary>
    /// <param name="x">Points, n x d, any floating dtype and device.</param>
    /// <param name="t">Times in [0, 1], of shape n or n x 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A time is outside [0, 1].</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> or <paramref name="t"/> has the wrong shape.</exception>
    public Tensor Velocity(Tensor x, Tensor t)
    {
        CheckPoints(x, nameof(x));
        ArgumentNullException.ThrowIfNull(t);
        long rows = x.shape[0];
        bool shapeOk = (t.dim() == 1 && t.shape[0] == rows) || (t.dim() == 2 && t.shape[0] == rows && t.shape[1] == 1);
        if (!shapeOk)
            throw new ArgumentException($"t has shape [{string.Join(", ", t.shape)}] but x has {rows} rows: pass t of shape [{rows}] or [{rows}, 1]", nameof(t));
        using var scope = NewDisposeScope();
        var times = t.detach().reshape(rows, 1).to(x.dtype, x.device);
        if (rows > 0)
        {
            double earliest = times.min().ToDouble(), latest = times.max().ToDouble();
            if (!(earliest >= 0 && latest <= 1))
                throw new ArgumentOutOfRangeException(nameof(t), $"t must lie in [0, 1], got values in [{earliest}, {latest}]");
        }
        return scope.MoveToOuter(VelocityAt(x, times));
    }

    /// <summary>
    /// The 2-Wasserstein distance W2 (not squared) between N(mean0, cov0) and N(mean1, cov1). Singular (positive
    /// semi-definite) covariances are allowed, so empirical moments of degenerate samples can be compared too.
    /// </summary>
    /// <param name="mean0">The first mean, length d.</param>
    /// <param name="cov0">The first covariance, d x d symmetric positive semi-definite.</param>
    /// <param name="mean1">The second mean, length d.</param>
    /// <param name="cov1">The second covariance, d x d symmetric positive semi-definite.</param>
    /// <exception cref="ArgumentException">An input is invalid or the dimensions differ.</exception>
    public static double BuresWasserstein(double[] mean0, double[,] cov0, double[] mean1, double[,] cov1)
    {
        GaussianDistribution.Validate(mean0, cov0, GaussianDistribution.InputNames.Parameters(nameof(mean0), nameof(cov0)), allowSingular: true);
        GaussianDistribution.Validate(mean1, cov1, GaussianDistribution.InputNames.Parameters(nameof(mean1), nameof(cov1)), allowSingular: true);
        if (mean0.Length != mean1.Length)
            throw new ArgumentException(
                $"mean1 has length {mean1.Length} but mean0 has length {mean0.Length}: pass two Gaussians of the same dimension", nameof(mean1));
        using var scope = NewDisposeScope();
        var covariance0 = SymmetricMatrix.ToTensor(SymmetricMatrix.Symmetrise(cov0));
        var covariance1 = SymmetricMatrix.ToTensor(SymmetricMatrix.Symmetrise(cov1));
        var middleRoot = MiddleRoot(SymmetricMatrix.Sqrt(covariance0), covariance1);
        return Math.Sqrt(SquaredDistance(mean0, covariance0, mean1, covariance1, middleRoot));
    }

    /// <inheritdoc />
    public override string ToString() => $"Gaussian transport in {Dimension} dimensions, W2 = {W2:G6}";

    /// <summary>(S0^1/2 S1 S0^1/2)^1/2, the matrix shared by the map and the distance.</summary>
    private static Tensor MiddleRoot(Tensor sourceRoot, Tensor targetCovariance) =>
        SymmetricMatrix.Sqrt(sourceRoot.matmul(targetCovariance).matmul(sourceRoot));

    private static double SquaredDistance(double[] mean0, Tensor covariance0, double[] mean1, Tensor covariance1, Tensor middleRoot)
    {
        double meanPart = 0;
        for (int i = 0; i < mean0.Length; i++) meanPart += (mean0[i] - mean1[i]) * (mean0[i] - mean1[i]);
        double covariancePart = covariance0.trace().item<double>() + covariance1.trace().item<double>() - 2 * middleRoot.trace().item<double>();
        // Rounding can make the Bures part a tiny negative number when the covariances coincide.
        return meanPart + Math.Max(0, covariancePart);
    }

    private Tensor VelocityAt(Tensor x, Tensor times)
    {
        var displacement = Like(_targetMean, x).sub(Like(_sourceMean, x));
        var meanAtTime = Like(_sourceMean, x).add(times.mul(displacement));
        var eigenvectors = Like(_mapEigenvectors, x);
        var eigenvaluesMinusOne = Like(_mapEigenvalues, x).sub(1);
        // Eigenvalues of (A - I) ((1-t) I + t A)^-1 are (a - 1) / (1 + t (a - 1)); the denominator is >= min(1, a) > 0.
        var scale = eigenvaluesMinusOne.div(times.mul(eigenvaluesMinusOne).add(1));
        var rotated = x.sub(meanAtTime).matmul(eigenvectors);
        return rotated.mul(scale).matmul(eigenvectors.mT).add(displacement);
    }

    private static Tensor Like(double[,] matrix, Tensor reference) => SymmetricMatrix.ToTensor(matrix).to(reference.dtype, reference.device);

    private static Tensor Like(double[] vector, Tensor reference) => SymmetricMatrix.ToTensor(vector).to(reference.dtype, reference.device);

    private void CheckPoints(Tensor x, string paramName)
    {
        ArgumentNullException.ThrowIfNull(x, paramName);
        if (x.dim() != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"{paramName} has shape [{string.Join(", ", x.shape)}]: pass an n x {Dimension} tensor", paramName);
        if (!x.is_floating_point())
            throw new ArgumentException($"{paramName} has dtype {x.dtype}: pass a floating-point tensor (float32 or float64)", paramName);
    }

    private static void CheckTime(double t, string paramName)
    {
        if (!(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(paramName, t, $"{paramName} must lie in [0, 1], got {t}");
    }
}
