using NeuralOT.Distributions;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Reference;

/// <summary>
/// A random strongly convex, non-quadratic potential psi(x) = (a/2) |x|^2 + b g(x) with g an input-convex network
/// with fixed random weights: z_1 = softplus(W_0 x + c_0), z_(k+1) = softplus(A_k z_k + W_k x + c_k), g(x) = u . z_L / L,
/// where the A_k and u are non-negative. softplus is convex and non-decreasing, so every z is convex in x and psi is
/// a-strongly convex. By Brenier's theorem grad(psi) is then the optimal map of the quadratic cost from any mu0 to
/// grad(psi)#mu0, which makes exact test problems in any dimension. Everything is float64 on the CPU; the gradient is
/// the exact derivative of psi (the chain rule, not a finite difference).
/// </summary>
public sealed class InputConvexPotential : IDisposable
{
    private readonly Tensor[] inputWeights;   // W_k: width x d
    private readonly Tensor[] biases;         // c_k: width
    private readonly Tensor[] hiddenWeights;  // A_k: width x width, non-negative (k = 1 .. depth-1)
    private readonly Tensor outputWeights;    // u: width, non-negative

    private InputConvexPotential(int dimension, double quadratic, double scale, Tensor[] inputWeights, Tensor[] biases, Tensor[] hiddenWeights, Tensor outputWeights)
    {
        Dimension = dimension;
        Quadratic = quadratic;
        Scale = scale;
        this.inputWeights = inputWeights;
        this.biases = biases;
        this.hiddenWeights = hiddenWeights;
        this.outputWeights = outputWeights;
    }

    /// <summary>The dimension d.</summary>
    public int Dimension { get; }

    /// <summary>The coefficient a of the quadratic term: psi is a-strongly convex and grad(psi) is invertible.</summary>
    public double Quadratic { get; }

    /// <summary>The factor b of the network part.</summary>
    public double Scale { get; }

