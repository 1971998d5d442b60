using System.Globalization;
using NeuralOT.LinearAlgebra;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// A finite mixture sum_k w_k N(m_k, S_k). Each sample picks its component by a multinomial draw on the weights, then
/// draws from that component's Gaussian. The mixture's exact mean and covariance are available, so samplers and
/// solvers can be checked against them.
/// </summary>
public sealed class GaussianMixture : IDistribution
{
    /// <summary>How far the weights may sum from 1.</summary>
    public const double WeightSumTolerance = 1e-6;

    private readonly double[] _weights;
    private readonly GaussianDistribution[] _components;
    private readonly double[] _mean;
    private readonly double[,] _covariance;
    private readonly string? _description;

    /// <summary>Refuses more than <see cref="MaxComponents"/> components, before anything is built.</summary>
    /// <exception cref="ArgumentException">Too many components.</exception>
    public static void CheckComponentCount(int count, string parameterName)
    {
        if (count > MaxComponents)
            throw new ArgumentException(
                $"{parameterName} has {count} components; at most {MaxComponents} are supported (each is factored at the start and visited for every batch); merge components or sample the mixture to a CSV file.",
                parameterName);
    }

    /// <summary>Creates the mixture sum_k weights[k] N(means[k], covariances[k]).</summary>
    /// <param name="weights">Finite, non-negative mixture weights summing to 1 (within 1e-6; they are renormalised to sum exactly to 1).</param>
    /// <param name="means">One mean per component, all of the same length d.</param>
    /// <param name="covariances">One d x d symmetric positive definite covariance per component.</param>
    /// <exception cref="ArgumentException">An input is invalid; the message names the component and the problem.</exception>
    public GaussianMixture(double[] weights, double[][] means, double[][,] covariances)
        : this(weights, means, covariances, description: null)
    {
    }

    /// <summary>The most components accepted: each is factored when the mixture is built and visited for every
    /// batch drawn, so a million components would run for minutes before the first iteration.</summary>
    public const int MaxComponents = 10_000;

    private GaussianMixture(double[] weights, double[][] means, double[][,] covariances, string? description)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckComponentCount(weights.Length, nameof(weights));
        _weights = ValidatedWeights(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        if (means.Length != weights.Length)
            throw new ArgumentException($"means has {means.Length} entries but weights has {weights.Length}: pass one mean per component", nameof(means));
        if (covariances.Length != weights.Length)
            throw new ArgumentException($"covariances has {covariances.Length} entries but weights has {weights.Length}: pass one covariance per component", nameof(covariances));

        _components = new GaussianDistribution[weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            if (means[k] is { } mean && means[0] is { } first && mean.Length != first.Length)
                throw new ArgumentException(
                    $"mean of component {k} has length {mean.Length} but component 0 has length {first.Length}: all components must have the same dimension",
                    nameof(means));
            _components[k] = new GaussianDistribution(means[k], covariances[k], GaussianDistribution.InputNames.MixtureComponent(k));
        }

        (_mean, _covariance) = MixtureMoments(_weights, _components);
        _description = description;
    }

    /// <summary>
    /// <paramref name="count"/> equally weighted isotropic Gaussians N(c_k, std^2 I) with centres
    /// c_k = radius (cos(2 pi k / count), sin(2 pi k / count)) on a circle: the classic "Gaussians on a ring" toy.
    /// The defaults are the mixture-2d target of the experiment catalogue (8 Gaussians, radius 4, std 0.4).
    /// </summary>
    /// <param name="count">Number of Gaussians; positive.</param>
    /// <param name="radius">Radius of the circle of centres; finite and non-negative.</param>
    /// <param name="standardDeviation">Standard deviation of each Gaussian in every direction; finite and positive.</param>
    public static GaussianMixture Ring(int count = 8, double radius = 4.0, double standardDeviation = 0.4)
    {
        ParameterChecks.Positive(count, nameof(count));
        ParameterChecks.NonNegative(radius, nameof(radius));
        ParameterChecks.Positive(standardDeviation, nameof(standardDeviation));

        double variance = standardDeviation * standardDeviation;
        var weights = Enumerable.Repeat(1.0 / count, count).ToArray();
        var means = Enumerable.Range(0, count)
            .Select(k => 2 * Math.PI * k / count)
            .Select(angle => new[] { radius * Math.Cos(angle), radius * Math.Sin(angle) })
            .ToArray();
        var covariances = Enumerable.Range(0, count).Select(_ => new[,] { { variance, 0 }, { 0, variance } }).ToArray();
        string description = string.Create(CultureInfo.InvariantCulture,
            $"{count} Gaussians on a ring of radius {radius:G4}, std {standardDeviation:G4}");
        return new GaussianMixture(weights, means, covariances, description);
    }

    /// <summary>The largest dimension <see cref="Random"/> accepts (dense covariances: 32 MiB per component).</summary>
    public const int MaxRandomDimension = 2048;

    /// <summary>The most components <see cref="Random"/> accepts.</summary>
    public const int MaxRandomComponents = 100;

