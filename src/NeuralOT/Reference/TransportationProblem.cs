using System.Numerics;
using System.Runtime.CompilerServices;

namespace NeuralOT.Reference;

/// <summary>
/// Exact discrete OT with arbitrary weights (the transportation problem): min sum_ij P_ij C_ij over plans P &gt;= 0 with
/// row sums a and column sums b, solved by the primal network simplex on the complete bipartite graph.
/// <para>The basis is a spanning tree over the source and target nodes, stored as parent pointers, the preorder as a
/// doubly linked list (thread), and each node's subtree size and last node in preorder; each node also holds the flow
/// on the arc to its parent and its dual potential (u_i for a source, v_j for a target, with u_i + v_j = C_ij on every
/// tree arc). A pivot brings in the arc with the most negative reduced cost C_ij - u_i - v_j among a block of about
/// sqrt(n m) arcs (block search: the matrix is scanned row by row from where the last search stopped), pushes flow
/// round the cycle the arc closes, drops the tree arc that empties, and re-hangs the subtree cut off below the new
/// arc: the preorder is re-spliced along the reversed path (work proportional to the path and the depth), and the
/// potentials of the subtree, or of the rest of the tree if that is smaller, move by the entering reduced cost. The
/// start is a greedy basis: each source in turn sends its mass to its cheapest targets that still have room.</para>
/// <para>Masses are integers (<see cref="IntegerMasses"/>), so flows are exact. Cycling is ruled out by Orden's
/// perturbation, also exact in integers: every mass is scaled by K = (nodes on the smaller side) + 1, each node of the
/// smaller side gets one unit more and one node of the other side all of those units. Then no proper subset of nodes
/// balances, so every basis has positive flow on every tree arc: no pivot is degenerate, each one lowers the cost, and
/// no basis repeats. An optimal basis of the perturbed problem is optimal for the original masses too (the reduced
/// costs do not depend on the masses); its flows for the original masses are recomputed from the tree at the end.</para>
/// <para>Nothing wrong is returned silently: at the end the potentials are recomputed from the tree and every arc
/// priced once more (pivoting on if rounding hid an improving arc), and the plan's rows and columns are checked to add
/// up exactly to the integer masses. Nodes of zero mass take no part; afterwards they get the largest potential that
/// keeps the dual feasible.</para>
/// </summary>
internal sealed class TransportationProblem
{
    /// <summary>An arc enters the basis only if its reduced cost is below -1e-13 max |C_ij|: potentials are sums of
    /// costs along tree paths, so reduced costs carry rounding errors of a few ulps of the largest cost, and an arc
    /// whose reduced cost is zero up to rounding must not be taken for an improving one.</summary>
    private const double RelativePricingTolerance = 1e-13;

    /// <summary>Targets a source of the greedy start finds by scanning its row before it sorts the row instead.</summary>
    private const int GreedyScans = 8;

    private readonly double[] _cost;
    private readonly int _sourceCount, _targetCount;
    private readonly int[] _pricedRows;
    // The simplex works on the costs times a power of two that brings the largest to [1, 2): exact, and the potentials
    // and the tolerance stay in range for costs near the limits of double precision (1e300 or 1e-300).
    private readonly double _costScale;
    private readonly double _tolerance;
    private readonly int _blockSize;

    // The spanning tree over nodes 0..n-1 (sources) and n..n+m-1 (targets); nodes of zero mass are not in it.
    private readonly int[] _parent;
    // Preorder as a cyclic doubly linked list, and per node the size and the last node (in preorder) of its subtree.
    private readonly int[] _thread, _reverseThread, _subtreeSize, _lastInSubtree;
    // The perturbed flow on the arc between a node and its parent (the arc runs from the source to the target).
    private readonly long[] _flow;
    private readonly double[] _potential;
    private readonly int _root;
    private readonly int _nodeCount; // nodes in the tree (of positive mass)
    // Work arrays of the re-hang: the reversed path and the pieces of the old preorder that make up the new one.
    private readonly int[] _path, _pieceEnd, _secondPieceStart;

    // Where the block search resumes: an index into _pricedRows and a column.
    private int _priceRow, _priceColumn;

