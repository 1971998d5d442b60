using NeuralOT.Distributions;
using NeuralOT.Dynamics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Metrics;

/// <summary>
/// Accuracy of a learned velocity field (docs/method.md, "Metrics"): against the closed-form geodesic of a Gaussian pair
/// (<see cref="MetricNames.VelocityRelativeError"/>, <see cref="MetricNames.KineticEnergyGap"/>), and, for any
/// problem, whether its flow lands where the map sends (<see cref="MetricNames.EndpointError"/>).
/// </summary>
public static class VelocityMetrics
{
    /// <summary>Samples (z, t) for the field metrics: cheap to evaluate, and enough that the Monte Carlo noise of
    /// E|v|^2 stays near 0.1 % of W2^2 in 2-D, well under the 1 % the kinetic-energy gap is judged by.</summary>
    public const int FieldSamples = 100_000;

    /// <summary>Samples integrated for <see cref="MetricNames.EndpointError"/>.</summary>
    public const int EndpointSamples = 16_384;

    /// <summary>velocity_relative_error = E|v_hat - v*|^2 / E|v*|^2 and kinetic_energy_gap = |E|v_hat|^2 - W2^2| / W2^2,
    /// both with t ~ U(0, 1) and x ~ mu_t, the exact geodesic marginal (x = T*_t(z), z ~ mu0).</summary>
    /// <param name="field">The learned field.</param>
    /// <param name="reference">The closed-form solution of the Gaussian pair (quadratic cost).</param>
    /// <param name="generator">The stream the evaluation samples come from.</param>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static VelocityAccuracy AgainstGaussian(VelocityResult field, GaussianTransport reference, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(reference);
        if (field.Dimension != reference.Dimension)
            throw new ArgumentException($"The field has dimension {field.Dimension} but the reference {reference.Dimension}.", nameof(reference));
        using var scope = NewDisposeScope();
        var z = reference.Source.Sample(FieldSamples, generator);
        var t = rand(FieldSamples, 1, dtype: float64, generator: generator);
        // Along the straight path from z the exact velocity is constant: v*(T*_t(z), t) = T*(z) - z.
        var exact = reference.Map(z) - z;
        var learned = field.Velocity(z + t * exact, t);
        var exactEnergy = exact.square().sum(1).mean().item<double>();
        var learnedEnergy = learned.square().sum(1).mean().item<double>();
        return new VelocityAccuracy(
            VelocityRelativeError: MetricGroup.Defined((learned - exact).square().sum(1).mean().item<double>() / exactEnergy),
            KineticEnergyGap: MetricGroup.Defined(Math.Abs(learnedEnergy - reference.W2Squared) / reference.W2Squared));
    }

    /// <summary>endpoint_error = E|X_1 - T(X_0)|^2 / tr Cov(mu1), X_0 ~ mu0, X_1 from integrating the field from X_0.</summary>
    /// <param name="field">The learned field.</param>
    /// <param name="source">mu0.</param>
    /// <param name="map">The map T the flow should reproduce (float64 CPU n x d in and out).</param>
    /// <param name="targetVariance">tr Cov(mu1) (see <see cref="TotalVariance"/>).</param>
    /// <param name="generator">The stream the evaluation samples come from.</param>
    /// <param name="method">The integrator.</param>
    /// <param name="steps">Its number of steps; RK4 with <see cref="VelocityResult.DefaultSteps"/> by default.</param>
    /// <exception cref="ArgumentException">The dimensions differ, or the step count or variance is invalid.</exception>
    public static double EndpointError(
        VelocityResult field, IDistribution source, Func<Tensor, Tensor> map, double targetVariance, Generator generator,
        IntegrationMethod method = IntegrationMethod.RK4, int steps = VelocityResult.DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(map);
        if (source.Dimension != field.Dimension)
            throw new ArgumentException($"source has dimension {source.Dimension} but the field has dimension {field.Dimension}.", nameof(source));
        if (!(targetVariance > 0 && double.IsFinite(targetVariance)))
            throw new ArgumentOutOfRangeException(nameof(targetVariance), targetVariance, $"targetVariance must be positive and finite (got {targetVariance}).");
        using var scope = NewDisposeScope();
        var start = source.Sample(EndpointSamples, generator);
        var landed = field.EndPoints(start, method, steps);
        return (landed - map(start).to(float64, CPU)).square().sum(1).mean().item<double>() / targetVariance;
    }

    /// <summary>endpoint_error between the flow of <paramref name="field"/> and the phase-1 map it was trained on.</summary>
    /// <inheritdoc cref="EndpointError(VelocityResult, IDistribution, Func{Tensor, Tensor}, double, Generator, IntegrationMethod, int)"/>
    public static double EndpointError(
        VelocityResult field, TransportResult map, Generator generator,
        IntegrationMethod method = IntegrationMethod.RK4, int steps = VelocityResult.DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(map);
        return EndpointError(field, map.Source, map.Transport, TotalVariance(map.Target, generator), generator, method, steps);
    }

    /// <summary>tr Cov of a distribution: exact for Gaussians and Gaussian mixtures, otherwise the sample estimate on
    /// <see cref="FieldSamples"/> draws.</summary>
    public static double TotalVariance(IDistribution distribution, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        double[,] covariance = distribution switch
        {
            GaussianDistribution gaussian => gaussian.Covariance,
            GaussianMixture mixture => mixture.Covariance,
            _ => SampleCovariance(distribution, generator),
        };
        var trace = 0.0;
        for (var i = 0; i < covariance.GetLength(0); i++) trace += covariance[i, i];
        return trace;
    }

    private static double[,] SampleCovariance(IDistribution distribution, Generator generator)
    {
        using var samples = distribution.Sample(FieldSamples, generator);
        return GaussianMapMetrics.Moments(samples).Covariance;
    }
}

/// <summary>A learned velocity field against the closed-form geodesic of a Gaussian pair
/// (<see cref="VelocityMetrics.AgainstGaussian"/>; in a run's metrics, <see cref="PhaseTwoMetrics.AgainstClosedForm"/>).</summary>
/// <param name="VelocityRelativeError"><c>velocity_relative_error</c>: E|v_hat - v*|^2 / E|v*|^2, a fraction.</param>
/// <param name="KineticEnergyGap"><c>kinetic_energy_gap</c>: |E|v_hat|^2 - W2^2| / W2^2, a fraction.</param>
public sealed record VelocityAccuracy(double? VelocityRelativeError, double? KineticEnergyGap) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.VelocityRelativeError, VelocityRelativeError),
        Entry(MetricNames.KineticEnergyGap, KineticEnergyGap),
    ];
}
