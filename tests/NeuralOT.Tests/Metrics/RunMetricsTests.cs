using System.Reflection;
using System.Text.Json;
using NeuralOT.Dynamics;
using NeuralOT.Metrics;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Metrics;

/// <summary>How the typed metrics map to metrics.json: keys, their order and undefined values, as runs wrote them
/// before the metrics were typed.</summary>
public class RunMetricsTests
{
    private static readonly RunIdentity Identity = new("pair", 2, "quadratic", CriticForm.Static, 3, 0, 0.25, ExitReason.IterationBudget);

    [Fact]
    public void AnUndefinedEstimateIsWrittenAsNullInItsPlace()
    {
        // A negative cost estimate (an untrained critic) has no square root: w2_estimate is undefined, not NaN.
        var metrics = new RunMetrics(Identity, new CostEstimates(-0.5, 1.25, Quadratic: true), new MapOnSamples(500, 12.5, new PushforwardDistance(0.5, 0.25)));

        Assert.Null(metrics.Estimates.W2Estimate);
        Assert.Equal("""
            {
              "experiment": "pair",
              "dimension": 2,
              "cost": "quadratic",
              "critic": "static",
              "seed": 3,
              "iterations": 0,
              "train_seconds": 0.25,
              "exit_reason": "iteration_budget",
              "cost_estimate": -0.5,
              "w_hat": 1.25,
              "w2_estimate": null,
              "sample_metric_size": 500,
              "in_sample_map_error_percent": 12.5,
              "pushforward_w2": 0.5,
              "pushforward_w2_floor": 0.25
            }
            """.ReplaceLineEndings(Environment.NewLine), metrics.ToJson());
    }

    [Fact]
    public void ANonFiniteMeasurementIsUndefined()
    {
        Assert.Null(MetricGroup.Defined(double.NaN));
        Assert.Null(MetricGroup.Defined(double.PositiveInfinity));
        Assert.Equal(0.5, MetricGroup.Defined(0.5));
    }

    [Fact]
    public void ANonQuadraticCostHasNoW2Estimate()
    {
        var metrics = new RunMetrics(Identity with { Cost = "power(1.5)" }, new CostEstimates(0.5, 0.75, Quadratic: false), new MapOnSamples(500, 12.5, null));

        Assert.Null(metrics.Estimates.W2Estimate);
        Assert.DoesNotContain(MetricNames.W2Estimate, metrics.ByName.Keys);
        Assert.DoesNotContain(MetricNames.PushforwardW2, metrics.ByName.Keys);
        Assert.Null(metrics.ReferenceMethod);
    }

    /// <summary>Each reference group carries w2_estimate where metrics.json always had it, and names its method.</summary>
    [Fact]
    public void EachReferenceWritesItsOwnKeysInOrder()
    {
        var plain = new RunMetrics(Identity, new CostEstimates(2, 2.1, Quadratic: true), new MapOnSamples(500, 1, null));
        var gaussian = plain with { ClosedForm = new ClosedFormAccuracy(0.1, 0.99, 2, 2.01, 0.005, 0.01) };
        var known = plain with { KnownMap = new KnownMapAccuracy(0.2, 0.98, 40, 0, 2.1, 1) };
        var onSamples = plain with { ReferenceOnSamples = new SampleReference(true, 2.2, 0.09, 3, 5000, 0.01) };

        Assert.Equal(
            ["cost_estimate", "w_hat", "l2_uvp_percent", "cosine", "w2_estimate", "w2_reference", "w2_relative_error", "geodesic_error", "reference_method", "sample_metric_size", "in_sample_map_error_percent"],
            KeysAfterIdentity(gaussian));
        Assert.Equal(
            ["cost_estimate", "w_hat", "l2_uvp_percent", "cosine", "identity_l2_uvp_percent", "w2_estimate", "w2_reference", "w2_relative_error", "reference_method", "sample_metric_size", "in_sample_map_error_percent"],
            KeysAfterIdentity(known));
        Assert.Equal(
            ["cost_estimate", "w_hat", "w2_estimate", "w2_reference", "w2_relative_error", "reference_method", "reference_draws", "reference_sample_size", "reference_spread", "sample_metric_size", "in_sample_map_error_percent"],
            KeysAfterIdentity(onSamples));
        Assert.Equal(("closed_form", "known_map", "exact_ot_on_samples"), (gaussian.ReferenceMethod, known.ReferenceMethod, onSamples.ReferenceMethod));
        // w2_estimate is the reference group's (the known map clamps a negative cost estimate to 0), not sqrt(2 cost_estimate).
        Assert.Equal(0.0, known.ByName[MetricNames.W2Estimate]);
    }

