using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Dynamics;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

[Collection(TrainingCollection.Name)]
public class VelocitySolverTests
{
    /// <summary>A translation by c: every particle moves with the constant velocity c, so v(x, t) = c everywhere.
    /// Measured relative error E|v - c|^2 / |c|^2 after 1,000 steps on seeds 1-6: 1.0e-5 to 3.4e-5 (float32 network,
    /// stochastic batches); the bound leaves a factor of two on the worst seed.</summary>
    [Fact]
    public void TheTrainerLearnsAConstantField()
    {
        var constant = new[] { 2.0, -1.0 };
        var supervision = VelocitySupervision.FromDisplacement(GaussianDistribution.StandardNormal(2),
            z => tensor(constant, dtype: float64).expand(z.shape[0], 2));
        using var result = VelocitySolver.Train(supervision, new VelocityOptions { Iterations = 1000, Seed = 1 });
        Assert.Equal(ExitReason.IterationBudget, result.ExitReason);
        var error = RelativeError(result, supervision, new Generator(7));
        Assert.True(error < 7e-5, $"relative error {error:E3}");
    }

    /// <summary>A field linear in x and t, v(x, t) = M x + t b, regressed directly.
    /// Measured relative error E|v - u|^2 / E|u|^2 after 1,000 steps on seeds 1-6: 3.3e-5 to 8.1e-5; the bound leaves a
    /// factor of two on the worst seed.</summary>
    [Fact]
    public void TheTrainerLearnsALinearField()
    {
        var matrix = tensor(new double[,] { { 0.5, -1.0 }, { 0.8, 0.2 } });
        var shift = tensor(new[] { 1.0, -2.0 });
        var supervision = VelocitySupervision.FromField(GaussianDistribution.StandardNormal(2),
            (x, t) => x.matmul(matrix.mT) + t * shift);
        using var result = VelocitySolver.Train(supervision, new VelocityOptions { Iterations = 1000, Seed = 1 });
        var error = RelativeError(result, supervision, new Generator(7));
        Assert.True(error < 1.6e-4, $"relative error {error:E3}");
    }

    /// <summary>Fast mode (<c>ExperimentRunner.FastIterations</c> = 200 steps) on the exact paths of a Gaussian pair.
    /// Measured on seeds 1-6: velocity_relative_error 4.9e-3 to 7.8e-3, kinetic_energy_gap 6.8e-3 to 1.18e-2,
    /// endpoint_error 5.7e-3 to 1.42e-2 (RK4, 20 steps). The bounds leave a factor of two on the worst seed.</summary>
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheOracleFieldOfAGaussianPairLandsWhereTheMapSendsInFastMode()
    {
        var reference = TestProblems.SmallGaussianPair();
        foreach (var seed in new[] { 1, 2 })
        {
            using var result = VelocitySolver.TrainOracle(reference, new VelocityOptions { Iterations = ExperimentRunner.FastIterations, Seed = seed });
            var generator = new Generator(50 + (ulong)seed);
            var field = VelocityMetrics.AgainstGaussian(result, reference, generator);
            var endpoint = VelocityMetrics.EndpointError(result, reference.Source, reference.Map,
                VelocityMetrics.TotalVariance(reference.Target, generator), generator);
            Assert.True(field.VelocityRelativeError < 0.016, $"seed {seed}: velocity error {field.VelocityRelativeError:E3}");
            Assert.True(field.KineticEnergyGap < 0.024, $"seed {seed}: kinetic energy gap {field.KineticEnergyGap:E3}");
            Assert.True(endpoint < 0.03, $"seed {seed}: endpoint error {endpoint:E3}");
        }
    }

