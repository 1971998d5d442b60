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

    /// <summary>Computes l2_uvp, cosine, identity_l2_uvp, w2_estimate, w2_reference and w2_relative_error.</summary>
    /// <param name="result">A result trained with the quadratic cost on <paramref name="reference"/>'s pair.</param>
    /// <param name="reference">The problem with the exact map.</param>
    /// <param name="generator">The stream the evaluation samples come from.</param>
    /// <param name="costEstimate">The solver's estimate of the optimal cost W2^2 / 2.</param>
    public static IReadOnlyDictionary<string, double> Evaluate(TransportResult result, KnownMapTransport reference, Generator generator, double costEstimate)
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
        return new Dictionary<string, double>
        {
            [MetricNames.L2Uvp] = 100 * (learned - exact).square().sum(1).mean().item<double>() / targetVariance,
            [MetricNames.Cosine] = (learnedMove * exactMove).sum(1).mean().item<double>()
                / Math.Sqrt(learnedMove.square().sum(1).mean().item<double>() * exactMove.square().sum(1).mean().item<double>()),
            [MetricNames.IdentityL2Uvp] = 100 * exactMove.square().sum(1).mean().item<double>() / targetVariance,
            [MetricNames.W2Estimate] = w2Estimate,
            [MetricNames.W2Reference] = w2Reference,
            [MetricNames.W2RelativeError] = Math.Abs(w2Estimate - w2Reference) / w2Reference,
        };
    }
}
