using NeuralOT.Costs;
using NeuralOT.Reference;
using TorchSharp;

namespace NeuralOT.Tests.Reference;

public class ExactTransportTests
{
    /// <summary>The assignment problems among the fixtures whose cost the solvers take (p &gt; 1).</summary>
    public static TheoryData<string> ExactFixtures() =>
        new(OtFixture.Names.Where(name => OtFixture.Load(name) is { IsAssignment: true, P: > 1 }));

    /// <summary>Every fixture: any sizes, weights and p &gt;= 1.</summary>
    public static TheoryData<string> AllFixtures() => new(OtFixture.Names);

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void WeightedExactOTAgreesWithPOTEmd2AndCarriesACertificate(string name)
    {
        var fixture = OtFixture.Load(name);
        var matrix = fixture.CostMatrix;
        var plan = ExactTransport.SolveWeighted(matrix, fixture.A, fixture.B);
        double expected = fixture.ExactCost!.Value;
        Assert.True(Math.Abs(plan.Cost - expected) <= 1e-9 * Math.Abs(expected), $"{name}: ours {plan.Cost:R}, POT {expected:R}");
        TransportCertificate.AssertOptimal(matrix, fixture.A, fixture.B, plan);
        // The distance itself, against POT's emd2 on Euclidean distances to the power p, computed apart from exact_cost.
        Assert.Equal(fixture.W, Math.Pow(fixture.P * plan.Cost, 1 / fixture.P), 1e-9 * fixture.W);
        if (fixture.IsAssignment)
            Assert.Equal(expected, ExactTransport.SolveAssignment(matrix, fixture.Source.Length).Cost, 1e-9 * Math.Abs(expected));
    }

    [Fact]
    public void ZeroWeightsAndTiesOnAGridCarryAnOptimalityCertificate()
    {
        var source = new double[36, 2];
        var target = new double[20, 2];
        for (int i = 0; i < 36; i++) (source[i, 0], source[i, 1]) = (i % 6, i / 6);
        for (int j = 0; j < 20; j++) (target[j, 0], target[j, 1]) = (j % 5 + 0.5, j / 5);
        var a = Enumerable.Range(0, 36).Select(i => i % 4 == 0 ? 0.0 : 1.0).ToArray();
        var b = Enumerable.Range(0, 20).Select(j => 1.0 + j % 3).ToArray();
        foreach (var p in new[] { 1.0, 2.0 })
        {
            var matrix = CostMatrix.Build(source, target, p);
            TransportCertificate.AssertOptimal(matrix, a, b, ExactTransport.SolveWeighted(matrix, a, b));
        }
    }

    [Theory]
    [MemberData(nameof(ExactFixtures))]
    public void CostAgreesWithPOTEmd2To1e9Relative(string name)
    {
        var fixture = OtFixture.Load(name);
        var result = ExactTransport.Solve(fixture.SourceArray, fixture.TargetArray, Cost.Parse(fixture.Cost));
        double expected = fixture.ExactCost!.Value;
        Assert.True(Math.Abs(result.Cost - expected) <= 1e-9 * Math.Abs(expected),
            $"{name}: ours {result.Cost:R}, POT {expected:R}");
    }

    [Theory]
    [MemberData(nameof(ExactFixtures))]
    public void FixtureSolutionsCarryAnOptimalityCertificate(string name)
    {
        var fixture = OtFixture.Load(name);
        var cost = Cost.Parse(fixture.Cost);
        var result = ExactTransport.Solve(fixture.SourceArray, fixture.TargetArray, cost);
        var matrix = CostMatrix.Build(fixture.SourceArray, fixture.TargetArray, cost);
        TransportCertificate.AssertOptimal(matrix, fixture.Source.Length, result);
    }