    /// <summary>Solves the problem for an n x m row-major cost matrix and normalised weights a (n) and b (m).</summary>
    public static ExactPlan Solve(double[] cost, double[] a, double[] b)
    {
        var (supply, demand, unit) = IntegerMasses(a, b);
        var problem = new TransportationProblem(cost, supply, demand);
        problem.Optimise();
        return problem.Plan(supply, demand, unit, a, b);
    }

    private TransportationProblem(double[] cost, long[] supply, long[] demand)
    {
        _cost = cost;
        int n = _sourceCount = supply.Length, m = _targetCount = demand.Length;
        _pricedRows = Enumerable.Range(0, n).Where(i => supply[i] > 0).ToArray();
        var activeTargets = Enumerable.Range(0, m).Where(j => demand[j] > 0).ToArray();
        double largest = MaximumMagnitude(cost);
        _costScale = largest > 0 ? Math.ScaleB(1.0, -Math.Clamp(Math.ILogB(largest), -1000, 1000)) : 1;
        _tolerance = RelativePricingTolerance * largest * _costScale;
        // Block search as in LEMON's network simplex: about sqrt(arcs) arcs per block balances the quality of each
        // pivot against the cost of finding it.
        _blockSize = (int)Math.Max(64, Math.Sqrt((double)_pricedRows.Length * m));

        int nodes = n + m;
        _parent = new int[nodes];
        _thread = new int[nodes];
        _reverseThread = new int[nodes];
        _subtreeSize = new int[nodes];
        _lastInSubtree = new int[nodes];
        _flow = new long[nodes];
        _potential = new double[nodes];
        _path = new int[nodes];
        _pieceEnd = new int[nodes];
        _secondPieceStart = new int[nodes];
        Array.Fill(_parent, -1);
        // A target of zero mass must never enter the basis: with v_j = -infinity its reduced costs are +infinity.
        for (int j = 0; j < m; j++)
            if (demand[j] == 0) _potential[n + j] = double.NegativeInfinity;

        _root = _pricedRows[0];
        var mass = PerturbedMasses(supply, demand, activeTargets);
        _nodeCount = _pricedRows.Length + activeTargets.Length;
        BuildTree(GreedyBasis(mass, activeTargets), _nodeCount);
    }

    /// <summary>The masses of Orden's perturbation (see the class remarks), per node; 0 for nodes of zero mass.</summary>
    private long[] PerturbedMasses(long[] supply, long[] demand, int[] activeTargets)
    {
        int n = _sourceCount, sources = _pricedRows.Length, targets = activeTargets.Length;
        bool perturbSources = sources <= targets;
        long factor = Math.Min(sources, targets) + 1;
        var mass = new long[n + _targetCount];
        foreach (var i in _pricedRows) mass[i] = supply[i] * factor + (perturbSources ? 1 : 0);
        foreach (var j in activeTargets) mass[n + j] = demand[j] * factor + (perturbSources ? 0 : 1);
        if (perturbSources) mass[n + activeTargets[^1]] += sources;
        else mass[_pricedRows[^1]] += targets;
        return mass;
    }

