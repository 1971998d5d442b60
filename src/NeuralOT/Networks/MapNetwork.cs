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

    private readonly Tensor? baseWeight;
    private readonly Tensor? baseBias;
    // With a linear base, F sees (x - inputShift) / units[0] and its output is multiplied by units[1], so that the
    // network works in units of the data's spread whatever the dimension and scale of the problem.
    private readonly Tensor? inputShift;
    private readonly Tensor? units;

    /// <summary>Creates F with the given hidden shape, initialised so that T = Id.</summary>
    /// <param name="dimension">The dimension d.</param>
    /// <param name="shape">Hidden width, depth and activation.</param>
    /// <param name="linearBase">Add a fixed linear displacement W x + c to F (zero until <see cref="SetLinearBase"/>;
    /// saved with the network), so training can start from a linear map.</param>
    public MapNetwork(int dimension, NetworkOptions shape, bool linearBase = false) : base(nameof(MapNetwork))
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        Dimension = dimension;
        displacement = new Mlp(dimension, dimension, shape, zeroOutput: true);
        if (linearBase)
        {
            baseWeight = zeros(dimension, dimension);
            baseBias = zeros(dimension);
            inputShift = zeros(dimension);
            units = ones(2);
        }
        RegisterComponents();
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The learned part of F (the fused kernels train it directly).</summary>
    internal Mlp Displacement => displacement;

    /// <summary>The fixed linear part and units (see <see cref="SetLinearBase"/>): W, c, the input shift and
    /// (input unit, output unit); null without a linear base.</summary>
    internal (Tensor Weight, Tensor Bias, Tensor Shift, Tensor Units)? LinearBase =>
        baseWeight is null ? null : (baseWeight, baseBias!, inputShift!, units!);

    /// <summary>Sets the fixed linear part W x + c of the displacement and the units of the learned part: F sees
    /// (x - <paramref name="shift"/>) / <paramref name="inputUnit"/> and its output is multiplied by
    /// <paramref name="outputUnit"/> (a network created with a linear base only).</summary>
    public void SetLinearBase(Tensor weight, Tensor bias, Tensor shift, double inputUnit, double outputUnit)
    {
        if (baseWeight is null || baseBias is null) throw new InvalidOperationException("This map network was created without a linear base.");
        using var _ = no_grad();
        baseWeight.copy_(weight);
        baseBias.copy_(bias);
        inputShift!.copy_(shift);
        units![0] = inputUnit;
        units[1] = outputUnit;
    }

    /// <summary>The displacement F(x) (n x d -> n x d).</summary>
    public override Tensor forward(Tensor x) =>
        baseWeight is null
            ? displacement.forward(x)
            : displacement.forward((x - inputShift!) / units![0]) * units[1] + x.matmul(baseWeight.t()) + baseBias!;

    /// <summary>T(x) = x + F(x).</summary>
    public Tensor Transport(Tensor x) => x + forward(x);

    /// <summary>T_t(x) = x + t F(x), the point at time t on the straight path from x.</summary>
    public Tensor Interpolate(Tensor x, double t) => x + forward(x) * t;
}
