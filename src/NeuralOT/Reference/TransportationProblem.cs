using System.Runtime.CompilerServices;

namespace NeuralOT.Reference;

/// <summary>
/// Exact discrete OT with arbitrary weights (the transportation problem): min sum_ij P_ij C_ij over plans P >= 0 with
/// row sums a and column sums b. Solved by successive shortest paths with dual potentials u, v (u_i + v_j &lt;= C_ij,
/// with equality wherever P_ij &gt; 0), in the manner of the Jonker-Volgenant assignment method: after a greedy start on
/// the tight arcs of the column reduction, each round runs Dijkstra on the reduced costs C_ij - u_i - v_j from one
/// source with mass left, through the arcs that carry mass backwards, to the nearest target with room left, moves the
/// potentials so that the path is tight, and pushes along it as much mass as the path allows. Every push exhausts the
/// source's mass, a target's room or an arc's flow. Masses are integers (<see cref="IntegerMasses"/>), so no push is
/// ever a rounding fragment. The plan is sparse (one entry per pair that carries mass).
/// </summary>
internal static class TransportationProblem
{
    /// <summary>Arbitrary weights are rounded to multiples of 1 / 2^40 (each weight moves by less than 1e-12 of the
    /// total mass): in these units every mass is an integer, so pushes never leave rounding fragments, each
    /// of which would otherwise cost a search of its own.</summary>
    private const long WeightUnits = 1L << 40;

    /// <summary>Solves the problem for an n x m row-major cost matrix and normalised weights a (n) and b (m).</summary>
    // Compiled fully optimised on first call: the CLI's distance command solves once (see CostMatrix.Build).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ExactPlan Solve(double[] cost, double[] a, double[] b)
    {
        int n = a.Length, m = b.Length;
        var (supply, demand, unit) = IntegerMasses(a, b);
        var u = new double[n];
        var v = new double[m];
        // Column reduction: v_j = min_i C_ij keeps every reduced cost non-negative.
        Array.Fill(v, double.PositiveInfinity);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                v[j] = Math.Min(v[j], cost[(long)i * m + j]);

        var flow = new Dictionary<long, long>();
        var columnFlows = new List<int>[m];
        for (int j = 0; j < m; j++) columnFlows[j] = [];

        // Start on the tight arcs of the column reduction: each target takes what it can from its nearest source.
        for (int j = 0; j < m; j++)
        {
            int nearest = -1;
            for (int i = 0; i < n && nearest < 0; i++)
                if (cost[(long)i * m + j] == v[j] && supply[i] > 0) nearest = i;
            if (nearest < 0) continue;
            var amount = Math.Min(supply[nearest], demand[j]);
            if (amount == 0) continue;
            Add(flow, columnFlows, nearest, j, m, amount);
            supply[nearest] -= amount;
            demand[j] -= amount;
        }

        var targetDistance = new double[m];
        var sourceDistance = new double[n];
        var targetSettled = new bool[m];
        var sourceSettled = new bool[n];
        var sourcePredecessor = new int[n];
        var targetPredecessor = new int[m];
        var settledSources = new List<int>();
        var settledTargets = new List<int>();
        var reached = new Stack<int>();

        for (int start = 0; start < n; start++)
        {
            while (supply[start] > 0)
            {
                // Dijkstra from this source on the reduced costs C_ij - u_i - v_j >= 0, as in the Jonker-Volgenant
                // method: a source is reached only through a target whose mass it sends (a tight arc, length 0), so it
                // is settled with that target and never needs to be selected.
                Array.Fill(targetDistance, double.PositiveInfinity);
                Array.Clear(targetSettled);
                foreach (var i in settledSources) sourceSettled[i] = false;
                settledSources.Clear();
                settledTargets.Clear();
                sourcePredecessor[start] = -1;
                reached.Push(start);
                sourceDistance[start] = 0;
                int sink = -1;
                double reach = 0;
                while (true)
                {
                    while (reached.Count > 0)
                    {
                        var i = reached.Pop();
                        sourceSettled[i] = true;
                        settledSources.Add(i);
                        var row = (long)i * m;
                        var distance = sourceDistance[i];
                        for (int j = 0; j < m; j++)
                        {
                            if (targetSettled[j]) continue;
                            var candidate = distance + Math.Max(0, cost[row + j] - u[i] - v[j]);
                            if (candidate < targetDistance[j])
                            {
                                targetDistance[j] = candidate;
                                targetPredecessor[j] = i;
                            }
                        }
                    }
                    int best = -1;
                    var bestDistance = double.PositiveInfinity;
                    for (int j = 0; j < m; j++)
                        if (!targetSettled[j] && targetDistance[j] < bestDistance)
                        {
                            bestDistance = targetDistance[j];
                            best = j;
                        }
                    if (best < 0)
                        throw new InvalidOperationException("No target with room left is reachable; the weights do not balance.");
                    targetSettled[best] = true;
                    settledTargets.Add(best);
                    if (demand[best] > 0)
                    {
                        sink = best;
                        reach = bestDistance;
                        break;
                    }
                    // Mass on (i, best) can be sent back: the arc is tight, so i is as near as best.
                    foreach (var i in columnFlows[best])
                        if (!sourceSettled[i] && !reached.Contains(i))
                        {
                            sourceDistance[i] = bestDistance;
                            sourcePredecessor[i] = best;
                            reached.Push(i);
                        }
                }

                // Potentials: settled nodes move by their distance's gap to the sink's, which keeps every reduced
                // cost non-negative, every arc with mass tight, and makes the path tight.
                foreach (var i in settledSources) u[i] += reach - sourceDistance[i];
                foreach (var j in settledTargets) v[j] -= reach - targetDistance[j];

                // The amount: the sink's room, the start's mass, and the mass on every arc the path sends back.
                var amount = Math.Min(demand[sink], supply[start]);
                var target = sink;
                while (true)
                {
                    var source = targetPredecessor[target];
                    var back = sourcePredecessor[source];
                    if (back < 0) break;
                    amount = Math.Min(amount, flow[(long)source * m + back]);
                    target = back;
                }
                target = sink;
                while (true)
                {
                    var source = targetPredecessor[target];
                    Add(flow, columnFlows, source, target, m, amount);
                    var back = sourcePredecessor[source];
                    if (back < 0) break;
                    Add(flow, columnFlows, source, back, m, -amount);
                    target = back;
                }
                supply[start] -= amount;
                demand[sink] -= amount;
            }
        }

        var entries = new List<PlanEntry>(flow.Count);
        double total = 0;
        foreach (var (key, units) in flow.OrderBy(e => e.Key))
        {
            var entry = new PlanEntry((int)(key / m), (int)(key % m), (double)units / unit);
            entries.Add(entry);
            total += entry.Mass * cost[key];
        }
        return new ExactPlan(entries, total, u, v, a, b);
    }

