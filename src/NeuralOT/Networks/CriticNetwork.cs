using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>
/// The critic (Lagrange multiplier) of the minimax problem: Phi(x, t): R^(d+1) -> R for the time-dependent form,
/// or phi(y): R^d -> R for the static form. Time enters as one more input coordinate.
/// </summary>
public sealed class CriticNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> potential;

    /// <summary>Creates the critic.</summary>
    /// <param name="dimension">The dimension d of the points.</param>
    /// <param name="timeDependent">Whether the critic takes t as an input (Phi(x, t)) or not (phi(y)).</param>
    /// <param name="shape">Hidden width, depth and activation.</param>
    public CriticNetwork(int dimension, bool timeDependent, NetworkOptions shape) : base(nameof(CriticNetwork))
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        TimeDependent = timeDependent;
        if (shape.InputConvex && timeDependent)
            throw new ArgumentException("An input-convex critic is available for the static form only (the time form's critic Phi(x, t) is not a convex potential).", nameof(shape));
        InputConvex = shape.InputConvex;
        potential = shape.InputConvex
            ? new InputConvexNetwork(dimension, shape.Width, shape.Depth)
            : new Mlp(timeDependent ? dimension + 1 : dimension, 1, shape);
        RegisterComponents();
    }

    /// <summary>The dimension d of the points.</summary>
    public int Dimension { get; }

    /// <summary>Whether the critic is Phi(x, t) rather than phi(y).</summary>
    public bool TimeDependent { get; }

    /// <summary>Whether phi(y) = |y|^2 / 2 - psi(y) with psi input-convex.</summary>
    public bool InputConvex { get; }

    /// <summary>phi(y) for the static critic (n x d -> n).</summary>
    public override Tensor forward(Tensor x)
    {
        if (TimeDependent) throw new InvalidOperationException("This critic depends on time: call Forward(x, t).");
        return InputConvex ? x.square().sum(1) * 0.5 - potential.forward(x) : potential.forward(x).squeeze(1);
    }

    /// <summary>Phi(x, t) (x: n x d, t: n x 1 -> n). A static critic ignores t.</summary>
    public Tensor Forward(Tensor x, Tensor t) =>
        TimeDependent ? potential.forward(cat([x, t], 1)).squeeze(1) : forward(x);

    /// <summary>Phi(x, t) at one time for every row.</summary>
    public Tensor Forward(Tensor x, double t) =>
        TimeDependent ? Forward(x, full(x.shape[0], 1, t, dtype: x.dtype, device: x.device)) : forward(x);
}
