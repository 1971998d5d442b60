using System.Text.Json;
using NeuralOT.Dynamics;
using NeuralOT.Solvers;

namespace NeuralOT.Metrics;

/// <summary>
/// Everything a run measured (docs/method.md, "Metrics"; the README lists every key and its unit), as
/// <see cref="MetricSuite.Evaluate(RunToEvaluate, CancellationToken)"/> returns it and metrics.json holds it. A group
/// is null when it does not apply to the run: <see cref="ClosedForm"/> for a Gaussian pair, <see cref="KnownMap"/> for
/// a known-map pair, <see cref="ReferenceOnSamples"/> for other problems in full mode, <see cref="Digits"/> for digit
/// images, and so on. <see cref="MetricGroup.Entries"/> lists the values in metrics.json order.
/// </summary>
/// <param name="Run">What was run: the experiment, the problem's dimension and cost, the solver's form, seed and time.</param>
/// <param name="Estimates">The solver's own estimates of the optimal cost and the learned map's cost.</param>
/// <param name="OnSamples">The learned map scored by exact OT on samples (for digit images, on held-out digits).</param>
public sealed record RunMetrics(RunIdentity Run, CostEstimates Estimates, MapOnSamples OnSamples) : MetricGroup
{
    /// <summary>The reference_method word of <see cref="ClosedForm"/>.</summary>
    public const string ClosedFormMethod = "closed_form";

    /// <summary>The reference_method word of <see cref="KnownMap"/>.</summary>
    public const string KnownMapMethod = "known_map";

    /// <summary>On data files with the held-out guard: what the guard did; null otherwise.</summary>
    public HeldOutMetrics? HeldOut { get; init; }

    /// <summary>Gaussian pairs (quadratic cost): the map against the closed form; null otherwise.</summary>
    public ClosedFormAccuracy? ClosedForm { get; init; }

    /// <summary>Known-map pairs: the map against the exact map; null otherwise.</summary>
    public KnownMapAccuracy? KnownMap { get; init; }

    /// <summary>Without a closed form, in full mode (<see cref="EvaluationOptions.ReferenceDraws"/> above 0), except for
    /// digit images: the reference value from exact OT on samples and the estimate's error against it; null otherwise.</summary>
    public SampleReference? ReferenceOnSamples { get; init; }

    /// <summary>Digit images: the classifier's verdict on the transported digits; null otherwise.</summary>
    public DigitAccuracy? Digits { get; init; }

    /// <summary>Bidirectional training: the reverse map's estimate and the cycle error; null for one direction.</summary>
    public ReverseMapMetrics? Reverse { get; init; }

    /// <summary>With a velocity section: phase 2's identity and accuracy; null otherwise.</summary>
    public PhaseTwoMetrics? Velocity { get; init; }

    /// <summary>With <c>compare_quadratic</c>: the companion quadratic solve's metrics and how far its map lands from
    /// this one; null otherwise.</summary>
    public QuadraticComparison? Quadratic { get; init; }

    /// <summary>How the reference was computed (<c>reference_method</c>): <see cref="ClosedFormMethod"/>,
    /// <see cref="KnownMapMethod"/> or <see cref="SampleReference.Method"/>; null when the run has no reference.</summary>
    public string? ReferenceMethod =>
        ClosedForm is not null ? ClosedFormMethod
        : KnownMap is not null ? KnownMapMethod
        : ReferenceOnSamples is not null ? SampleReference.Method
        : null;

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries
    {
        get
        {
            IEnumerable<KeyValuePair<string, object?>> entries = [.. Run.Entries, .. HeldOut?.Entries ?? [], .. Estimates.Entries];
            // The reference groups each carry w2_estimate at their own place; without one it follows the estimates.
            if (ClosedForm is not null) entries = [.. entries, .. ClosedForm.Entries, Entry(MetricNames.ReferenceMethod, ClosedFormMethod)];
            else if (KnownMap is not null) entries = [.. entries, .. KnownMap.Entries, Entry(MetricNames.ReferenceMethod, KnownMapMethod)];
            else
            {
                if (Estimates.Quadratic) entries = [.. entries, Entry(MetricNames.W2Estimate, Estimates.W2Estimate)];
                entries = [.. entries, .. ReferenceOnSamples?.Entries ?? []];
            }
            if (Digits is not null) entries = [.. entries, .. Digits.Entries];
            entries = [.. entries, .. OnSamples.Entries];
            if (Digits?.TargetClassAccuracyReverse is { } reverseAccuracy) entries = [.. entries, Entry(MetricNames.TargetClassAccuracyReverse, reverseAccuracy)];
            return [.. entries, .. Reverse?.Entries ?? [], .. Velocity?.Entries ?? [], .. Quadratic?.Entries ?? []];
        }
    }

