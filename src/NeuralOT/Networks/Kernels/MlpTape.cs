using System.Runtime.CompilerServices;
using System.Numerics;

namespace NeuralOT.Networks.Kernels;

/// <summary>
/// One forward pass of an <see cref="MlpKernel"/> over a batch of rows, kept for the passes that follow it: the
/// backward pass (weight gradients and input gradients of a loss on the outputs) and, for a scalar network, the input
/// gradient itself and the second-order pass that differentiates a loss on that input gradient (the time form's
/// critic, whose objective contains dPhi/dt and H(grad_x Phi)).
/// </summary>
/// <remarks>
/// Notation (docs/solver.md, "Fused kernels"): hidden layers l = 1..D with z_l = W_l a_(l-1) + b_l and a_l = sigma(z_l);
/// the output is W_(D+1) a_D + b_(D+1). Every buffer holds rows of a layer's padded width.
/// </remarks>
internal sealed unsafe class MlpTape
{
    private readonly MlpKernel network;
    private readonly PinnedBuffer input, output, scratchA, scratchB;
    private readonly PinnedBuffer[] activations, firstDerivatives, secondDerivatives, deltas, gammas, zetas;
    private bool hasSecondDerivatives;

    public MlpTape(MlpKernel network, int rows)
    {
        this.network = network;
        var hidden = network.HiddenLayers;
        input = new PinnedBuffer(0);
        output = new PinnedBuffer(0);
        scratchA = new PinnedBuffer(0);
        scratchB = new PinnedBuffer(0);
        PinnedBuffer[] PerLayer() => Enumerable.Range(0, hidden).Select(_ => new PinnedBuffer(0)).ToArray();
        activations = PerLayer();
        firstDerivatives = PerLayer();
        secondDerivatives = PerLayer();
        deltas = PerLayer();
        gammas = PerLayer();
        zetas = PerLayer();
        Reserve(rows);
    }

    /// <summary>The rows of the last forward pass.</summary>
    public int Rows { get; private set; }

    /// <summary>Where the caller writes the inputs before <see cref="Forward"/>: rows of <see cref="InputStride"/> floats.</summary>
    public float* Input => input.Pointer;

    public int InputStride => network.Layers[0].InputsPadded;

    /// <summary>The outputs of the last forward pass: rows of <see cref="OutputStride"/> floats.</summary>
    public float* Output => output.Pointer;

    public int OutputStride => network.Layers[^1].OutputsPadded;

    /// <summary>Makes room for <paramref name="rows"/> rows (the contents are lost when it grows).</summary>
    public void Reserve(int rows)
    {
        input.EnsureLength(rows * InputStride);
        output.EnsureLength(rows * OutputStride);
        scratchA.EnsureLength(rows * network.WidestRow);
        scratchB.EnsureLength(rows * network.WidestRow);
        for (var h = 0; h < network.HiddenLayers; h++)
        {
            var width = rows * network.Layers[h].OutputsPadded;
            foreach (var buffers in new[] { activations, firstDerivatives, secondDerivatives, deltas, gammas, zetas })
                buffers[h].EnsureLength(width);
        }
    }

    private float* LayerInput(int layer) => layer == 0 ? input.Pointer : activations[layer - 1].Pointer;

    private int LayerInputStride(int layer) => network.Layers[layer].InputsPadded;

    /// <summary>Runs the network on the first <paramref name="rows"/> rows of <see cref="Input"/>.</summary>
    /// <param name="rows">Rows to run.</param>
    /// <param name="secondOrder">Also keep sigma'' (for <see cref="InputGradient"/> and <see cref="SecondOrder"/>).</param>
    public void Forward(int rows, bool secondOrder = false)
    {
        Rows = rows;
        hasSecondDerivatives = secondOrder;
        var layers = network.Layers;
        for (var h = 0; h < network.HiddenLayers; h++)
        {
            var layer = layers[h];
            var values = activations[h].Pointer;
            Gemm.Multiply(rows, layer.OutputsPadded, layer.Inputs, LayerInput(h), LayerInputStride(h), 1, layer.Transposed.Pointer, layer.OutputsPadded, values, layer.OutputsPadded, false);
            ActivationKernels.Apply(network.Activation, values, layer.PaddedBias.Pointer, rows, layer.OutputsPadded,
                firstDerivatives[h].Pointer, secondOrder ? secondDerivatives[h].Pointer : null);
        }
        var last = layers[^1];
        Gemm.Multiply(rows, last.OutputsPadded, last.Inputs, LayerInput(layers.Length - 1), LayerInputStride(layers.Length - 1), 1,
            last.Transposed.Pointer, last.OutputsPadded, output.Pointer, last.OutputsPadded, false);
        AddRowVector(output.Pointer, last.PaddedBias.Pointer, rows, last.OutputsPadded);
    }

