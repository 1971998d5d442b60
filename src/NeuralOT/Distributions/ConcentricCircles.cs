using System.Globalization;
using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// Two concentric circles in 2-D, with scikit-learn's geometry (make_circles): radius 1 and radius
/// <see cref="Factor"/>, each picked with probability 1/2, a uniform angle, plus isotropic Gaussian noise.
/// </summary>
public sealed class ConcentricCircles : IDistribution
{
    /// <summary>Creates the concentric-circles sampler.</summary>
    /// <param name="factor">Radius of the inner circle relative to the outer one; in [0, 1). Default 0.5 (scikit-learn's default is 0.8).</param>
    /// <param name="noise">Standard deviation of the Gaussian noise; finite and non-negative. Default 0.05.</param>
    public ConcentricCircles(double factor = 0.5, double noise = 0.05)
    {
        if (!(factor >= 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"factor must lie in [0, 1), got {factor}");
        ParameterChecks.NonNegative(noise, nameof(noise));
        Factor = factor;
        Noise = noise;
    }

    /// <summary>Radius of the inner circle (the outer one has radius 1).</summary>
    public double Factor { get; }

    /// <summary>Standard deviation of the Gaussian noise.</summary>
    public double Noise { get; }

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public string Description => string.Create(CultureInfo.InvariantCulture, $"concentric circles, factor {Factor:G4}, noise {Noise:G4}");

    /// <inheritdoc />
    public Tensor Sample(int count, Generator generator)
    {
        ParameterChecks.SampleArguments(count, generator);
        using var scope = NewDisposeScope();
        var inner = ToySampling.Choice(count, 2, generator);
        var radius = inner.mul(Factor - 1).add_(1);
        var angle = ToySampling.Uniform(count, generator).mul_(2 * Math.PI);
        var points = ToySampling.AddNoise(ToySampling.Points(angle.cos().mul_(radius), angle.sin().mul_(radius)), Noise, generator);
        return scope.MoveToOuter(points);
    }

    /// <inheritdoc />
    public override string ToString() => Description;
}
