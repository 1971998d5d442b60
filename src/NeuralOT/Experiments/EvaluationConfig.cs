using System.Text.Json.Nodes;

namespace NeuralOT.Experiments;

/// <summary>
/// The <c>evaluation</c> section of a config: how the metrics of a run are measured. Every key is optional:
/// <c>sample_size</c> (2,000 samples per side for the exact-OT metrics <c>pushforward_w2</c>, its floor and
/// <c>in_sample_map_error_percent</c>; 500 in fast mode), <c>reference_draws</c> (3; 0 in fast mode) and
/// <c>reference_size</c> (5,000): for problems without a closed form, the reference value of the optimal cost is
/// the mean exact-OT cost between that many independent draws of that many samples per side (see
/// <see cref="ExperimentRunner"/>'s <c>w2_reference</c> and <c>cost_reference</c>); <c>pushforward_w2</c> and its floor
/// are means over as many draws (at least one) of <c>sample_size</c> samples. Written into config.json, so a config fed
/// back measures the same way.
/// </summary>
public sealed record EvaluationConfig
{
    internal static readonly string[] Keys = ["sample_size", "reference_draws", "reference_size"];

    /// <summary>Samples per side of the exact-OT metrics (exact OT of 2,000 points takes about a second).</summary>
    public int SampleSize { get; init; } = 2000;

    /// <summary>Independent sample draws whose exact-OT costs are averaged into the reference (0: no reference on
    /// samples), and into <c>pushforward_w2</c> and its floor (one draw when 0).</summary>
    public int ReferenceDraws { get; init; } = 3;

    /// <summary>Samples per side of each reference draw (exact OT needs 8 n^2 bytes: 200 MB at 5,000).</summary>
    public int ReferenceSize { get; init; } = 5000;

    /// <summary>The fast-mode settings: fewer metric samples and no reference on samples.</summary>
    public EvaluationConfig ForFastMode() => this with { SampleSize = Math.Min(SampleSize, ExperimentRunner.FastSampleMetricSize), ReferenceDraws = 0 };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first key that is out of range.</summary>
    public void Validate()
    {
        if (SampleSize < 2)
            throw new ArgumentOutOfRangeException("sample_size", SampleSize, $"evaluation.sample_size = {SampleSize} is invalid: it must be at least 2 (2000 is the default).");
        if (ReferenceDraws < 0)
            throw new ArgumentOutOfRangeException("reference_draws", ReferenceDraws, $"evaluation.reference_draws = {ReferenceDraws} is invalid: it must be 0 (no reference on samples) or more.");
        if (ReferenceSize < 2)
            throw new ArgumentOutOfRangeException("reference_size", ReferenceSize, $"evaluation.reference_size = {ReferenceSize} is invalid: it must be at least 2 (5000 is the default).");
    }

    internal static EvaluationConfig Parse(JsonSection section)
    {
        section.RejectUnknownKeys(Keys);
        var defaults = new EvaluationConfig();
        return new EvaluationConfig
        {
            SampleSize = section.OptionalInteger("sample_size") ?? defaults.SampleSize,
            ReferenceDraws = section.OptionalInteger("reference_draws") ?? defaults.ReferenceDraws,
            ReferenceSize = section.OptionalInteger("reference_size") ?? defaults.ReferenceSize,
        };
    }

    internal JsonObject ToJson() => new()
    {
        ["sample_size"] = SampleSize,
        ["reference_draws"] = ReferenceDraws,
        ["reference_size"] = ReferenceSize,
    };
}