    /// <summary>Back-propagates d loss / d outputs (rows of <see cref="OutputStride"/> floats, zero in the padding):
    /// adds the weights' gradients to <paramref name="gradients"/> (null: the weights are frozen) and writes
    /// d loss / d inputs to <paramref name="inputGradient"/> (rows of <see cref="InputStride"/>; null: not needed).</summary>
    public void Backward(float* outputGradient, MlpGradients? gradients, float* inputGradient)
    {
        var layers = network.Layers;
        var gradient = outputGradient;
        for (var l = layers.Length - 1; l >= 0; l--)
        {
            var layer = layers[l];
            if (gradients is not null) AddWeightGradients(l, gradient, gradients);
            if (l == 0 && inputGradient == null) break;
            var target = l == 0 ? inputGradient : (gradient == scratchA.Pointer ? scratchB.Pointer : scratchA.Pointer);
            Gemm.Multiply(Rows, layer.InputsPadded, layer.Outputs, gradient, layer.OutputsPadded, 1, layer.Padded.Pointer, layer.InputsPadded, target, layer.InputsPadded, false);
            if (l > 0) MultiplyInPlace(target, firstDerivatives[l - 1].Pointer, (long)Rows * layer.InputsPadded);
            gradient = target;
        }
    }

    /// <summary>grad_u Phi(u) of a scalar network at every row, written to <paramref name="result"/> (rows of
    /// <see cref="InputStride"/>); keeps the intermediate gradients for <see cref="SecondOrder"/>. Needs a forward
    /// pass with second derivatives.</summary>
    public void InputGradient(float* result)
    {
        RequireScalarSecondOrder();
        var layers = network.Layers;
        var hidden = network.HiddenLayers;
        // gamma_D = w_(D+1) in every row; delta_l = gamma_l * sigma'(z_l); gamma_(l-1) = delta_l W_l.
        var outputWeights = layers[^1].Padded.Pointer;
        BroadcastMultiply(deltas[hidden - 1].Pointer, firstDerivatives[hidden - 1].Pointer, outputWeights, Rows, layers[hidden - 1].OutputsPadded);
        for (var h = hidden - 1; h >= 0; h--)
        {
            var layer = layers[h];
            var target = h == 0 ? result : gammas[h - 1].Pointer;
            Gemm.Multiply(Rows, layer.InputsPadded, layer.Outputs, deltas[h].Pointer, layer.OutputsPadded, 1, layer.Padded.Pointer, layer.InputsPadded, target, layer.InputsPadded, false);
            if (h > 0) Multiply(deltas[h - 1].Pointer, target, firstDerivatives[h - 1].Pointer, (long)Rows * layer.InputsPadded);
        }
    }

    /// <summary>
    /// Differentiates a loss J(g) of the input gradients g = grad_u Phi (from <see cref="InputGradient"/>), given
    /// p = dJ/dg row by row (rows of <see cref="InputStride"/>, zero in the padding): adds dJ/d(weights) to
    /// <paramref name="gradients"/> (null: frozen) and writes dJ/du to <paramref name="inputSensitivity"/> (null: not needed).
    /// </summary>
    /// <remarks>A tangent pass along p (zdot_1 = W_1 p, adot_l = sigma'(z_l) zdot_l, zdot_(l+1) = W_(l+1) adot_l) gives
    /// dJ/dW_l = delta_l adot_(l-1)^T and dJ/dw_(D+1) = sum adot_D; the curvature terms
    /// zeta_l = zdot_l gamma_l sigma''(z_l) then run back through the forward pass like output gradients.</remarks>
    public void SecondOrder(float* p, MlpGradients? gradients, float* inputSensitivity)
    {
        RequireScalarSecondOrder();
        var layers = network.Layers;
        var hidden = network.HiddenLayers;
        var outputWeights = layers[^1].Padded.Pointer;
        var tangentIn = p;
        var tangentInStride = InputStride;
        for (var h = 0; h < hidden; h++)
        {
            var layer = layers[h];
            var width = layer.OutputsPadded;
            var tangent = tangentIn == scratchA.Pointer ? scratchB.Pointer : scratchA.Pointer;
            Gemm.Multiply(Rows, width, layer.Inputs, tangentIn, tangentInStride, 1, layer.Transposed.Pointer, width, tangent, width, false);
            if (gradients is not null)
                Gemm.Multiply(layer.Inputs, width, Rows, tangentIn, 1, tangentInStride, deltas[h].Pointer, width, gradients.Weights[h].Pointer, width, true);
            Curvature(zetas[h].Pointer, tangent, h == hidden - 1 ? null : gammas[h].Pointer, outputWeights, secondDerivatives[h].Pointer, firstDerivatives[h].Pointer, Rows, width);
            tangentIn = tangent;
            tangentInStride = width;
        }
        if (gradients is not null)
        {
            // d/dw_(D+1): the column sums of adot_D, into column 0 of the output layer's W^T gradient.
            var last = layers[^1];
            var target = gradients.Weights[^1].Pointer;
            for (var r = 0; r < Rows; r++)
                for (var i = 0; i < last.Inputs; i++)
                    target[(long)i * last.OutputsPadded] += tangentIn[(long)r * tangentInStride + i];
        }
        // The curvature terms back through the forward pass: e_D = zeta_D, e_(l-1) = (e_l W_l) sigma'(z_(l-1)) + zeta_(l-1).
        var error = zetas[hidden - 1].Pointer;
        for (var h = hidden - 1; h >= 0; h--)
        {
            var layer = layers[h];
            if (gradients is not null) AddWeightGradients(h, error, gradients);
            if (h == 0)
            {
                if (inputSensitivity != null)
                    Gemm.Multiply(Rows, layer.InputsPadded, layer.Outputs, error, layer.OutputsPadded, 1, layer.Padded.Pointer, layer.InputsPadded, inputSensitivity, layer.InputsPadded, false);
                break;
            }
            var target = error == scratchA.Pointer ? scratchB.Pointer : scratchA.Pointer;
            Gemm.Multiply(Rows, layer.InputsPadded, layer.Outputs, error, layer.OutputsPadded, 1, layer.Padded.Pointer, layer.InputsPadded, target, layer.InputsPadded, false);
            MultiplyAdd(target, firstDerivatives[h - 1].Pointer, zetas[h - 1].Pointer, (long)Rows * layer.InputsPadded);
            error = target;
        }
    }

