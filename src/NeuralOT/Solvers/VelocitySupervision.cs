using NeuralOT.Distributions;
using NeuralOT.Reference;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>One batch of regression data for phase 2: points x at times t and the velocity u the field should have
/// there. Float64 CPU tensors: x and u are n x d, t is n x 1.</summary>
/// <param name="Points">The points x.</param>
/// <param name="Times">The times t, in [0, 1].</param>
/// <param name="Velocities">The target velocities u.</param>
public sealed record VelocitySamples(Tensor Points, Tensor Times, Tensor Velocities);

/// <summary>
/// Where the phase-2 regression gets its data from: a sampler of (x, t, u) triples. The usual source is the straight
/// particle paths of a transport map (<see cref="FromMap"/>); <see cref="Exact"/> is the oracle that uses the
/// closed-form map of a Gaussian pair instead, separating the regression's own error from the error of phase 1.
/// </summary>
public abstract class VelocitySupervision
{
    /// <summary>The dimension d.</summary>
    public abstract int Dimension { get; }

    /// <summary>A one-line description for logs.</summary>
    public abstract string Description { get; }

    /// <summary>Draws <paramref name="count"/> fresh triples from <paramref name="generator"/>.</summary>
    public abstract VelocitySamples Sample(int count, Generator generator);

    /// <summary>The straight paths of a trained phase-1 map, frozen: z ~ mu0, t ~ U(0, 1), x = z + t F(z), u = F(z).</summary>
    /// <param name="map">A phase-1 result that completed at least one iteration without diverging.</param>
    /// <exception cref="ArgumentException">The map was never trained or its training diverged.</exception>
    public static VelocitySupervision FromMap(TransportResult map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.ExitReason == ExitReason.Diverged || map.IterationsCompleted == 0)
            throw new ArgumentException(
                $"map is not a trained map ({map.ExitMessage}); phase 2 needs a phase-1 result that completed at least one iteration without diverging.",
                nameof(map));
        return new StraightPaths(map.Source, map.Displacement, $"straight paths of the learned map from {map.Source.Description}");
    }

    /// <summary>The oracle: the exact straight paths of a Gaussian pair, z ~ mu0, x = z + t (T*(z) - z), u = T*(z) - z.</summary>
    public static VelocitySupervision Exact(GaussianTransport reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new StraightPaths(reference.Source, z => reference.Map(z) - z, $"exact paths of {reference}");
    }

    /// <summary>Straight paths of any displacement F: z ~ <paramref name="source"/>, t ~ U(0, 1), x = z + t F(z), u = F(z).</summary>
    /// <param name="source">mu0.</param>
    /// <param name="displacement">F, taking and returning float64 CPU tensors of shape n x d.</param>
    public static VelocitySupervision FromDisplacement(IDistribution source, Func<Tensor, Tensor> displacement)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(displacement);
        return new StraightPaths(source, displacement, $"straight paths from {source.Description}");
    }

    /// <summary>A given field sampled at x ~ <paramref name="points"/>, t ~ U(0, 1): u = field(x, t), with t of shape n x 1.</summary>
    public static VelocitySupervision FromField(IDistribution points, Func<Tensor, Tensor, Tensor> field)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(field);
        return new FieldSamples(points, field);
    }

    private static Tensor UniformTimes(int count, Generator generator) => rand(count, 1, dtype: float64, generator: generator);

    private sealed class StraightPaths(IDistribution source, Func<Tensor, Tensor> displacement, string description) : VelocitySupervision
    {
        public override int Dimension => source.Dimension;

        public override string Description => description;

        public override VelocitySamples Sample(int count, Generator generator)
        {
            var start = source.Sample(count, generator);
            var times = UniformTimes(count, generator);
            var velocity = displacement(start).to(float64, CPU);
            return new VelocitySamples(start + times * velocity, times, velocity);
        }
    }

    private sealed class FieldSamples(IDistribution points, Func<Tensor, Tensor, Tensor> field) : VelocitySupervision
    {
        public override int Dimension => points.Dimension;

        public override string Description => $"a given field on {points.Description}";

        public override VelocitySamples Sample(int count, Generator generator)
        {
            var x = points.Sample(count, generator);
            var times = UniformTimes(count, generator);
            return new VelocitySamples(x, times, field(x, times).to(float64, CPU));
        }
    }
}
