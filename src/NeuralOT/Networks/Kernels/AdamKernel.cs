using System.Runtime.CompilerServices;
using TorchSharp.Modules;

namespace NeuralOT.Networks.Kernels;

/// <summary>
/// TorchSharp's Adam step for the weights of an <see cref="MlpKernel"/>, applied to gradients in the kernels' layout
/// and writing the weights and the optimiser's own moment tensors and step counts in place, so that checkpoints,
/// resumes and a later autograd step see exactly the state a TorchSharp step would have left.
/// </summary>
internal sealed unsafe class AdamKernel
{
    private readonly OptimizerHelper optimizer;
    private readonly MlpKernel network;
    private readonly double beta1, beta2, epsilon;
    private Adam.State[] states = [];
    private nint[] means = [], meanSquares = [];
    private readonly PinnedBuffer scratch;

    public AdamKernel(OptimizerHelper optimizer, MlpKernel network)
    {
        this.optimizer = optimizer;
        this.network = network;
        if (optimizer is not Adam adam) throw new ArgumentException("The fused kernels implement Adam only.", nameof(optimizer));
        var groups = optimizer.ParamGroups.ToArray();
        if (groups.Length != 1) throw new ArgumentException("The fused kernels expect one parameter group.", nameof(optimizer));
        var options = ((Adam.ParamGroup)groups[0]).Options;
        if (options.amsgrad == true || options.maximize == true || (options.weight_decay ?? 0) != 0)
            throw new ArgumentException("The fused kernels implement plain Adam (no AMSGrad, maximize or weight decay).", nameof(optimizer));
        (beta1, beta2) = adam.Betas;
        epsilon = options.eps ?? 1e-8;
        scratch = new PinnedBuffer(network.Layers.Max(l => l.Inputs * l.Outputs));
        Refresh();
    }

    /// <summary>Looks up the optimiser's state tensors again (a loaded checkpoint may have replaced them).</summary>
    public void Refresh()
    {
        states = optimizer.state_dict().State.Cast<Adam.State>().ToArray();
        if (states.Length != 2 * network.Layers.Length)
            throw new InvalidOperationException($"The optimiser holds {states.Length} parameters; the network has {2 * network.Layers.Length}.");
        means = states.Select(s => (nint)TensorMemory.Floats(s.exp_avg)).ToArray();
        meanSquares = states.Select(s => (nint)TensorMemory.Floats(s.exp_avg_sq)).ToArray();
    }

    /// <summary>One Adam step with the group's current learning rate.</summary>
    public void Step(MlpGradients gradients)
    {
        var learningRate = optimizer.ParamGroups.First().LearningRate;
        for (var l = 0; l < network.Layers.Length; l++)
        {
            var layer = network.Layers[l];
            // The W^T gradient back to W's layout.
            var weightGradient = scratch.Pointer;
            var transposed = gradients.Weights[l].Pointer;
            for (var o = 0; o < layer.Outputs; o++)
                for (var i = 0; i < layer.Inputs; i++)
                    weightGradient[(long)o * layer.Inputs + i] = transposed[(long)i * layer.OutputsPadded + o];
            Update(2 * l, layer.Weight, weightGradient, layer.Inputs * layer.Outputs, learningRate);
            Update(2 * l + 1, layer.Bias, gradients.Biases[l].Pointer, layer.Outputs, learningRate);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Update(int index, float* parameter, float* gradient, int count, double learningRate)
    {
        var state = states[index];
        state.step += 1;
        var correction1 = 1 - Math.Pow(beta1, state.step);
        var correction2 = 1 - Math.Pow(beta2, state.step);
        var stepSize = (float)(learningRate / correction1);
        var rootCorrection2 = (float)Math.Sqrt(correction2);
        float b1 = (float)beta1, b2 = (float)beta2, oneMinusB1 = (float)(1 - beta1), oneMinusB2 = (float)(1 - beta2), eps = (float)epsilon;
        var mean = (float*)means[index];
        var meanSquare = (float*)meanSquares[index];
        for (var i = 0; i < count; i++)
        {
            var g = gradient[i];
            var m = mean[i] = b1 * mean[i] + oneMinusB1 * g;
            var v = meanSquare[i] = b2 * meanSquare[i] + oneMinusB2 * g * g;
            parameter[i] -= stepSize * m / (MathF.Sqrt(v) / rootCorrection2 + eps);
        }
    }
}
