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
        : this(mean, covariance, InputNames.Constructor)
    {
    }

    /// <summary>Validates under names chosen by the caller (e.g. "covariance of component 2" in a mixture).</summary>
    internal GaussianDistribution(double[] mean, double[,] covariance, InputNames names)
    {
        Validate(mean, covariance, names);
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

    private Tensor? _factorTransposed;
    private Tensor? _meanTensor;

    /// <inheritdoc />
    public int Dimension => _mean.Length;

    /// <summary>The mean vector m (a copy).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>The covariance matrix S (a copy; exactly symmetric).</summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <inheritdoc />
    public string Description => Dimension <= 3
        ? $"Gaussian with mean ({FormatVector(_mean)}) and covariance {FormatMatrix(_covariance)}"
        : $"Gaussian in {Dimension} dimensions";

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        // The factor and the mean as tensors, made once: converting the arrays on every draw cost more than the draw
        // itself in 64-D.
        _factorTransposed ??= SymmetricMatrix.ToTensor(_samplingFactor).mT.contiguous().DetachFromDisposeScope();
        _meanTensor ??= SymmetricMatrix.ToTensor(_mean).DetachFromDisposeScope();
        var standard = randn(new long[] { count, Dimension }, ScalarType.Float64, generator: generator);
        var samples = standard.matmul(_factorTransposed).add_(_meanTensor);
        return scope.MoveToOuter(samples);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    /// <summary>How validation messages name a mean and a covariance: the parameter names and the labels in the text.</summary>
    internal readonly record struct InputNames(string MeanParamName, string CovarianceParamName, string MeanLabel, string CovarianceLabel)
    {
        public static InputNames Constructor => new("mean", "covariance", "mean", "covariance");

        public static InputNames Parameters(string meanParamName, string covarianceParamName) =>
            new(meanParamName, covarianceParamName, meanParamName, covarianceParamName);

        public static InputNames MixtureComponent(int index) =>
            new("means", "covariances", $"mean of component {index}", $"covariance of component {index}");
    }

    /// <summary>
    /// Checks a (mean, covariance) pair and throws an <see cref="ArgumentException"/> naming the parameter and the fix.
    /// </summary>
    internal static void Validate(double[]? mean, double[,]? covariance, InputNames names, bool allowSingular = false)
    {
        if (mean is null) throw new ArgumentNullException(names.MeanParamName, $"{names.MeanLabel} is null: pass a vector of length d");
        if (mean.Length == 0) throw new ArgumentException($"{names.MeanLabel} is empty: pass a vector of length d >= 1", names.MeanParamName);
        for (int i = 0; i < mean.Length; i++)
            if (!double.IsFinite(mean[i]))
                throw new ArgumentException(
                    $"{names.MeanLabel} has a non-finite entry [{i}] = {mean[i]}: every entry must be a finite number", names.MeanParamName);
        SymmetricMatrix.ValidateCovariance(
            covariance, names.CovarianceParamName, names.CovarianceLabel, (mean.Length, names.MeanLabel), allowSingular);
    }

    private static string FormatVector(double[] vector) =>
        string.Join(", ", vector.Select(v => v.ToString("G4", CultureInfo.InvariantCulture)));

    /// <summary>"I" or "0.5 I" for a multiple of the identity, else the rows as in NumPy: [[1, 0.5], [0.5, 2]].</summary>
    private static string FormatMatrix(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var scale = matrix[0, 0];
        var isScaledIdentity = Enumerable.Range(0, d).All(i => Enumerable.Range(0, d).All(j => matrix[i, j] == (i == j ? scale : 0)));
        if (isScaledIdentity) return scale == 1 ? "I" : $"{scale.ToString("G4", CultureInfo.InvariantCulture)} I";
        return "[" + string.Join(", ", Enumerable.Range(0, d).Select(i =>
            "[" + string.Join(", ", Enumerable.Range(0, d).Select(j => matrix[i, j].ToString("G4", CultureInfo.InvariantCulture))) + "]")) + "]";
    }
}
