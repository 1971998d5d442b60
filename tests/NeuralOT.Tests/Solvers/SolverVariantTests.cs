using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>Bidirectional training and affine preconditioning, each on both critic forms.</summary>
[Collection(TrainingCollection.Name)]
public class SolverVariantTests
{
    private static readonly BidirectionalOptions Bidirectional = new(Lambda: 1, Eps: 1e-6);

    /// <summary>Measured at 300 iterations on four seeds each: static + bidirectional l2_uvp 0.13-0.19 % (reverse map
    /// 0.125-0.204 %); static + affine 0.043-0.085 %; static + bidirectional + affine 0.048-0.084 % (reverse
    /// 0.066-0.098 %); time + bidirectional 11.1-11.9 % (reverse 11.8-12.2 %); time + affine 3.0-7.5 %; time +
    /// bidirectional + affine 7.2-10.1 % (reverse 9.0-13.5 %). The bounds are about twice the worst seed. (The identity
    /// map is at 245 %.) The plain forms are in <see cref="MinimaxSolverTests"/>.</summary>
    public static TheoryData<CriticForm, bool, bool, double, double> Variants => new()
    {
        // form, bidirectional, preconditioned, max l2_uvp (%), max reverse-map error (%)
        { CriticForm.Static, true, false, 0.4, 0.4 },
        { CriticForm.Static, false, true, 0.2, double.NaN },
        { CriticForm.Static, true, true, 0.2, 0.2 },
        { CriticForm.Time, true, false, 25.0, 25.0 },
        { CriticForm.Time, false, true, 15.0, double.NaN },
        { CriticForm.Time, true, true, 20.0, 25.0 },
    };

