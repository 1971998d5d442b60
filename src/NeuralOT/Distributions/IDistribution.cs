using static TorchSharp.torch;

namespace NeuralOT.Distributions;

/// <summary>
/// A probability distribution on R^d known through a sampler. Every draw takes an explicit generator,
/// so a seed fixes the whole stream of samples.
/// </summary>
public interface IDistribution
{
    /// <summary>The dimension d of the samples.</summary>
    int Dimension { get; }

    /// <summary>A one-line description for logs and notebooks.</summary>
    string Description { get; }

    /// <summary>Draws <paramref name="count"/> independent samples as a float64 CPU tensor of shape count x d.</summary>
    /// <param name="count">How many samples; must be positive.</param>
    /// <param name="generator">The random stream to draw from (create one with <c>new torch.Generator(seed)</c>).</param>
    Tensor Sample(int count, Generator generator);
}