    /// <summary>
    /// A starting basis: each source in turn sends its mass to the cheapest targets that still have room. Every step
    /// empties a source or fills a target and, the masses being perturbed, never both before the last step, so the
    /// n + m - 1 arcs form a spanning tree with positive flows. The cheapest target with room is found by a scan of
    /// the row; a source that fills more than <see cref="GreedyScans"/> targets sorts its row's open targets instead,
    /// so that many more targets than sources (m much larger than n) cost O(m log m) a source, not O(m^2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<(int Source, int Target, long Flow)> GreedyBasis(long[] mass, int[] activeTargets)
    {
        int n = _sourceCount, m = _targetCount;
        var remaining = (long[])mass.Clone();
        // -infinity for targets without room (full or of zero mass), so that cost - closed[j] is +infinity there and
        // the cheapest target with room is a vectorised scan of the contiguous row.
        var closed = new double[m];
        Array.Fill(closed, double.NegativeInfinity);
        foreach (var j in activeTargets) closed[j] = 0;
        var arcs = new List<(int, int, long)>(_pricedRows.Length + activeTargets.Length);
        var byCost = new List<int>();
        foreach (var i in _pricedRows)
        {
            var row = _cost.AsSpan((int)((long)i * m), m);
            for (int scan = 0; remaining[i] > 0 && scan < GreedyScans; scan++)
            {
                var (cheapest, j) = MinimumDifference(row, 1, closed);
                if (cheapest == double.PositiveInfinity) throw new InvalidOperationException("The masses do not balance (internal error).");
                Send(i, j);
            }
            if (remaining[i] == 0) continue;
            byCost.Clear();
            for (int j = 0; j < m; j++)
                if (closed[j] == 0) byCost.Add(j);
            var costs = _cost;
            long offset = (long)i * m;
            byCost.Sort((x, y) => costs[offset + x].CompareTo(costs[offset + y]));
            foreach (var j in byCost)
            {
                Send(i, j);
                if (remaining[i] == 0) break;
            }
            if (remaining[i] > 0) throw new InvalidOperationException("The masses do not balance (internal error).");
        }
        return arcs;

        void Send(int i, int j)
        {
            long amount = Math.Min(remaining[i], remaining[n + j]);
            arcs.Add((i, j, amount));
            remaining[i] -= amount;
            remaining[n + j] -= amount;
            if (remaining[n + j] == 0) closed[j] = double.NegativeInfinity;
        }
    }

    /// <summary>Hangs the basis arcs from the root: parents, flows, the preorder thread, subtree sizes and last nodes,
    /// and potentials.</summary>
    private void BuildTree(List<(int Source, int Target, long Flow)> arcs, int nodeCount)
    {
        int n = _sourceCount, nodes = n + _targetCount;
        if (arcs.Count != nodeCount - 1)
            throw new InvalidOperationException($"The starting basis has {arcs.Count} arcs for {nodeCount} nodes (internal error).");
        // Adjacency in compressed rows: for each node, the (neighbour, flow) of its basis arcs.
        var start = new int[nodes + 1];
        foreach (var (i, j, _) in arcs)
        {
            start[i + 1]++;
            start[n + j + 1]++;
        }
        for (int node = 0; node < nodes; node++) start[node + 1] += start[node];
        var fill = (int[])start.Clone();
        var neighbour = new int[2 * arcs.Count];
        var arcFlow = new long[2 * arcs.Count];
        foreach (var (i, j, flow) in arcs)
        {
            (neighbour[fill[i]], arcFlow[fill[i]++]) = (n + j, flow);
            (neighbour[fill[n + j]], arcFlow[fill[n + j]++]) = (i, flow);
        }

        // Depth-first from the root; the order nodes are taken off the stack is a preorder.
        var preorder = new List<int>(nodeCount);
        var stack = new Stack<int>();
        var visited = new bool[nodes];
        stack.Push(_root);
        visited[_root] = true;
        while (stack.Count > 0)
        {
            int node = stack.Pop();
            preorder.Add(node);
            for (int k = start[node]; k < start[node + 1]; k++)
            {
                int child = neighbour[k];
                if (visited[child]) continue;
                visited[child] = true;
                if (arcFlow[k] <= 0) throw new InvalidOperationException("The starting basis is degenerate (internal error).");
                _parent[child] = node;
                _flow[child] = arcFlow[k];
                stack.Push(child);
            }
        }
        if (preorder.Count != nodeCount) throw new InvalidOperationException("The starting basis is not a spanning tree (internal error).");
        for (int k = 0; k < preorder.Count; k++) Link(preorder[k], preorder[(k + 1) % preorder.Count]);
        for (int k = preorder.Count - 1; k >= 0; k--)
        {
            int node = preorder[k];
            if (_subtreeSize[node] == 0) _lastInSubtree[node] = node; // no child seen: a leaf
            _subtreeSize[node]++;
            if (node == _root) continue;
            int parent = _parent[node];
            // Visited in reverse preorder, the first child seen of a parent holds the end of its subtree.
            if (_subtreeSize[parent] == 0) _lastInSubtree[parent] = _lastInSubtree[node];
            _subtreeSize[parent] += _subtreeSize[node];
        }
        ComputePotentials();
    }