    /// <summary>Each variant trains in fast mode and ends far closer to the closed-form map than the identity it starts from.</summary>
    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [MemberData(nameof(Variants))]
    public void EachVariantLearnsTheSmallGaussianPairInFastMode(CriticForm form, bool bidirectional, bool preconditioned, double maxL2Uvp, double maxReverseError)
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions
        {
            Critic = form, Iterations = 300, Seed = 1,
            Bidirectional = bidirectional ? Bidirectional : null,
            Preconditioning = preconditioned ? Preconditioning.Affine : Preconditioning.None,
        };
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        var metrics = GaussianMapMetrics.Evaluate(result, reference, new Generator(5));
        Assert.True(metrics.L2UvpPercent < maxL2Uvp, $"l2_uvp {metrics.L2UvpPercent:F3} % >= {maxL2Uvp} %");
        if (bidirectional)
        {
            Assert.NotNull(result.ReverseMap);
            Assert.All(result.History.Entries, e => Assert.NotNull(e.WHatReverse));
            var reverseError = ReverseMapError(result, reference);
            Assert.True(reverseError < maxReverseError, $"reverse map error {reverseError:F3} %");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PreconditioningIsUndoneExactly(bool bidirectional)
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 0, Preconditioning = Preconditioning.Affine, Bidirectional = bidirectional ? Bidirectional : null });
        var p = Assert.IsType<AffinePreconditioner>(result.Preconditioner);
        using var x = reference.Source.Sample(500, new Generator(2));
        // With an untrained (zero) network the learned map is exactly P(x) = s (x - m0) + m1, element by element,
        AssertElementwise(x, (v, j) => p.Scale * (v - p.SourceMean[j]) + p.TargetMean[j], result.Transport(x));
        // and the geodesic interpolates between x and P(x).
        Assert.Equal(0, (result.Interpolate(x, 0.25) - (x * 0.75 + result.Transport(x) * 0.25)).abs().max().item<double>(), 12);
        if (!bidirectional) return;
        // The reverse map starts as P^-1(y) = (y - m1) / s + m0, and its geodesic runs from y to P^-1(y).
        using var y = reference.Target.Sample(500, new Generator(3));
        AssertElementwise(y, (v, j) => (v - p.TargetMean[j]) / p.Scale + p.SourceMean[j], result.ReverseTransport(y));
        Assert.Equal(0, (result.ReverseInterpolate(y, 0.6) - (y * 0.4 + result.ReverseTransport(y) * 0.6)).abs().max().item<double>(), 12);
    }

    /// <summary>Checks actual[i, j] = map(points[i, j], j) for every element of the n x d tensors.</summary>
    private static void AssertElementwise(Tensor points, Func<double, int, double> map, Tensor actual)
    {
        var dimension = (int)points.shape[1];
        var expected = points.data<double>().ToArray().Select((v, i) => map(v, i % dimension)).ToArray();
        var values = actual.data<double>().ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 12);
    }

    [Fact]
    public void PreconditioningAloneSolvesAShiftAndScaleProblem()
    {
        // N(0, I) -> N(m, 4 I): the OT map x -> 2x + m is itself a preconditioner, so zero iterations suffice and
        // what remains is the moment-estimation error of 20,000 samples.
        var reference = new GaussianTransport(GaussianDistribution.StandardNormal(3),
            new GaussianDistribution([5, -2, 1], new double[,] { { 4, 0, 0 }, { 0, 4, 0 }, { 0, 0, 4 } }));
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 0, Preconditioning = Preconditioning.Affine });
        var metrics = GaussianMapMetrics.Evaluate(result, reference, new Generator(3));
        Assert.True(metrics.L2UvpPercent < 0.05, $"l2_uvp {metrics.L2UvpPercent:F4} %");
    }

    [Fact]
    public void TheAgreementRuleStopsBidirectionalTraining()
    {
        var reference = TestProblems.SmallGaussianPair();
        var rule = new BidirectionalOptions(Lambda: 1, Eps: 0.05, MinIterations: 100);
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 3000, Seed = 2, Bidirectional = rule });
        Assert.Equal(ExitReason.Converged, result.ExitReason);
        Assert.InRange(result.IterationsCompleted, 100, 2999);
        Assert.Contains("eps", result.ExitMessage);
        var cost = result.EstimateTransportCost(100_000, new Generator(9));
        var reverseCost = result.EstimateReverseTransportCost(100_000, new Generator(9));
        Assert.True(Math.Abs(cost - reverseCost) < 4 * rule.Eps, $"W_hat_ab {cost:F4} vs W_hat_ba {reverseCost:F4}");
    }

    [Fact]
    public void PreconditioningIsRefusedForNonQuadraticCosts()
    {
        var reference = TestProblems.SmallGaussianPair();
        var error = Assert.Throws<InvalidOptionException>(() => MinimaxSolver.Solve(reference.Source, reference.Target, new PowerCost(1.5),
            new SolverOptions { Preconditioning = Preconditioning.Affine }));
        Assert.Equal(nameof(SolverOptions.Preconditioning), error.ParamName);
        Assert.Contains("quadratic cost only", error.Message);
    }

    [Theory]
    [InlineData(0.0, 0.01, "Bidirectional.Lambda")]
    [InlineData(-1.0, 0.01, "Bidirectional.Lambda")]
    [InlineData(1.0, 0.0, "Bidirectional.Eps")]
    [InlineData(1.0, double.NaN, "Bidirectional.Eps")]
    public void InvalidBidirectionalSettingsAreNamed(double lambda, double eps, string name)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SolverOptions { Bidirectional = new BidirectionalOptions(lambda, eps) }.Validate());
        Assert.Equal(name, error.ParamName);
        Assert.StartsWith($"SolverOptions.{name} = ", error.Message);
    }

    [Fact]
    public void ForwardOnlyResultsHaveNoReverseMap()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 0 });
        using var y = reference.Target.Sample(10, new Generator(1));
        var error = Assert.Throws<InvalidOperationException>(() => result.ReverseTransport(y));
        Assert.Contains("bidirectional", error.Message);
    }

    /// <summary>100 E|S(y) - T*^-1(y)|^2 / tr Cov(mu0) for the reverse map S, in percent.</summary>
    private static double ReverseMapError(TransportResult result, GaussianTransport reference)
    {
        var inverse = new GaussianTransport(reference.Target, reference.Source);
        using var scope = NewDisposeScope();
        var y = reference.Target.Sample(4096, new Generator(6));
        var sourceVariance = Enumerable.Range(0, reference.Dimension).Sum(i => reference.Source.Covariance[i, i]);
        return 100 * (result.ReverseTransport(y) - inverse.Map(y)).square().sum(1).mean().item<double>() / sourceVariance;
    }
}
