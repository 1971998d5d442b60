using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Dynamics;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Metrics;

/// <summary>A finished run, as the metrics see it.</summary>
/// <param name="Experiment">The run's name (<c>experiment</c> in metrics.json).</param>
/// <param name="Result">The phase-1 result; its <see cref="TransportResult.Problem"/> decides which metrics apply.</param>
/// <param name="Options">How to measure (sample sizes, the reference on samples).</param>
public sealed record RunToEvaluate(string Experiment, TransportResult Result, EvaluationOptions Options)
{
    /// <summary>The phase-2 field, when the run trained one.</summary>
    public PhaseTwoToEvaluate? Velocity { get; init; }

    /// <summary>With <c>compare_quadratic</c>: the same pair solved under the quadratic cost.</summary>
    public TransportResult? QuadraticCompanion { get; init; }
}

/// <summary>A phase-2 field and how the run integrates it.</summary>
/// <param name="Field">The learned field (its <see cref="VelocityResult.Options"/> seed the evaluation's samples).</param>
/// <param name="Oracle">Whether it learned from the closed-form map rather than the phase-1 map.</param>
/// <param name="Integrator">The scheme that integrates it for the endpoint error.</param>
/// <param name="Steps">Its steps on [0, 1].</param>
public sealed record PhaseTwoToEvaluate(VelocityResult Field, bool Oracle, IntegrationMethod Integrator, int Steps);

