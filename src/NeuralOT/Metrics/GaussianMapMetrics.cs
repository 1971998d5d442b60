using NeuralOT.Costs;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Metrics;

/// <summary>
/// Accuracy of a learned map against the closed-form solution of a Gaussian pair under the quadratic cost (docs/method.md, "References" and "Metrics").
/// </summary>
public static class GaussianMapMetrics
{
    /// <summary>Fresh samples for the map metrics.</summary>
    public const int MapSamples = 4096;

    /// <summary>Samples for the moment-based metrics (<see cref="MetricNames.GeodesicError"/>, the mean cost): with
    /// 4,096 samples their Monte Carlo noise alone would be about 0.4 % (geodesic moments) in 2-D, the size of the
    /// errors they measure.</summary>
    public const int MomentSamples = 100_000;

    /// <summary>Samples per side for the optimal-cost estimate behind <see cref="MetricNames.W2Estimate"/> (its noise
    /// is then about 0.01 % of W2 on gaussian-2d).</summary>
    public const int CostSamples = 1_000_000;

    /// <summary>The times at which <see cref="MetricNames.GeodesicError"/> compares marginals.</summary>
    public static IReadOnlyList<double> GeodesicTimes { get; } = Enumerable.Range(1, 9).Select(k => k / 10.0).ToArray();

    /// <summary>Computes l2_uvp_percent, cosine, w2_estimate, w2_reference, w2_relative_error and geodesic_error.</summary>
    /// <param name="result">A result trained with the quadratic cost between the reference's Gaussians.</param>
    /// <param name="reference">The closed-form solution.</param>
    /// <param name="generator">The stream the evaluation samples come from.</param>
    /// <param name="costEstimate">The estimate of the optimal cost if the caller already has one (w2_estimate is
    /// derived from it); null to compute <see cref="TransportResult.EstimateOptimalCost"/> on <see cref="CostSamples"/>.</param>
    /// <exception cref="ArgumentException">The result's cost is not quadratic, or the dimensions differ.</exception>
    public static ClosedFormAccuracy Evaluate(
        TransportResult result, GaussianTransport reference, Generator generator, double? costEstimate = null)
    {
        if (result.Cost is not QuadraticCost)
            throw new ArgumentException($"The Gaussian closed forms hold for the quadratic cost only; this result used {result.Cost.Name}.", nameof(result));
        if (result.Dimension != reference.Source.Dimension)
            throw new ArgumentException($"The result has dimension {result.Dimension} but the reference {reference.Source.Dimension}.", nameof(reference));

        var (l2Uvp, cosine) = MapErrors(result, reference, generator);
        var w2Estimate = Math.Sqrt(2 * (costEstimate ?? result.EstimateOptimalCost(CostSamples, generator)));
        var w2Reference = reference.W2;

        return new ClosedFormAccuracy(
            L2UvpPercent: MetricGroup.Defined(l2Uvp),
            Cosine: MetricGroup.Defined(cosine),
            W2Estimate: MetricGroup.Defined(w2Estimate),
            W2Reference: w2Reference,
            W2RelativeError: MetricGroup.Defined(Math.Abs(w2Estimate - w2Reference) / w2Reference),
            GeodesicError: MetricGroup.Defined(GeodesicError(result, reference, generator)));
    }

    /// <summary>L2-UVP in percent, 100 E|T(x) - T*(x)|^2 / Var(target), on <see cref="MapSamples"/> fresh source
    /// points: the score to watch during training (the rest of <see cref="Evaluate"/> costs far more).</summary>
    public static double L2Uvp(TransportResult result, GaussianTransport reference, Generator generator) =>
        MapErrors(result, reference, generator).L2Uvp;