    [Fact]
    public void AReferenceOnSamplesForAnotherCostNamesTheCost()
    {
        var reference = new SampleReference(Quadratic: false, 1.5, 0.1, 3, 5000, null);
        Assert.Equal(["cost_reference", "cost_relative_error", "reference_method", "reference_draws", "reference_sample_size", "reference_spread"], reference.ByName.Keys);
        Assert.Null(reference.ByName[MetricNames.ReferenceSpread]);
    }

    /// <summary>Digit runs: the classifier's two accuracies before the sample metrics, the reverse accuracy after them
    /// and before the reverse map's estimates.</summary>
    [Fact]
    public void DigitAccuraciesFrameTheSampleMetrics()
    {
        var metrics = new RunMetrics(Identity, new CostEstimates(2, 2.1, Quadratic: true), new MapOnSamples(200, 40, new PushforwardDistance(9, 4)))
        {
            Digits = new DigitAccuracy(0.9, 0.99, 0.8),
            Reverse = new ReverseMapMetrics(2.2, 0.5),
        };
        Assert.Equal(
            ["cost_estimate", "w_hat", "w2_estimate", "target_class_accuracy", "classifier_test_accuracy", "sample_metric_size", "in_sample_map_error_percent",
             "pushforward_w2", "pushforward_w2_floor", "target_class_accuracy_reverse", "cost_estimate_reverse", "cycle_error"],
            KeysAfterIdentity(metrics));
    }

    /// <summary>The companion quadratic solve's keys carry the prefix and leave out what it shares with the main run.</summary>
    [Fact]
    public void TheQuadraticComparisonPrefixesTheCompanionsKeys()
    {
        var companion = new RunMetrics(Identity, new CostEstimates(2, 2.1, Quadratic: true), new MapOnSamples(500, 1, new PushforwardDistance(0.4, 0.3)));
        var comparison = new QuadraticComparison(companion, 7.5);

        Assert.Equal(
            ["quadratic_cost", "quadratic_iterations", "quadratic_train_seconds", "quadratic_exit_reason", "quadratic_cost_estimate", "quadratic_w_hat",
             "quadratic_w2_estimate", "quadratic_sample_metric_size", "quadratic_in_sample_map_error_percent", "quadratic_pushforward_w2",
             "quadratic_pushforward_w2_floor", "quadratic_map_difference_percent"],
            comparison.ByName.Keys);
    }

    [Fact]
    public void PhaseTwoWritesItsIdentityThenItsAccuracy()
    {
        var phaseTwo = new PhaseTwoMetrics(Oracle: false, 200, 1.5, ExitReason.IterationBudget, IntegrationMethod.RK4, 20, new VelocityAccuracy(0.01, MetricGroup.Defined(double.NaN)), 0.02);

        Assert.Equal(
            ["velocity_supervision", "velocity_iterations", "velocity_train_seconds", "velocity_exit_reason", "velocity_integrator", "velocity_steps",
             "velocity_relative_error", "kinetic_energy_gap", "endpoint_error"],
            phaseTwo.ByName.Keys);
        Assert.Equal(("map", "rk4", null), ((string?)phaseTwo.ByName["velocity_supervision"], (string?)phaseTwo.ByName["velocity_integrator"], phaseTwo.ByName["kinetic_energy_gap"]));
    }

