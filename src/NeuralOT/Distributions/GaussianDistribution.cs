using System.Globalization;
using NeuralOT.LinearAlgebra;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// The multivariate normal distribution N(m, S) on R^d. Samples are m + L z with z standard normal and L a factor of S
/// (Cholesky, or the symmetric square root when S is nearly singular), so every valid covariance samples without NaN.
/// </summary>
public sealed class GaussianDistribution : IDistribution
{
    private readonly double[] _mean;
    private readonly double[,] _covariance;
    private readonly double[,] _samplingFactor;

    /// <summary>Creates N(mean, covariance).</summary>
    /// <param name="mean">The mean vector m, length d, finite entries.</param>
    /// <param name="covariance">
    /// The covariance S, d x d, finite, symmetric (to a relative 1e-9; the stored copy is exactly symmetrised) and
    /// positive definite.
    /// </param>
    /// <exception cref="ArgumentException">The mean or the covariance is invalid; the message says which and why.</exception>
    public GaussianDistribution(double[] mean, double[,] covariance)
        : this(mean, covariance, nameof(mean), nameof(covariance), "")
    {
    }

    /// <summary>Validates with parameter names and a label suffix chosen by the caller (e.g. " of component 2" in a mixture).</summary>
    internal GaussianDistribution(double[] mean, double[,] covariance, string meanParamName, string covarianceParamName, string labelSuffix)
    {
        Validate(mean, covariance, meanParamName, covarianceParamName, labelSuffix);
        _mean = (double[])mean.Clone();
        _covariance = SymmetricMatrix.Symmetrise(covariance);
        using var scope = NewDisposeScope();
        _samplingFactor = SymmetricMatrix.ToMatrix(SymmetricMatrix.SamplingFactor(SymmetricMatrix.ToTensor(_covariance)));
    }

    /// <summary>The standard normal N(0, I) in <paramref name="dimension"/> dimensions.</summary>
    /// <param name="dimension">The dimension d; must be positive.</param>
    public static GaussianDistribution StandardNormal(int dimension)
    {
        ParameterChecks.Positive(dimension, nameof(dimension));
        var identity = new double[dimension, dimension];
        for (int i = 0; i < dimension; i++) identity[i, i] = 1.0;
        return new GaussianDistribution(new double[dimension], identity);
    }

    /// <inheritdoc />
    public int Dimension => _mean.Length;

    /// <summary>The mean vector m (a copy).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>The covariance matrix S (a copy; exactly symmetric).</summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <inheritdoc />
    public string Description => Dimension <= 3
        ? $"Gaussian N(m = [{FormatVector(_mean)}], S = [{FormatMatrix(_covariance)}])"
        : $"Gaussian N(m, S) in {Dimension} dimensions";

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var standard = randn(new long[] { count, Dimension }, ScalarType.Float64, generator: generator);
        var samples = standard.matmul(SymmetricMatrix.ToTensor(_samplingFactor).mT).add_(SymmetricMatrix.ToTensor(_mean));
        return scope.MoveToOuter(samples);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>
    /// Checks a (mean, covariance) pair and throws an <see cref="ArgumentException"/> naming the parameter and the fix.
    /// </summary>
    internal static void Validate(double[]? mean, double[,]? covariance, string meanParamName, string covarianceParamName, string labelSuffix)
    {
        if (mean is null) throw new ArgumentNullException(meanParamName, $"mean{labelSuffix} is null: pass a vector of length d");
        if (mean.Length == 0) throw new ArgumentException($"mean{labelSuffix} is empty: pass a vector of length d >= 1", meanParamName);
        for (int i = 0; i < mean.Length; i++)
            if (!double.IsFinite(mean[i]))
                throw new ArgumentException($"mean{labelSuffix} has a non-finite entry [{i}] = {mean[i]}: every entry must be a finite number", meanParamName);
        if (covariance is null) throw new ArgumentNullException(covarianceParamName, $"covariance{labelSuffix} is null: pass a d x d matrix");
        SymmetricMatrix.ValidateCovariance(covariance, covarianceParamName, $"covariance{labelSuffix}", (mean.Length, $"mean{labelSuffix}"));
    }

    private static string FormatVector(double[] vector) =>
        string.Join(", ", vector.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));

    private static string FormatMatrix(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        return string.Join("; ", Enumerable.Range(0, d).Select(i =>
            string.Join(", ", Enumerable.Range(0, d).Select(j => matrix[i, j].ToString("G4", CultureInfo.InvariantCulture)))));
    }
}