    private void RequireScalarSecondOrder()
    {
        if (network.Outputs != 1) throw new InvalidOperationException("Input gradients are implemented for scalar networks only.");
        if (network.HiddenLayers < 1) throw new InvalidOperationException("Input gradients need at least one hidden layer.");
        if (!hasSecondDerivatives) throw new InvalidOperationException("Run Forward with secondOrder: true first.");
    }

    // d loss / d W_l^T += a_(l-1)^T g and d loss / d b_l += column sums of g.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddWeightGradients(int l, float* gradient, MlpGradients gradients)
    {
        var layer = network.Layers[l];
        var width = layer.OutputsPadded;
        Gemm.Multiply(layer.Inputs, width, Rows, LayerInput(l), 1, LayerInputStride(l), gradient, width, gradients.Weights[l].Pointer, width, true);
        var bias = gradients.Biases[l].Pointer;
        var step = Vector<float>.Count;
        for (var j = 0; j < width; j += step)
        {
            var sum = Vector.Load(bias + j);
            for (var r = 0; r < Rows; r++) sum += Vector.Load(gradient + (long)r * width + j);
            sum.Store(bias + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRowVector(float* values, float* row, int rows, int width)
    {
        var step = Vector<float>.Count;
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < width; j += step)
            {
                var at = values + (long)r * width + j;
                (Vector.Load(at) + Vector.Load(row + j)).Store(at);
            }
    }

    // values[r, j] = derivatives[r, j] * row[j]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BroadcastMultiply(float* values, float* derivatives, float* row, int rows, int width)
    {
        var step = Vector<float>.Count;
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < width; j += step)
            {
                var at = (long)r * width + j;
                (Vector.Load(derivatives + at) * Vector.Load(row + j)).Store(values + at);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyInPlace(float* values, float* factors, long count)
    {
        var step = Vector<float>.Count;
        for (long i = 0; i < count; i += step) (Vector.Load(values + i) * Vector.Load(factors + i)).Store(values + i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply(float* result, float* a, float* b, long count)
    {
        var step = Vector<float>.Count;
        for (long i = 0; i < count; i += step) (Vector.Load(a + i) * Vector.Load(b + i)).Store(result + i);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyAdd(float* values, float* factors, float* addends, long count)
    {
        var step = Vector<float>.Count;
        for (long i = 0; i < count; i += step) (Vector.Load(values + i) * Vector.Load(factors + i) + Vector.Load(addends + i)).Store(values + i);
    }

    // zeta = zdot * gamma * sigma'' (gamma from its buffer, or the output weights in every row when null), then
    // zdot := sigma' * zdot (the tangent of the activations, the next layer's tangent input).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Curvature(float* zeta, float* tangent, float* gamma, float* outputWeights, float* second, float* first, int rows, int width)
    {
        var step = Vector<float>.Count;
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < width; j += step)
            {
                var at = (long)r * width + j;
                var zdot = Vector.Load(tangent + at);
                var g = gamma == null ? Vector.Load(outputWeights + j) : Vector.Load(gamma + at);
                (zdot * g * Vector.Load(second + at)).Store(zeta + at);
                (zdot * Vector.Load(first + at)).Store(tangent + at);
            }
    }
}
