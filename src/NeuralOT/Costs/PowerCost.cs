using static TorchSharp.torch;

namespace NeuralOT.Costs;

/// <summary>
/// The power cost L(v) = |v|^p / p for p &gt; 1. Its Legendre transform is H(w) = |w|^q / q with q = p / (p - 1),
/// and grad H(w) = |w|^(q - 2) w. p = 2 is the quadratic cost.
/// </summary>
public sealed class PowerCost : ICost, IRowCost
{
    // Keeps |w|^(q-2) and its derivative finite at w = 0 when q < 2 (p > 2); far below float32 resolution of real norms.
    private const double SquaredNormFloor = 1e-20;

    /// <summary>Creates the cost |v|^p / p.</summary>
    /// <param name="p">The exponent; must be finite and greater than 1.</param>
    public PowerCost(double p)
    {
        if (!(p > 1) || double.IsInfinity(p))
            throw new ArgumentOutOfRangeException(nameof(p), p, $"The power cost needs an exponent p > 1 (got {p}); use for example \"power:1.5\".");
        P = p;
        Q = p / (p - 1);
    }

    /// <summary>The exponent p of L.</summary>
    public double P { get; }

    /// <summary>The conjugate exponent q = p / (p - 1) of H.</summary>
    public double Q { get; }

    /// <inheritdoc />
    public string Name => FormattableString.Invariant($"power:{P}");

    /// <inheritdoc />
    public Tensor Lagrangian(Tensor v) => NormPower(v, P).div(P);

    /// <inheritdoc />
    public Tensor Hamiltonian(Tensor w) => NormPower(w, Q).div(Q);

    /// <inheritdoc />
    public Tensor HamiltonianGradient(Tensor w) =>
        w.square().sum(1, keepdim: true).clamp_min(SquaredNormFloor).pow((Q - 2) / 2).mul(w);

    /// <inheritdoc />
    public double Lagrangian(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (var component in v) sum += component * component;
        return Math.Pow(sum, P / 2) / P;
    }

    double IRowCost.Lagrangian(ReadOnlySpan<float> v, Span<float> gradient, float scale) => NormPower(v, P, gradient, scale);

    double IRowCost.Hamiltonian(ReadOnlySpan<float> w, Span<float> gradient, float scale) => NormPower(w, Q, gradient, scale);

    /// <inheritdoc />
    public override string ToString() => Name;

    // |v|^e / e with the same floor as the tensor form, and its gradient |v|^(e - 2) v times scale (zero below the
    // floor, where autograd's gradient of the clamp is zero).
    private static double NormPower(ReadOnlySpan<float> v, double exponent, Span<float> gradient, float scale)
    {
        double squared = 0;
        foreach (var component in v) squared += (double)component * component;
        var clamped = Math.Max(squared, SquaredNormFloor);
        var factor = squared < SquaredNormFloor ? 0 : Math.Pow(clamped, (exponent - 2) / 2) * scale;
        for (var j = 0; j < gradient.Length; j++) gradient[j] = (float)(factor * v[j]);
        return Math.Pow(clamped, exponent / 2) / exponent;
    }

    private static Tensor NormPower(Tensor v, double exponent) =>
        v.square().sum(1).clamp_min(SquaredNormFloor).pow(exponent / 2);
}
