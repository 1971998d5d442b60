using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Dynamics;
using NeuralOT.Metrics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Documentation;

/// <summary>The phase-2 example of README.md, kept word for word, continuing the library example.</summary>
[Collection(TrainingCollection.Name)]
public class ReadmeVelocityExampleTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheReadmeVelocityExampleRunsAndIsAccurate()
    {
        var source = GaussianDistribution.StandardNormal(2);
        var target = new GaussianDistribution([3, 3], new double[,] { { 1, 0.5 }, { 0.5, 0.5 } });
        using var result = MinimaxSolver.Solve(source, target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 300, Seed = 1 });   // fewer than the README's 1,000, to keep the test quick
        var generator = new torch.Generator(42);

        // --- README velocity example starts ---
        using var velocity = VelocitySolver.Train(result, new VelocityOptions { Seed = 1 });
        var start = source.Sample(1000, generator);
        var landed = velocity.EndPoints(start);                                 // X_1, RK4 with 20 steps
        var tracks = velocity.Trajectories(start, IntegrationMethod.RK4, 10);   // 11 x 1000 x 2: X at t = 0, 0.1, ..., 1
        var reference = new GaussianTransport(source, target);
        var fieldError = VelocityMetrics.AgainstGaussian(velocity, reference, generator).VelocityRelativeError;
        // --- README velocity example ends ---

        Assert.Equal(new long[] { 11, 1000, 2 }, tracks.shape);
        Assert.True((tracks[10] - landed).abs().max().item<double>() < 1e-3);
        Assert.True(fieldError < 0.01, $"velocity_relative_error {fieldError}");
    }

    [Fact]
    public void TheReadmeVelocityExampleIsTheOneInTheReadme() =>
        ReadmeExampleTests.AssertInReadme("ReadmeVelocityExampleTests.cs", "README velocity example", 8);
}
