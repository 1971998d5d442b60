using NeuralOT.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Reference;

/// <summary>
/// A transport problem whose optimal map for the quadratic cost is known exactly in any dimension: mu1 is the image
/// of mu0 under T* = grad psi for a strongly convex <see cref="InputConvexPotential"/> psi, so T* is the OT map by
/// Brenier's theorem and W2^2 = E|T*(x) - x|^2. Samples of mu1 are fresh mu0 samples pushed through T*.
/// </summary>
public sealed class KnownMapTransport : IClosedFormTransport, IDisposable
{
    /// <summary>Creates the problem mu0 -> grad(psi)#mu0.</summary>
    public KnownMapTransport(IDistribution source, InputConvexPotential potential)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(potential);
        if (potential.Dimension != source.Dimension)
            throw new ArgumentException($"The potential has dimension {potential.Dimension} but the source {source.Dimension}.", nameof(potential));
        Source = source;
        Potential = potential;
        Target = new KnownMapTarget(this);
    }

    /// <summary>mu0.</summary>
    public IDistribution Source { get; }

    /// <summary>psi.</summary>
    public InputConvexPotential Potential { get; }

    /// <summary>mu1 = grad(psi)#mu0.</summary>
    public KnownMapTarget Target { get; }

    IDistribution IClosedFormTransport.Target => Target;

    /// <summary>The dimension d.</summary>
    public int Dimension => Source.Dimension;

    /// <summary>T*(x) = grad psi(x), the optimal map (n x d -> n x d, float64).</summary>
    public Tensor Map(Tensor x) => Potential.Gradient(x);

    /// <summary>W2 = sqrt(E|T*(x) - x|^2), estimated on <paramref name="samples"/> fresh mu0 samples (in chunks).</summary>
    public double EstimateW2(int samples, Generator generator)
    {
        ParameterChecks.Positive(samples, nameof(samples));
        var total = 0.0;
        for (var done = 0; done < samples; done += ChunkSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(ChunkSize, samples - done);
            var x = Source.Sample(count, generator);
            total += (Map(x) - x).square().sum().item<double>();
        }
        return Math.Sqrt(total / samples);
    }

    private const int ChunkSize = 50_000;

    /// <inheritdoc />
    public void Dispose() => Potential.Dispose();
}

/// <summary>mu1 = grad(psi)#mu0 of a <see cref="KnownMapTransport"/>: each draw pushes fresh mu0 samples through the
/// exact map. <see cref="Problem"/> gives the map itself, so metrics can compare a learned map with it.</summary>
public sealed class KnownMapTarget : IDistribution
{
    internal KnownMapTarget(KnownMapTransport problem) => Problem = problem;

    /// <summary>The problem this distribution is the target of.</summary>
    public KnownMapTransport Problem { get; }

    /// <inheritdoc />
    public int Dimension => Problem.Dimension;

    /// <inheritdoc />
    public string Description => $"the image of {Problem.Source.Description} under the gradient of a random convex potential";

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(Problem.Map(Problem.Source.Sample(count, generator)));
    }
}
