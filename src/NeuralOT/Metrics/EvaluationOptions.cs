using NeuralOT.Solvers;

namespace NeuralOT.Metrics;

/// <summary>
/// How the metrics of a run are measured (a config's <c>evaluation</c> section): <see cref="SampleSize"/> samples per
/// side for the exact-OT metrics <c>pushforward_w2</c>, its floor and <c>in_sample_map_error_percent</c>; for problems
/// without a closed form, the reference value of the optimal cost is the mean exact-OT cost between
/// <see cref="ReferenceDraws"/> independent draws of <see cref="ReferenceSize"/> samples per side (<c>w2_reference</c>,
/// <c>cost_reference</c>), and <c>pushforward_w2</c> and its floor are means over as many draws (at least one).
/// </summary>
public sealed record EvaluationOptions
{
    /// <summary>Samples per side of the exact-OT metrics by default: exact OT of 2,000 points takes about a second.</summary>
    public const int DefaultSampleSize = 2000;

    /// <summary>The same in fast mode.</summary>
    public const int FastSampleSize = 500;

    /// <summary>Samples per side of the exact-OT metrics (<see cref="DefaultSampleSize"/> by default).</summary>
    public int SampleSize { get; init; } = DefaultSampleSize;

    /// <summary>Independent sample draws whose exact-OT costs are averaged into the reference (0: no reference on
    /// samples), and into <c>pushforward_w2</c> and its floor (one draw when 0).</summary>
    public int ReferenceDraws { get; init; } = 3;

    /// <summary>Samples per side of each reference draw (exact OT needs 8 n^2 bytes: 200 MB at 5,000).</summary>
    public int ReferenceSize { get; init; } = 5000;

    /// <summary>The fast-mode settings: fewer metric samples and no reference on samples.</summary>
    public EvaluationOptions ForFastMode() => this with { SampleSize = Math.Min(SampleSize, FastSampleSize), ReferenceDraws = 0 };

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (SampleSize < 2) Fail(nameof(SampleSize), SampleSize, $"it must be at least 2 ({DefaultSampleSize} is the default)");
        if (ReferenceDraws < 0) Fail(nameof(ReferenceDraws), ReferenceDraws, "it must be 0 (no reference on samples) or more");
        if (ReferenceSize < 2) Fail(nameof(ReferenceSize), ReferenceSize, "it must be at least 2 (5000 is the default)");
    }

    private static void Fail(string option, object? value, string fix) => throw new InvalidOptionException(nameof(EvaluationOptions), option, value, fix);
}
