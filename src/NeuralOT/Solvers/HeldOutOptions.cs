namespace NeuralOT.Solvers;

/// <summary>
/// The guard for finite data (a CSV file or an array of rows, <see cref="Distributions.EmpiricalDistribution"/>):
/// a share of the rows of every finite side is held out of training, and every <see cref="Interval"/> iterations the
/// solver measures on them what needs no ground truth: the energy distance between the map's image of the held-out
/// source rows and the held-out target rows (see HeldOutReport). Training on a fixed sample makes sudden excursions
/// (the map jumps away for a few hundred iterations and, late in the cosine schedule, does not fully come back); an
/// evaluation more than <see cref="ExcursionFactor"/> times the median of the accepted ones is such an excursion, and
/// with <see cref="Rollback"/> the networks of the last accepted evaluation are put back, during training and at the
/// end. Samplers (distributions that draw fresh points) are never split: when neither side is a finite data set the
/// guard does nothing and training is exactly the unguarded run.
/// </summary>
public sealed record HeldOutOptions
{
    /// <summary>The guard acts only when every finite side holds out at least this many rows (500 rows at the default
    /// fraction): with fewer, the held-out score is too noisy to choose by, and training uses every row.</summary>
    public const int MinimumHeldOutRows = 50;

    /// <summary>Share of each finite side's rows held out of training, in (0, 0.5]; 0.1 by default.</summary>
    public double Fraction { get; init; } = 0.1;

    /// <summary>Evaluate the held-out rows every this many iterations (null: a fortieth of the budget, at least 1).</summary>
    public int? Interval { get; init; }

    /// <summary>Put the last accepted networks back after an excursion (true, the default), or only report it (false).</summary>
    public bool Rollback { get; init; } = true;

    /// <summary>An evaluation whose energy distance exceeds this many times the median of the accepted evaluations is
    /// an excursion; 2 by default (on the known-map pairs, 16- to 128-D, accepted values reached up to 1.9 times the
    /// running median and excursions 2.1 to 26 times: the margin below is thin, see docs/solver.md).</summary>
    public double ExcursionFactor { get; init; } = 2.0;

    /// <summary>Evaluations accepted before excursions are looked for: the median of fewer is not a level to compare with.</summary>
    public const int MinimumAcceptedEvaluations = 3;

    /// <summary>Evaluations use at most this many held-out rows per side (a fixed subset of them), so the cost of an
    /// evaluation does not grow with the data; 4,096 by default.</summary>
    public int MaxEvaluationRows { get; init; } = 4096;

    /// <summary>The evaluation interval for a budget of <paramref name="iterations"/>.</summary>
    public int ResolveInterval(int iterations) => Interval ?? Math.Max(1, iterations / 40);

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first invalid field and its fix.</summary>
    public void Validate()
    {
        if (!(Fraction > 0 && Fraction <= 0.5))
            Fail(nameof(Fraction), Fraction, "it must lie in (0, 0.5] (0.1 holds out a tenth of the rows), or turn the guard off to train on every row");
        if (Interval is < 1) Fail(nameof(Interval), Interval, "it must be at least 1 iteration, or unset for a fortieth of the budget");
        if (!(ExcursionFactor > 1 && double.IsFinite(ExcursionFactor))) Fail(nameof(ExcursionFactor), ExcursionFactor, "it must be a number above 1 (2 by default)");
        if (MaxEvaluationRows < 2) Fail(nameof(MaxEvaluationRows), MaxEvaluationRows, "it must be at least 2 (4,096 by default)");
    }

    private static void Fail(string option, object? value, string fix) => throw new InvalidOptionException(nameof(HeldOutOptions), option, value, fix);
}
