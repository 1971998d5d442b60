using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Metrics;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

[Collection(TrainingCollection.Name)]
public class MinimaxSolverTests
{
    /// <summary>Fast-mode budgets. Measured on seeds 0-5: static (300 iterations) l2_uvp 0.25-0.34 %, w2 error
    /// 0.06-0.98 %, cosine >= 0.9993; time (600 iterations) l2_uvp 7.2-8.9 %, w2 error 0.8-1.6 %, cosine >= 0.982.
    /// The tolerances leave about a factor of two on the worst seed.</summary>
    [Theory]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    [InlineData(CriticForm.Static, 300, 1.0, 0.02, 0.998)]
    [InlineData(CriticForm.Time, 600, 16.0, 0.035, 0.97)]
    public void BothFormsLearnASmallGaussianPairInFastMode(CriticForm form, int iterations, double maxL2Uvp, double maxW2Error, double minCosine)
    {
        var reference = TestProblems.SmallGaussianPair();
        foreach (var seed in new[] { 1, 2 })
        {
            using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
                new SolverOptions { Critic = form, Iterations = iterations, Seed = seed });
            var metrics = GaussianMapMetrics.Evaluate(result, reference, new Generator(100 + (ulong)seed));
            Assert.Equal(ExitReason.IterationBudget, result.ExitReason);
            Assert.True(metrics.L2UvpPercent < maxL2Uvp, $"{form} seed {seed}: l2_uvp {metrics.L2UvpPercent:F3} % >= {maxL2Uvp} %");
            Assert.True(metrics.W2RelativeError < maxW2Error, $"{form} seed {seed}: w2 error {metrics.W2RelativeError:F4} >= {maxW2Error}");
            Assert.True(metrics.Cosine > minCosine, $"{form} seed {seed}: cosine {metrics.Cosine:F4}");
        }
    }

    /// <summary>No process-wide state is left changed: a solve and a velocity fit give back the caller's thread count
    /// and global random stream (the networks are initialised from it, seeded, inside the call), and the same seed
    /// gives the same networks whatever the caller drew before.</summary>
    [Fact]
    public void SolvingLeavesTheCallersThreadsAndRandomStreamAsTheyWere()
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions { Iterations = 3, Seed = 4, Threads = 1 };
        var callerThreads = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            torch.manual_seed(99);
            using var expected = torch.rand(5);
            torch.manual_seed(99);
            using var first = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
            using var velocity = VelocitySolver.Train(first, new VelocityOptions { Iterations = 3, Seed = 4, Threads = 1 });
            using var drawn = torch.rand(5);
            Assert.True(drawn.equal(expected).all().item<bool>(), "the caller's random stream continues where it was");
            Assert.Equal(2, torch.get_num_threads());

            torch.manual_seed(12345);
            using var disturbed = torch.rand(1000);
            using var second = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
            using var points = reference.Source.Sample(50, new Generator(8));
            using var a = first.Transport(points);
            using var b = second.Transport(points);
            Assert.True(a.equal(b).all().item<bool>(), "the same seed gives the same map whatever the caller drew before");
        }
        finally
        {
            torch.set_num_threads(callerThreads);
        }
    }

    /// <summary>Each player improves its own objective while the other is held fixed: the critic's ascent raises S,
    /// the map's descent lowers it.</summary>
    [Theory]
    [InlineData(CriticForm.Static, false)]
    [InlineData(CriticForm.Static, true)]
    [InlineData(CriticForm.Time, false)]
    public void CriticStepsRaiseAndMapStepsLowerTheObjective(CriticForm form, bool inputConvex)
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions
        {
            Critic = form, Seed = 3, Schedule = LearningRateSchedule.Constant,
            CriticNetwork = new Networks.NetworkOptions(InputConvex: inputConvex),
        }.Resolve();
        torch.manual_seed(options.Seed);
        using var map = new Networks.MapNetwork(2, options.MapNetwork);
        using var critic = new Networks.CriticNetwork(2, form == CriticForm.Time, options.CriticNetwork);
        var training = new MinimaxTraining(QuadraticCost.Instance, options, CPU, new TransportDirection(reference.Source, reference.Target, map, critic, options));

        var criticObjectives = Enumerable.Range(0, 60).Select(_ => Step(training.CriticStep)).ToArray();
        Assert.True(criticObjectives[^10..].Average() > criticObjectives[..10].Average() + 0.1,
            $"critic steps did not raise S: first {criticObjectives[..10].Average():F3}, last {criticObjectives[^10..].Average():F3}");

        var mapObjectives = Enumerable.Range(0, 60).Select(_ => Step(() => training.MapStep()!.Value.Objective)).ToArray();
        Assert.True(mapObjectives[^10..].Average() < mapObjectives[..10].Average() - 0.1,
            $"map steps did not lower S: first {mapObjectives[..10].Average():F3}, last {mapObjectives[^10..].Average():F3}");
    }

    [Fact]
    public void CancellationStopsWithinOneIteration()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var cancellation = new CancellationTokenSource();
        var reportedAtCancel = -1;
        var progress = new ProgressCallback<TrainingProgress>(p =>
        {
            if (p.Iteration >= 5 && reportedAtCancel < 0)
            {
                reportedAtCancel = p.Iteration;
                cancellation.Cancel();
            }
        });
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 100_000, Seed = 1 }, progress, cancellation.Token);
        Assert.Equal(ExitReason.Cancelled, result.ExitReason);
        Assert.Equal(reportedAtCancel, result.IterationsCompleted);
        Assert.Contains("cancelled", result.ExitMessage);
    }

    [Fact]
    public void ANaNObjectiveStopsTrainingWithTheDivergenceReason()
    {
        var reference = TestProblems.SmallGaussianPair();
        var poisoned = new PoisonedAfter(reference.Target, draws: 40);
        using var result = MinimaxSolver.Solve(reference.Source, poisoned, QuadraticCost.Instance,
            new SolverOptions { Iterations = 1000, Seed = 1 });
        Assert.Equal(ExitReason.Diverged, result.ExitReason);
        Assert.Contains("NaN", result.ExitMessage);
        Assert.True(result.IterationsCompleted < 40, $"training went on for {result.IterationsCompleted} iterations after the NaN");
    }

    [Fact]
    public void WithoutPreconditioningZeroIterationsGiveTheIdentityMap()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 0, Preconditioning = Preconditioning.None });
        using var x = reference.Source.Sample(100, new Generator(4));
        Assert.Equal(0, (result.Transport(x) - x).abs().max().item<double>(), 6);
    }

    [Fact]
    public void MismatchedDimensionsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => MinimaxSolver.Solve(
            GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(3), QuadraticCost.Instance));
        Assert.Contains("dimension 2", error.Message);
        Assert.Contains("dimension 3", error.Message);
    }

    public static TheoryData<SolverOptions, string> InvalidOptions => new()
    {
        { new SolverOptions { MapLearningRate = -1e-3 }, "MapLearningRate" },
        { new SolverOptions { CriticLearningRate = double.NaN }, "CriticLearningRate" },
        { new SolverOptions { BatchSize = 0 }, "BatchSize" },
        { new SolverOptions { CriticSteps = 0 }, "CriticSteps" },
        { new SolverOptions { Iterations = -5 }, "Iterations" },
        { new SolverOptions { Beta1 = 1.0 }, "Beta1" },
        { new SolverOptions { GradientClip = 0 }, "GradientClip" },
        { new SolverOptions { Threads = 0 }, "Threads" },
        { new SolverOptions { Device = "tpu" }, "Device" },
        { new SolverOptions { MapNetwork = new Networks.NetworkOptions(Width: 0) }, "MapNetwork.Width" },
        { new SolverOptions { Critic = CriticForm.Time, CriticNetwork = new Networks.NetworkOptions(Activation: Networks.Activation.ReLU) }, "CriticNetwork.Activation" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreRefusedNamingTheOption(SolverOptions options, string name)
    {
        // The library names the property; a config names its key instead (ExperimentConfigTests).
        var error = Assert.Throws<InvalidOptionException>(() => options.Resolve().Validate());
        Assert.Equal(name, error.ParamName);
        Assert.StartsWith($"SolverOptions.{name} = ", error.Message);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMap()
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = new SolverOptions { Iterations = 20, Seed = 9 };
        using var first = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        using var second = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        using var x = reference.Source.Sample(50, new Generator(1));
        Assert.Equal(0, (first.Transport(x) - second.Transport(x)).abs().max().item<double>());
    }

    private static double Step(Func<double> step)
    {
        using var scope = NewDisposeScope();
        return step();
    }

}