    /// <summary>Potentials from the tree alone (root 0, then u_i + v_j = C_ij down every tree arc, in preorder).</summary>
    private void ComputePotentials()
    {
        _potential[_root] = 0;
        for (int node = _thread[_root]; node != _root; node = _thread[node])
            _potential[node] = ArcCost(node, _parent[node]) - _potential[_parent[node]];
    }

    /// <summary>Pivots until no arc has a negative reduced cost (beyond the rounding tolerance). Pivots move
    /// potentials by reduced costs, so rounding errors accumulate: the potentials are recomputed from the tree every
    /// n + m pivots (O(1) a pivot), which keeps the drift far below the tolerance, and once more to confirm the end.</summary>
    private void Optimise()
    {
        long pivots = 0;
        while (true)
        {
            while (FindEnteringArc(out int source, out int target))
            {
                Pivot(source, _sourceCount + target);
                if (++pivots % _nodeCount == 0) ComputePotentials();
            }
            ComputePotentials();
            if (!FindEnteringArc(out int lastSource, out int lastTarget)) return;
            Pivot(lastSource, _sourceCount + lastTarget);
        }
    }

    /// <summary>
    /// Block search: scans the arcs row by row from where the last search stopped, in blocks of
    /// <see cref="_blockSize"/> arcs, and returns the arc of most negative reduced cost in the first block that has
    /// one. False after a whole sweep without one: the basis is optimal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FindEnteringArc(out int bestSource, out int bestTarget)
    {
        int m = _targetCount;
        var columnPotential = _potential.AsSpan(_sourceCount, m);
        long unscanned = (long)_pricedRows.Length * m;
        int inBlock = 0;
        double best = -_tolerance;
        bestSource = bestTarget = -1;
        while (unscanned > 0)
        {
            int row = _pricedRows[_priceRow];
            int count = (int)Math.Min(Math.Min(m - _priceColumn, _blockSize - inBlock), unscanned);
            var (minimum, at) = MinimumDifference(
                _cost.AsSpan((int)((long)row * m + _priceColumn), count), _costScale, columnPotential.Slice(_priceColumn, count));
            double reduced = minimum - _potential[row];
            if (reduced < best)
            {
                best = reduced;
                bestSource = row;
                bestTarget = _priceColumn + at;
            }
            unscanned -= count;
            inBlock += count;
            _priceColumn += count;
            if (_priceColumn == m)
            {
                _priceColumn = 0;
                if (++_priceRow == _pricedRows.Length) _priceRow = 0;
            }
            if (inBlock == _blockSize)
            {
                if (bestSource >= 0) return true;
                inBlock = 0;
            }
        }
        return bestSource >= 0;
    }

    /// <summary>The minimum over k of scale cost[k] - potential[k] and the first k where it is reached (vectorised).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Minimum, int At) MinimumDifference(ReadOnlySpan<double> cost, double scale, ReadOnlySpan<double> potential)
    {
        int width = Vector<double>.Count, k = 0;
        double minimum = double.PositiveInfinity;
        int at = 0;
        if (cost.Length >= 2 * width)
        {
            // Lane-wise minima and where each lane found its minimum, reduced across lanes at the end.
            var minima = new Vector<double>(double.PositiveInfinity);
            var positions = Vector<long>.Zero;
            var position = Vector<long>.Indices;
            var step = new Vector<long>(width);
            var scales = new Vector<double>(scale);
            for (; k <= cost.Length - width; k += width)
            {
                var difference = new Vector<double>(cost.Slice(k)) * scales - new Vector<double>(potential.Slice(k));
                var smaller = Vector.LessThan(difference, minima);
                minima = Vector.ConditionalSelect(smaller, difference, minima);
                positions = Vector.ConditionalSelect(smaller, position, positions);
                position += step;
            }
            for (int lane = 0; lane < width; lane++)
                if (minima[lane] < minimum || (minima[lane] == minimum && positions[lane] < at))
                {
                    minimum = minima[lane];
                    at = (int)positions[lane];
                }
        }
        for (; k < cost.Length; k++)
        {
            double difference = cost[k] * scale - potential[k];
            if (difference < minimum)
            {
                minimum = difference;
                at = k;
            }
        }
        return (minimum, at);
    }

