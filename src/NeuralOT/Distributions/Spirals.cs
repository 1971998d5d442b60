using System.Globalization;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// Archimedean spirals in 2-D: arm k (of <see cref="Arms"/>, picked uniformly) is the curve
/// r = Radius * a / (2 pi Turns), at angle a + 2 pi k / Arms, for a in [0, 2 pi Turns], plus isotropic Gaussian noise.
/// Two arms give the classic "two spirals" toy, one arm a single spiral.
/// </summary>
public sealed class Spirals : IDistribution
{
    /// <summary>Creates the spirals sampler.</summary>
    /// <param name="arms">Number of arms, rotated by 2 pi / arms from each other; positive. Default 2.</param>
    /// <param name="turns">How many full turns each arm makes; finite and positive. Default 1.5.</param>
    /// <param name="radius">Distance from the centre to the outer end of each arm; finite and positive. Default 4.</param>
    /// <param name="noise">Standard deviation of the Gaussian noise; finite and non-negative. Default 0.1.</param>
    public Spirals(int arms = 2, double turns = 1.5, double radius = 4.0, double noise = 0.1)
    {
        ParameterChecks.Positive(arms, nameof(arms));
        ParameterChecks.Positive(turns, nameof(turns));
        ParameterChecks.Positive(radius, nameof(radius));
        ParameterChecks.NonNegative(noise, nameof(noise));
        Arms = arms;
        Turns = turns;
        Radius = radius;
        Noise = noise;
    }

    /// <summary>Number of arms.</summary>
    public int Arms { get; }

    /// <summary>Full turns per arm.</summary>
    public double Turns { get; }

    /// <summary>Distance from the centre to the outer end of each arm.</summary>
    public double Radius { get; }

    /// <summary>Standard deviation of the Gaussian noise.</summary>
    public double Noise { get; }

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"{Arms}-arm spiral, {Turns:G4} turns, radius {Radius:G4}, noise {Noise:G4}");

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var arm = ToySampling.Choice(count, Arms, generator);
        // r proportional to sqrt(u): the arc length up to angle a grows like a^2, so this spreads points evenly along the arm.
        var fraction = ToySampling.Uniform(count, generator).sqrt_();
        var angle = fraction.mul(2 * Math.PI * Turns).add_(arm.mul(2 * Math.PI / Arms));
        var r = fraction.mul(Radius);
        var points = ToySampling.AddNoise(ToySampling.Points(angle.cos().mul_(r), angle.sin().mul_(r)), Noise, generator);
        return scope.MoveToOuter(points);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