    [Theory]
    [InlineData(1, 2, "quadratic")]
    [InlineData(300, 2, "quadratic")]
    [InlineData(400, 10, "quadratic")]
    [InlineData(250, 3, "power:1.5")]
    [InlineData(250, 2, "power:3")]
    public void RandomCloudsCarryAnOptimalityCertificate(int n, int d, string costName)
    {
        var cost = Cost.Parse(costName);
        var source = TestPoints.Gaussian(n * 7 + d, n, d);
        var target = TestPoints.Gaussian(n * 11 + d, n, d, mean: 1.5, scale: 0.7);
        var result = ExactTransport.Solve(source, target, cost);
        TransportCertificate.AssertOptimal(CostMatrix.Build(source, target, cost), n, result);
    }

    [Fact]
    public void IntegerCostsWithManyTiesCarryAnOptimalityCertificate()
    {
        // Points on a small grid: many equal costs, the hard case for price-based solvers.
        const int n = 144;
        var source = new double[n, 2];
        var target = new double[n, 2];
        var random = new Random(5);
        for (int i = 0; i < n; i++)
        {
            source[i, 0] = i % 12;
            source[i, 1] = i / 12;
            target[i, 0] = random.Next(0, 4);
            target[i, 1] = random.Next(0, 4);
        }
        var result = ExactTransport.Solve(source, target);
        TransportCertificate.AssertOptimal(CostMatrix.Build(source, target, QuadraticCost.Instance), n, result);
    }

    [Fact]
    public void AFarOutlierDoesNotBreakOptimality()
    {
        // The auction's epsilon schedule follows the cost spread, which one outlier makes 10^12 times the typical cost.
        var source = TestPoints.Gaussian(61, 200, 2);
        var target = TestPoints.Gaussian(62, 200, 2, mean: 0.5);
        target[17, 0] = 1e6;
        var result = ExactTransport.Solve(source, target);
        TransportCertificate.AssertOptimal(CostMatrix.Build(source, target, QuadraticCost.Instance), 200, result);

        // Every assignment pays for the outlier, so without its column the rest must be optimal on its own.
        var keptTargets = Enumerable.Range(0, 200).Where(j => j != 17).ToArray();
        int outlierSource = Array.IndexOf(result.Assignment, 17);
        var keptSources = Enumerable.Range(0, 200).Where(i => i != outlierSource).ToArray();
        var rest = ExactTransport.Solve(TestPoints.PermuteRows(source, keptSources), TestPoints.PermuteRows(target, keptTargets));
        double restCost = keptSources.Sum(i => QuadraticCost.Instance.Lagrangian(
            [target[result.Assignment[i], 0] - source[i, 0], target[result.Assignment[i], 1] - source[i, 1]])) / 199;
        Assert.Equal(rest.Cost, restCost, 1e-9 * rest.Cost);
    }

