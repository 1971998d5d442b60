namespace NeuralOT.Reference;

/// <summary>
/// The solution of an exact OT problem between n source and n target samples with uniform weights 1/n.
/// The optimal plan is P[i, Assignment[i]] = 1/n. The potentials solve the dual: u_i + v_j &lt;= C[i, j] for all
/// pairs, with equality on the assignment, so the dual value mean(u) + mean(v) equals <see cref="Cost"/>.
/// </summary>
/// <param name="Assignment">Assignment[i] is the target sample j that source sample i is sent to (a permutation).</param>
/// <param name="Cost">The optimal mean cost (1/n) sum_i L(y_Assignment[i] - x_i). For the quadratic cost
/// |v|^2 / 2 this is W2^2 / 2.</param>
/// <param name="RowPotential">The dual potential u_i of each source sample.</param>
/// <param name="ColumnPotential">The dual potential v_j of each target sample.</param>
public sealed record ExactTransportResult(int[] Assignment, double Cost, double[] RowPotential, double[] ColumnPotential)
{
    /// <summary>The dual objective mean(u) + mean(v); equals <see cref="Cost"/> up to rounding at the optimum.</summary>
    public double DualCost => RowPotential.Average() + ColumnPotential.Average();

    /// <summary>The number of samples n on each side.</summary>
    public int Count => Assignment.Length;
}