    /// <summary>The text of metrics.json: one object, the keys of <see cref="MetricGroup.Entries"/> in their order,
    /// an undefined value as null (JSON has no NaN).</summary>
    public string ToJson() => JsonSerializer.Serialize(ByName, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
}

/// <summary>What was run (the first keys of metrics.json).</summary>
/// <param name="Experiment"><c>experiment</c>: the config's name.</param>
/// <param name="Dimension"><c>dimension</c>: d.</param>
/// <param name="Cost"><c>cost</c>: the cost's name.</param>
/// <param name="Critic"><c>critic</c>: the saddle-point form.</param>
/// <param name="Seed"><c>seed</c>: the solver's seed.</param>
/// <param name="Iterations"><c>iterations</c>: phase-1 iterations completed.</param>
/// <param name="TrainSeconds"><c>train_seconds</c>: phase-1 training time, rounded to milliseconds.</param>
/// <param name="ExitReason"><c>exit_reason</c>: why phase 1 stopped.</param>
public sealed record RunIdentity(
    string Experiment, int Dimension, string Cost, CriticForm Critic, int Seed, int Iterations, double TrainSeconds, ExitReason ExitReason)
    : MetricGroup
{
    /// <summary>The identity of <paramref name="result"/>, run as <paramref name="experiment"/>.</summary>
    public static RunIdentity Of(string experiment, TransportResult result) => new(
        experiment, result.Dimension, result.Cost.Name, result.Options.Critic, result.Options.Seed, result.IterationsCompleted,
        Math.Round(result.TrainingTime.TotalSeconds, 3), result.ExitReason);

    /// <summary>The keys a companion solve leaves out under the <c>quadratic_</c> prefix: they are the main run's.</summary>
    internal static readonly string[] SharedWithCompanion = [MetricNames.Experiment, MetricNames.Dimension, MetricNames.Critic, MetricNames.Seed];

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.Experiment, Experiment),
        Entry(MetricNames.Dimension, Dimension),
        Entry(MetricNames.Cost, Cost),
        Entry(MetricNames.Critic, Critic.ToString().ToLowerInvariant()),
        Entry(MetricNames.Seed, Seed),
        Entry(MetricNames.Iterations, Iterations),
        Entry(MetricNames.TrainSeconds, TrainSeconds),
        Entry(MetricNames.ExitReason, ExitReasonName(ExitReason)),
    ];

    /// <summary>The snake_case name of an exit reason as written in metrics.json.</summary>
    public static string ExitReasonName(ExitReason reason) => reason switch
    {
        ExitReason.IterationBudget => "iteration_budget",
        ExitReason.Converged => "converged",
        ExitReason.Diverged => "diverged",
        ExitReason.Cancelled => "cancelled",
        _ => reason.ToString().ToLowerInvariant(),
    };
}

/// <summary>The solver's own estimates, for any problem.</summary>
/// <param name="CostEstimate"><c>cost_estimate</c>: the saddle value on fresh samples, the estimate of the optimal cost.</param>
/// <param name="WHat"><c>w_hat</c>: the learned map's mean cost E L(T(x) - x) on fresh samples.</param>
/// <param name="Quadratic">Whether the cost is quadratic, so that <see cref="W2Estimate"/> applies.</param>
public sealed record CostEstimates(double? CostEstimate, double? WHat, bool Quadratic) : MetricGroup
{
    /// <summary><c>w2_estimate</c>: for the quadratic cost, the estimate of W2 itself, sqrt(2 cost_estimate); null for
    /// other costs, and when the cost estimate is negative (an untrained critic).</summary>
    public double? W2Estimate => Quadratic && CostEstimate is { } cost ? Defined(Math.Sqrt(2 * cost)) : null;

    /// <summary><c>cost_estimate</c> and <c>w_hat</c> (<c>w2_estimate</c> is placed by <see cref="RunMetrics"/>, beside
    /// the reference it is compared with).</summary>
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
        [Entry(MetricNames.CostEstimate, CostEstimate), Entry(MetricNames.WHat, WHat)];
}

