namespace NeuralOT.Solvers;

/// <summary>
/// The guard for finite data (a CSV file or an array of rows, <see cref="Distributions.EmpiricalDistribution"/>):
/// a share of the rows of every finite side is held out of training, and every <see cref="Interval"/> iterations the
/// solver measures on them what needs no ground truth (see HeldOutReport). With
/// <see cref="KeepBest"/> the result keeps the networks of the evaluation with the best held-out score instead of
/// the last ones. Samplers (distributions that draw fresh points) are never split: when neither side is a finite data
/// set the guard does nothing and training is exactly the unguarded run.
/// </summary>
public sealed record HeldOutOptions
{
    /// <summary>Share of each finite side's rows held out of training, in (0, 0.5]; 0.1 by default.</summary>
    public double Fraction { get; init; } = 0.1;

    /// <summary>Evaluate the held-out rows every this many iterations (null: a fortieth of the budget, at least 1).</summary>
    public int? Interval { get; init; }

    /// <summary>Keep the networks of the best held-out evaluation (true, the default), or the last ones while still
    /// reporting the held-out values (false).</summary>
    public bool KeepBest { get; init; } = true;

    /// <summary>Evaluations use at most this many held-out rows per side (a fixed subset of them), so the cost of an
    /// evaluation does not grow with the data; 4,096 by default.</summary>
    public int MaxEvaluationRows { get; init; } = 4096;

    /// <summary>The evaluation interval for a budget of <paramref name="iterations"/>.</summary>
    public int ResolveInterval(int iterations) => Interval ?? Math.Max(1, iterations / 40);

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first invalid field and its fix.</summary>
    public void Validate()
    {
        if (!(Fraction > 0 && Fraction <= 0.5))
            throw new ArgumentOutOfRangeException("held_out.fraction", Fraction, $"solver.held_out.fraction = {Fraction} is invalid: it must lie in (0, 0.5] (0.1 holds out a tenth of the rows), or set \"held_out\": false to train on every row.");
        if (Interval is < 1)
            throw new ArgumentOutOfRangeException("held_out.interval", Interval, $"solver.held_out.interval = {Interval} is invalid: it must be at least 1 iteration, or absent for a fortieth of the budget.");
        if (MaxEvaluationRows < 2)
            throw new ArgumentOutOfRangeException("held_out.max_evaluation_rows", MaxEvaluationRows, $"solver.held_out.max_evaluation_rows = {MaxEvaluationRows} is invalid: it must be at least 2 (4,096 by default).");
    }
}
