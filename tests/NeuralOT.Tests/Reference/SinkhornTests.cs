using NeuralOT.Costs;
using NeuralOT.Reference;

namespace NeuralOT.Tests.Reference;

public class SinkhornTests
{
    public static TheoryData<string, int> SinkhornFixtures()
    {
        var data = new TheoryData<string, int>();
        foreach (var name in OtFixture.Names)
            for (int index = 0; index < OtFixture.Load(name).Sinkhorn.Length; index++)
                data.Add(name, index);
        return data;
    }

    [Theory]
    [MemberData(nameof(SinkhornFixtures))]
    public void CostAgreesWithPOTSinkhorn2To1e6Relative(string name, int epsilonIndex)
    {
        var fixture = OtFixture.Load(name);
        var expected = fixture.Sinkhorn[epsilonIndex];
        var result = fixture.P > 1
            ? Sinkhorn.Solve(fixture.SourceArray, fixture.TargetArray, expected.Epsilon, Cost.Parse(fixture.Cost), fixture.SourceWeights, fixture.TargetWeights)
            : Sinkhorn.SolveMatrix(fixture.CostMatrix, fixture.A, fixture.B, expected.Epsilon);
        Assert.True(result.Converged, result.Message);
        Assert.True(Math.Abs(result.Cost - expected.Cost) <= 1e-6 * Math.Abs(expected.Cost),
            $"{name} epsilon {expected.Epsilon}: ours {result.Cost:R}, POT {expected.Cost:R}");
    }

    [Fact]
    public void ThePlanHasTheRequestedMarginalsAndItsCostIsReported()
    {
        var source = TestPoints.Gaussian(1, 40, 2);
        var target = TestPoints.Gaussian(2, 55, 2, mean: 1);
        var random = new Random(3);
        var a = Enumerable.Range(0, 40).Select(_ => random.NextDouble() + 0.1).ToArray();
        var b = Enumerable.Range(0, 55).Select(_ => random.NextDouble() + 0.1).ToArray();
        var result = Sinkhorn.Solve(source, target, 0.05, sourceWeights: a, targetWeights: b);
        Assert.True(result.Converged, result.Message);

        var plan = result.Plan();
        var matrix = CostMatrix.Build(source, target, QuadraticCost.Instance);
        double sumA = a.Sum(), sumB = b.Sum(), cost = 0;
        for (int i = 0; i < 40; i++)
        {
            double row = 0;
            for (int j = 0; j < 55; j++)
            {
                Assert.True(plan[i, j] >= 0);
                row += plan[i, j];
                cost += plan[i, j] * matrix[i * 55 + j];
            }
            Assert.Equal(a[i] / sumA, row, 1e-9);
        }
        for (int j = 0; j < 55; j++)
        {
            double column = 0;
            for (int i = 0; i < 40; i++) column += plan[i, j];
            Assert.Equal(b[j] / sumB, column, 1e-9);
        }
        Assert.Equal(cost, result.Cost, 1e-12 * cost);
    }

