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
    /// <param name="quadraticBase">Add a fixed quadratic y^T Q y / 2 + c . y to the static critic (zero until
    /// <see cref="SetGaussianStart"/>; saved with the network), so training can start from a Gaussian problem's critic.</param>
    public CriticNetwork(int dimension, bool timeDependent, NetworkOptions shape, bool quadraticBase = false) : base(nameof(CriticNetwork))
    {
        if (quadraticBase && timeDependent)
            throw new ArgumentException("A quadratic base is available for the static critic only.", nameof(quadraticBase));
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        TimeDependent = timeDependent;
        if (shape.InputConvex && timeDependent)
            throw new ArgumentException("An input-convex critic is available for the static form only (the time form's critic Phi(x, t) is not a convex potential).", nameof(shape));
        InputConvex = shape.InputConvex;
        potential = shape.InputConvex
            ? new InputConvexNetwork(dimension, shape.Width, shape.Depth)
            : new Mlp(timeDependent ? dimension + 1 : dimension, 1, shape);
        if (quadraticBase && !shape.InputConvex)
        {
            baseQuadratic = zeros(dimension, dimension);
            baseLinear = zeros(dimension);
            inputShift = zeros(dimension);
            units = ones(2);
        }
        hasGaussianStart = quadraticBase;
        RegisterComponents();
    }

    private readonly Tensor? baseQuadratic;
    private readonly Tensor? baseLinear;
    // With a Gaussian start the plain network sees (y - inputShift) / units[0] and its output is multiplied by
    // units[1] (a squared length: the critic has the units of the cost).
    private readonly Tensor? inputShift;
    private readonly Tensor? units;
    private readonly bool hasGaussianStart;

    /// <summary>
    /// Starts the critic at the optimal critic of the Gaussian problem whose map is B(x) = A x + b:
    /// phi_B(y) = |y|^2/2 - (y - b)^T A^-1 (y - b)/2 up to a constant. A plain critic adds phi_B as a fixed part; an
    /// input-convex one takes (y - b)^T A^-1 (y - b)/2 as its quadratic term. Only for a critic created with a base.
    /// </summary>
    /// <param name="inverseMap">A^-1 (d x d).</param>
    /// <param name="offset">b.</param>
    /// <param name="shift">The target mean: the plain network sees (y - shift) / unit.</param>
    /// <param name="unit">The target's spread per coordinate; the plain network's output is multiplied by its square.</param>
    public void SetGaussianStart(Tensor inverseMap, Tensor offset, Tensor shift, double unit)
    {
        if (!hasGaussianStart) throw new InvalidOperationException("This critic was created without a quadratic base.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (potential is InputConvexNetwork convex)
        {
            convex.SetQuadratic(inverseMap, offset);
            return;
        }
        baseQuadratic!.copy_(eye(inverseMap.shape[0], dtype: inverseMap.dtype) - inverseMap);
        baseLinear!.copy_(inverseMap.matmul(offset));
        inputShift!.copy_(shift);
        units![0] = unit;
        units[1] = unit * unit;
    }

    /// <summary>The dimension d of the points.</summary>
    public int Dimension { get; }

    /// <summary>The plain network inside the critic (the fused kernels train it directly); null for an
    /// input-convex critic.</summary>
    internal Mlp? PlainPotential => potential as Mlp;

    /// <summary>The fixed quadratic part and units (see <see cref="SetGaussianStart"/>): Q, c, the input shift and
    /// (input unit, output unit); null without a quadratic base.</summary>
    internal (Tensor Quadratic, Tensor Linear, Tensor Shift, Tensor Units)? QuadraticBase =>
        baseQuadratic is null ? null : (baseQuadratic, baseLinear!, inputShift!, units!);

    /// <summary>Whether the critic is Phi(x, t) rather than phi(y).</summary>
    public bool TimeDependent { get; }

    /// <summary>Whether phi(y) = |y|^2 / 2 - psi(y) with psi input-convex.</summary>
    public bool InputConvex { get; }

    /// <summary>phi(y) for the static critic (n x d -> n).</summary>
    public override Tensor forward(Tensor x)
    {
        if (TimeDependent) throw new InvalidOperationException("This critic depends on time: call Forward(x, t).");
        if (InputConvex) return x.square().sum(1) * 0.5 - potential.forward(x);
        if (baseQuadratic is null) return potential.forward(x).squeeze(1);
        return potential.forward((x - inputShift!) / units![0]).squeeze(1) * units[1]
            + (x.matmul(baseQuadratic) * x).sum(1) * 0.5 + x.matmul(baseLinear!);
    }

    /// <summary>Phi(x, t) (x: n x d, t: n x 1 -> n). A static critic ignores t.</summary>
    public Tensor Forward(Tensor x, Tensor t) =>
        TimeDependent ? potential.forward(cat([x, t], 1)).squeeze(1) : forward(x);

    /// <summary>Phi(x, t) at one time for every row.</summary>
    public Tensor Forward(Tensor x, double t) =>
        TimeDependent ? Forward(x, full(x.shape[0], 1, t, dtype: x.dtype, device: x.device)) : forward(x);
}
