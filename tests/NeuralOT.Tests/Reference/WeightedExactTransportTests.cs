using NeuralOT.Reference;

namespace NeuralOT.Tests.Reference;

/// <summary>
/// <see cref="ExactTransport.SolveWeighted"/> (the network simplex of the transportation problem) on random, uniform,
/// sparse and degenerate problems: every answer must carry an optimality certificate (primal and dual feasibility,
/// complementary slackness, equal primal and dual values), checked from the cost matrix alone.
/// </summary>
public class WeightedExactTransportTests
{
    [Theory]
    [InlineData(1, 1, 2, 2.0, "dirichlet", 0)]
    [InlineData(1, 9, 2, 2.0, "dirichlet", 1)]
    [InlineData(12, 1, 3, 2.0, "dirichlet", 2)]
    [InlineData(30, 17, 2, 2.0, "dirichlet", 3)]
    [InlineData(3, 500, 2, 2.0, "dirichlet", 9)]
    [InlineData(500, 4, 3, 2.0, "dirichlet", 10)]
    [InlineData(200, 240, 2, 2.0, "dirichlet", 0)]
    [InlineData(200, 240, 2, 2.0, "dirichlet", 1)]
    [InlineData(200, 240, 10, 2.0, "dirichlet", 2)]
    [InlineData(400, 300, 5, 2.0, "dirichlet", 0)]
    [InlineData(600, 720, 2, 2.0, "dirichlet", 4)]
    [InlineData(300, 200, 2, 1.0, "uniform", 0)]
    [InlineData(97, 251, 5, 1.5, "dirichlet", 5)]
    [InlineData(150, 150, 3, 2.0, "dirichlet", 6)]
    [InlineData(250, 300, 2, 2.0, "sparse", 7)]
    [InlineData(300, 250, 3, 1.0, "sparse", 8)]
    public void RandomProblemsCarryAnOptimalityCertificate(int n, int m, int d, double p, string weights, int seed)
    {
        var (source, target, a, b) = RandomProblem(seed, n, m, d, weights);
        var matrix = CostMatrix.Build(source, target, p);
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        TransportCertificate.AssertOptimal(matrix, a, b, plan);
        // A basic solution: at most n + m - 1 entries.
        Assert.InRange(plan.Entries.Count, 1, n + m - 1);
    }

    [Theory]
    [InlineData(50, 2, 0)]
    [InlineData(200, 2, 1)]
    [InlineData(300, 10, 2)]
    public void UniformEqualSizesAgreeWithTheAssignmentSolver(int n, int d, int seed)
    {
        var source = TestPoints.Gaussian(10 * seed + 1, n, d);
        var target = TestPoints.Gaussian(10 * seed + 2, n, d, mean: 0.5);
        var matrix = CostMatrix.Build(source, target, 2.0);
        var uniform = Enumerable.Repeat(1.0 / n, n).ToArray();
        var plan = ExactTransport.SolveWeighted(matrix, uniform, uniform);
        var assignment = ExactTransport.SolveAssignment(matrix, n);
        Assert.Equal(assignment.Cost, plan.Cost, 1e-12 * assignment.Cost);
        TransportCertificate.AssertOptimal(matrix, uniform, uniform, plan);
        // With continuous random points the optimum is unique: the same permutation, each pair carrying 1/n exactly.
        Assert.Equal(n, plan.Entries.Count);
        foreach (var entry in plan.Entries)
        {
            Assert.Equal(assignment.Assignment[entry.Source], entry.Target);
            Assert.Equal(1.0 / n, entry.Mass);
        }
    }

    [Fact]
    public void ZeroWeightsOnBothSidesCarryNoMassAndStillGetPotentials()
    {
        var source = TestPoints.Gaussian(3, 40, 2);
        var target = TestPoints.Gaussian(4, 50, 2, mean: 1);
        var a = Enumerable.Range(0, 40).Select(i => i % 3 == 0 ? 0.0 : 1.0 + i % 5).ToArray();
        var b = Enumerable.Range(0, 50).Select(j => j % 4 == 1 ? 0.0 : 2.0 - j % 3 * 0.5).ToArray();
        // Including the first and the last sample of each side.
        a[0] = a[^1] = b[0] = b[^1] = 0;
        var matrix = CostMatrix.Build(source, target, 2.0);
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        TransportCertificate.AssertOptimal(matrix, a, b, plan);
        Assert.DoesNotContain(plan.Entries, entry => a[entry.Source] == 0 || b[entry.Target] == 0);

        // Dropping the zero-weight samples changes nothing.
        var keptSources = Enumerable.Range(0, 40).Where(i => a[i] > 0).ToArray();
        var keptTargets = Enumerable.Range(0, 50).Where(j => b[j] > 0).ToArray();
        var reduced = ExactTransport.SolveWeighted(CostMatrix.Build(TestPoints.PermuteRows(source, keptSources), TestPoints.PermuteRows(target, keptTargets), 2.0),
            keptSources.Select(i => a[i]).ToArray(), keptTargets.Select(j => b[j]).ToArray());
        Assert.Equal(reduced.Cost, plan.Cost, 1e-12 * reduced.Cost);
    }