    /// <summary>
    /// Brings arc (source, target) into the basis: pushes the largest amount round the cycle it closes (the flow of
    /// the first arc to empty, positive as no basis is degenerate), drops that arc, and re-hangs below the new arc the
    /// subtree that dropping it cut off.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Pivot(int source, int target)
    {
        // Flow goes source -> target on the new arc, up the target's path to the apex and down to the source. Going
        // up from the target, arcs into a target node run against the push; going down to the source, arcs out of a
        // source node do: those lose flow, the others gain it. A node with the smaller subtree is never an ancestor
        // of the other, so stepping it up finds the apex (the common ancestor) without depths.
        int n = _sourceCount;
        long amount = long.MaxValue;
        int leaving = -1;
        int a = source, b = target;
        while (a != b)
        {
            if (_subtreeSize[a] < _subtreeSize[b])
            {
                if (a < n && _flow[a] < amount)
                {
                    amount = _flow[a];
                    leaving = a;
                }
                a = _parent[a];
            }
            else
            {
                if (b >= n && _flow[b] < amount)
                {
                    amount = _flow[b];
                    leaving = b;
                }
                b = _parent[b];
            }
        }
        int apex = a;
        bool leavesOnSourceSide = false;
        for (int node = source; node != apex; node = _parent[node])
        {
            _flow[node] += node < n ? -amount : amount;
            if (node == leaving) leavesOnSourceSide = true;
        }
        for (int node = target; node != apex; node = _parent[node])
            _flow[node] += node < n ? amount : -amount;
        if (amount <= 0 || _flow[leaving] != 0)
            throw new InvalidOperationException("A degenerate pivot in a perturbed problem (internal error).");

        double reduced = ArcCost(source, target) - _potential[source] - _potential[target];
        if (leavesOnSourceSide) Rehang(source, target, leaving, apex, amount, reduced);
        else Rehang(target, source, leaving, apex, amount, -reduced);
    }

    /// <summary>
    /// Cuts the subtree below the arc from <paramref name="leaving"/> to its parent and hangs it from
    /// <paramref name="outer"/> by its node <paramref name="inner"/>, reversing the path between the two. The new
    /// preorder of the subtree is its old one cut into pieces along the path: inner's old subtree, then for each next
    /// node up the path that node's old subtree without the part already placed (one or two runs of the old preorder).
    /// Sources in the subtree move their potential by <paramref name="sourceShift"/> and targets by minus it, which
    /// makes the new arc tight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rehang(int inner, int outer, int leaving, int apex, long enteringFlow, double sourceShift)
    {
        int pathLength = 0;
        for (int node = inner; ; node = _parent[node])
        {
            _path[pathLength++] = node;
            if (node == leaving) break;
        }
        int moved = _subtreeSize[leaving], oldLast = _lastInSubtree[leaving];
        int before = _reverseThread[leaving], after = _thread[oldLast];

        // The pieces, read before any link changes: node t's first run ends just before node t-1 (its old descendant
        // on the path), its second run (if any) starts after node t-1's old subtree and ends where node t's did.
        for (int t = 1; t < pathLength; t++)
        {
            int node = _path[t], below = _path[t - 1];
            _pieceEnd[t] = _reverseThread[below];
            _secondPieceStart[t] = _lastInSubtree[below] == _lastInSubtree[node] ? -1 : _thread[_lastInSubtree[below]];
        }

        // Subtree sizes: the old ancestors up to the apex lose the subtree, the new ones gain it.
        for (int node = _parent[leaving]; node != apex; node = _parent[node]) _subtreeSize[node] -= moved;
        for (int node = outer; node != apex; node = _parent[node]) _subtreeSize[node] += moved;
        // Old ancestors whose subtree ended with the cut one now end just before it.
        for (int node = _parent[leaving]; node >= 0 && _lastInSubtree[node] == oldLast; node = _parent[node])
            _lastInSubtree[node] = before;
        Link(before, after);

        // The new preorder of the subtree, piece by piece.
        int tail = _lastInSubtree[inner];
        for (int t = 1; t < pathLength; t++)
        {
            int node = _path[t];
            Link(tail, node);
            tail = _pieceEnd[t];
            if (_secondPieceStart[t] >= 0)
            {
                Link(tail, _secondPieceStart[t]);
                tail = _lastInSubtree[node];
            }
        }
        // Spliced in right after the outer node: it becomes the outer node's first child in preorder, so only
        // subtrees that ended with the outer node (it was a leaf) now end with the moved one.
        Link(tail, _thread[outer]);
        Link(outer, inner);
        for (int node = outer; node >= 0 && _lastInSubtree[node] == outer; node = _parent[node])
            _lastInSubtree[node] = tail;

        // Along the reversed path: each node's subtree is now the moved one without the old subtree of the node below
        // it, and ends at the end of the moved preorder.
        for (int t = pathLength - 1; t > 0; t--)
            _subtreeSize[_path[t]] = moved - _subtreeSize[_path[t - 1]];
        _subtreeSize[inner] = moved;
        for (int t = 0; t < pathLength; t++) _lastInSubtree[_path[t]] = tail;

        // Parents and flows: each arc of the path is now stored at its other end.
        long carried = enteringFlow;
        int parent = outer;
        for (int t = 0; t < pathLength; t++)
        {
            int node = _path[t];
            (_flow[node], carried) = (carried, _flow[node]);
            _parent[node] = parent;
            parent = node;
        }

        int n = _sourceCount;
        // Potentials matter up to u + c, v - c: move the smaller of the subtree and the rest of the tree (the rest is
        // the other run of the cyclic preorder), the rest by the opposite amount.
        int first = inner, count = moved;
        if (2 * moved > _nodeCount)
        {
            first = _thread[tail];
            count = _nodeCount - moved;
            sourceShift = -sourceShift;
        }
        for (int k = 0, node = first; k < count; k++, node = _thread[node])
            _potential[node] += node < n ? sourceShift : -sourceShift;
    }