    [Fact]
    public void TheFlowOfALearnedFieldFollowsTheTrajectoriesItLearned()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = VelocitySolver.TrainOracle(reference, new VelocityOptions { Iterations = 300, Seed = 4 });
        using var scope = NewDisposeScope();
        var start = reference.Source.Sample(500, new Generator(8));
        var trajectories = result.Trajectories(start, IntegrationMethod.RK4, 10);
        Assert.Equal(new long[] { 11, 500, 2 }, trajectories.shape);
        var halfway = result.Flow(start, 0.5, IntegrationMethod.RK4, 5);
        Assert.True((trajectories[5] - halfway).abs().max().item<double>() < 1e-5);
        var exactHalfway = reference.Interpolate(start, 0.5);
        var error = (halfway - exactHalfway).square().sum(1).mean().item<double>();
        Assert.True(error < 0.1, $"mean squared distance to the exact geodesic at t = 0.5: {error:F4}");
    }

    [Fact]
    public void CancellationStopsWithinOneIteration()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var cancellation = new CancellationTokenSource();
        var reportedAtCancel = -1;
        var progress = new ProgressCallback<VelocityProgress>(p =>
        {
            if (p.Iteration >= 5 && reportedAtCancel < 0)
            {
                reportedAtCancel = p.Iteration;
                cancellation.Cancel();
            }
        });
        using var result = VelocitySolver.TrainOracle(reference, new VelocityOptions { Iterations = 1_000_000, Seed = 1 }, progress, cancellation.Token);
        Assert.Equal(ExitReason.Cancelled, result.ExitReason);
        Assert.Equal(reportedAtCancel, result.IterationsCompleted);
        Assert.Contains("cancelled", result.ExitMessage);
    }

    [Fact]
    public void ANaNLossStopsTrainingWithTheDivergenceReason()
    {
        var poisoned = new PoisonedAfter(GaussianDistribution.StandardNormal(2), draws: 30);
        var supervision = VelocitySupervision.FromDisplacement(poisoned, z => z * 0.5);
        using var result = VelocitySolver.Train(supervision, new VelocityOptions { Iterations = 1000, Seed = 1 });
        Assert.Equal(ExitReason.Diverged, result.ExitReason);
        Assert.Contains("loss became NaN", result.ExitMessage);
        Assert.Equal(30, result.IterationsCompleted);
        Assert.True(double.IsNaN(result.History.Entries[^1].Loss));
    }

    [Fact]
    public void AnUntrainedMapIsRefusedNamingTheMap()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var untrained = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 0 });
        var error = Assert.Throws<ArgumentException>(() => VelocitySolver.Train(untrained));
        Assert.Equal("map", error.ParamName);
        Assert.Contains("trained", error.Message);
    }

    [Fact]
    public void PointsOfAnotherDimensionAreRefused()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = VelocitySolver.TrainOracle(reference, new VelocityOptions { Iterations = 1 });
        using var points = zeros(4, 3, dtype: float64);
        Assert.Equal("start", Assert.Throws<ArgumentException>(() => result.EndPoints(points)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => result.Velocity(points, 0.5)).ParamName);
        using var good = zeros(4, 2, dtype: float64);
        Assert.Equal("t", Assert.ThrowsAny<ArgumentException>(() => result.Velocity(good, 1.5)).ParamName);
        Assert.Equal("steps", Assert.ThrowsAny<ArgumentException>(() => result.EndPoints(good, IntegrationMethod.RK4, -1)).ParamName);
        Assert.Equal("t", Assert.ThrowsAny<ArgumentException>(() => result.Flow(good, -0.2)).ParamName);
    }

    public static TheoryData<VelocityOptions, string> InvalidOptions => new()
    {
        { new VelocityOptions { LearningRate = 0 }, "LearningRate" },
        { new VelocityOptions { LearningRate = double.PositiveInfinity }, "LearningRate" },
        { new VelocityOptions { BatchSize = 0 }, "BatchSize" },
        { new VelocityOptions { Iterations = -1 }, "Iterations" },
        { new VelocityOptions { Threads = 0 }, "Threads" },
        { new VelocityOptions { Device = "gpu" }, "Device" },
        { new VelocityOptions { Network = new Networks.NetworkOptions(Depth: 0) }, "Network.Depth" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreRefusedNamingTheOption(VelocityOptions options, string name)
    {
        var error = Assert.Throws<InvalidOptionException>(() => VelocitySolver.TrainOracle(TestProblems.SmallGaussianPair(), options));
        Assert.Equal(name, error.ParamName);
        Assert.StartsWith($"VelocityOptions.{name} = ", error.Message);
    }

    /// <summary>E|v_hat - u|^2 / E|u|^2 on fresh supervision samples.</summary>
    private static double RelativeError(VelocityResult result, VelocitySupervision supervision, Generator generator)
    {
        using var scope = NewDisposeScope();
        var samples = supervision.Sample(20_000, generator);
        var learned = result.Velocity(samples.Points, samples.Times);
        return (learned - samples.Velocities).square().sum(1).mean().item<double>()
            / samples.Velocities.square().sum(1).mean().item<double>();
    }

}