    private static (double L2Uvp, double Cosine) MapErrors(TransportResult result, GaussianTransport reference, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = reference.Source.Sample(MapSamples, generator);
        var learned = result.Displacement(x);
        var exact = reference.Map(x) - x;
        var l2Uvp = 100 * (learned - exact).square().sum(1).mean().item<double>() / Trace(reference.Target.Covariance);
        var cosine = (learned * exact).sum(1).mean().item<double>()
            / Math.Sqrt(learned.square().sum(1).mean().item<double>() * exact.square().sum(1).mean().item<double>());
        return (l2Uvp, cosine);
    }

    /// <summary>Mean over t = 0.1, ..., 0.9 of the Bures-Wasserstein distance between the empirical moments of
    /// T_t#mu0 and the exact geodesic marginal N(m_t, S_t), divided by W2.</summary>
    public static double GeodesicError(TransportResult result, GaussianTransport reference, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = reference.Source.Sample(MomentSamples, generator);
        var displacement = result.Displacement(x);
        var total = 0.0;
        foreach (var t in GeodesicTimes)
        {
            var (mean, covariance) = Moments(x + displacement * t);
            var exact = reference.Marginal(t);
            total += GaussianTransport.BuresWasserstein(mean, covariance, exact.Mean, exact.Covariance);
        }
        return total / GeodesicTimes.Count / reference.W2;
    }

    /// <summary>Empirical mean and (unbiased) covariance of the rows of <paramref name="samples"/>.</summary>
    public static (double[] Mean, double[,] Covariance) Moments(Tensor samples)
    {
        using var scope = NewDisposeScope();
        var data = samples.to(float64);
        var mean = data.mean([0L]);
        var centred = data - mean;
        var covariance = centred.t().matmul(centred) / (data.shape[0] - 1);
        var d = (int)data.shape[1];
        var meanArray = mean.data<double>().ToArray();
        var flat = covariance.contiguous().data<double>().ToArray();
        var matrix = new double[d, d];
        Buffer.BlockCopy(flat, 0, matrix, 0, flat.Length * sizeof(double));
        return (meanArray, matrix);
    }

    private static double Trace(double[,] matrix)
    {
        var sum = 0.0;
        for (var i = 0; i < matrix.GetLength(0); i++) sum += matrix[i, i];
        return sum;
    }
}

/// <summary>A learned map against the closed-form solution of a Gaussian pair (<see cref="GaussianMapMetrics.Evaluate"/>;
/// in a run's metrics, <see cref="RunMetrics.ClosedForm"/>, with <c>reference_method</c> = <c>closed_form</c>).</summary>
/// <param name="L2UvpPercent"><c>l2_uvp_percent</c>: 100 E|T_hat(x) - T*(x)|^2 / tr Cov(mu1), in percent.</param>
/// <param name="Cosine"><c>cosine</c>: between T_hat - Id and T* - Id in L2(mu0).</param>
/// <param name="W2Estimate"><c>w2_estimate</c>: sqrt(2 cost_estimate), the solver's estimate of W2; null when the cost
/// estimate is negative (an untrained critic).</param>
/// <param name="W2Reference"><c>w2_reference</c>: W2 of the closed form.</param>
/// <param name="W2RelativeError"><c>w2_relative_error</c>: |w2_estimate - w2_reference| / w2_reference, a fraction.</param>
/// <param name="GeodesicError"><c>geodesic_error</c>: mean over t = 0.1..0.9 of the Bures-Wasserstein distance between
/// the moments of T_t#mu0 and the exact marginal, over w2_reference; a fraction.</param>
public sealed record ClosedFormAccuracy(
    double? L2UvpPercent, double? Cosine, double? W2Estimate, double W2Reference, double? W2RelativeError, double? GeodesicError)
    : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.L2Uvp, L2UvpPercent),
        Entry(MetricNames.Cosine, Cosine),
        Entry(MetricNames.W2Estimate, W2Estimate),
        Entry(MetricNames.W2Reference, W2Reference),
        Entry(MetricNames.W2RelativeError, W2RelativeError),
        Entry(MetricNames.GeodesicError, GeodesicError),
    ];
}