    /// <summary>The weights as integer masses with equal totals, and the mass of one unit's inverse: with uniform
    /// weights on both sides exactly m per source and n per target (n m units in all), otherwise the weights rounded
    /// to <see cref="WeightUnits"/> units in all (each by less than one unit).</summary>
    private static (long[] Supply, long[] Demand, double Units) IntegerMasses(double[] a, double[] b)
    {
        int n = a.Length, m = b.Length;
        if (a.All(w => w == a[0]) && b.All(w => w == b[0]))
            return (Enumerable.Repeat((long)m, n).ToArray(), Enumerable.Repeat((long)n, m).ToArray(), (double)n * m);
        return (Round(a), Round(b), WeightUnits);

        // Largest remainders: every weight rounded down, then one unit more for the largest fractional parts until
        // the units add up, so each weight moves by less than one unit.
        static long[] Round(double[] weights)
        {
            var scaled = weights.Select(w => w * WeightUnits).ToArray();
            var units = scaled.Select(x => (long)Math.Floor(x)).ToArray();
            var missing = WeightUnits - units.Sum();
            foreach (var index in Enumerable.Range(0, weights.Length).OrderByDescending(k => scaled[k] - units[k]))
            {
                if (missing <= 0) break;
                units[index]++;
                missing--;
            }
            return units;
        }
    }

    private static void Add(Dictionary<long, long> flow, List<int>[] columnFlows, int i, int j, int m, long amount)
    {
        var key = (long)i * m + j;
        flow.TryGetValue(key, out var current);
        var updated = current + amount;
        if (updated > 0)
        {
            if (current <= 0) columnFlows[j].Add(i);
            flow[key] = updated;
        }
        else if (current > 0)
        {
            flow.Remove(key);
            columnFlows[j].Remove(i);
        }
    }
}

/// <summary>One entry of a transport plan: <see cref="Mass"/> goes from source sample <see cref="Source"/> to
/// target sample <see cref="Target"/>.</summary>
/// <param name="Source">The source sample's index i.</param>
/// <param name="Target">The target sample's index j.</param>
/// <param name="Mass">The mass P_ij &gt; 0 (all entries sum to 1).</param>
public readonly record struct PlanEntry(int Source, int Target, double Mass);

/// <summary>
/// The solution of exact OT with weights (<see cref="ExactTransport.SolveWeighted"/>): the plan's non-zero entries,
/// its cost, and dual potentials u, v with u_i + v_j &lt;= C_ij for every pair and equality on the plan's entries, so
/// that the dual value sum_i a_i u_i + sum_j b_j v_j equals the cost at the optimum (a certificate of optimality).
/// </summary>
public sealed class ExactPlan
{
    private readonly double[] _sourceWeights;
    private readonly double[] _targetWeights;

    internal ExactPlan(IReadOnlyList<PlanEntry> entries, double cost, double[] rowPotential, double[] columnPotential,
        double[] sourceWeights, double[] targetWeights)
    {
        Entries = entries;
        Cost = cost;
        RowPotential = rowPotential;
        ColumnPotential = columnPotential;
        _sourceWeights = sourceWeights;
        _targetWeights = targetWeights;
    }

    /// <summary>The plan's non-zero entries, ordered by source and then target index.</summary>
    public IReadOnlyList<PlanEntry> Entries { get; }

    /// <summary>The optimal cost sum_ij P_ij C_ij (weights normalised to sum 1). For the quadratic cost |v|^2 / 2 this
    /// is W2^2 / 2; for |v|^p / p it is W_p^p / p.</summary>
    public double Cost { get; }

    /// <summary>The dual potential u_i of each source sample.</summary>
    public double[] RowPotential { get; }

    /// <summary>The dual potential v_j of each target sample.</summary>
    public double[] ColumnPotential { get; }

    /// <summary>The dual value sum_i a_i u_i + sum_j b_j v_j; equals <see cref="Cost"/> up to rounding at the optimum.</summary>
    public double DualCost =>
        _sourceWeights.Select((w, i) => w * RowPotential[i]).Sum() + _targetWeights.Select((w, j) => w * ColumnPotential[j]).Sum();
}
