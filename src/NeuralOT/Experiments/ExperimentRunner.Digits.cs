using NeuralOT.Distributions;
using NeuralOT.Metrics;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Experiments;

/// <summary>MNIST runs: metrics on held-out digits, judged by the digit classifier (docs/method.md,
/// "Metrics").</summary>
public static partial class ExperimentRunner
{
    /// <summary>Samples behind cost_estimate and w_hat for image problems (784-D samples through 512-wide networks:
    /// the million of the low-dimensional problems would take minutes).</summary>
    public const int DigitCostSamples = 20_000;

    private static bool IsDigitTransport(ExperimentConfig config) => config.Source is MnistSpec && config.Target is MnistSpec;

    /// <summary>Samples behind cost_estimate and w_hat: a million up to 10-D, then fewer so that the evaluation's
    /// work stays about that of 10-D (78,125 at 128-D).</summary>
    private static (int Cost, int Moments) CostSampleCounts(ExperimentConfig config, int dimension) =>
        IsDigitTransport(config)
            ? (DigitCostSamples, DigitCostSamples)
            : (Math.Min(GaussianMapMetrics.CostSamples, 10 * GaussianMapMetrics.CostSamples / dimension), GaussianMapMetrics.MomentSamples);

    /// <summary>
    /// The metrics of a digit-to-digit run, on distinct real digits rather than draws with replacement (which would
    /// repeat images and bias the floor down): T applied to every test image of the source digit (n = 200), then
    /// <c>target_class_accuracy</c> by the classifier; <c>pushforward_w2</c> between those images and n distinct
    /// training images of the target digit, beside <c>pushforward_w2_floor</c>, the same between the target digit's
    /// n test images and those training images; the in-sample map error against exact OT of source test images to
    /// the same training images.
    /// </summary>
    private static Dictionary<string, object> DigitMetrics(MnistSpec sourceSpec, MnistSpec targetSpec, TransportResult result, Generator generator)
    {
        using var scope = NewDisposeScope();
        var data = targetSpec.LoadData();
        var classifier = DigitClassifier.ForData(data);
        var sourceTest = sourceSpec.Images(MnistSplit.Test);
        var targetTest = targetSpec.Images(MnistSplit.Test);
        var targetTrain = targetSpec.Images(MnistSplit.Train);
        var n = (int)Math.Min(sourceTest.shape[0], targetTest.shape[0]);
        sourceTest = sourceTest.narrow(0, 0, n);
        targetTest = targetTest.narrow(0, 0, n);
        var reference = targetTrain.index_select(0, randperm(targetTrain.shape[0], generator: generator).narrow(0, 0, n));

        var mapped = result.Transport(sourceTest);
        var mappedPoints = PointSetsOf(mapped);
        var referencePoints = PointSetsOf(reference);
        var metrics = new Dictionary<string, object>
        {
            [MetricNames.TargetClassAccuracy] = classifier.Accuracy(mapped.clamp(0, 1), targetSpec.Digit),
            [MetricNames.ClassifierTestAccuracy] = classifier.Accuracy(data, MnistSplit.Test),
            [MetricNames.SampleMetricSize] = n,
            [MetricNames.InSampleMapError] = SampleMetrics.InSampleMapError(PointSetsOf(sourceTest), mappedPoints, referencePoints, result.Cost),
        };
        if (result.Cost is Costs.QuadraticCost)
        {
            metrics[MetricNames.PushforwardW2] = SampleMetrics.PushforwardW2(mappedPoints, referencePoints);
            metrics[MetricNames.PushforwardW2Floor] = SampleMetrics.PushforwardW2Floor(PointSetsOf(targetTest), referencePoints);
        }
        if (result.ReverseMap is not null)
            metrics[MetricNames.TargetClassAccuracyReverse] = classifier.Accuracy(result.ReverseTransport(targetTest).clamp(0, 1), sourceSpec.Digit);
        return metrics;
    }

    private static double[,] PointSetsOf(Tensor points) => Reference.PointSets.FromTensor(points, nameof(points));
}
