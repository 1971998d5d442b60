using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>
/// The transport map T = Id + F, parameterised by its displacement F: R^d -> R^d. The last layer starts at zero,
/// so training starts from the identity map. The geodesic is T_t(x) = x + t F(x).
/// </summary>
public sealed class MapNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Mlp displacement;

    /// <summary>Creates F with the given hidden shape, initialised so that T = Id.</summary>
    public MapNetwork(int dimension, NetworkOptions shape) : base(nameof(MapNetwork))
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        displacement = new Mlp(dimension, dimension, shape, zeroOutput: true);
        RegisterComponents();
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The displacement F(x) (n x d -> n x d).</summary>
    public override Tensor forward(Tensor x) => displacement.forward(x);

    /// <summary>T(x) = x + F(x).</summary>
    public Tensor Transport(Tensor x) => x + forward(x);

    /// <summary>T_t(x) = x + t F(x), the point at time t on the straight path from x.</summary>
    public Tensor Interpolate(Tensor x, double t) => x + forward(x) * t;
}
