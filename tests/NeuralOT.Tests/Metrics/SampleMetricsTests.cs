using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Tests.Reference;

namespace NeuralOT.Tests.Metrics;

public class SampleMetricsTests
{
    [Fact]
    public void W2BetweenACloudAndItsTranslateIsTheShiftLength()
    {
        // Translation is the optimal map for the quadratic cost, so W2 = |t| exactly.
        var points = TestPoints.Gaussian(1, 200, 2);
        var shifted = ExactTransportTests.Translate(points, 3, 4);
        Assert.Equal(5, SampleMetrics.PushforwardW2(shifted, points), 1e-12);
    }

    [Fact]
    public void W2IsTheSquareRootOfTwiceTheOptimalQuadraticCostAndSymmetric()
    {
        var first = TestPoints.Gaussian(2, 150, 3);
        var second = TestPoints.Gaussian(3, 150, 3, mean: 1, scale: 2);
        double w2 = SampleMetrics.PushforwardW2Floor(first, second);
        Assert.Equal(Math.Sqrt(2 * ExactTransport.Solve(first, second).Cost), w2, 1e-12);
        Assert.Equal(w2, SampleMetrics.EmpiricalW2(second, first), 1e-12);
        Assert.Equal(0, SampleMetrics.EmpiricalW2(first, first));
    }

    [Fact]
    public void InSampleMapErrorIsZeroForTheExactAssignmentAndScalesWithABias()
    {
        var source = TestPoints.Gaussian(4, 120, 2);
        var target = TestPoints.Gaussian(5, 120, 2, mean: 2, scale: 0.5);
        var assignment = ExactTransport.Solve(source, target).Assignment;
        var perfect = TestPoints.PermuteRows(target, assignment);
        Assert.Equal(0, SampleMetrics.InSampleMapError(source, perfect, target));

        // A constant bias b adds 100 |b|^2 / tr Cov(y) percent.
        var biased = ExactTransportTests.Translate(perfect, 0.3, -0.4);
        double totalVariance = 0;
        for (int k = 0; k < 2; k++)
        {
            double mean = 0, square = 0;
            for (int i = 0; i < 120; i++)
            {
                mean += target[i, k] / 120;
                square += target[i, k] * target[i, k] / 120;
            }
            totalVariance += square - mean * mean;
        }
        Assert.Equal(100 * 0.25 / totalVariance, SampleMetrics.InSampleMapError(source, biased, target), 1e-9);
    }

    [Fact]
    public void MappedSamplesOfTheWrongShapeAreRejected()
    {
        var source = TestPoints.Gaussian(6, 10, 2);
        var error = Assert.Throws<ArgumentException>(() =>
            SampleMetrics.InSampleMapError(source, TestPoints.Gaussian(7, 9, 2), TestPoints.Gaussian(8, 10, 2)));
        Assert.Equal("mappedSamples", error.ParamName);
    }
}