    [Fact]
    public void ConvergedCostBracketsTheExactCost()
    {
        // OT <= <P_eps, C> <= OT + eps log n for uniform weights (the exact plan has entropy term eps log n).
        const int n = 60;
        var source = TestPoints.Gaussian(11, n, 2);
        var target = TestPoints.Gaussian(12, n, 2, mean: 2, scale: 0.5);
        var exact = ExactTransport.Solve(source, target);
        double epsilon = 0.01 * exact.Cost;
        var result = Sinkhorn.Solve(source, target, epsilon);
        Assert.True(result.Converged, result.Message);
        Assert.InRange(result.Cost, exact.Cost * (1 - 1e-12), exact.Cost + epsilon * Math.Log(n));
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-8)]
    [InlineData(1e-12)]
    public void TinyEpsilonNeitherOverflowsNorProducesNaN(double relativeEpsilon)
    {
        // Far below where Sinkhorn converges in few iterations: the log-domain updates must still stay finite.
        const int n = 40;
        var source = TestPoints.Gaussian(13, n, 2);
        var target = TestPoints.Gaussian(14, n, 2, mean: 5);
        double epsilon = relativeEpsilon * ExactTransport.Solve(source, target).Cost;
        var result = Sinkhorn.Solve(source, target, epsilon, options: new SinkhornOptions { MaxIterations = 300 });
        Assert.All(result.RowPotential, f => Assert.True(double.IsFinite(f)));
        Assert.All(result.ColumnPotential, g => Assert.True(double.IsFinite(g)));
        Assert.True(double.IsFinite(result.Cost));
        var plan = result.Plan();
        Assert.All(plan.Cast<double>(), p => Assert.True(double.IsFinite(p) && p >= 0));
        Assert.Equal(result.Converged, result.Message is null);
    }

    [Fact]
    public void ARunOutOfIterationsSaysWhichKnobToTurn()
    {
        var result = Sinkhorn.Solve(TestPoints.Gaussian(1, 30, 2), TestPoints.Gaussian(2, 30, 2, mean: 3), 1e-3,
            options: new SinkhornOptions { MaxIterations = 5 });
        Assert.False(result.Converged);
        Assert.Equal(5, result.Iterations);
        Assert.Contains("MaxIterations", result.Message);
        Assert.Contains("epsilon", result.Message);
        Assert.False(double.IsNaN(result.Cost));
    }

    [Fact]
    public void PlainSinkhornWithoutScalingOrOverrelaxationReachesTheSameSolution()
    {
        var source = TestPoints.Gaussian(5, 30, 2);
        var target = TestPoints.Gaussian(6, 30, 2, mean: 1);
        var scaled = Sinkhorn.Solve(source, target, 0.05);
        var plain = Sinkhorn.Solve(source, target, 0.05,
            options: new SinkhornOptions { EpsilonScaling = false, Overrelaxation = 1 });
        Assert.True(scaled.Converged && plain.Converged);
        Assert.Equal(plain.Cost, scaled.Cost, 1e-8 * plain.Cost);
    }

    [Fact]
    public void TensorOverloadMatchesTheArrayOverload()
    {
        var source = TestPoints.Gaussian(7, 20, 2);
        var target = TestPoints.Gaussian(8, 25, 2, mean: 1);
        using var sourceTensor = TorchSharp.torch.tensor(source.Cast<double>().ToArray(), [20, 2], TorchSharp.torch.float64);
        using var targetTensor = TorchSharp.torch.tensor(target.Cast<double>().ToArray(), [25, 2], TorchSharp.torch.float64);
        Assert.Equal(Sinkhorn.Solve(source, target, 0.1).Cost, Sinkhorn.Solve(sourceTensor, targetTensor, 0.1).Cost);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void EpsilonMustBePositive(double epsilon)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Sinkhorn.Solve(TestPoints.Gaussian(1, 5, 2), TestPoints.Gaussian(2, 5, 2), epsilon));
        Assert.Equal("epsilon", error.ParamName);
    }

    [Fact]
    public void NegativeWeightsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Sinkhorn.Solve(TestPoints.Gaussian(1, 3, 2), TestPoints.Gaussian(2, 3, 2), 0.1, sourceWeights: [0.5, -0.1, 0.6]));
        Assert.Equal("sourceWeights", error.ParamName);
    }

    [Fact]
    public void AWeightCountMismatchIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Sinkhorn.Solve(TestPoints.Gaussian(1, 3, 2), TestPoints.Gaussian(2, 4, 2), 0.1, targetWeights: [1, 1, 1]));
        Assert.Equal("targetWeights", error.ParamName);
    }

    [Fact]
    public void DimensionMismatchAndNonFiniteSamplesAreRejected()
    {
        Assert.Equal("target", Assert.Throws<ArgumentException>(() =>
            Sinkhorn.Solve(TestPoints.Gaussian(1, 3, 2), TestPoints.Gaussian(2, 3, 1), 0.1)).ParamName);
        var source = TestPoints.Gaussian(1, 3, 2);
        source[0, 0] = double.NaN;
        Assert.Equal("source", Assert.Throws<ArgumentException>(() =>
            Sinkhorn.Solve(source, TestPoints.Gaussian(2, 3, 2), 0.1)).ParamName);
    }
}
