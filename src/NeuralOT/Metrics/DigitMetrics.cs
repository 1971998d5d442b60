using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using static TorchSharp.torch;

namespace NeuralOT.Metrics;

/// <summary>
/// The metrics of a digit-to-digit run (docs/method.md, "Metrics"), on distinct real digits rather than draws with
/// replacement (which would repeat images and bias the floor down): T applied to every test image of the source digit
/// (n = 200), then <c>target_class_accuracy</c> by the digit classifier; <c>pushforward_w2</c> between those images and
/// n distinct training images of the target digit, beside <c>pushforward_w2_floor</c>, the same between the target
/// digit's n test images and those training images; the in-sample map error against exact OT of source test images to
/// the same training images.
/// </summary>
public static class DigitMetrics
{
    /// <summary>Samples behind cost_estimate and w_hat for image problems (784-D samples through 512-wide networks:
    /// the million of the low-dimensional problems would take minutes).</summary>
    public const int CostSamples = 20_000;

    /// <summary>The two digit distributions of a digit-to-digit problem; null for any other problem.</summary>
    public static (MnistDistribution Source, MnistDistribution Target)? DigitPair(TransportProblem problem) =>
        problem.Source is MnistDistribution source && problem.Target is MnistDistribution target ? (source, target) : null;

    /// <summary>The classifier's verdict and the exact-OT metrics on held-out digits.</summary>
    /// <param name="result">A map trained between the two digits.</param>
    /// <param name="source">The source digit's distribution (its test images are transported).</param>
    /// <param name="target">The target digit's distribution (its data trains or loads the classifier).</param>
    /// <param name="generator">Picks the target's training images.</param>
    public static (DigitAccuracy Accuracy, MapOnSamples OnSamples) Evaluate(
        TransportResult result, MnistDistribution source, MnistDistribution target, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        using var scope = NewDisposeScope();
        var classifier = DigitClassifier.ForData(target.Data);
        var sourceTest = Images(source, MnistSplit.Test);
        var targetTest = Images(target, MnistSplit.Test);
        var targetTrain = Images(target, MnistSplit.Train);
        var n = (int)Math.Min(sourceTest.shape[0], targetTest.shape[0]);
        sourceTest = sourceTest.narrow(0, 0, n);
        targetTest = targetTest.narrow(0, 0, n);
        var reference = targetTrain.index_select(0, randperm(targetTrain.shape[0], generator: generator).narrow(0, 0, n));

        var mapped = result.Transport(sourceTest);
        var mappedPoints = PointSetsOf(mapped);
        var referencePoints = PointSetsOf(reference);
        var accuracy = new DigitAccuracy(
            TargetClassAccuracy: classifier.Accuracy(mapped.clamp(0, 1), target.Digit),
            ClassifierTestAccuracy: classifier.Accuracy(target.Data, MnistSplit.Test),
            TargetClassAccuracyReverse: null);
        var inSampleError = MetricGroup.Defined(SampleMetrics.InSampleMapError(PointSetsOf(sourceTest), mappedPoints, referencePoints, result.Cost));
        var pushforward = result.Cost is QuadraticCost
            ? new PushforwardDistance(
                MetricGroup.Defined(SampleMetrics.PushforwardW2(mappedPoints, referencePoints)),
                MetricGroup.Defined(SampleMetrics.PushforwardW2Floor(PointSetsOf(targetTest), referencePoints)))
            : null;
        if (result.ReverseMap is not null)
            accuracy = accuracy with { TargetClassAccuracyReverse = classifier.Accuracy(result.ReverseTransport(targetTest).clamp(0, 1), source.Digit) };
        return (accuracy, new MapOnSamples(n, inSampleError, pushforward));
    }

    /// <summary>Every image of the distribution's digit in <paramref name="split"/>, without noise.</summary>
    private static Tensor Images(MnistDistribution digit, MnistSplit split) =>
        new MnistDistribution(digit.Digit, split, noise: 0, digit.Data).Images();

    private static double[,] PointSetsOf(Tensor points) => PointSets.FromTensor(points, nameof(points));
}