/// <summary>
/// Picks and computes the metrics a run supports (docs/method.md, "Metrics"): from the problem
/// (<see cref="TransportProblem.ClosedForm"/>: the closed form of a Gaussian pair, a known map, or none; digit images),
/// the result (bidirectional or not, the held-out guard), the phases that ran and the <see cref="EvaluationOptions"/>.
/// Every metric draws its samples from its own seeded stream, apart from the training samples, so the same run gives
/// the same numbers.
/// </summary>
public static class MetricSuite
{
    /// <summary>The metrics of <paramref name="run"/>, stopping between its steps (each at most a few seconds: one
    /// exact OT on samples) when <paramref name="cancellation"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static RunMetrics Evaluate(RunToEvaluate run, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var metrics = EvaluateMap(run.Experiment, run.Result, run.Options, cancellation);
        cancellation.ThrowIfCancellationRequested();
        if (run.Velocity is { } velocity) metrics = metrics with { Velocity = EvaluateVelocity(run.Result, velocity) };
        cancellation.ThrowIfCancellationRequested();
        if (run.QuadraticCompanion is { } companion)
            metrics = metrics with { Quadratic = CompareWithQuadratic(run.Experiment, run.Result, companion, run.Options) };
        cancellation.ThrowIfCancellationRequested();
        return metrics;
    }

    /// <summary>The metrics of a phase-1 result alone (no phase 2, no companion solve).</summary>
    /// <param name="experiment">The run's name.</param>
    /// <param name="result">The result to measure.</param>
    /// <param name="options">How to measure; null for the defaults.</param>
    /// <param name="cancellation">Stops the evaluation between its steps.</param>
    public static RunMetrics Evaluate(string experiment, TransportResult result, EvaluationOptions? options = null, CancellationToken cancellation = default) =>
        Evaluate(new RunToEvaluate(experiment, result, options ?? new EvaluationOptions()), cancellation);

    /// <summary>What evaluation is about to do, in one line: it takes from a second to a minute (exact OT on samples).</summary>
    public static string Describe(TransportResult result, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var reference = result.Problem.ClosedForm is not null
            ? "against the exact solution"
            : options.ReferenceDraws > 0 && DigitMetrics.DigitPair(result.Problem) is null
                ? FormattableString.Invariant($"reference by exact OT on {options.ReferenceDraws} draws of {options.ReferenceSize:N0} samples per side")
                : "no reference on samples";
        return FormattableString.Invariant($"evaluating: {reference}; exact OT on {options.SampleSize:N0} samples per side for the pushforward metrics");
    }

    /// <summary>The identity, the cost estimates, the reference the problem supports and the sample-based metrics.</summary>
    private static RunMetrics EvaluateMap(string experiment, TransportResult result, EvaluationOptions options, CancellationToken cancellation)
    {
        var digits = DigitMetrics.DigitPair(result.Problem);
        // Evaluation samples come from their own stream, apart from the training samples.
        var generator = new torch.Generator((ulong)result.Options.Seed + 1_000_003UL);
        var (costSamples, momentSamples) = digits is not null
            ? (DigitMetrics.CostSamples, DigitMetrics.CostSamples)
            // A million up to 10-D, then fewer so that the work stays about that of 10-D (78,125 at 128-D).
            : (Math.Min(GaussianMapMetrics.CostSamples, 10 * GaussianMapMetrics.CostSamples / result.Dimension), GaussianMapMetrics.MomentSamples);
        var costEstimate = result.EstimateOptimalCost(costSamples, generator);
        var estimates = new CostEstimates(
            MetricGroup.Defined(costEstimate), MetricGroup.Defined(result.EstimateTransportCost(momentSamples, generator)), result.Cost is QuadraticCost);

        ClosedFormAccuracy? closedForm = null;
        KnownMapAccuracy? knownMap = null;
        SampleReference? referenceOnSamples = null;
        // The problem's closed form, when it has one, is the reference; otherwise exact OT on samples.
        switch (result.Problem.ClosedForm)
        {
            case GaussianTransport gaussian:
                closedForm = GaussianMapMetrics.Evaluate(result, gaussian, generator, costEstimate);
                break;
            case KnownMapTransport known:
                knownMap = KnownMapMetrics.Evaluate(result, known, generator, costEstimate);
                break;
            default:
                cancellation.ThrowIfCancellationRequested();
                // Digits have too few distinct images per class for a reference on fresh samples; DigitMetrics compares
                // with held-out digits instead.
                if (digits is null && options.ReferenceDraws > 0) referenceOnSamples = ReferenceOnSamples(result, options, costEstimate);
                break;
        }
        cancellation.ThrowIfCancellationRequested();
        DigitAccuracy? digitAccuracy = null;
        MapOnSamples onSamples;
        if (digits is { } pair)
            (digitAccuracy, onSamples) = DigitMetrics.Evaluate(result, pair.Source, pair.Target, generator);
        else
            onSamples = MapOnSamples(result, options.SampleSize, Math.Max(1, options.ReferenceDraws), generator, cancellation);
        cancellation.ThrowIfCancellationRequested();
        var reverse = result.ReverseMap is null ? null : new ReverseMapMetrics(
            MetricGroup.Defined(result.EstimateReverseTransportCost(GaussianMapMetrics.MomentSamples, generator)),
            MetricGroup.Defined(result.CycleError(GaussianMapMetrics.MapSamples, generator)));
        return new RunMetrics(RunIdentity.Of(experiment, result), estimates, onSamples)
        {
            HeldOut = result.HeldOut is { } heldOut ? new HeldOutMetrics(heldOut) : null,
            ClosedForm = closedForm,
            KnownMap = knownMap,
            ReferenceOnSamples = referenceOnSamples,
            Digits = digitAccuracy,
            Reverse = reverse,
        };
    }

    /// <summary>
    /// For problems without a closed form: the mean exact-OT value over independent sample draws as the reference, with
    /// the estimate's relative error against it: W2 itself (averaged per draw) for the quadratic cost, the optimal
    /// cost for other costs. Exact OT between samples is biased upward (<see cref="SampleMetrics.ExactCostsOnSamples"/>).
    /// </summary>
    private static SampleReference ReferenceOnSamples(TransportResult result, EvaluationOptions options, double costEstimate)
    {
        // Its own stream, so adding or removing the reference leaves every other metric unchanged.
        var generator = new torch.Generator((ulong)result.Options.Seed + 3_000_003UL);
        var costs = SampleMetrics.ExactCostsOnSamples(result.Source, result.Target, result.Cost, options.ReferenceDraws, options.ReferenceSize, generator);
        var quadratic = result.Cost is QuadraticCost;
        var values = quadratic ? costs.Select(c => Math.Sqrt(2 * Math.Max(c, 0))).ToArray() : costs;
        var reference = values.Average();
        var estimate = quadratic ? Math.Sqrt(2 * costEstimate) : costEstimate;
        return new SampleReference(
            quadratic,
            MetricGroup.Defined(reference),
            MetricGroup.Defined(Math.Abs(estimate - reference) / reference),
            options.ReferenceDraws,
            options.ReferenceSize,
            MetricGroup.Defined(Math.Sqrt(values.Select(v => (v - reference) * (v - reference)).Sum() / values.Length)));
    }

    /// <summary>The exact-OT metrics on samples: the in-sample map error on one draw of n samples per side; for the
    /// quadratic cost the pushforward W2 (T#mu0 samples against fresh mu1 samples) and its floor (two fresh mu1 sample
    /// sets), each the mean over <paramref name="draws"/> independent draws. One draw of the floor alone varied by 25 %
    /// across seeds on mixture-2d (0.33-0.42 at n = 2,000), more than the maps did.</summary>
    private static MapOnSamples MapOnSamples(TransportResult result, int n, int draws, torch.Generator generator, CancellationToken cancellation)
    {
        using var scope = torch.NewDisposeScope();
        var cost = result.Cost;
        double inSampleError = double.NaN, pushforward = 0, floor = 0;
        for (var draw = 0; draw < draws; draw++)
        {
            cancellation.ThrowIfCancellationRequested();
            var source = result.Source.Sample(n, generator);
            var mapped = PointSets.FromTensor(result.Transport(source), "mapped");
            var target = PointSets.FromTensor(result.Target.Sample(n, generator), "target");
            if (draw == 0) inSampleError = SampleMetrics.InSampleMapError(PointSets.FromTensor(source, "source"), mapped, target, cost);
            if (cost is not QuadraticCost) break;
            var otherTarget = PointSets.FromTensor(result.Target.Sample(n, generator), "target");
            pushforward += SampleMetrics.PushforwardW2(mapped, otherTarget) / draws;
            floor += SampleMetrics.PushforwardW2Floor(target, otherTarget) / draws;
        }
        var distance = cost is QuadraticCost ? new PushforwardDistance(MetricGroup.Defined(pushforward), MetricGroup.Defined(floor)) : null;
        return new MapOnSamples(n, MetricGroup.Defined(inSampleError), distance);
    }

    /// <summary>Phase 2's identity and time, the field metrics against the closed form where one exists, and the
    /// end-point error of its flow against the map it learned from (the phase-1 map, or T* in oracle mode).</summary>
    private static PhaseTwoMetrics EvaluateVelocity(TransportResult map, PhaseTwoToEvaluate phaseTwo)
    {
        var velocity = phaseTwo.Field;
        // Evaluation samples come from their own stream, apart from both phases' training samples.
        var generator = new torch.Generator((ulong)velocity.Options.Seed + 2_000_003UL);
        // A known map has no closed-form velocity field to compare with.
        var reference = map.Problem.ClosedForm as GaussianTransport;
        var againstClosedForm = reference is null ? null : VelocityMetrics.AgainstGaussian(velocity, reference, generator);
        double endpointError;
        if (phaseTwo.Oracle)
        {
            var gaussian = reference ?? throw new ArgumentException("An oracle field needs a Gaussian pair (a closed-form map) to compare with.", nameof(phaseTwo));
            endpointError = VelocityMetrics.EndpointError(velocity, gaussian.Source, gaussian.Map,
                VelocityMetrics.TotalVariance(gaussian.Target, generator), generator, phaseTwo.Integrator, phaseTwo.Steps);
        }
        else
        {
            endpointError = VelocityMetrics.EndpointError(velocity, map, generator, phaseTwo.Integrator, phaseTwo.Steps);
        }
        return new PhaseTwoMetrics(
            phaseTwo.Oracle, velocity.IterationsCompleted, Math.Round(velocity.TrainingTime.TotalSeconds, 3), velocity.ExitReason,
            phaseTwo.Integrator, phaseTwo.Steps, againstClosedForm, MetricGroup.Defined(endpointError));
    }

    /// <summary>The companion quadratic solve's metrics and how far its map lands from the main one.</summary>
    private static QuadraticComparison CompareWithQuadratic(string experiment, TransportResult result, TransportResult companion, EvaluationOptions options)
    {
        var companionMetrics = EvaluateMap(experiment, companion, options, CancellationToken.None);
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator((ulong)result.Options.Seed + 4_000_003UL);
        var x = result.Source.Sample(GaussianMapMetrics.MapSamples, generator);
        var y = result.Target.Sample(GaussianMapMetrics.MomentSamples, generator);
        var targetVariance = y.var(0).sum().item<double>();
        var difference = 100 * (result.Transport(x) - companion.Transport(x)).square().sum(1).mean().item<double>() / targetVariance;
        return new QuadraticComparison(companionMetrics, MetricGroup.Defined(difference));
    }
}