    [Fact]
    public void IdenticalPointsCostNothing()
    {
        var points = new double[50, 2]; // all at the origin
        var result = ExactTransport.Solve(points, points);
        Assert.Equal(0, result.Cost);
        TransportCertificate.AssertOptimal(new double[50 * 50], 50, result);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void MatchesBruteForceOverAllPermutations(int n)
    {
        var random = new Random(n);
        var matrix = Enumerable.Range(0, n * n).Select(_ => random.NextDouble() * 10 - 3).ToArray();
        double best = double.PositiveInfinity;
        foreach (var permutation in Permutations(n))
            best = Math.Min(best, Enumerable.Range(0, n).Sum(i => matrix[i * n + permutation[i]]) / n);
        var result = ExactTransport.SolveAssignment(matrix, n);
        Assert.Equal(best, result.Cost, 1e-12);
        TransportCertificate.AssertOptimal(matrix, n, result);
    }

    [Fact]
    public void AUserCostIsSolvedExactly()
    {
        var cost = new SumOfAbsolutePowersCost(1.2);
        var source = TestPoints.Gaussian(1, 6, 3);
        var target = TestPoints.Gaussian(2, 6, 3, mean: 1);
        var matrix = CostMatrix.Build(source, target, cost);
        var result = ExactTransport.Solve(source, target, cost);
        double best = Permutations(6).Min(p => Enumerable.Range(0, 6).Sum(i => matrix[i * 6 + p[i]]) / 6);
        Assert.Equal(best, result.Cost, 1e-12);
        TransportCertificate.AssertOptimal(matrix, 6, result);
    }

    [Theory]
    [InlineData("quadratic")]
    [InlineData("power:1.5")]
    [InlineData("power:4")]
    public void InOneDimensionTheSortedMatchingIsOptimal(string costName)
    {
        // For a convex cost of y - x on the line, the monotone (sorted) coupling is optimal.
        var cost = Cost.Parse(costName);
        var source = TestPoints.Gaussian(3, 200, 1);
        var target = TestPoints.Gaussian(4, 200, 1, mean: 0.5, scale: 2);
        var xs = Enumerable.Range(0, 200).Select(i => source[i, 0]).Order().ToArray();
        var ys = Enumerable.Range(0, 200).Select(i => target[i, 0]).Order().ToArray();
        double sorted = xs.Zip(ys, (x, y) => cost.Lagrangian([y - x])).Sum() / 200;
        var result = ExactTransport.Solve(source, target, cost);
        Assert.Equal(sorted, result.Cost, 1e-12 * Math.Max(1, sorted));
    }

    [Theory]
    [InlineData("quadratic")]
    [InlineData("power:1.5")]
    public void PermutingTheInputsPermutesTheSolutionAndKeepsTheCost(string costName)
    {
        var cost = Cost.Parse(costName);
        var source = TestPoints.Gaussian(21, 120, 3);
        var target = TestPoints.Gaussian(22, 120, 3, mean: 2);
        var sourceOrder = TestPoints.RandomPermutation(23, 120);
        var targetOrder = TestPoints.RandomPermutation(24, 120);
        var original = ExactTransport.Solve(source, target, cost);
        var permuted = ExactTransport.Solve(TestPoints.PermuteRows(source, sourceOrder), TestPoints.PermuteRows(target, targetOrder), cost);
        Assert.Equal(original.Cost, permuted.Cost, 1e-12 * original.Cost);

        // With continuous random points the optimal assignment is unique: the same pairs, relabelled.
        var targetPosition = new int[120];
        for (int position = 0; position < 120; position++) targetPosition[targetOrder[position]] = position;
        for (int position = 0; position < 120; position++)
            Assert.Equal(targetPosition[original.Assignment[sourceOrder[position]]], permuted.Assignment[position]);
    }

    [Fact]
    public void TranslatingBothCloudsChangesNothingForTheQuadraticCost()
    {
        var source = TestPoints.Gaussian(31, 150, 2);
        var target = TestPoints.Gaussian(32, 150, 2, mean: -1, scale: 1.5);
        var original = ExactTransport.Solve(source, target);
        var shifted = ExactTransport.Solve(Translate(source, 40, -7), Translate(target, 40, -7));
        Assert.Equal(original.Cost, shifted.Cost, 1e-9 * original.Cost);
        Assert.Equal(original.Assignment, shifted.Assignment);
    }

    [Fact]
    public void TranslatingOnlyTheTargetAddsTheSquaredShiftAndKeepsTheAssignment()
    {
        // |y + t - x|^2 / 2 = |y - x|^2 / 2 + t.(y - x) + |t|^2 / 2, and sum_i t.(y_s(i) - x_i) is the same for every s.
        var source = TestPoints.Gaussian(41, 100, 2);
        var target = TestPoints.Gaussian(42, 100, 2, mean: 0.5);
        var original = ExactTransport.Solve(source, target);
        var shifted = ExactTransport.Solve(source, Translate(target, 3, 4));
        double meanDisplacement0 = 0, meanDisplacement1 = 0;
        for (int i = 0; i < 100; i++)
        {
            meanDisplacement0 += (target[i, 0] - source[i, 0]) / 100;
            meanDisplacement1 += (target[i, 1] - source[i, 1]) / 100;
        }
        double expected = original.Cost + 3 * meanDisplacement0 + 4 * meanDisplacement1 + 25 / 2.0;
        Assert.Equal(expected, shifted.Cost, 1e-10 * expected);
        Assert.Equal(original.Assignment, shifted.Assignment);
    }

    [Fact]
    public void TensorOverloadMatchesTheArrayOverload()
    {
        var source = TestPoints.Gaussian(51, 40, 2);
        var target = TestPoints.Gaussian(52, 40, 2, mean: 1);
        using var sourceTensor = torch.tensor(Flatten(source), [40, 2], torch.float64);
        using var targetTensor = torch.tensor(Flatten(target), [40, 2], torch.float64);
        Assert.Equal(ExactTransport.Solve(source, target).Cost, ExactTransport.Solve(sourceTensor, targetTensor).Cost);
    }

    [Fact]
    public void UnequalSizesPointToSinkhorn()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ExactTransport.Solve(TestPoints.Gaussian(1, 10, 2), TestPoints.Gaussian(2, 12, 2)));
        Assert.Equal("target", error.ParamName);
        Assert.Contains("Sinkhorn", error.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteCoordinatesAreRejectedByName(double bad)
    {
        var source = TestPoints.Gaussian(1, 10, 2);
        source[3, 1] = bad;
        var error = Assert.Throws<ArgumentException>(() => ExactTransport.Solve(source, TestPoints.Gaussian(2, 10, 2)));
        Assert.Equal("source", error.ParamName);
        Assert.Contains("Sample 3", error.Message);
    }

    [Fact]
    public void DimensionMismatchIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ExactTransport.Solve(TestPoints.Gaussian(1, 10, 2), TestPoints.Gaussian(2, 10, 3)));
        Assert.Equal("target", error.ParamName);
        Assert.Contains("dimension 3", error.Message);
    }

    [Fact]
    public void EmptyPointSetsAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ExactTransport.Solve(new double[0, 2], new double[0, 2]));
        Assert.Equal("source", error.ParamName);
    }

    [Fact]
    public void AMatrixOfTheWrongLengthIsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => ExactTransport.SolveAssignment(new double[10], 3));
        Assert.Equal("costMatrix", error.ParamName);
    }

    internal static double[,] Translate(double[,] points, double dx, double dy)
    {
        var result = (double[,])points.Clone();
        for (int i = 0; i < points.GetLength(0); i++)
        {
            result[i, 0] += dx;
            result[i, 1] += dy;
        }
        return result;
    }

    private static double[] Flatten(double[,] points) => points.Cast<double>().ToArray();

    private static IEnumerable<int[]> Permutations(int n)
    {
        var current = Enumerable.Range(0, n).ToArray();
        return Permute(current, 0);

        static IEnumerable<int[]> Permute(int[] items, int start)
        {
            if (start == items.Length)
            {
                yield return (int[])items.Clone();
                yield break;
            }
            for (int i = start; i < items.Length; i++)
            {
                (items[start], items[i]) = (items[i], items[start]);
                foreach (var permutation in Permute(items, start + 1)) yield return permutation;
                (items[start], items[i]) = (items[i], items[start]);
            }
        }
    }

    /// <summary>A cost the library does not know: L(v) = sum_k |v_k|^p (separable, convex, even).</summary>
    private sealed class SumOfAbsolutePowersCost(double p) : ICost
    {
        public string Name => "test-sum-of-powers";

        public torch.Tensor Lagrangian(torch.Tensor v) => v.abs().pow(p).sum(1);

        public torch.Tensor Hamiltonian(torch.Tensor w) => throw new NotSupportedException("not needed by the exact solver");

        public torch.Tensor HamiltonianGradient(torch.Tensor w) => throw new NotSupportedException("not needed by the exact solver");

        public double Lagrangian(ReadOnlySpan<double> v)
        {
            double sum = 0;
            foreach (var component in v) sum += Math.Pow(Math.Abs(component), p);
            return sum;
        }
    }
}
