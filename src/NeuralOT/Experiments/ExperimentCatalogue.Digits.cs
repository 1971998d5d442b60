using NeuralOT.Costs;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>The MNIST pairs of the reproduction set (arXiv 2102.02992: 0-1, 4-8, 6-9 in raw 784-D pixels).</summary>
public static partial class ExperimentCatalogue
{
    /// <summary>Digit <paramref name="from"/> to digit <paramref name="to"/> on the bundled training split, with the
    /// predecessor's 512-unit layers and small pixel noise. <paramref name="iterations"/> is what fit in 15 minutes
    /// of one CPU thread on a shared machine (README, MNIST).</summary>
    private static ExperimentConfig Digits(int from, int to, int iterations) => new(
        $"mnist-{from}-{to}",
        $"MNIST digit {from} -> digit {to} in raw 784-D pixels; target_class_accuracy by a CNN on held-out digits",
        new MnistSpec(from, Noise: 0.01), new MnistSpec(to, Noise: 0.01), QuadraticCost.Instance,
        new SolverOptions
        {
            MapNetwork = new NetworkOptions(512, 2),
            CriticNetwork = new NetworkOptions(512, 2),
            BatchSize = 256,
            Iterations = iterations,
        });
}