    [Fact]
    public void OneSampleWithPositiveWeightTakesEverything()
    {
        // One source (or, after zero weights, one that counts) sends every target its weight; the plan is forced.
        var random = new Random(11);
        var matrix = Enumerable.Range(0, 4 * 7).Select(_ => random.NextDouble() * 5 - 1).ToArray();
        var a = new[] { 0.0, 3.0, 0.0, 0.0 };
        var b = new[] { 1.0, 0.0, 2.0, 0.5, 0.5, 0.0, 4.0 };
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        TransportCertificate.AssertOptimal(matrix, a, b, plan);
        Assert.Equal([0, 2, 3, 4, 6], plan.Entries.Select(entry => entry.Target));
        Assert.All(plan.Entries, entry => Assert.Equal(1, entry.Source));
        Assert.Equal(Enumerable.Range(0, 7).Sum(j => b[j] / 8 * matrix[7 + j]), plan.Cost, 1e-14);

        var transposed = new double[7 * 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 7; j++)
                transposed[j * 4 + i] = matrix[i * 7 + j];
        var column = ExactTransport.SolveWeighted(transposed, b, a);
        TransportCertificate.AssertOptimal(transposed, b, a, column);
        Assert.Equal(plan.Cost, column.Cost, 1e-14);
    }