    [Fact]
    public void TheHeldOutRestartIsWrittenOnlyWhenTheGuardRestarted()
    {
        var report = new HeldOutReport(0.1, 60, 60, 60, 10, true, [new HeldOutEvaluation(10, 0.5, 0.1, false), new HeldOutEvaluation(20, 0.4, 0.2, false)], 20);

        var keys = new HeldOutMetrics(report).ByName.Keys.ToList();
        Assert.Equal(11, keys.Count);
        Assert.DoesNotContain(MetricNames.HeldOutRestartedAfterIteration, keys);
        Assert.Equal(10, new HeldOutMetrics(report with { RestartedAfterIteration = 10 }).ByName[MetricNames.HeldOutRestartedAfterIteration]);
    }

    /// <summary>Every key a run can write is a <see cref="MetricNames"/> constant (which the README's units paragraph
    /// must name), so no key is spelled in a second place.</summary>
    [Fact]
    public void EveryKeyOfEveryGroupIsAMetricName()
    {
        var names = typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        var report = new HeldOutReport(0.1, 60, 60, 60, 10, true, [new HeldOutEvaluation(10, 0.5, 0.1, false)], 10) { RestartedAfterIteration = 5 };
        var everything = new RunMetrics(Identity, new CostEstimates(2, 2.1, Quadratic: true), new MapOnSamples(500, 1, new PushforwardDistance(0.4, 0.3)))
        {
            HeldOut = new HeldOutMetrics(report),
            ClosedForm = new ClosedFormAccuracy(0.1, 0.99, 2, 2.01, 0.005, 0.01),
            Digits = new DigitAccuracy(0.9, 0.99, 0.8),
            Reverse = new ReverseMapMetrics(2.2, 0.5),
            Velocity = new PhaseTwoMetrics(true, 200, 1.5, ExitReason.IterationBudget, IntegrationMethod.Euler, 5, new VelocityAccuracy(0.01, 0.02), 0.03),
        };
        everything = everything with { Quadratic = new QuadraticComparison(everything, 1) };
        var keys = everything.Entries.Select(e => e.Key).ToList()
            .Concat(new KnownMapAccuracy(1, 1, 1, 1, 1, 1).ByName.Keys)
            .Concat(new SampleReference(false, 1, 1, 1, 1, 1).ByName.Keys)
            .Select(key => key.StartsWith(MetricNames.QuadraticPrefix, StringComparison.Ordinal) && !names.Contains(key) ? key[MetricNames.QuadraticPrefix.Length..] : key)
            .ToList();

        Assert.DoesNotContain(keys, key => !names.Contains(key));
        Assert.Equal(everything.Entries.Count(), everything.ByName.Count); // no key twice
        Assert.Contains(MetricNames.HeldOutRestartedAfterIteration, keys);
    }

    [Fact]
    public void TheJsonReadsBackAsTheSameValuesInTheSameOrder()
    {
        var metrics = new RunMetrics(Identity, new CostEstimates(2.5, 2.6, Quadratic: true), new MapOnSamples(500, 1.125, new PushforwardDistance(0.4, 0.3)))
        {
            ClosedForm = new ClosedFormAccuracy(0.1, null, 2.2360679774997896, 2.25, 0.006192, 0.01),
        };
        using var json = JsonDocument.Parse(metrics.ToJson());
        var written = json.RootElement.EnumerateObject().ToList();

        Assert.Equal(metrics.ByName.Keys, written.Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty(MetricNames.Cosine).ValueKind);
        Assert.Equal(2.2360679774997896, json.RootElement.GetProperty(MetricNames.W2Estimate).GetDouble());
        Assert.Equal(500, json.RootElement.GetProperty(MetricNames.SampleMetricSize).GetInt32());
    }

    private static List<string> KeysAfterIdentity(RunMetrics metrics) =>
        metrics.ByName.Keys.Skip(Identity.ByName.Count).ToList();
}
