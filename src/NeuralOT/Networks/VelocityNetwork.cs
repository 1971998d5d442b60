using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>
/// The velocity field v(x, t): R^(d+1) -> R^d of phase 2 (docs/method.md, "Phase 2"). Time enters as one more input coordinate.
/// </summary>
public sealed class VelocityNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Mlp field;

    /// <summary>Creates the field with PyTorch's default initialisation (seed it with <c>torch.manual_seed</c>).</summary>
    /// <param name="dimension">The dimension d of the points.</param>
    /// <param name="shape">Hidden width, depth and activation.</param>
    public VelocityNetwork(int dimension, NetworkOptions shape) : base(nameof(VelocityNetwork))
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        field = new Mlp(dimension + 1, dimension, shape);
        RegisterComponents();
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>v(x, t) with one time per row (x: n x d, t: n x 1 -> n x d).</summary>
    public override Tensor forward(Tensor x, Tensor t) => field.forward(cat([x, t], 1));

    /// <summary>v(x, t) at one time for every row.</summary>
    public Tensor Forward(Tensor x, double t) => forward(x, full(x.shape[0], 1, t, dtype: x.dtype, device: x.device));
}