    [Fact]
    public void OneByOneIsItsOnlyCost()
    {
        var plan = ExactTransport.SolveWeighted([4.25], [0.3], [7]);
        Assert.Equal(new PlanEntry(0, 0, 1.0), Assert.Single(plan.Entries));
        Assert.Equal(4.25, plan.Cost);
        TransportCertificate.AssertOptimal([4.25], [0.3], [7], plan);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.5)]
    [InlineData(-1e6)]
    public void AllEqualCostsCostThatValueWithAnyFeasiblePlan(double value)
    {
        int n = 23, m = 31;
        var random = new Random(5);
        var matrix = Enumerable.Repeat(value, n * m).ToArray();
        var a = Weights(random, n, "dirichlet");
        var b = Weights(random, m, "dirichlet");
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        Assert.Equal(value, plan.Cost, 1e-15 * Math.Abs(value));
        TransportCertificate.AssertOptimal(matrix, a, b, plan);
    }

    [Fact]
    public void DuplicatePointsCostWhatTheMergedPointsCost()
    {
        // Four distinct sources and four distinct targets on a grid (many equal costs), each repeated several times
        // with its own weights: the same problem as the merged points carrying the summed weights.
        double[,] sourcePoints = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 2, 2 } };
        double[,] targetPoints = { { 1, 0 }, { 0, 2 }, { 2, 1 }, { 1, 1 } };
        var random = new Random(9);
        var sourceCopies = Enumerable.Range(0, 30).Select(k => k % 4).ToArray();
        var targetCopies = Enumerable.Range(0, 28).Select(k => (k * 3) % 4).ToArray();
        var a = sourceCopies.Select(_ => (double)random.Next(0, 4)).ToArray();
        var b = targetCopies.Select(_ => (double)random.Next(1, 4)).ToArray();
        var mergedA = Enumerable.Range(0, 4).Select(s => sourceCopies.Select((copy, k) => copy == s ? a[k] : 0).Sum()).ToArray();
        var mergedB = Enumerable.Range(0, 4).Select(t => targetCopies.Select((copy, k) => copy == t ? b[k] : 0).Sum()).ToArray();
        foreach (var p in new[] { 1.0, 2.0 })
        {
            var matrix = CostMatrix.Build(TestPoints.PermuteRows(sourcePoints, sourceCopies), TestPoints.PermuteRows(targetPoints, targetCopies), p);
            var plan = ExactTransport.SolveWeighted(matrix, a, b);
            TransportCertificate.AssertOptimal(matrix, a, b, plan);
            var merged = ExactTransport.SolveWeighted(CostMatrix.Build(sourcePoints, targetPoints, p), mergedA, mergedB);
            Assert.Equal(merged.Cost, plan.Cost, 1e-14);
            Assert.Equal(BruteForce(CostMatrix.Build(sourcePoints, targetPoints, p), mergedA, mergedB), merged.Cost, 1e-12);
        }
    }

    [Theory]
    [InlineData(2, 3, 0)]
    [InlineData(3, 3, 1)]
    [InlineData(4, 3, 2)]
    [InlineData(3, 4, 3)]
    [InlineData(4, 4, 4)]
    public void MatchesBruteForceOverEveryBasis(int n, int m, int seed)
    {
        var random = new Random(seed);
        var matrix = Enumerable.Range(0, n * m).Select(_ => Math.Round(random.NextDouble() * 6 - 2, 1)).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => (double)random.Next(1, 5)).ToArray();
        var b = Enumerable.Range(0, m).Select(_ => (double)random.Next(1, 5)).ToArray();
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        TransportCertificate.AssertOptimal(matrix, a, b, plan);
        Assert.Equal(BruteForce(matrix, a, b), plan.Cost, 1e-12);
    }

    [Theory]
    [InlineData(1e-150)]
    [InlineData(1e150)]
    [InlineData(1e300)]
    [InlineData(1e-300)]
    public void TheCostScaleChangesNothingButTheCost(double scale)
    {
        var (matrix, a, b) = ScaleProblem();
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        var scaled = matrix.Select(c => c * scale).ToArray();
        var scaledPlan = ExactTransport.SolveWeighted(scaled, a, b);
        TransportCertificate.AssertOptimal(scaled, a, b, scaledPlan);
        Assert.Equal(plan.Cost * scale, scaledPlan.Cost, 1e-12 * plan.Cost * scale);
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public void ScalingTheCostsByAPowerOfTwoGivesTheSamePlan(int exponent)
    {
        // Such scaling is exact, and the solver works on costs scaled to a fixed range: the very same computation.
        var (matrix, a, b) = ScaleProblem();
        var plan = ExactTransport.SolveWeighted(matrix, a, b);
        var scaledPlan = ExactTransport.SolveWeighted(matrix.Select(c => Math.ScaleB(c, exponent)).ToArray(), a, b);
        Assert.Equal(plan.Entries, scaledPlan.Entries);
        Assert.Equal(Math.ScaleB(plan.Cost, exponent), scaledPlan.Cost);
        Assert.Equal(plan.RowPotential.Select(u => Math.ScaleB(u, exponent)), scaledPlan.RowPotential);
    }

    private static (double[] Matrix, double[] A, double[] B) ScaleProblem()
    {
        var (source, target, a, b) = RandomProblem(73, 120, 150, 2);
        return (CostMatrix.Build(source, target, 2.0), a, b);
    }

    [Fact]
    public void ACostShiftOfManyOrdersOfMagnitudeKeepsTheOptimum()
    {
        // C + 1e6: every plan's cost moves by exactly 1e6, so the optimum stays where it was.
        var (source, target, a, b) = RandomProblem(83, 90, 110, 3);
        var matrix = CostMatrix.Build(source, target, 2.0);
        var shifted = matrix.Select(c => c + 1e6).ToArray();
        var plan = ExactTransport.SolveWeighted(shifted, a, b);
        TransportCertificate.AssertOptimal(shifted, a, b, plan);
        Assert.Equal(ExactTransport.SolveWeighted(matrix, a, b).Cost + 1e6, plan.Cost, 1e-9);
    }

    [Fact]
    public void PermutingSamplesPermutesThePlan()
    {
        var (source, target, a, b) = RandomProblem(93, 80, 100, 2);
        var sourceOrder = TestPoints.RandomPermutation(94, 80);
        var targetOrder = TestPoints.RandomPermutation(95, 100);
        var original = ExactTransport.SolveWeighted(CostMatrix.Build(source, target, 2.0), a, b);
        var permuted = ExactTransport.SolveWeighted(
            CostMatrix.Build(TestPoints.PermuteRows(source, sourceOrder), TestPoints.PermuteRows(target, targetOrder), 2.0),
            sourceOrder.Select(i => a[i]).ToArray(), targetOrder.Select(j => b[j]).ToArray());
        Assert.Equal(original.Cost, permuted.Cost, 1e-12 * original.Cost);
        // Generic points and weights: the optimal plan is unique, so it is the same plan relabelled.
        var relabelled = permuted.Entries
            .Select(entry => (sourceOrder[entry.Source], targetOrder[entry.Target], entry.Mass))
            .OrderBy(entry => entry.Item1).ThenBy(entry => entry.Item2).ToArray();
        Assert.Equal(original.Entries.Count, relabelled.Length);
        for (int k = 0; k < relabelled.Length; k++)
        {
            Assert.Equal((original.Entries[k].Source, original.Entries[k].Target), (relabelled[k].Item1, relabelled[k].Item2));
            Assert.Equal(original.Entries[k].Mass, relabelled[k].Mass, 1e-15);
        }
    }

    [Fact]
    public void BadArgumentsAreRejectedByName()
    {
        double[] matrix = [1, 2, 3, 4, 5, 6];
        Assert.Equal("sourceWeights", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted(matrix, [1, -1], [1, 1, 1])).ParamName);
        Assert.Equal("targetWeights", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted(matrix, [1, 1], [0, 0, 0])).ParamName);
        Assert.Equal("targetWeights", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted(matrix, [1, 1], [1, double.NaN, 1])).ParamName);
        Assert.Equal("costMatrix", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted(matrix, [1, 1], [1, 1])).ParamName);
        Assert.Equal("costMatrix", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted([1, 2, double.PositiveInfinity, 4, 5, 6], [1, 1], [1, 1, 1])).ParamName);
        Assert.Equal("sourceWeights", Assert.Throws<ArgumentException>(() => ExactTransport.SolveWeighted([], [], [1])).ParamName);
    }

    /// <summary>Gaussian clouds of n and m points in d dimensions (the target shifted and wider) with weights of one
    /// kind (see <see cref="Weights"/>), all from the seed.</summary>
    private static (double[,] Source, double[,] Target, double[] A, double[] B) RandomProblem(int seed, int n, int m, int d, string weights = "dirichlet")
    {
        var random = new Random(seed);
        return (TestPoints.Gaussian(100 * seed + 1, n, d), TestPoints.Gaussian(100 * seed + 2, m, d, mean: 1, scale: 1.4),
            Weights(random, n, weights), Weights(random, m, weights));
    }

    /// <summary>Dirichlet(1) weights (normalised exponential draws), uniform ones, or sparse ones (about a third zero).</summary>
    private static double[] Weights(Random random, int count, string kind) => kind switch
    {
        "uniform" => Enumerable.Repeat(1.0, count).ToArray(),
        "dirichlet" => Enumerable.Range(0, count).Select(_ => -Math.Log(1 - random.NextDouble())).ToArray(),
        "sparse" => Enumerable.Range(0, count).Select(k => k == 0 || random.NextDouble() > 0.35 ? -Math.Log(1 - random.NextDouble()) : 0).ToArray(),
        _ => throw new ArgumentException($"unknown weights '{kind}'", nameof(kind)),
    };

    /// <summary>
    /// The least cost over every basic solution: each choice of n + m - 1 arcs that forms a spanning tree determines
    /// its flows (leaf by leaf); the feasible ones (all flows &gt;= 0) are the vertices of the polytope, and a linear
    /// cost attains its minimum at one of them. Independent of the solver; for a handful of samples only.
    /// </summary>
    private static double BruteForce(double[] matrix, double[] a, double[] b)
    {
        int n = a.Length, m = b.Length, arcs = n * m, size = n + m - 1;
        double sumA = a.Sum(), sumB = b.Sum();
        double best = double.PositiveInfinity;
        var chosen = new int[size];
        Choose(0, 0);
        return best;

        void Choose(int from, int count)
        {
            if (count == size)
            {
                if (TreeFlows() is { } flows)
                    best = Math.Min(best, Enumerable.Range(0, size).Sum(k => flows[k] * matrix[chosen[k]]));
                return;
            }
            for (int arc = from; arc <= arcs - (size - count); arc++)
            {
                chosen[count] = arc;
                Choose(arc + 1, count + 1);
            }
        }

        double[]? TreeFlows()
        {
            var remaining = a.Select(w => w / sumA).Concat(b.Select(w => w / sumB)).ToArray();
            var degree = new int[n + m];
            foreach (var arc in chosen)
            {
                degree[arc / m]++;
                degree[n + arc % m]++;
            }
            var flows = new double[size];
            var settled = new bool[size];
            for (int round = 0; round < size; round++)
            {
                // An arc at a node with no other unsettled arc (a leaf of what is left) carries that node's mass.
                int leafArc = -1, leaf = -1;
                for (int k = 0; k < size && leafArc < 0; k++)
                {
                    if (settled[k]) continue;
                    int source = chosen[k] / m, target = n + chosen[k] % m;
                    if (degree[source] == 1) (leafArc, leaf) = (k, source);
                    else if (degree[target] == 1) (leafArc, leaf) = (k, target);
                }
                if (leafArc < 0) return null; // the arcs left form a cycle: not a tree
                int other = leaf < n ? n + chosen[leafArc] % m : chosen[leafArc] / m;
                flows[leafArc] = remaining[leaf];
                remaining[other] -= remaining[leaf];
                remaining[leaf] = 0;
                degree[leaf]--;
                degree[other]--;
                settled[leafArc] = true;
            }
            return flows.All(flow => flow >= -1e-12) && remaining.All(rest => Math.Abs(rest) < 1e-12) ? flows : null;
        }
    }
}
