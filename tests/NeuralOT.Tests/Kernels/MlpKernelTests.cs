using NeuralOT.Networks;
using NeuralOT.Networks.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Kernels;

/// <summary>The fused kernels against TorchSharp's autograd on the same network: outputs, first-order gradients,
/// input gradients, the second-order pass of the time form's critic, and Adam.</summary>
[Collection(TrainingCollection.Name)]
public sealed unsafe class MlpKernelTests
{
    // float32 sums in a different order: agreement to a few units in the sixth digit of the largest entry.
    private const double Tolerance = 2e-5;

    public static TheoryData<Activation, int, int> Shapes => new()
    {
        { Activation.SiLU, 20, 3 },     // width not a multiple of the padding
        { Activation.SiLU, 64, 2 },
        { Activation.Tanh, 33, 2 },
        { Activation.Softplus, 16, 3 },
        { Activation.ReLU, 48, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardAndBackwardMatchAutograd(Activation activation, int width, int depth)
    {
        using var scope = NewDisposeScope();
        const int rows = 37, inputs = 5, outputs = 3;
        var (network, kernel, tape, x) = RunForward(new NetworkOptions { Width = width, Depth = depth, Activation = activation }, inputs, outputs, rows, seed: 3, secondOrder: false);

        var input = x.clone().requires_grad_(true);
        var output = network.forward(input);
        AssertClose(output, Read(tape.Output, rows, outputs, tape.OutputStride), "outputs");

        // A loss sum(output * weights) with random weights: its output gradient is the weights.
        var outputWeights = randn(rows, outputs, generator: new Generator(5));
        var expected = autograd.grad([(output * outputWeights).sum()], network.parameters().Cast<Tensor>().Append(input).ToArray());
        var outputGradient = new PinnedBuffer(rows * tape.OutputStride);
        Write(outputWeights, outputGradient.Pointer, tape.OutputStride);
        var gradients = new MlpGradients(kernel);
        var inputGradient = new PinnedBuffer(rows * tape.InputStride);
        tape.Backward(outputGradient.Pointer, gradients, inputGradient.Pointer);
        AssertGradients(kernel, gradients, expected);
        AssertClose(expected[^1], Read(inputGradient.Pointer, rows, inputs, tape.InputStride), "input gradients");
    }

    [Theory]
    [InlineData(Activation.SiLU, 20, 3)]
    [InlineData(Activation.SiLU, 64, 3)]
    [InlineData(Activation.Tanh, 24, 2)]
    [InlineData(Activation.Softplus, 32, 1)]
    public void SecondOrderPassMatchesDoubleBackward(Activation activation, int width, int depth)
    {
        using var scope = NewDisposeScope();
        const int rows = 29, inputs = 4;
        var (network, kernel, tape, x) = RunForward(new NetworkOptions { Width = width, Depth = depth, Activation = activation }, inputs, 1, rows, seed: 7, secondOrder: true);

        var input = x.clone().requires_grad_(true);
        var potential = network.forward(input).squeeze(1);
        var g = autograd.grad([potential.sum()], [input], retain_graph: true, create_graph: true)[0];
        var inputGradient = new PinnedBuffer(rows * tape.InputStride);
        tape.InputGradient(inputGradient.Pointer);
        AssertClose(g, Read(inputGradient.Pointer, rows, inputs, tape.InputStride), "input gradients");

        // J = mean(g_last + |g_rest|^2 / 2), the time form's interior term with the quadratic Hamiltonian:
        // dJ/dg = (g_rest, 1) / rows.
        var objective = (g[.., ^1] + g[.., ..^1].square().sum(1) * 0.5).mean();
        // The output bias does not enter grad_u Phi: its gradient is zero, and autograd refuses to differentiate by it.
        var parameters = network.parameters().Cast<Tensor>().ToArray();
        var expected = autograd.grad([objective], parameters[..^1].Append(input).ToArray()).ToList();
        expected.Insert(parameters.Length - 1, zeros_like(parameters[^1]));
        var p = new PinnedBuffer(rows * tape.InputStride);
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < inputs - 1; j++) p.Pointer[r * tape.InputStride + j] = inputGradient.Pointer[r * tape.InputStride + j] / rows;
            p.Pointer[r * tape.InputStride + inputs - 1] = 1f / rows;
        }
        var gradients = new MlpGradients(kernel);
        var sensitivity = new PinnedBuffer(rows * tape.InputStride);
        tape.SecondOrder(p.Pointer, gradients, sensitivity.Pointer);
        AssertGradients(kernel, gradients, expected);
        AssertClose(expected[^1], Read(sensitivity.Pointer, rows, inputs, tape.InputStride), "dJ/d inputs");
    }

    /// <summary>The activations' exponential against double precision from -87 to 88, and its ends: beyond them it
    /// saturates to tiny and huge finite values, so SiLU, tanh and softplus stay finite there.</summary>
    [Fact]
    public void ExponentialIsAccurateToAFewUnitsInTheLastPlace()
    {
        double worst = 0;
        for (var x = -87.0; x <= 88.0; x += 0.0137)
        {
            var value = ActivationKernels.Exp(System.Runtime.Intrinsics.Vector256.Create((float)x))[0];
            var exact = Math.Exp((float)x);
            worst = Math.Max(worst, Math.Abs(value - exact) / exact);
        }
        Assert.True(worst < 1e-6, $"worst relative error {worst:E2}");
        var low = ActivationKernels.Exp(System.Runtime.Intrinsics.Vector256.Create(-1000f))[0];
        var high = ActivationKernels.Exp(System.Runtime.Intrinsics.Vector256.Create(1000f))[0];
        Assert.InRange(low, 0f, 1e-37f);
        Assert.True(float.IsFinite(high) && high > 1e38f, $"exp(1000) gave {high}");
    }

