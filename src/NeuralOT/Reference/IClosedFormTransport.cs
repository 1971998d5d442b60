using NeuralOT.Distributions;
using static TorchSharp.torch;

namespace NeuralOT.Reference;

/// <summary>
/// A transport problem whose optimal map for the quadratic cost is known exactly, against which a learned map can be
/// measured: <see cref="GaussianTransport"/> (two Gaussians) or <see cref="KnownMapTransport"/> (a source and its image
/// under the gradient of a convex potential). A transport problem's <c>ClosedForm</c> is the one it has, if any.
/// </summary>
public interface IClosedFormTransport
{
    /// <summary>The dimension d.</summary>
    int Dimension { get; }

    /// <summary>mu0.</summary>
    IDistribution Source { get; }

    /// <summary>mu1.</summary>
    IDistribution Target { get; }

    /// <summary>The optimal map T*, applied row-wise (n x d -> n x d).</summary>
    Tensor Map(Tensor x);
}