/// <summary>The reference for problems without a closed form: the mean exact-OT value over independent sample draws,
/// and the solver's estimate against it. Exact OT between samples overestimates the distance between the
/// distributions (about 2 % at 5,000 samples in 2-D, far more in 5-D and 10-D).</summary>
/// <param name="Quadratic">True: the values are W2 itself (<c>w2_reference</c>, <c>w2_relative_error</c>, each draw's
/// cost c as sqrt(2c)); false: the optimal cost (<c>cost_reference</c>, <c>cost_relative_error</c>).</param>
/// <param name="Reference">The mean over the draws.</param>
/// <param name="RelativeError">|estimate - reference| / reference, a fraction.</param>
/// <param name="Draws"><c>reference_draws</c>: independent draws averaged.</param>
/// <param name="SampleSize"><c>reference_sample_size</c>: samples per side of each draw.</param>
/// <param name="Spread"><c>reference_spread</c>: the standard deviation of the per-draw values.</param>
public sealed record SampleReference(bool Quadratic, double? Reference, double? RelativeError, int Draws, int SampleSize, double? Spread)
    : MetricGroup
{
    /// <summary>The reference_method word of this reference.</summary>
    public const string Method = "exact_ot_on_samples";

    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(Quadratic ? MetricNames.W2Reference : MetricNames.CostReference, Reference),
        Entry(Quadratic ? MetricNames.W2RelativeError : MetricNames.CostRelativeError, RelativeError),
        Entry(MetricNames.ReferenceMethod, Method),
        Entry(MetricNames.ReferenceDraws, Draws),
        Entry(MetricNames.ReferenceSampleSize, SampleSize),
        Entry(MetricNames.ReferenceSpread, Spread),
    ];
}

/// <summary>The learned map scored by exact OT between finite sample sets.</summary>
/// <param name="SampleSize"><c>sample_metric_size</c>: samples per side.</param>
/// <param name="InSampleMapErrorPercent"><c>in_sample_map_error_percent</c>: 100 mean|T_hat(x_i) - y_sigma(i)|^2 / tr Cov(y),
/// sigma the exact assignment between the samples, in percent.</param>
/// <param name="Pushforward">For the quadratic cost: W2 between the map's image and the target, beside its floor;
/// null for other costs.</param>
public sealed record MapOnSamples(int SampleSize, double? InSampleMapErrorPercent, PushforwardDistance? Pushforward) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.SampleMetricSize, SampleSize),
        Entry(MetricNames.InSampleMapError, InSampleMapErrorPercent),
        .. Pushforward?.Entries ?? [],
    ];
}

/// <summary>Exact-OT W2 between the map's image and target samples, and the same between two target sample sets: even
/// a perfect map scores about the floor, not 0.</summary>
/// <param name="W2"><c>pushforward_w2</c>.</param>
/// <param name="Floor"><c>pushforward_w2_floor</c>.</param>
public sealed record PushforwardDistance(double? W2, double? Floor) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
        [Entry(MetricNames.PushforwardW2, W2), Entry(MetricNames.PushforwardW2Floor, Floor)];
}

/// <summary>Digit images: the digit classifier's verdict (shares from 0 to 1).</summary>
/// <param name="TargetClassAccuracy"><c>target_class_accuracy</c>: transported source-digit test images classified as
/// the target digit.</param>
/// <param name="ClassifierTestAccuracy"><c>classifier_test_accuracy</c>: the classifier's own accuracy on the test split.</param>
/// <param name="TargetClassAccuracyReverse"><c>target_class_accuracy_reverse</c>: the same for the reverse map on
/// target-digit test images; null when only one direction was trained.</param>
public sealed record DigitAccuracy(double TargetClassAccuracy, double ClassifierTestAccuracy, double? TargetClassAccuracyReverse)
    : MetricGroup
{
    /// <summary><c>target_class_accuracy</c> and <c>classifier_test_accuracy</c> (<see cref="RunMetrics"/> places the
    /// reverse accuracy after the sample metrics, as metrics.json always had it).</summary>
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
        [Entry(MetricNames.TargetClassAccuracy, TargetClassAccuracy), Entry(MetricNames.ClassifierTestAccuracy, ClassifierTestAccuracy)];
}

/// <summary>Bidirectional training: the reverse map.</summary>
/// <param name="CostEstimateReverse"><c>cost_estimate_reverse</c>: E_{y~mu1} L(G(y)), the reverse map's estimate of the optimal cost.</param>
/// <param name="CycleError"><c>cycle_error</c>: E|G(T(x)) - x|^2 + E|T(G(y)) - y|^2 with G the reverse map.</param>
public sealed record ReverseMapMetrics(double? CostEstimateReverse, double? CycleError) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
        [Entry(MetricNames.CostEstimateReverse, CostEstimateReverse), Entry(MetricNames.CycleError, CycleError)];
}

