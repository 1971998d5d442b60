using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Solvers;

public class TransportProblemTests
{
    /// <summary>Catalogue pairs of every kind that build in a moment (the MNIST pairs read the digit file).</summary>
    public static TheoryData<string> Pairs() => new("gaussian-2d", "gaussian-10d", "velocity-2d", "mixture-2d", "mixture-5d", "mixture-10d",
        "power-cost-2d", "known-map-2d", "known-map-8d");

    [Theory]
    [MemberData(nameof(Pairs))]
    public void AProblemFromAConfigHoldsTheConfigsDistributionsAndCost(string name)
    {
        var config = ExperimentCatalogue.Get(name);
        using var problem = config.ToProblem();
        var (source, target) = config.CreateDistributions();
        Assert.Same(config.Cost, problem.Cost);
        Assert.Equal(source.Dimension, problem.Dimension);
        // Equal distributions draw equal samples from equal streams.
        AssertSameSamples(source, problem.Source);
        AssertSameSamples(target, problem.Target);
    }

    [Fact]
    public void AProblemFromACsvConfigHoldsTheFilesRows()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("points.csv"), "x1,x2\n1,2\n3,4\n5,7\n");
        File.WriteAllText(folder.File("config.json"), """
            { "source": { "type": "csv", "path": "points.csv" },
              "target": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "cost": { "type": "power", "p": 1.5 } }
            """);
        using var problem = ExperimentConfig.Load(folder.File("config.json")).ToProblem();
        var data = Assert.IsType<EmpiricalDistribution>(problem.Source);
        Assert.Equal(3, data.Count);
        Assert.IsType<GaussianDistribution>(problem.Target);
        Assert.Equal(1.5, Assert.IsType<PowerCost>(problem.Cost).P);
        Assert.Null(problem.ClosedForm);
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TheClosedFormIsPresentExactlyForGaussianAndKnownMapPairsUnderTheQuadraticCost(string name)
    {
        var config = ExperimentCatalogue.Get(name);
        using var problem = config.ToProblem();
        var quadratic = config.Cost is QuadraticCost;
        switch (config.Source, config.Target)
        {
            case (GaussianSpec source, GaussianSpec target) when quadratic:
                var gaussian = Assert.IsType<GaussianTransport>(problem.ClosedForm);
                Assert.Equal(new GaussianTransport(source.CreateGaussian(), target.CreateGaussian()).W2, gaussian.W2, 12);
                Assert.Same(problem.Source, ((IClosedFormTransport)gaussian).Source);
                break;
            case (_, KnownMapSpec) when quadratic:
                var known = Assert.IsType<KnownMapTransport>(problem.ClosedForm);
                Assert.Same(problem.Source, known.Source);
                Assert.Same(problem.Target, known.Target);
                break;
            default:
                Assert.Null(problem.ClosedForm);
                break;
        }
    }

    [Fact]
    public void TheClosedFormFollowsTheCost()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var power = new TransportProblem(pair.Source, pair.Target, new PowerCost(1.5));
        Assert.Null(power.ClosedForm);
        // The quadratic solve beside a power-cost run shares the distributions and has the closed form.
        using var quadratic = power.WithCost(QuadraticCost.Instance);
        Assert.Same(power.Source, quadratic.Source);
        Assert.Equal(pair.W2, Assert.IsType<GaussianTransport>(quadratic.ClosedForm).W2, 12);
    }

    [Fact]
    public void AKnownMapIsTheClosedFormOnlyFromTheSourceItWasBuiltOn()
    {
        var source = GaussianMixture.Random(2, 3, 1);
        using var transport = new KnownMapSpec(Seed: 5).CreateTransport(source);
        using var own = new TransportProblem(source, transport.Target, QuadraticCost.Instance);
        Assert.Same(transport, own.ClosedForm);
        using var other = new TransportProblem(GaussianMixture.Random(2, 3, 1), transport.Target, QuadraticCost.Instance);
        Assert.Null(other.ClosedForm);
    }

    [Fact]
    public void ADimensionMismatchIsRefusedNamingTheParameter()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new TransportProblem(GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(3), QuadraticCost.Instance));
        Assert.Equal("target", error.ParamName);
        Assert.Contains("source has dimension 2 but the target has dimension 3", error.Message);
        // The same through the solver's entry that takes the distributions.
        Assert.Equal("target", Assert.Throws<ArgumentException>(() =>
            MinimaxSolver.Solve(GaussianDistribution.StandardNormal(2), GaussianDistribution.StandardNormal(3), QuadraticCost.Instance)).ParamName);
    }

    [Fact]
    public void AConfigWithADimensionMismatchIsRefusedNamingItsKeys()
    {
        var config = ExperimentConfig.Parse("""
            { "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "random-gaussian-mixture", "dimension": 3 },
              "cost": { "type": "quadratic" } }
            """);
        var error = Assert.Throws<ConfigException>(() => config.ToProblem());
        Assert.Contains("config.source has dimension 2 but config.target has dimension 3", error.Message);
        // Prepared runs refuse it before anything is written.
        using var folder = new TemporaryFolder();
        Assert.Throws<ConfigException>(() => ExperimentRunner.Prepare(config, new RunSettings(folder.File("run"))));
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Fact]
    public void AnOptionThatDoesNotFitTheCostIsRefusedWithTheProblem()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var problem = new TransportProblem(pair.Source, pair.Target, new PowerCost(1.5));
        var error = Assert.Throws<InvalidOptionException>(() => MinimaxSolver.Validate(problem, new SolverOptions { Preconditioning = Preconditioning.Affine }));
        Assert.Equal(nameof(SolverOptions.Preconditioning), error.ParamName);
    }

    [Fact]
    public void TheResultKeepsTheProblemItSolvedForTheMetricsAndFigures()
    {
        var pair = TestProblems.SmallGaussianPair();
        using var problem = new TransportProblem(pair.Source, pair.Target, QuadraticCost.Instance);
        using var result = MinimaxSolver.Solve(problem, new SolverOptions { Iterations = 0 });
        Assert.Same(problem, result.Problem);
        // The figures' side of this is FigureReferenceTests (tests/NeuralOT.Apps.Tests).
    }

    [Fact]
    public void AProblemFromAConfigFreesWhatItBuiltAndOneBuiltInCodeLeavesTheCallersDistributions()
    {
        var config = ExperimentCatalogue.Get("known-map-2d");
        var generator = new torch.Generator(3);
        var fromConfig = config.ToProblem();
        using (fromConfig.Target.Sample(4, generator)) { }
        fromConfig.Dispose();
        fromConfig.Dispose();
        // The known map's potential is gone with the problem that built it.
        Assert.ThrowsAny<Exception>(() => fromConfig.Target.Sample(4, generator));

        var source = GaussianMixture.Random(2, 3, 1);
        using var transport = new KnownMapSpec().CreateTransport(source);
        new TransportProblem(source, transport.Target, QuadraticCost.Instance).Dispose();
        using var samples = transport.Target.Sample(4, generator);
        Assert.Equal([4L, 2L], samples.shape);
    }

    [Fact]
    public void APreparedRunRunsOnceAndFreesItsProblemWhenNotRun()
    {
        using var folder = new TemporaryFolder();
        var prepared = ExperimentRunner.Prepare(ExperimentCatalogue.Get("known-map-2d"), new RunSettings(folder.File("run"), Fast: true));
        Assert.Equal(ExperimentRunner.FastIterations, prepared.Config.Solver.Iterations);
        Assert.IsType<KnownMapTransport>(prepared.Problem.ClosedForm);
        prepared.Dispose();
        Assert.Throws<InvalidOperationException>(() => ExperimentRunner.Run(prepared));
        Assert.False(Directory.Exists(folder.File("run")));
    }

    private static void AssertSameSamples(IDistribution expected, IDistribution actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        using var first = expected.Sample(64, new torch.Generator(11));
        using var second = actual.Sample(64, new torch.Generator(11));
        Assert.True(first.eq(second).all().item<bool>(), $"{actual.Description} draws other samples than {expected.Description}");
    }
}
