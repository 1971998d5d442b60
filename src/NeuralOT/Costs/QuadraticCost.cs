using static TorchSharp.torch;

namespace NeuralOT.Costs;

/// <summary>
/// The quadratic cost L(v) = |v|^2 / 2, so H(p) = |p|^2 / 2 and grad H(p) = p.
/// With this convention the optimal mean cost equals W2^2 / 2 (half the squared 2-Wasserstein distance).
/// </summary>
public sealed class QuadraticCost : ICost, IRowCost
{
    /// <summary>The one instance (the cost has no parameters).</summary>
    public static QuadraticCost Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "quadratic";

    /// <inheritdoc />
    public Tensor Lagrangian(Tensor v) => v.square().sum(1).mul(0.5);

    /// <inheritdoc />
    public Tensor Hamiltonian(Tensor p) => p.square().sum(1).mul(0.5);

    /// <inheritdoc />
    public Tensor HamiltonianGradient(Tensor p) => p.alias();

    /// <inheritdoc />
    public double Lagrangian(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (var component in v) sum += component * component;
        return 0.5 * sum;
    }

    double IRowCost.Lagrangian(ReadOnlySpan<float> v, Span<float> gradient, float scale) => HalfSquaredNorm(v, gradient, scale);

    double IRowCost.Hamiltonian(ReadOnlySpan<float> w, Span<float> gradient, float scale) => HalfSquaredNorm(w, gradient, scale);

    /// <inheritdoc />
    public override string ToString() => Name;

    // |v|^2 / 2, and its gradient v times scale.
    private static double HalfSquaredNorm(ReadOnlySpan<float> v, Span<float> gradient, float scale)
    {
        double sum = 0;
        for (var j = 0; j < v.Length; j++)
        {
            sum += (double)v[j] * v[j];
            if (!gradient.IsEmpty) gradient[j] = scale * v[j];
        }
        return 0.5 * sum;
    }
}
