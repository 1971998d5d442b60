using NeuralOT.Costs;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Solvers;

/// <summary>
/// The fused kernels' steps against the autograd steps on twin networks and the same samples: the objectives they
/// report and the gradients they take (after one Adam step the first moment is (1 - beta1) times the gradient), for
/// both forms, both costs, the Gaussian start's fixed parts and gradient clipping.
/// </summary>
[Collection(TrainingCollection.Name)]
public sealed class FusedStepsTests
{
    public static TheoryData<CriticForm, string, bool, double?, int> Cases => new()
    {
        { CriticForm.Static, "quadratic", false, null, 2 },
        { CriticForm.Static, "quadratic", true, null, 3 },
        { CriticForm.Static, "power:1.5", false, null, 2 },
        { CriticForm.Static, "quadratic", false, 0.05, 2 },
        { CriticForm.Time, "quadratic", false, null, 2 },
        { CriticForm.Time, "power:3", false, null, 3 },
        { CriticForm.Time, "quadratic", false, 0.05, 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedStepsTakeAutogradsGradients(CriticForm form, string costName, bool withBases, double? clip, int dimension)
    {
        using var scope = NewDisposeScope();
        var cost = Cost.Parse(costName);
        var options = new SolverOptions { Critic = form, GradientClip = clip, BatchSize = 64, Seed = 5 }.Resolve();
        var reference = Build(options with { Engine = TrainingEngine.Autograd }, cost, dimension, withBases);
        var fused = Build(options, cost, dimension, withBases);
        Assert.False(reference.Training.UsesFusedKernels);
        Assert.True(fused.Training.UsesFusedKernels);

        AssertClose(reference.Training.CriticStep(), fused.Training.CriticStep(), 1e-5, "critic step objective");
        AssertSameMoments(reference.Direction.CriticOptimizer, fused.Direction.CriticOptimizer, "critic gradients");

        var expected = reference.Training.MapStep(report: true)!.Value;
        var actual = fused.Training.MapStep(report: true)!.Value;
        AssertClose(expected.Objective, actual.Objective, 1e-5, "map step objective");
        AssertClose(expected.TransportCost, actual.TransportCost, 1e-5, "transport cost");
        AssertSameMoments(reference.Direction.MapOptimizer, fused.Direction.MapOptimizer, "map gradients");
        // Two more iterations: the map step above ran through the critic as the fused step updated it, and these
        // through both players' updated weights and moments (Adam's first step moves a weight whose gradient is
        // rounding noise by a full learning rate either way, so weights are not compared entry by entry).
        for (var i = 0; i < 2; i++)
        {
            AssertClose(reference.Training.CriticStep(), fused.Training.CriticStep(), 1e-3, $"critic objective, iteration {i + 2}");
            AssertClose(reference.Training.MapStep(report: true)!.Value.Objective, fused.Training.MapStep(report: true)!.Value.Objective, 1e-3, $"map objective, iteration {i + 2}");
        }
    }

    [Fact]
    public void BidirectionalTrainingAndGeluStayOnAutograd()
    {
        using var scope = NewDisposeScope();
        var gelu = new SolverOptions { CriticNetwork = new NetworkOptions(Activation: Activation.GELU) }.Resolve();
        Assert.False(Build(gelu, QuadraticCost.Instance, 2, false).Training.UsesFusedKernels);
        var inputConvex = new SolverOptions { CriticNetwork = new NetworkOptions(InputConvex: true) }.Resolve();
        Assert.False(Build(inputConvex, QuadraticCost.Instance, 2, false).Training.UsesFusedKernels);
    }

    private sealed record Twin(MinimaxTraining Training, TransportDirection Direction);

    private static Twin Build(SolverOptions options, ICost cost, int dimension, bool withBases)
    {
        var pair = new NeuralOT.Reference.GaussianTransport(
            NeuralOT.Distributions.GaussianDistribution.StandardNormal(dimension),
            new NeuralOT.Distributions.GaussianDistribution(Enumerable.Range(0, dimension).Select(i => 1.0 - 0.5 * i).ToArray(),
                Diagonal(Enumerable.Range(0, dimension).Select(i => 0.5 + 0.4 * i).ToArray())));
        torch.manual_seed(options.Seed);
        var map = new MapNetwork(dimension, options.MapNetwork, linearBase: withBases);
        var critic = new CriticNetwork(dimension, options.Critic == CriticForm.Time, options.CriticNetwork, quadraticBase: withBases);
        var generator = new Generator(21);
        using (no_grad())
        {
            // A map that is not the identity, so every layer of it gets a gradient.
            var output = map.Displacement.LinearLayers[^1];
            output.weight!.copy_(randn(output.weight.shape, generator: generator) * 0.3);
            output.bias!.copy_(randn(output.bias!.shape, generator: generator) * 0.1);
        }
        if (withBases)
        {
            var weight = randn(dimension, dimension, generator: generator) * 0.2;
            var inverse = eye(dimension) + randn(dimension, dimension, generator: generator) * 0.1;
            map.SetLinearBase(weight, randn(dimension, generator: generator) * 0.3, randn(dimension, generator: generator), 1.3, 0.7);
            critic.SetGaussianStart(inverse, randn(dimension, generator: generator) * 0.2, randn(dimension, generator: generator), 1.6);
        }
        var direction = new TransportDirection(pair.Source, pair.Target, map, critic, options);
        return new Twin(new MinimaxTraining(cost, options, CPU, direction), direction);
    }

    private static double[,] Diagonal(double[] values)
    {
        var matrix = new double[values.Length, values.Length];
        for (var i = 0; i < values.Length; i++) matrix[i, i] = values[i];
        return matrix;
    }

    private static void AssertSameMoments(OptimizerHelper expected, OptimizerHelper actual, string what)
    {
        var a = expected.state_dict().State.Cast<Adam.State>().ToArray();
        var b = actual.state_dict().State.Cast<Adam.State>().ToArray();
        Assert.Equal(a.Length, b.Length);
        // Relative to the network's largest gradient: a gradient that is zero in exact arithmetic (the output bias
        // of a critic whose two means cancel) is float32 rounding on both sides.
        var scale = a.Max(s => s.exp_avg.abs().max().item<float>());
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].step, b[i].step);
            var error = (a[i].exp_avg - b[i].exp_avg).abs().max().item<float>();
            Assert.True(error <= 1e-4 * scale, $"{what}, parameter {i}: max difference {error:E3} against the largest gradient moment {scale:E3}");
        }
    }

    private static void AssertClose(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{what}: {actual} against autograd's {expected}");
}