    /// <summary>
    /// Draws the network's weights from <paramref name="seed"/> and sets the factor b so that the network part of the
    /// gradient, b grad g(x), has a root-mean-square length of <paramref name="strength"/> times the spread
    /// sqrt(tr Cov) of <paramref name="calibration"/> over samples of it: without this the network part would shrink
    /// relative to the points as the dimension grows, and the map would become nearly linear.
    /// </summary>
    /// <param name="calibration">The distribution the map will be applied to (mu0).</param>
    /// <param name="width">Units per layer (&gt;= 1).</param>
    /// <param name="depth">Layers (&gt;= 1).</param>
    /// <param name="quadratic">The coefficient a (&gt; 0).</param>
    /// <param name="strength">The relative size of the non-quadratic part (&gt; 0).</param>
    /// <param name="sharpness">The spread of each unit's pre-activation over the calibration samples (&gt; 0): the
    /// larger, the sharper each softplus bends within the data and the less affine the map.</param>
    /// <param name="seed">Seed of the weights and of the calibration samples.</param>
    /// <exception cref="ArgumentException">An argument is out of range (the message names it).</exception>
    public static InputConvexPotential Random(IDistribution calibration, int width, int depth, double quadratic, double strength, double sharpness, int seed)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        ParameterChecks.Positive(width, nameof(width));
        ParameterChecks.Positive(depth, nameof(depth));
        ParameterChecks.Positive(quadratic, nameof(quadratic));
        ParameterChecks.Positive(strength, nameof(strength));
        ParameterChecks.Positive(sharpness, nameof(sharpness));
        if (width > MaxWidth) throw new ArgumentOutOfRangeException(nameof(width), width, $"width = {width} is too large for the random potential; use at most {MaxWidth}.");
        if (depth > MaxDepth) throw new ArgumentOutOfRangeException(nameof(depth), depth, $"depth = {depth} is too large for the random potential; use at most {MaxDepth}.");
        var d = calibration.Dimension;
        var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var x = calibration.Sample(CalibrationSamples, generator);
        var input = new Tensor[depth];
        var bias = new Tensor[depth];
        var hidden = new Tensor[depth - 1];
        Tensor? z = null;
        for (var k = 0; k < depth; k++)
        {
            input[k] = randn(width, d, dtype: float64, generator: generator);
            if (k > 0) hidden[k - 1] = rand(width, width, dtype: float64, generator: generator);
            // Each unit's pre-activation gets a spread of `sharpness` over the data and its bend at a random data
            // point, so every softplus turns inside the data: with unscaled random weights the units average into a
            // nearly affine map. Scaling a whole row by a positive factor keeps A_k non-negative.
            var preactivation = x.matmul(input[k].t()) + (z is null ? zeros(1, dtype: float64) : z.matmul(hidden[k - 1].t()));
            var rowScale = sharpness / preactivation.std([0L]).clamp_min(1e-12);
            input[k] = input[k] * rowScale.unsqueeze(1);
            if (k > 0) hidden[k - 1] = hidden[k - 1] * rowScale.unsqueeze(1);
            var anchors = randint(0, CalibrationSamples, [width], dtype: int64, generator: generator);
            bias[k] = -(preactivation * rowScale).gather(0, anchors.unsqueeze(0)).squeeze(0);
            z = nn.functional.softplus(preactivation * rowScale + bias[k]);
        }
        var output = rand(width, dtype: float64, generator: generator);
        var unscaled = new InputConvexPotential(d, quadratic, 1.0, input, bias, hidden, output);
        var networkPart = unscaled.Gradient(x) - x * quadratic;
        var spread = Math.Sqrt(x.var([0L]).sum().item<double>());
        var length = Math.Sqrt(networkPart.square().sum(1).mean().item<double>());
        if (!(length > 0 && double.IsFinite(length)))
            throw new ArgumentException($"The random potential's gradient vanished on the calibration samples (length {length}); use another seed.", nameof(seed));
        return new InputConvexPotential(
            d, quadratic, strength * spread / length,
            input.Select(t => t.MoveToOuterDisposeScope()).ToArray(), bias.Select(t => t.MoveToOuterDisposeScope()).ToArray(),
            hidden.Select(t => t.MoveToOuterDisposeScope()).ToArray(), output.MoveToOuterDisposeScope());
    }

    private const int CalibrationSamples = 4096;

    /// <summary>The widest network <see cref="Random"/> accepts.</summary>
    public const int MaxWidth = 4096;

    /// <summary>The deepest network <see cref="Random"/> accepts.</summary>
    public const int MaxDepth = 32;

    /// <summary>psi(x) for each row of <paramref name="x"/> (n x d -> n), float64.</summary>
    public Tensor Value(Tensor x)
    {
        CheckShape(x);
        using var scope = NewDisposeScope();
        var points = x.to(float64);
        return scope.MoveToOuter(points.square().sum(1) * (Quadratic / 2) + Network(points) * Scale);
    }

    /// <summary>grad psi(x) for each row: the optimal map of the quadratic cost (n x d -> n x d), float64. Computed
    /// by the chain rule written out (a backward pass by hand, twice the work of psi itself), so that drawing target
    /// samples costs little beside training.</summary>
    public Tensor Gradient(Tensor x)
    {
        CheckShape(x);
        using var scope = NewDisposeScope();
        using var noGradient = no_grad();
        var points = x.to(float64);
        // Forward: keep each layer's pre-activation a_k; z_k = softplus(a_k).
        var preactivations = new Tensor[inputWeights.Length];
        var z = points.matmul(inputWeights[0].t()) + biases[0];
        preactivations[0] = z;
        for (var k = 1; k < inputWeights.Length; k++)
        {
            z = nn.functional.softplus(z).matmul(hiddenWeights[k - 1].t()) + points.matmul(inputWeights[k].t()) + biases[k];
            preactivations[k] = z;
        }
        // Backward: d g / d z_L = u / width; softplus' = sigmoid.
        var upstream = (outputWeights / outputWeights.shape[0]).unsqueeze(0).expand(points.shape[0], -1);
        var gradient = points * Quadratic;
        for (var k = inputWeights.Length - 1; k >= 0; k--)
        {
            var local = upstream * sigmoid(preactivations[k]);
            gradient = gradient + local.matmul(inputWeights[k]) * Scale;
            if (k > 0) upstream = local.matmul(hiddenWeights[k - 1]);
        }
        return scope.MoveToOuter(gradient);
    }

    /// <summary>The Hessian of psi at one point <paramref name="point"/> (length d), d x d; positive definite with
    /// every eigenvalue at least <see cref="Quadratic"/>. For tests and diagnostics (d gradient evaluations).</summary>
    public double[,] Hessian(double[] point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Length != Dimension) throw new ArgumentException($"point has length {point.Length}; expected the dimension {Dimension}.", nameof(point));
        using var scope = NewDisposeScope();
        using var enabled = enable_grad();
        var x = tensor(point, dtype: float64).unsqueeze(0).requires_grad_(true);
        var gradient = autograd.grad([Value(x).sum()], [x], create_graph: true, retain_graph: true)[0].squeeze(0);
        var hessian = new double[Dimension, Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            var row = autograd.grad([gradient[i]], [x], retain_graph: true)[0].squeeze(0).data<double>().ToArray();
            for (var j = 0; j < Dimension; j++) hessian[i, j] = row[j];
        }
        return hessian;
    }

    private Tensor Network(Tensor x)
    {
        var z = nn.functional.softplus(x.matmul(inputWeights[0].t()) + biases[0]);
        for (var k = 1; k < inputWeights.Length; k++)
            z = nn.functional.softplus(z.matmul(hiddenWeights[k - 1].t()) + x.matmul(inputWeights[k].t()) + biases[k]);
        return z.matmul(outputWeights) / outputWeights.shape[0];
    }

    private void CheckShape(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 2 || x.shape[1] != Dimension)
            throw new ArgumentException($"x has shape [{string.Join(", ", x.shape)}]; expected n x {Dimension}.", nameof(x));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in inputWeights.Concat(biases).Concat(hiddenWeights).Append(outputWeights)) t.Dispose();
    }
}
