using TorchSharp.Modules;

namespace NeuralOT.Networks.Kernels;

/// <summary>
/// One <see cref="Linear"/> layer as the kernels see it: pointers to its weight W (out x in) and bias in the
/// module's own storage, and two padded copies of W made after every update, W^T (in x out, rows padded to 16) for
/// products with the layer's inputs and W (out x in, rows padded to 16) for products with its output gradients.
/// </summary>
internal sealed unsafe class DenseLayer
{
    private readonly Linear linear;

    public DenseLayer(Linear linear)
    {
        this.linear = linear;
        var shape = linear.weight!.shape;
        Outputs = (int)shape[0];
        Inputs = (int)shape[1];
        OutputsPadded = Gemm.Pad(Outputs);
        InputsPadded = Gemm.Pad(Inputs);
        Transposed = new PinnedBuffer(Inputs * OutputsPadded);
        Padded = new PinnedBuffer(Outputs * InputsPadded);
        PaddedBias = new PinnedBuffer(OutputsPadded);
        Refresh();
    }

    public int Inputs { get; }
    public int Outputs { get; }
    public int InputsPadded { get; }
    public int OutputsPadded { get; }

    /// <summary>W in the module's storage (out x in).</summary>
    public float* Weight { get; private set; }

    /// <summary>The bias in the module's storage.</summary>
    public float* Bias { get; private set; }

    /// <summary>W^T, in x OutputsPadded, zero beyond the outputs.</summary>
    public PinnedBuffer Transposed { get; }

    /// <summary>W, out x InputsPadded, zero beyond the inputs.</summary>
    public PinnedBuffer Padded { get; }

    /// <summary>The bias, zero beyond the outputs.</summary>
    public PinnedBuffer PaddedBias { get; }

    /// <summary>Reads the storage pointers again (a loaded checkpoint may have replaced the tensors' storage).</summary>
    public void Refresh()
    {
        Weight = TensorMemory.Floats(linear.weight!);
        Bias = TensorMemory.Floats(linear.bias!);
    }

    /// <summary>Copies the module's current weights into the padded layouts.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Pack()
    {
        float* transposed = Transposed.Pointer, padded = Padded.Pointer, bias = PaddedBias.Pointer;
        for (var o = 0; o < Outputs; o++)
        {
            var row = Weight + (long)o * Inputs;
            for (var i = 0; i < Inputs; i++)
            {
                transposed[(long)i * OutputsPadded + o] = row[i];
                padded[(long)o * InputsPadded + i] = row[i];
            }
            bias[o] = Bias[o];
        }
    }
}

/// <summary>
/// A plain <see cref="Mlp"/> (input -> [Linear, activation] x depth -> Linear) as the kernels see it: its layers in
/// order and its activation.
/// </summary>
internal sealed class MlpKernel
{
    public MlpKernel(Mlp network)
    {
        if (!Supports(network))
            throw new ArgumentException($"The fused kernels do not implement the {network.Activation.ConfigName()} activation.", nameof(network));
        Activation = network.Activation;
        Layers = network.LinearLayers.Select(l => new DenseLayer(l)).ToArray();
        Pack();
    }

    /// <summary>Whether the kernels can train <paramref name="network"/>.</summary>
    public static bool Supports(Mlp network) => ActivationKernels.Supports(network.Activation);

    public Activation Activation { get; }

    /// <summary>The hidden layers, then the output layer.</summary>
    public DenseLayer[] Layers { get; }

    public int Outputs => Layers[^1].Outputs;
    public int HiddenLayers => Layers.Length - 1;

    /// <summary>The widest padded row of any layer's input or output.</summary>
    public int WidestRow => Layers.Max(l => Math.Max(l.InputsPadded, l.OutputsPadded));

    /// <summary>Reads the storage pointers again (a loaded checkpoint may have replaced the tensors' storage).</summary>
    public void Refresh()
    {
        foreach (var layer in Layers) layer.Refresh();
    }

    /// <summary>Copies the current weights into the padded layouts (after every update and every outside change).</summary>
    public void Pack()
    {
        foreach (var layer in Layers) layer.Pack();
    }
}

/// <summary>The gradients of an <see cref="MlpKernel"/>'s weights, accumulated by the tapes: d loss / d W^T per layer
/// (in x OutputsPadded) and d loss / d bias (OutputsPadded).</summary>
internal sealed unsafe class MlpGradients(MlpKernel network)
{
    public MlpKernel Network { get; } = network;

    public PinnedBuffer[] Weights { get; } = network.Layers.Select(l => new PinnedBuffer(l.Inputs * l.OutputsPadded)).ToArray();

    public PinnedBuffer[] Biases { get; } = network.Layers.Select(l => new PinnedBuffer(l.OutputsPadded)).ToArray();

    public void Clear()
    {
        foreach (var buffer in Weights) buffer.Clear();
        foreach (var buffer in Biases) buffer.Clear();
    }

    /// <summary>Adds another buffer set's gradients (a shard's) to these.</summary>
    public void Add(MlpGradients other)
    {
        for (var l = 0; l < Weights.Length; l++)
        {
            Add(Weights[l], other.Weights[l]);
            Add(Biases[l], other.Biases[l]);
        }
    }

    /// <summary>Multiplies every gradient by <paramref name="factor"/>.</summary>
    public void Scale(float factor)
    {
        foreach (var buffer in Weights.Concat(Biases))
            foreach (ref var value in buffer.Span) value *= factor;
    }

    /// <summary>The sum of the squared gradients of every weight and bias.</summary>
    public double SquaredNorm()
    {
        double sum = 0;
        for (var l = 0; l < Weights.Length; l++)
        {
            var layer = Network.Layers[l];
            for (var i = 0; i < layer.Inputs; i++)
                for (var o = 0; o < layer.Outputs; o++)
                {
                    double g = Weights[l].Pointer[(long)i * layer.OutputsPadded + o];
                    sum += g * g;
                }
            for (var o = 0; o < layer.Outputs; o++)
            {
                double g = Biases[l].Pointer[o];
                sum += g * g;
            }
        }
        return sum;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Add(PinnedBuffer into, PinnedBuffer from)
    {
        var target = into.Span;
        var source = from.Span;
        for (var i = 0; i < target.Length; i++) target[i] += source[i];
    }
}
