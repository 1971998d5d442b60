namespace NeuralOT.Reference;

/// <summary>
/// The outcome of <see cref="Sinkhorn"/>: the dual potentials f (sources) and g (targets), the transport cost of the
/// entropic plan, and how the iteration ended. The plan is P_ij = a_i b_j exp((f_i + g_j - C_ij) / epsilon).
/// </summary>
public sealed class SinkhornResult
{
    private readonly double[] _costMatrix;
    private readonly double[] _sourceWeights;
    private readonly double[] _targetWeights;

    internal SinkhornResult(double[] costMatrix, double[] sourceWeights, double[] targetWeights, double epsilon,
        double[] rowPotential, double[] columnPotential, int iterations, bool converged, double marginalError, string? message)
    {
        _costMatrix = costMatrix;
        _sourceWeights = sourceWeights;
        _targetWeights = targetWeights;
        Epsilon = epsilon;
        RowPotential = rowPotential;
        ColumnPotential = columnPotential;
        Iterations = iterations;
        Converged = converged;
        MarginalError = marginalError;
        Message = message;
        Cost = TransportCost();
    }

    /// <summary>The transport cost of the entropic plan, sum_ij P_ij C_ij (without the entropy term; what POT's
    /// <c>sinkhorn2</c> returns). It exceeds the exact optimal cost and tends to it as epsilon goes to 0.</summary>
    public double Cost { get; }

    /// <summary>The epsilon of the solved problem (cost units).</summary>
    public double Epsilon { get; }

    /// <summary>The dual potential f_i of each source sample.</summary>
    public double[] RowPotential { get; }

    /// <summary>The dual potential g_j of each target sample.</summary>
    public double[] ColumnPotential { get; }

    /// <summary>Sinkhorn iterations performed, over all epsilon stages.</summary>
    public int Iterations { get; }

    /// <summary>Whether the marginal error fell below the tolerance at the requested epsilon.</summary>
    public bool Converged { get; }

    /// <summary>The last L1 error of the source marginal, sum_i |sum_j P_ij - a_i|, measured before the last row
    /// update (after it the source marginal is exact and the target marginal is off by about as much).</summary>
    public double MarginalError { get; }

    /// <summary>Null when converged; otherwise why not and which knob to turn.</summary>
    public string? Message { get; }

    /// <summary>The n x m entropic plan P_ij (sums to 1). Allocates 8 n m bytes.</summary>
    public double[,] Plan()
    {
        int n = _sourceWeights.Length, m = _targetWeights.Length;
        var plan = new double[n, m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                plan[i, j] = PlanEntry(i, j, m);
        return plan;
    }

    private double PlanEntry(int i, int j, int m) =>
        _sourceWeights[i] * _targetWeights[j]
        * Math.Exp((RowPotential[i] + ColumnPotential[j] - _costMatrix[(long)i * m + j]) / Epsilon);

    private double TransportCost()
    {
        int n = _sourceWeights.Length, m = _targetWeights.Length;
        double total = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
                total += PlanEntry(i, j, m) * _costMatrix[(long)i * m + j];
        return total;
    }
}
