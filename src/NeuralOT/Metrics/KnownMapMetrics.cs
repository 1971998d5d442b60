using NeuralOT.Costs;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using static TorchSharp.torch;

namespace NeuralOT.Metrics;

/// <summary>
/// Accuracy of a learned map against the exact map of a <see cref="KnownMapTransport"/> (quadratic cost), with the
/// definitions of the continuous Wasserstein-2 benchmark (Korotin et al., arXiv 2106.01954): l2_uvp and cosine on
/// fresh source samples, and W2 against its Monte Carlo value.
/// </summary>
public static class KnownMapMetrics
{
    /// <summary>Fresh source samples for l2_uvp, cosine and the target variance (the benchmark's 10,000).</summary>
    public const int MapSamples = 10_000;

    /// <summary>Fresh source samples for the Monte Carlo value of W2.</summary>
    public const int DistanceSamples = 100_000;

    /// <summary>Computes l2_uvp_percent, cosine, identity_l2_uvp_percent, w2_estimate, w2_reference and w2_relative_error.</summary>
    /// <param name="result">A result trained with the quadratic cost on <paramref name="reference"/>'s pair.</param>
    /// <param name="reference">The problem with the exact map.</param>
    /// <param name="generator">The stream the evaluation samples come from.</param>
    /// <param name="costEstimate">The solver's estimate of the optimal cost W2^2 / 2.</param>
    /// <exception cref="ArgumentException">The result's cost is not quadratic, or the dimensions differ.</exception>
    public static KnownMapAccuracy Evaluate(TransportResult result, KnownMapTransport reference, Generator generator, double costEstimate)
    {
        if (result.Cost is not QuadraticCost)
            throw new ArgumentException($"The known map is optimal for the quadratic cost only; this result used {result.Cost.Name}.", nameof(result));
        if (result.Dimension != reference.Dimension)
            throw new ArgumentException($"The result has dimension {result.Dimension} but the reference {reference.Dimension}.", nameof(reference));
        using var scope = NewDisposeScope();
        var x = reference.Source.Sample(MapSamples, generator);
        var exact = reference.Map(x);
        var learned = x + result.Displacement(x);
        // tr Cov(mu1) from the exact images of the same points: mu1 = T*#mu0.
        var targetVariance = exact.var([0L]).sum().item<double>();
        var learnedMove = learned - x;
        var exactMove = exact - x;
        var w2Estimate = Math.Sqrt(2 * Math.Max(costEstimate, 0));
        var w2Reference = reference.EstimateW2(DistanceSamples, generator);
        return new KnownMapAccuracy(
            L2UvpPercent: MetricGroup.Defined(100 * (learned - exact).square().sum(1).mean().item<double>() / targetVariance),
            Cosine: MetricGroup.Defined((learnedMove * exactMove).sum(1).mean().item<double>()
                / Math.Sqrt(learnedMove.square().sum(1).mean().item<double>() * exactMove.square().sum(1).mean().item<double>())),
            IdentityL2UvpPercent: MetricGroup.Defined(100 * exactMove.square().sum(1).mean().item<double>() / targetVariance),
            W2Estimate: MetricGroup.Defined(w2Estimate),
            W2Reference: MetricGroup.Defined(w2Reference),
            W2RelativeError: MetricGroup.Defined(Math.Abs(w2Estimate - w2Reference) / w2Reference));
    }
}

/// <summary>A learned map against the exact map of a known-map pair (<see cref="KnownMapMetrics.Evaluate"/>; in a run's
/// metrics, <see cref="RunMetrics.KnownMap"/>, with <c>reference_method</c> = <c>known_map</c>).</summary>
/// <param name="L2UvpPercent"><c>l2_uvp_percent</c>: 100 E|T_hat(x) - T*(x)|^2 / tr Cov(mu1), in percent.</param>
/// <param name="Cosine"><c>cosine</c>: between T_hat - Id and T* - Id in L2(mu0).</param>
/// <param name="IdentityL2UvpPercent"><c>identity_l2_uvp_percent</c>: what not moving at all scores (in percent), the
/// yardstick of <paramref name="L2UvpPercent"/>.</param>
/// <param name="W2Estimate"><c>w2_estimate</c>: sqrt(2 max(cost_estimate, 0)), the benchmark's convention (0, not
/// undefined, when the cost estimate is negative).</param>
/// <param name="W2Reference"><c>w2_reference</c>: W2 by Monte Carlo over the exact map.</param>
/// <param name="W2RelativeError"><c>w2_relative_error</c>: |w2_estimate - w2_reference| / w2_reference, a fraction.</param>
public sealed record KnownMapAccuracy(
    double? L2UvpPercent, double? Cosine, double? IdentityL2UvpPercent, double? W2Estimate, double? W2Reference, double? W2RelativeError)
    : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.L2Uvp, L2UvpPercent),
        Entry(MetricNames.Cosine, Cosine),
        Entry(MetricNames.IdentityL2Uvp, IdentityL2UvpPercent),
        Entry(MetricNames.W2Estimate, W2Estimate),
        Entry(MetricNames.W2Reference, W2Reference),
        Entry(MetricNames.W2RelativeError, W2RelativeError),
    ];
}
