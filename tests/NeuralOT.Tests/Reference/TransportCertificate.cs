using NeuralOT.Reference;

namespace NeuralOT.Tests.Reference;

/// <summary>Checks that an exact-OT result is optimal using only the cost matrix (no reference solver).</summary>
internal static class TransportCertificate
{
    /// <summary>
    /// Asserts: the assignment is a permutation (both marginals uniform), the reported cost is its mean cost,
    /// the potentials are dual feasible (reduced costs >= 0), tight on the assignment, and primal = dual.
    /// Tolerances are relative to the largest cost magnitude, at the level of double rounding.
    /// </summary>
    public static void AssertOptimal(double[] matrix, int n, ExactTransportResult result)
    {
        double scale = Math.Max(1, matrix.Max(Math.Abs));
        double tolerance = 1e-12 * scale;

        Assert.Equal(n, result.Assignment.Length);
        var targetsUsed = new bool[n];
        foreach (int j in result.Assignment)
        {
            Assert.InRange(j, 0, n - 1);
            Assert.False(targetsUsed[j], $"target {j} receives mass twice");
            targetsUsed[j] = true;
        }

        double primal = 0;
        for (int i = 0; i < n; i++) primal += matrix[i * n + result.Assignment[i]];
        primal /= n;
        Assert.Equal(primal, result.Cost, tolerance);

        double minimumReduced = double.PositiveInfinity, maximumOnAssignment = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double reduced = matrix[i * n + j] - result.RowPotential[i] - result.ColumnPotential[j];
                minimumReduced = Math.Min(minimumReduced, reduced);
                if (j == result.Assignment[i]) maximumOnAssignment = Math.Max(maximumOnAssignment, Math.Abs(reduced));
            }
        Assert.True(minimumReduced >= -tolerance, $"a reduced cost is negative: {minimumReduced}");
        Assert.True(maximumOnAssignment <= tolerance, $"a reduced cost on the assignment is not zero: {maximumOnAssignment}");
        Assert.Equal(result.Cost, result.DualCost, tolerance);
    }

    /// <summary>
    /// The same for a weighted plan: entries in range, ordered by source then target, each once and with positive mass;
    /// row sums a and column sums b (normalised, to 1e-12); the reported cost its cost; potentials dual feasible
    /// (u_i + v_j &lt;= C_ij) and tight (complementary slackness) on the plan's entries; and primal = dual
    /// (sum P C = sum a u + sum b v). Tolerances are 1e-12 of the largest cost magnitude, at any cost scale.
    /// </summary>
    public static void AssertOptimal(double[] matrix, double[] a, double[] b, ExactPlan plan)
    {
        int n = a.Length, m = b.Length;
        double largest = matrix.Max(Math.Abs);
        double tolerance = 1e-12 * (largest > 0 ? largest : 1);
        double sumA = a.Sum(), sumB = b.Sum();
        var rows = new double[n];
        var columns = new double[m];
        double primal = 0, maximumOnPlan = 0;
        long previousKey = -1;
        foreach (var entry in plan.Entries)
        {
            Assert.InRange(entry.Source, 0, n - 1);
            Assert.InRange(entry.Target, 0, m - 1);
            long key = (long)entry.Source * m + entry.Target;
            Assert.True(key > previousKey, $"entry ({entry.Source}, {entry.Target}) is out of order or repeated");
            previousKey = key;
            Assert.True(entry.Mass > 0, $"entry ({entry.Source}, {entry.Target}) has mass {entry.Mass}");
            rows[entry.Source] += entry.Mass;
            columns[entry.Target] += entry.Mass;
            var c = matrix[key];
            primal += entry.Mass * c;
            maximumOnPlan = Math.Max(maximumOnPlan, Math.Abs(c - plan.RowPotential[entry.Source] - plan.ColumnPotential[entry.Target]));
        }
        for (int i = 0; i < n; i++) Assert.Equal(a[i] / sumA, rows[i], 1e-12);
        for (int j = 0; j < m; j++) Assert.Equal(b[j] / sumB, columns[j], 1e-12);
        Assert.Equal(primal, plan.Cost, tolerance);
        Assert.Equal(n, plan.RowPotential.Length);
        Assert.Equal(m, plan.ColumnPotential.Length);
        double minimumReduced = double.PositiveInfinity;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                minimumReduced = Math.Min(minimumReduced, matrix[(long)i * m + j] - plan.RowPotential[i] - plan.ColumnPotential[j]);
        Assert.True(minimumReduced >= -tolerance, $"a reduced cost is negative: {minimumReduced}");
        Assert.True(maximumOnPlan <= tolerance, $"a reduced cost on the plan is not zero: {maximumOnPlan}");
        Assert.Equal(plan.Cost, plan.DualCost, tolerance);
    }
}