    [Fact]
    public void AdamMatchesTorchSharpsAdamAndKeepsItsState()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        var shape = new NetworkOptions { Width = 24, Depth = 2 };
        var network = new Mlp(3, 2, shape);
        var twin = new Mlp(3, 2, shape);
        using (no_grad())
            foreach (var (a, b) in twin.parameters().Zip(network.parameters())) a.copy_(b);
        var kernel = new MlpKernel(network);
        var optimizer = optim.Adam(network.parameters(), 0.01, 0.5, 0.999);
        var reference = optim.Adam(twin.parameters(), 0.01, 0.5, 0.999);
        var adam = new AdamKernel(optimizer, kernel);
        var generator = new Generator(10);
        for (var step = 0; step < 4; step++)
        {
            // Random gradients in the kernels' layout, and the same in TorchSharp's.
            var gradients = new MlpGradients(kernel);
            var parameters = twin.parameters().ToArray();
            for (var l = 0; l < kernel.Layers.Length; l++)
            {
                var layer = kernel.Layers[l];
                var weight = randn(layer.Outputs, layer.Inputs, generator: generator);
                var bias = randn(layer.Outputs, generator: generator);
                var w = TensorMemory.Floats(weight);
                for (var o = 0; o < layer.Outputs; o++)
                    for (var i = 0; i < layer.Inputs; i++) gradients.Weights[l].Pointer[i * layer.OutputsPadded + o] = w[o * layer.Inputs + i];
                for (var o = 0; o < layer.Outputs; o++) gradients.Biases[l].Pointer[o] = TensorMemory.Floats(bias)[o];
                parameters[2 * l].grad = weight;
                parameters[2 * l + 1].grad = bias;
            }
            adam.Step(gradients);
            reference.step();
        }
        foreach (var (mine, theirs) in network.parameters().Zip(twin.parameters()))
            AssertClose(theirs, mine, "weights after four steps");
        var states = optimizer.state_dict().State.Cast<TorchSharp.Modules.Adam.State>().ToArray();
        var referenceStates = reference.state_dict().State.Cast<TorchSharp.Modules.Adam.State>().ToArray();
        foreach (var (mine, theirs) in states.Zip(referenceStates))
        {
            Assert.Equal(theirs.step, mine.step);
            AssertClose(theirs.exp_avg, mine.exp_avg, "first moments");
            AssertClose(theirs.exp_avg_sq, mine.exp_avg_sq, "second moments");
        }
    }

    // A seeded network, its kernel and one forward pass on seeded inputs.
    private static (Mlp Network, MlpKernel Kernel, MlpTape Tape, Tensor Inputs) RunForward(NetworkOptions shape, int inputs, int outputs, int rows, int seed, bool secondOrder)
    {
        torch.manual_seed(seed);
        var network = new Mlp(inputs, outputs, shape);
        var kernel = new MlpKernel(network);
        var tape = new MlpTape(kernel, rows);
        var x = randn(rows, inputs, generator: new Generator((ulong)seed + 1));
        Write(x, tape.Input, tape.InputStride);
        tape.Forward(rows, secondOrder);
        return (network, kernel, tape, x);
    }

    private static void AssertGradients(MlpKernel kernel, MlpGradients gradients, IList<Tensor> expected)
    {
        for (var l = 0; l < kernel.Layers.Length; l++)
        {
            var layer = kernel.Layers[l];
            var weight = zeros(layer.Outputs, layer.Inputs);
            var w = TensorMemory.Floats(weight);
            for (var o = 0; o < layer.Outputs; o++)
                for (var i = 0; i < layer.Inputs; i++) w[o * layer.Inputs + i] = gradients.Weights[l].Pointer[i * layer.OutputsPadded + o];
            AssertClose(expected[2 * l], weight, $"layer {l} weight gradient");
            AssertClose(expected[2 * l + 1], Read(gradients.Biases[l].Pointer, 1, layer.Outputs, layer.OutputsPadded).squeeze(0), $"layer {l} bias gradient");
        }
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        var scale = Math.Max(expected.abs().max().item<float>(), 1e-6f);
        var error = (expected.detach() - actual).abs().max().item<float>();
        Assert.True(error <= Tolerance * scale, $"{what}: max difference {error:E3} against a largest entry of {scale:E3}");
    }

    private static void Write(Tensor values, float* target, int stride)
    {
        var rows = (int)values.shape[0];
        var columns = (int)values.shape[1];
        var source = TensorMemory.Floats(values.contiguous());
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < columns; j++) target[r * stride + j] = source[r * columns + j];
    }

    private static Tensor Read(float* source, int rows, int columns, int stride)
    {
        var result = zeros(rows, columns);
        var target = TensorMemory.Floats(result);
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < columns; j++) target[r * columns + j] = source[r * stride + j];
        return result;
    }
}