/// <summary>What the held-out guard for finite data did (held_out.csv has every evaluation).</summary>
/// <param name="Report">The guard's report.</param>
public sealed record HeldOutMetrics(HeldOutReport Report) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.HeldOutFraction, Report.Fraction),
        Entry(MetricNames.HeldOutSourceRows, Report.SourceHeldOutRows),
        Entry(MetricNames.HeldOutTargetRows, Report.TargetHeldOutRows),
        Entry(MetricNames.HeldOutInterval, Report.Interval),
        Entry(MetricNames.HeldOutEvaluations, Report.Evaluations.Count),
        Entry(MetricNames.HeldOutExcursions, Report.Excursions),
        Entry(MetricNames.HeldOutSelectedIteration, Report.SelectedIteration),
        Entry(MetricNames.HeldOutEnergySelected, Defined(Report.Selected.EnergyDistance)),
        Entry(MetricNames.HeldOutEnergyLast, Defined(Report.Last.EnergyDistance)),
        Entry(MetricNames.HeldOutCriticGapSelected, Defined(Report.Selected.CriticGap)),
        Entry(MetricNames.HeldOutCriticGapLast, Defined(Report.Last.CriticGap)),
        // A resume from a checkpoint written before checkpoints kept the guard's state: the evaluations above start there.
        .. Report.RestartedAfterIteration is { } restarted ? [Entry(MetricNames.HeldOutRestartedAfterIteration, restarted)] : Array.Empty<KeyValuePair<string, object?>>(),
    ];
}

/// <summary>Phase 2: the learned velocity field.</summary>
/// <param name="Oracle"><c>velocity_supervision</c>: true (<c>oracle</c>) when the field learned from the closed-form
/// map, false (<c>map</c>) when from the phase-1 map.</param>
/// <param name="Iterations"><c>velocity_iterations</c>: iterations completed.</param>
/// <param name="TrainSeconds"><c>velocity_train_seconds</c>: training time, rounded to milliseconds.</param>
/// <param name="ExitReason"><c>velocity_exit_reason</c>: why training stopped.</param>
/// <param name="Integrator"><c>velocity_integrator</c>: the scheme that integrated the field for the endpoint error.</param>
/// <param name="Steps"><c>velocity_steps</c>: its steps on [0, 1].</param>
/// <param name="AgainstClosedForm">Gaussian pairs: the field against the closed-form geodesic; null otherwise.</param>
/// <param name="EndpointError"><c>endpoint_error</c>: E|X_1 - T(X_0)|^2 / tr Cov(mu1), X_1 from integrating the field
/// from X_0 ~ mu0, T the map it learned from; a fraction.</param>
public sealed record PhaseTwoMetrics(
    bool Oracle, int Iterations, double TrainSeconds, ExitReason ExitReason, IntegrationMethod Integrator, int Steps,
    VelocityAccuracy? AgainstClosedForm, double? EndpointError) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        Entry(MetricNames.VelocitySupervision, Oracle ? "oracle" : "map"),
        Entry(MetricNames.VelocityIterations, Iterations),
        Entry(MetricNames.VelocityTrainSeconds, TrainSeconds),
        Entry(MetricNames.VelocityExitReason, RunIdentity.ExitReasonName(ExitReason)),
        Entry(MetricNames.VelocityIntegrator, Integrator.ToString().ToLowerInvariant()),
        Entry(MetricNames.VelocitySteps, Steps),
        .. AgainstClosedForm?.Entries ?? [],
        Entry(MetricNames.EndpointError, EndpointError),
    ];
}

/// <summary>With <c>compare_quadratic</c>: the same pair solved under the quadratic cost.</summary>
/// <param name="Companion">The quadratic solve's metrics, written under the prefix <c>quadratic_</c> (without the keys
/// it shares with the main run: experiment, dimension, critic, seed).</param>
/// <param name="MapDifferencePercent"><c>quadratic_map_difference_percent</c>: 100 E|T_cost(x) - T_quadratic(x)|^2 /
/// tr Cov(mu1), in percent.</param>
public sealed record QuadraticComparison(RunMetrics Companion, double? MapDifferencePercent) : MetricGroup
{
    /// <inheritdoc />
    public override IEnumerable<KeyValuePair<string, object?>> Entries =>
    [
        .. Companion.Entries
            .Where(entry => !RunIdentity.SharedWithCompanion.Contains(entry.Key))
            .Select(entry => Entry(MetricNames.QuadraticPrefix + entry.Key, entry.Value)),
        Entry(MetricNames.QuadraticMapDifference, MapDifferencePercent),
    ];
}
