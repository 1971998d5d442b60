namespace NeuralOT.Costs;

/// <summary>
/// L, grad L, H and grad H of one float32 row at a time, for the fused training kernels (which work on rows, not
/// tensors); the costs that implement it compute the same values as their tensor members, in double precision inside.
/// </summary>
internal interface IRowCost
{
    /// <summary>L(v); writes grad L(v) times <paramref name="scale"/> to <paramref name="gradient"/> unless it is empty.</summary>
    double Lagrangian(ReadOnlySpan<float> v, Span<float> gradient, float scale);

    /// <summary>H(w); writes grad H(w) times <paramref name="scale"/> to <paramref name="gradient"/> unless it is empty.</summary>
    double Hamiltonian(ReadOnlySpan<float> w, Span<float> gradient, float scale);
}
