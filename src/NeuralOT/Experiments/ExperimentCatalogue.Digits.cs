using NeuralOT.Costs;
using NeuralOT.Networks;
using NeuralOT.Solvers;

namespace NeuralOT.Experiments;

/// <summary>The MNIST pairs of the reproduction set (arXiv 2102.02992: 0-1, 4-8, 6-9 in raw 784-D pixels).</summary>
public static partial class ExperimentCatalogue
{
    /// <summary>Digit <paramref name="from"/> to digit <paramref name="to"/> on the bundled training split, with the
    /// predecessor's 512-unit layers and small pixel noise. Affine preconditioning starts the map at
    /// s (x - mean of the source digit) + mean of the target digit, which already gets most digits classified right;
    /// without it 500 iterations left 0 -> 1 and 6 -> 9 at 83-84 % (README, MNIST).</summary>
    private static ExperimentConfig Digits(int from, int to) => new(
        $"mnist-{from}-{to}",
        $"MNIST digit {from} -> digit {to} in raw 784-D pixels; target_class_accuracy by a CNN on held-out digits",
        new MnistSpec(from, Noise: 0.01), new MnistSpec(to, Noise: 0.01), QuadraticCost.Instance,
        new SolverOptions
        {
            MapNetwork = new NetworkOptions(512, 2),
            CriticNetwork = new NetworkOptions(512, 2),
            BatchSize = 256,
            Iterations = DigitIterations,
            Preconditioning = Preconditioning.Affine,
        });

    /// <summary>Iterations of every MNIST pair: about 5 minutes of one CPU thread.</summary>
    public const int DigitIterations = 1000;
}
