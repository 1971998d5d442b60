using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Networks;

/// <summary>Hidden-layer activations. The time-dependent critic needs a smooth one (the map update
/// differentiates through grad_x Phi, which ReLU makes piecewise constant).</summary>
public enum Activation
{
    /// <summary>x * sigmoid(x); smooth, the default.</summary>
    SiLU,
    /// <summary>Hyperbolic tangent (the predecessor paper's choice).</summary>
    Tanh,
    /// <summary>log(1 + e^x); smooth.</summary>
    Softplus,
    /// <summary>Gaussian error linear unit; smooth.</summary>
    GELU,
    /// <summary>max(0, x); not smooth: unsuitable for the time-dependent critic.</summary>
    ReLU,
}

/// <summary>Parsing and module creation for <see cref="Activation"/>.</summary>
public static class Activations
{
    /// <summary>The config names, lower case.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<Activation>().Select(ConfigName).ToArray();

    /// <summary>The name configs and checkpoints use, such as <c>silu</c>.</summary>
    public static string ConfigName(this Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>Parses a config name such as <c>silu</c> (case-insensitive).</summary>
    public static Activation Parse(string name) =>
        Enum.TryParse<Activation>(name, ignoreCase: true, out var activation) && Enum.IsDefined(activation)
            ? activation
            : throw new ArgumentException($"Unknown activation \"{name}\"; use one of {string.Join(", ", Names)}.", nameof(name));

    internal static nn.Module<Tensor, Tensor> Create(Activation activation) => activation switch
    {
        Activation.SiLU => nn.SiLU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Softplus => nn.Softplus(),
        Activation.GELU => nn.GELU(),
        Activation.ReLU => nn.ReLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
