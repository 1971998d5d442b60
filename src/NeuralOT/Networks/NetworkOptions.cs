namespace NeuralOT.Networks;

/// <summary>Shape of a fully connected network: <paramref name="Depth"/> hidden layers of <paramref name="Width"/> units.</summary>
/// <param name="Width">Units per hidden layer (&gt;= 1).</param>
/// <param name="Depth">Number of hidden layers (&gt;= 1).</param>
/// <param name="Activation">Hidden-layer activation (an input-convex network always uses softplus).</param>
/// <param name="InputConvex">For the static critic of the quadratic cost: phi(y) = |y|^2 / 2 - psi(y) with psi an
/// <see cref="InputConvexNetwork"/>, so that each map step solves a convex problem (see docs/solver.md).</param>
public sealed record NetworkOptions(int Width = 64, int Depth = 3, Activation Activation = Activation.SiLU, bool InputConvex = false)
{
    /// <summary>The shape as messages show it, for example <c>3 x 64 silu</c> or <c>3 x 64 input-convex</c>.</summary>
    public string Describe() => InputConvex ? $"{Depth} x {Width} input-convex" : $"{Depth} x {Width} {Activation.ConfigName()}";

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="name"/> when a field is out of range.</summary>
    public void Validate(string name)
    {
        if (Width < 1) throw new ArgumentOutOfRangeException(name + ".width", Width, $"{name}.width must be at least 1 (got {Width}).");
        if (Depth < 1) throw new ArgumentOutOfRangeException(name + ".depth", Depth, $"{name}.depth must be at least 1 (got {Depth}).");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(name + ".activation", Activation, $"{name}.activation is not a known activation.");
    }
}