    /// <summary>The scaled cost C_ij of the arc between two nodes, one a source and the other a target.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double ArcCost(int node, int other) =>
        _costScale * (node < _sourceCount
            ? _cost[(long)node * _targetCount + (other - _sourceCount)]
            : _cost[(long)other * _targetCount + (node - _sourceCount)]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Link(int node, int next)
    {
        _thread[node] = next;
        _reverseThread[next] = node;
    }

    /// <summary>
    /// The optimal basis's plan for the unperturbed masses, checked: each tree arc carries the net mass of the subtree
    /// below it, which must be non-negative, and the rows and columns must add up to the masses exactly. Nodes of zero
    /// mass get potentials too (u_i = min_j C_ij - v_j, then v_j = min_i C_ij - u_i), so that the certificate covers
    /// every pair.
    /// </summary>
    private ExactPlan Plan(long[] supply, long[] demand, double unit, double[] a, double[] b)
    {
        int n = _sourceCount, m = _targetCount;
        var excess = new long[n + m];
        var reversePreorder = new List<int>(n + m);
        for (int node = _reverseThread[_root]; node != _root; node = _reverseThread[node]) reversePreorder.Add(node);
        foreach (var node in reversePreorder) excess[node] = node < n ? supply[node] : -demand[node - n];
        var rowUnits = new long[n];
        var columnUnits = new long[m];
        var carrying = new List<(long Key, long Units)>(reversePreorder.Count);
        // Reverse preorder visits a node after its whole subtree, so its excess is complete when it is reached.
        foreach (var node in reversePreorder)
        {
            int parent = _parent[node];
            excess[parent] += excess[node];
            // A source's arc runs up to its parent and carries its subtree's surplus; a target's arc runs down to it.
            long units = node < n ? excess[node] : -excess[node];
            if (units < 0) throw new InvalidOperationException("The optimal basis has a negative flow (internal error).");
            if (units == 0) continue;
            int i = node < n ? node : parent, j = (node < n ? parent : node) - n;
            rowUnits[i] += units;
            columnUnits[j] += units;
            carrying.Add(((long)i * m + j, units));
        }
        for (int i = 0; i < n; i++)
            if (rowUnits[i] != supply[i]) throw new InvalidOperationException($"Row {i} of the plan does not add up to its mass (internal error).");
        for (int j = 0; j < m; j++)
            if (columnUnits[j] != demand[j]) throw new InvalidOperationException($"Column {j} of the plan does not add up to its mass (internal error).");

        carrying.Sort((x, y) => x.Key.CompareTo(y.Key));
        var entries = new List<PlanEntry>(carrying.Count);
        double total = 0;
        foreach (var (key, units) in carrying)
        {
            var entry = new PlanEntry((int)(key / m), (int)(key % m), units / unit);
            entries.Add(entry);
            total += entry.Mass * _cost[key];
        }

        // Potentials back in the units of the costs (a power of two: exact unless they overflow).
        var u = _potential[..n].Select(value => value / _costScale).ToArray();
        var v = _potential[n..].Select(value => value / _costScale).ToArray();
        for (int i = 0; i < n; i++)
        {
            if (supply[i] > 0) continue;
            double best = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
                if (demand[j] > 0) best = Math.Min(best, _cost[(long)i * m + j] - v[j]);
            u[i] = best;
        }
        for (int j = 0; j < m; j++)
        {
            if (demand[j] > 0) continue;
            double best = double.PositiveInfinity;
            for (int i = 0; i < n; i++) best = Math.Min(best, _cost[(long)i * m + j] - u[i]);
            v[j] = best;
        }
        if (!u.All(double.IsFinite) || !v.All(double.IsFinite))
            throw new InvalidOperationException("The dual potentials overflow double precision; scale the costs down (the plan does not depend on their scale).");
        return new ExactPlan(entries, total, u, v, a, b);
    }

    private static double MaximumMagnitude(double[] values)
    {
        double maximum = 0;
        foreach (var value in values) maximum = Math.Max(maximum, Math.Abs(value));
        return maximum;
    }

    /// <summary>
    /// The weights as integer masses with equal totals, and the number of units in the total mass. Uniform weights on
    /// both sides are exact: m units per source and n per target. Other weights are rounded to the largest power of two
    /// U of units that leaves room for the perturbation (U (K + 1) &lt;= 2^62 with K = min(n, m) + 1, so U &gt;= 2^46 for
    /// any matrix that fits in one array): each weight moves by less than one unit, 1 / U of the total mass.
    /// </summary>
    private static (long[] Supply, long[] Demand, double Units) IntegerMasses(double[] a, double[] b)
    {
        int n = a.Length, m = b.Length;
        if (a.All(w => w == a[0]) && b.All(w => w == b[0]))
            return (Enumerable.Repeat((long)m, n).ToArray(), Enumerable.Repeat((long)n, m).ToArray(), (double)n * m);
        long factor = Math.Min(n, m) + 1;
        long units = 1L << (62 - (int)Math.Ceiling(Math.Log2(factor + 1)));
        return (Round(a, units), Round(b, units), units);

        // Largest remainders: every weight rounded down, then one unit more for the largest fractional parts until
        // the units add up (or one less for the smallest, should normalised weights add up to a hair above 1), so
        // each weight moves by less than one unit and both sides hold exactly the same number of units. Only positive
        // weights move (a zero weight stays zero); among equal fractional parts (with 2^50 units and more, products
        // are whole numbers) the largest weights move first.
        static long[] Round(double[] weights, long total)
        {
            var scaled = weights.Select(w => w * total).ToArray();
            var rounded = scaled.Select(x => (long)Math.Floor(x)).ToArray();
            var missing = total - rounded.Sum();
            var byFraction = Enumerable.Range(0, weights.Length).Where(k => weights[k] > 0)
                .OrderByDescending(k => scaled[k] - rounded[k]).ThenByDescending(k => weights[k]).ToArray();
            // The gap is a few units at most (the normalised weights add up to 1 within rounding); walk round the
            // ranking should it exceed the number of weights.
            for (int rank = 0; missing > 0; rank = (rank + 1) % byFraction.Length, missing--) rounded[byFraction[rank]]++;
            for (int rank = byFraction.Length - 1; missing < 0; rank = (rank + byFraction.Length - 1) % byFraction.Length)
                if (rounded[byFraction[rank]] > 0)
                {
                    rounded[byFraction[rank]]--;
                    missing++;
                }
            return rounded;
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
