using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Metrics;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

[Collection(TrainingCollection.Name)]
public class GaussianStartTests
{
    private static SolverOptions Options(bool inputConvex, int iterations = 0, int seed = 0) => new()
    {
        Preconditioning = Preconditioning.Gaussian, Iterations = iterations, Seed = seed,
        CriticNetwork = new NetworkOptions(InputConvex: inputConvex),
    };

    /// <summary>Before any training the map is the Bures map of the sample moments and the critic is that problem's
    /// optimal critic: on a Gaussian pair both are the exact solution up to the moments' sampling error
    /// (20,000 samples per side).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BeforeTrainingItIsTheGaussianSolution(bool inputConvex)
    {
        var reference = TestProblems.SmallGaussianPair();
        foreach (var seed in new[] { 0, 1, 2 })
        {
            using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, Options(inputConvex, seed: seed));
            var metrics = GaussianMapMetrics.Evaluate(result, reference, new Generator(50 + (ulong)seed), result.EstimateOptimalCost(200_000, new Generator(9)));
            Assert.True(metrics.L2UvpPercent < 0.1, $"seed {seed}: l2_uvp {metrics.L2UvpPercent:F4} %");
            Assert.True(metrics.W2RelativeError < 0.01, $"seed {seed}: w2 error {metrics.W2RelativeError:F4}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACheckpointKeepsTheStart(bool inputConvex)
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = Options(inputConvex, iterations: 5);
        using var folder = new TemporaryFolder();
        var path = folder.File("run.ckpt");
        using var trained = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        TransportCheckpoint.Save(trained, path);
        using var loaded = TransportCheckpoint.Load(path, reference.Source, reference.Target, QuadraticCost.Instance, options);
        using var scope = NewDisposeScope();
        var x = reference.Source.Sample(100, new Generator(3));
        Assert.Equal(0.0, (trained.Transport(x) - loaded.Transport(x)).abs().max().item<double>());
        var y = reference.Target.Sample(100, new Generator(4)).to(float32);
        Assert.Equal(0.0f, (trained.Critic.forward(y) - loaded.Critic.forward(y)).abs().max().item<float>());
    }

    [Theory]
    [InlineData(CriticForm.Time, false, "static form")]
    [InlineData(CriticForm.Static, true, "one direction")]
    public void CombinationsItCannotServeAreRefused(CriticForm form, bool bidirectional, string expected)
    {
        var options = new SolverOptions
        {
            Critic = form, Preconditioning = Preconditioning.Gaussian,
            Bidirectional = bidirectional ? new BidirectionalOptions(1, 0.01) : null,
        };
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void OtherCostsAreRefused()
    {
        var reference = TestProblems.SmallGaussianPair();
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            MinimaxSolver.Validate(reference.Source, reference.Target, new PowerCost(1.5), new SolverOptions { Preconditioning = Preconditioning.Gaussian }));
        Assert.Contains("quadratic cost only", error.Message);
    }
}
