using NeuralOT.Costs;
using NeuralOT.Metrics;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using NeuralOT.Tests.Solvers;

namespace NeuralOT.Tests.Metrics;

/// <summary>The suite picks what a problem supports: the closed-form group only for a Gaussian pair under the quadratic
/// cost, the reference on samples only without one (and only when asked for), the pushforward distance only for the
/// quadratic cost. A few iterations suffice: these tests are about which metrics exist, not their values.</summary>
[Collection(TrainingCollection.Name)]
public class MetricSuiteTests
{
    private static readonly SolverOptions FewIterations = new()
    {
        Iterations = 5, Seed = 2, BatchSize = 64, MapNetwork = new NetworkOptions(16, 2), CriticNetwork = new NetworkOptions(16, 2),
    };

    // Small evaluation: the test checks which groups exist.
    private static readonly EvaluationOptions SmallEvaluation = new() { SampleSize = 50, ReferenceDraws = 0 };

    [Fact]
    public void AGaussianPairIsMeasuredAgainstItsClosedForm()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance, FewIterations);

        var metrics = MetricSuite.Evaluate("pair", result, SmallEvaluation);

        Assert.NotNull(metrics.ClosedForm);
        Assert.Equal(pair.W2, metrics.ClosedForm.W2Reference, 12);
        Assert.Equal(metrics.Estimates.W2Estimate, metrics.ClosedForm.W2Estimate);
        Assert.Equal(RunMetrics.ClosedFormMethod, metrics.ReferenceMethod);
        Assert.Null(metrics.KnownMap);
        Assert.Null(metrics.ReferenceOnSamples);
        Assert.Null(metrics.Digits);
        Assert.Null(metrics.Reverse);
        Assert.Null(metrics.HeldOut);
        Assert.NotNull(metrics.OnSamples.Pushforward);
        Assert.Equal((5, "pair", 50), (metrics.Run.Iterations, metrics.Run.Experiment, metrics.OnSamples.SampleSize));
    }

    /// <summary>The same pair under another cost has no closed form: no closed-form group, no w2_estimate, no
    /// pushforward W2 (a quadratic distance), and in full mode the reference on samples names the cost.</summary>
    [Fact]
    public void AProblemWithoutAClosedFormYieldsNoClosedFormGroup()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(pair.Source, pair.Target, Cost.Power(1.5), FewIterations);

        var fast = MetricSuite.Evaluate("power", result, SmallEvaluation);
        var full = MetricSuite.Evaluate("power", result, SmallEvaluation with { ReferenceDraws = 2, ReferenceSize = 60 });

        Assert.Null(fast.ClosedForm);
        Assert.Null(fast.KnownMap);
        Assert.Null(fast.ReferenceOnSamples);
        Assert.Null(fast.ReferenceMethod);
        Assert.Null(fast.Estimates.W2Estimate);
        Assert.Null(fast.OnSamples.Pushforward);
        Assert.DoesNotContain(MetricNames.W2Estimate, fast.ByName.Keys);
        var reference = Assert.IsType<SampleReference>(full.ReferenceOnSamples);
        Assert.False(reference.Quadratic);
        Assert.Equal((2, 60), (reference.Draws, reference.SampleSize));
        Assert.Contains(MetricNames.CostReference, full.ByName.Keys);
        // The reference has its own sample stream: asking for it leaves every other metric as it was.
        Assert.Equal(fast.Estimates, full.Estimates);
        Assert.Equal(fast.OnSamples, full.OnSamples);
    }

    [Fact]
    public void ABidirectionalResultAddsTheReverseMap()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(pair.Source, pair.Target, QuadraticCost.Instance,
            FewIterations with { Critic = CriticForm.Time, Bidirectional = new BidirectionalOptions(1, 0.01) });

        var metrics = MetricSuite.Evaluate("both ways", result, SmallEvaluation);

        Assert.NotNull(metrics.Reverse);
        Assert.Equal([MetricNames.CostEstimateReverse, MetricNames.CycleError], metrics.Reverse.ByName.Keys);
    }
}