    /// <summary>
    /// A random mixture of <paramref name="components"/> equally weighted Gaussians in <paramref name="dimension"/>
    /// dimensions, the same for the same seed: means drawn from N(0, 4 I), covariances 0.5 B B^T / d + 0.25 I with B a
    /// standard Gaussian d x d matrix (eigenvalues between 0.25 and about 2.25). The components are well apart in every
    /// dimension (means about 2 sqrt(2 d) apart, each component about sqrt(0.75 d) wide).
    /// </summary>
    /// <param name="dimension">d (&gt;= 1).</param>
    /// <param name="components">How many Gaussians (&gt;= 1).</param>
    /// <param name="seed">Seed of the means and covariances.</param>
    public static GaussianMixture Random(int dimension, int components, int seed)
    {
        ParameterChecks.Positive(dimension, nameof(dimension));
        ParameterChecks.Positive(components, nameof(components));
        // Every component holds a dense covariance and its factor: bound what a config can ask for before allocating.
        if (dimension > MaxRandomDimension)
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"dimension = {dimension} is too large for a random mixture: each component keeps a dense {dimension} x {dimension} covariance; use at most {MaxRandomDimension}.");
        if (components > MaxRandomComponents)
            throw new ArgumentOutOfRangeException(nameof(components), components, $"components = {components} is too many for a random mixture; use at most {MaxRandomComponents}.");
        var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var means = new double[components][];
        var covariances = new double[components][,];
        for (int k = 0; k < components; k++)
        {
            means[k] = (randn(dimension, dtype: ScalarType.Float64, generator: generator) * 2).data<double>().ToArray();
            var b = randn(dimension, dimension, dtype: ScalarType.Float64, generator: generator);
            var covariance = b.matmul(b.t()) * (0.5 / dimension) + eye(dimension, dtype: ScalarType.Float64) * 0.25;
            var flat = ((covariance + covariance.t()) / 2).contiguous().data<double>().ToArray();
            covariances[k] = new double[dimension, dimension];
            Buffer.BlockCopy(flat, 0, covariances[k], 0, flat.Length * sizeof(double));
        }
        var description = string.Create(CultureInfo.InvariantCulture, $"random mixture of {components} Gaussians in {dimension} dimensions (seed {seed})");
        return new GaussianMixture(Enumerable.Repeat(1.0 / components, components).ToArray(), means, covariances, description);
    }

    /// <inheritdoc />
    public int Dimension => _mean.Length;

    /// <summary>The mixture weights (a copy; normalised to sum to 1).</summary>
    public double[] Weights => (double[])_weights.Clone();

    /// <summary>The component Gaussians, in the order of <see cref="Weights"/> (a copy of the array).</summary>
    public GaussianDistribution[] Components => (GaussianDistribution[])_components.Clone();

    /// <summary>The exact mean of the mixture, sum_k w_k m_k (a copy).</summary>
    public double[] Mean => (double[])_mean.Clone();

    /// <summary>
    /// The exact covariance of the mixture by the law of total covariance:
    /// sum_k w_k (S_k + (m_k - m)(m_k - m)^T) (a copy).
    /// </summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <inheritdoc />
    public string Description => _description ?? $"Gaussian mixture of {_components.Length} components in {Dimension} dimensions";

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var componentOfRow = multinomial(SymmetricMatrix.ToTensor(_weights), count, replacement: true, generator: generator);
        var samples = empty(new long[] { count, Dimension }, ScalarType.Float64);
        for (int k = 0; k < _components.Length; k++)
        {
            var rows = componentOfRow.eq(k).nonzero().squeeze(1);
            int rowCount = (int)rows.shape[0];
            if (rowCount > 0) samples.index_copy_(0, rows, _components[k].Sample(rowCount, generator));
        }
        return scope.MoveToOuter(samples);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static double[] ValidatedWeights(double[]? weights)
    {
        if (weights is null) throw new ArgumentNullException(nameof(weights), "weights is null: pass one weight per component");
        if (weights.Length == 0) throw new ArgumentException("weights is empty: pass at least one component", nameof(weights));
        for (int k = 0; k < weights.Length; k++)
            if (!double.IsFinite(weights[k]) || weights[k] < 0)
                throw new ArgumentException($"weight of component {k} is {weights[k]}: weights must be finite and non-negative", nameof(weights));
        double sum = weights.Sum();
        if (Math.Abs(sum - 1) > WeightSumTolerance)
            throw new ArgumentException($"weights sum to {sum}, not 1: divide them by their sum", nameof(weights));
        return weights.Select(w => w / sum).ToArray();
    }

    private static (double[] Mean, double[,] Covariance) MixtureMoments(double[] weights, GaussianDistribution[] components)
    {
        int d = components[0].Dimension;
        var mean = new double[d];
        for (int k = 0; k < components.Length; k++)
        {
            var componentMean = components[k].Mean;
            for (int i = 0; i < d; i++) mean[i] += weights[k] * componentMean[i];
        }

        // Centring each component mean on the mixture mean avoids the cancellation of E[x x^T] - m m^T.
        var covariance = new double[d, d];
        for (int k = 0; k < components.Length; k++)
        {
            var componentMean = components[k].Mean;
            var componentCovariance = components[k].Covariance;
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    covariance[i, j] += weights[k] * (componentCovariance[i, j] + (componentMean[i] - mean[i]) * (componentMean[j] - mean[j]));
        }
        return (mean, covariance);
    }
}
