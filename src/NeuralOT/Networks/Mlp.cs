using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>A fully connected network: input -> [Linear, activation] x depth -> Linear -> output.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    /// <summary>Creates the network with PyTorch's default initialisation (seed it with <c>torch.manual_seed</c>).</summary>
    /// <param name="inputs">Input features.</param>
    /// <param name="outputs">Output features.</param>
    /// <param name="shape">Hidden width, depth and activation.</param>
    /// <param name="zeroOutput">Initialise the last layer to zero, so the network starts as the zero function.</param>
    public Mlp(int inputs, int outputs, NetworkOptions shape, bool zeroOutput = false) : base(nameof(Mlp))
    {
        shape.Validate("network");
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        var width = inputs;
        for (var layer = 0; layer < shape.Depth; layer++)
        {
            modules.Add(($"linear{layer}", nn.Linear(width, shape.Width)));
            modules.Add(($"activation{layer}", Activations.Create(shape.Activation)));
            width = shape.Width;
        }
        var output = nn.Linear(width, outputs);
        if (zeroOutput)
        {
            using var _ = no_grad();
            output.weight!.zero_();
            output.bias!.zero_();
        }
        modules.Add(("output", output));
        layers = nn.Sequential(modules);
        LinearLayers = modules.Select(m => m.Item2).OfType<Linear>().ToArray();
        Activation = shape.Activation;
        Inputs = inputs;
        Outputs = outputs;
        RegisterComponents();
    }

    /// <summary>Input features.</summary>
    public int Inputs { get; }

    /// <summary>The hidden activation.</summary>
    public Activation Activation { get; }

    /// <summary>The linear layers in order, the output layer last (the fused kernels read their weights).</summary>
    internal IReadOnlyList<Linear> LinearLayers { get; }

    /// <summary>Output features.</summary>
    public int Outputs { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => layers.forward(input);
}
