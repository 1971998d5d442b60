using System.Globalization;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// The "two moons" toy in 2-D, with scikit-learn's geometry (make_moons): an upper half circle
/// (cos a, sin a) and a lower one (1 - cos a, 0.5 - sin a), a ~ U[0, pi], each picked with probability 1/2,
/// plus isotropic Gaussian noise.
/// </summary>
public sealed class TwoMoons : IDistribution
{
    /// <summary>Creates the two-moons sampler.</summary>
    /// <param name="noise">
    /// Standard deviation of the Gaussian noise added to each point; finite and non-negative. The default 0.1 gives the
    /// moons a 2-D density (scikit-learn's default, 0, puts all mass on the two curves).
    /// </param>
    public TwoMoons(double noise = 0.1)
    {
        ParameterChecks.NonNegative(noise, nameof(noise));
        Noise = noise;
    }

    /// <summary>Standard deviation of the Gaussian noise.</summary>
    public double Noise { get; }

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture, $"two moons, noise {Noise:G4}");

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var lower = ToySampling.Choice(count, 2, generator);
        var angle = ToySampling.Uniform(count, generator).mul_(Math.PI);
        // Upper moon (cos a, sin a); lower moon (1 - cos a, 0.5 - sin a): sign = +1 or -1, shift = 0 or 1 / 0.5.
        var sign = lower.mul(-2).add_(1);
        var x = angle.cos().mul_(sign).add_(lower);
        var y = angle.sin().mul_(sign).add_(lower.mul(0.5));
        var points = ToySampling.AddNoise(ToySampling.Points(x, y), Noise, generator);
        return scope.MoveToOuter(points);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
