namespace NeuralOT.Costs;

/// <summary>
/// L, grad L, H and grad H of the costs the fused training kernels support (quadratic and power), one row of float32
/// values at a time and in double precision inside, with the same norm floor as <see cref="PowerCost"/> (below it
/// autograd's gradient of the clamp is zero, and so is this one).
/// </summary>
internal readonly struct RowCost
{
    private const double SquaredNormFloor = 1e-20;
    private readonly double p, q;

    private RowCost(double p, double q)
    {
        this.p = p;
        this.q = q;
    }

    /// <summary>The row form of <paramref name="cost"/>; false for a cost the kernels do not know.</summary>
    public static bool TryCreate(ICost cost, out RowCost rowCost)
    {
        rowCost = cost switch
        {
            QuadraticCost => new RowCost(2, 2),
            PowerCost power => new RowCost(power.P, power.Q),
            _ => default,
        };
        return cost is QuadraticCost or PowerCost;
    }

    /// <summary>L(v); writes grad L(v) times <paramref name="scale"/> to <paramref name="gradient"/> unless it is empty.</summary>
    public double Lagrangian(ReadOnlySpan<float> v, Span<float> gradient, float scale) => Evaluate(p, v, gradient, scale);

    /// <summary>H(w); writes grad H(w) times <paramref name="scale"/> to <paramref name="gradient"/> unless it is empty.</summary>
    public double Hamiltonian(ReadOnlySpan<float> w, Span<float> gradient, float scale) => Evaluate(q, w, gradient, scale);

    // |v|^e / e and its gradient |v|^(e - 2) v.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double Evaluate(double exponent, ReadOnlySpan<float> v, Span<float> gradient, float scale)
    {
        double squared = 0;
        foreach (var component in v) squared += (double)component * component;
        if (exponent == 2)
        {
            for (var j = 0; j < gradient.Length; j++) gradient[j] = scale * v[j];
            return 0.5 * squared;
        }
        var clamped = Math.Max(squared, SquaredNormFloor);
        var factor = squared < SquaredNormFloor ? 0 : Math.Pow(clamped, (exponent - 2) / 2) * scale;
        for (var j = 0; j < gradient.Length; j++) gradient[j] = (float)(factor * v[j]);
        return Math.Pow(clamped, exponent / 2) / exponent;
    }
}
