using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>
/// A strongly convex potential psi: R^d -> R built as an input-convex network (Amos, Xu &amp; Kolter 2017):
/// z_1 = softplus(W_0 y + b_0), z_(k+1) = softplus(A_k z_k + W_k y + b_k), psi(y) = a . z_L / width + v . y + (q/2) |y - c|_P^2,
/// with A_k, a and q kept positive by a softplus of free parameters. softplus is convex and non-decreasing, so psi is
/// convex in y for every value of the parameters, and q-strongly convex.
/// </summary>
public sealed class InputConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> inputLayers;
    private readonly ParameterList hiddenWeights;
    private readonly Parameter outputWeights;
    private readonly Linear linear;
    private readonly Parameter quadratic;

    /// <summary>Creates psi with <paramref name="depth"/> layers of <paramref name="width"/> units; it starts close
    /// to |y|^2 / 2 (q = 1, small positive weights elsewhere).</summary>
    public InputConvexNetwork(int dimension, int width, int depth) : base(nameof(InputConvexNetwork))
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The dimension must be at least 1.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1.");
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "The depth must be at least 1.");
        inputLayers = new ModuleList<Linear>(Enumerable.Range(0, depth).Select(_ => nn.Linear(dimension, width)).ToArray());
        // softplus(-log(width)) is about 1 / width: each hidden unit starts as an average of the units below it.
        var hidden = new ParameterList();
        using (no_grad())
        {
            for (var k = 1; k < depth; k++)
                hidden.Add(new Parameter(randn(width, width) * 0.1 - Math.Log(width)));
            outputWeights = new Parameter(randn(width) * 0.1);
            quadratic = new Parameter(tensor(Math.Log(Math.E - 1), float32));
        }
        hiddenWeights = hidden;
        linear = nn.Linear(dimension, 1, hasBias: false);
        Width = width;
        metric = eye(dimension);
        centre = zeros(dimension);
        RegisterComponents();
    }

    // The quadratic term is (q/2) (y - centre)^T metric (y - centre): the identity and zero unless a Gaussian start sets them.
    private readonly Tensor metric;
    private readonly Tensor centre;

    /// <summary>Makes the quadratic term (q/2) (y - c)^T P (y - c), P symmetric positive definite: with P = A^-1 and
    /// c = b it is the potential psi_B* of a Gaussian start (<see cref="Solvers.GaussianStart"/>).</summary>
    public void SetQuadratic(Tensor positiveDefinite, Tensor centreOfQuadratic)
    {
        using var _ = no_grad();
        metric.copy_(positiveDefinite);
        centre.copy_(centreOfQuadratic);
    }

    /// <summary>Units per layer.</summary>
    public int Width { get; }

    /// <summary>psi(y) for each row (n x d -> n).</summary>
    public override Tensor forward(Tensor y)
    {
        var z = nn.functional.softplus(inputLayers[0].forward(y));
        for (var k = 1; k < inputLayers.Count; k++)
            z = nn.functional.softplus(z.matmul(nn.functional.softplus(hiddenWeights[k - 1]).t()) + inputLayers[k].forward(y));
        var convex = z.matmul(nn.functional.softplus(outputWeights)) / Width;
        var shifted = y - centre;
        return convex + linear.forward(y).squeeze(1) + nn.functional.softplus(quadratic) * 0.5 * (shifted.matmul(metric) * shifted).sum(1);
    }
}
