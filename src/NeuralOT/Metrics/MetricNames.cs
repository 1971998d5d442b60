namespace NeuralOT.Metrics;

/// <summary>The metric keys exactly as they appear in metrics files (docs/method.md, "Metrics", defines each).</summary>
/// <remarks>One convention for units: a relative quantity is a fraction (0.01 is 1 %) unless its key ends in
/// <c>_percent</c>; distances and costs are in the data's own units.</remarks>
public static class MetricNames
{
    /// <summary>The experiment's name (a word: the config's <c>name</c>).</summary>
    public const string Experiment = "experiment";
    /// <summary>The dimension d of the source and the target (a count).</summary>
    public const string Dimension = "dimension";
    /// <summary>The cost's name (a word: <c>quadratic</c>, or the power cost's name).</summary>
    public const string Cost = "cost";
    /// <summary>The saddle-point form trained (a word: <c>static</c> or <c>time</c>).</summary>
    public const string Critic = "critic";
    /// <summary>The solver's seed (an integer).</summary>
    public const string Seed = "seed";
    /// <summary>Phase-1 iterations completed (a count).</summary>
    public const string Iterations = "iterations";
    /// <summary>Phase-1 training time in seconds (rounded to milliseconds).</summary>
    public const string TrainSeconds = "train_seconds";
    /// <summary>Why phase 1 stopped (a word: <c>iteration_budget</c>, <c>converged</c>, <c>diverged</c>, <c>cancelled</c>).</summary>
    public const string ExitReason = "exit_reason";

    /// <summary>Held-out guard: the share (0-1) of each finite side's rows held out of training.</summary>
    public const string HeldOutFraction = "held_out_fraction";
    /// <summary>Held-out guard: source rows held out (a count; 0 when the source is a sampler).</summary>
    public const string HeldOutSourceRows = "held_out_source_rows";
    /// <summary>Held-out guard: target rows held out (a count; 0 when the target is a sampler).</summary>
    public const string HeldOutTargetRows = "held_out_target_rows";
    /// <summary>Held-out guard: iterations between its evaluations (a count).</summary>
    public const string HeldOutInterval = "held_out_interval";
    /// <summary>Held-out guard: how many evaluations it made (a count).</summary>
    public const string HeldOutEvaluations = "held_out_evaluations";
    /// <summary>Held-out guard: how many evaluations were excursions (a count).</summary>
    public const string HeldOutExcursions = "held_out_excursions";
    /// <summary>Held-out guard: the iteration whose networks the other metrics score (an iteration number).</summary>
    public const string HeldOutSelectedIteration = "held_out_selected_iteration";
    /// <summary>Held-out guard: the energy distance on the held-out rows at the selected iteration (data units).</summary>
    public const string HeldOutEnergySelected = "held_out_energy_selected";
    /// <summary>Held-out guard: the same at the last evaluation (data units).</summary>
    public const string HeldOutEnergyLast = "held_out_energy_last";
    /// <summary>Held-out guard: the critic's gap between training and held-out rows at the selected iteration, relative
    /// to its spread on the held-out rows (a ratio).</summary>
    public const string HeldOutCriticGapSelected = "held_out_critic_gap_selected";
    /// <summary>Held-out guard: the same at the last evaluation (a ratio).</summary>
    public const string HeldOutCriticGapLast = "held_out_critic_gap_last";
    /// <summary>Held-out guard, resumed from a checkpoint written before checkpoints kept its state: the iteration it
    /// restarted after (an iteration number).</summary>
    public const string HeldOutRestartedAfterIteration = "held_out_restarted_after_iteration";

    /// <summary>100 * E|T_hat(x) - T*(x)|^2 / tr Cov(mu1), in percent.</summary>
    public const string L2Uvp = "l2_uvp_percent";
    /// <summary>Known-map pairs: the l2_uvp of the identity map, 100 * E|x - T*(x)|^2 / tr Cov(mu1): what not moving at
    /// all scores (in percent), the yardstick of <see cref="L2Uvp"/>.</summary>
    public const string IdentityL2Uvp = "identity_l2_uvp_percent";
    /// <summary>Cosine between T_hat - Id and T* - Id in L2(mu0).</summary>
    public const string Cosine = "cosine";
    /// <summary>The solver's estimate of the distance W2 itself (quadratic cost): sqrt(2 cost_estimate).</summary>
    public const string W2Estimate = "w2_estimate";
    /// <summary>The reference value of W2: the closed form for Gaussian pairs; otherwise (full mode) the mean exact-OT
    /// W2 over <see cref="ReferenceDraws"/> independent draws of <see cref="ReferenceSampleSize"/> samples per side,
    /// which is biased upward (see <see cref="ReferenceMethod"/>).</summary>
    public const string W2Reference = "w2_reference";
    /// <summary>|w2_estimate - w2_reference| / w2_reference.</summary>
    public const string W2RelativeError = "w2_relative_error";
    /// <summary>Mean over t = 0.1..0.9 of the Bures-Wasserstein distance between the moments of T_t#mu0 and the exact marginal, over w2_reference.</summary>
    public const string GeodesicError = "geodesic_error";
    /// <summary>The solver's estimate of the optimal cost, for any cost: the saddle value S(map, critic) on fresh
    /// samples (see <see cref="Solvers.TransportResult.EstimateOptimalCost"/>).</summary>
    public const string CostEstimate = "cost_estimate";
    /// <summary>Non-quadratic costs (full mode): the reference optimal cost, the mean exact-OT cost on samples as for
    /// <see cref="W2Reference"/>.</summary>
    public const string CostReference = "cost_reference";
    /// <summary>|cost_estimate - cost_reference| / cost_reference.</summary>
    public const string CostRelativeError = "cost_relative_error";
    /// <summary>How the reference was computed: <c>closed_form</c> (Gaussian pairs), <c>known_map</c> (the exact map of a
    /// known-map pair, W2 by Monte Carlo over it) or <c>exact_ot_on_samples</c>
    /// (mean over independent draws; exact OT between finite samples overestimates the distance between the
    /// distributions, by about 2 % at 5,000 samples in 2-D and far more in 5-D and 10-D).</summary>
    public const string ReferenceMethod = "reference_method";
    /// <summary>With <c>exact_ot_on_samples</c>: how many independent draws were averaged.</summary>
    public const string ReferenceDraws = "reference_draws";
    /// <summary>With <c>exact_ot_on_samples</c>: samples per side of each draw.</summary>
    public const string ReferenceSampleSize = "reference_sample_size";
    /// <summary>With <c>exact_ot_on_samples</c>: the standard deviation of the per-draw values (in the unit of the reference).</summary>
    public const string ReferenceSpread = "reference_spread";
    /// <summary>With <c>compare_quadratic</c>: 100 E|T_cost(x) - T_quadratic(x)|^2 / tr Cov(mu1), how far apart the maps
    /// of the two costs land (percent, normalised like <c>l2_uvp_percent</c>).</summary>
    public const string QuadraticMapDifference = "quadratic_map_difference_percent";
    /// <summary>The prefix of the companion quadratic solve's metrics (<c>compare_quadratic</c>).</summary>
    public const string QuadraticPrefix = "quadratic_";
    /// <summary>The mean cost of the learned map, E_{x~mu0} L(T(x) - x): the training monitor W_hat, on fresh samples.</summary>
    public const string WHat = "w_hat";

    /// <summary>Bidirectional training: the reverse map's estimate E_{y~mu1} L(G(y)) of the same optimal cost.</summary>
    public const string CostEstimateReverse = "cost_estimate_reverse";
    /// <summary>Bidirectional training: E|T^-1(T(x)) - x|^2 + E|T(T^-1(y)) - y|^2 with T^-1 the reverse map.</summary>
    public const string CycleError = "cycle_error";
    /// <summary>Exact-OT W2 between T_hat#mu0 samples and fresh mu1 samples.</summary>
    public const string PushforwardW2 = "pushforward_w2";
    /// <summary>The same between two fresh mu1 sample sets: the noise floor of <see cref="PushforwardW2"/>.</summary>
    public const string PushforwardW2Floor = "pushforward_w2_floor";
    /// <summary>100 mean|T_hat(x_i) - y_sigma(i)|^2 / tr Cov(y), sigma the exact assignment between the samples, in percent.</summary>
    public const string InSampleMapError = "in_sample_map_error_percent";
    /// <summary>How many samples per side the sample-based metrics used.</summary>
    public const string SampleMetricSize = "sample_metric_size";
    /// <summary>Phase 2: what the field learned from (a word: <c>map</c>, the phase-1 map, or <c>oracle</c>, the closed form).</summary>
    public const string VelocitySupervision = "velocity_supervision";
    /// <summary>Phase 2: iterations completed (a count).</summary>
    public const string VelocityIterations = "velocity_iterations";
    /// <summary>Phase 2: training time in seconds (rounded to milliseconds).</summary>
    public const string VelocityTrainSeconds = "velocity_train_seconds";
    /// <summary>Phase 2: why training stopped (a word, as <see cref="ExitReason"/>).</summary>
    public const string VelocityExitReason = "velocity_exit_reason";
    /// <summary>Phase 2: the scheme that integrates the field for <see cref="EndpointError"/> (a word: <c>euler</c>,
    /// <c>midpoint</c> or <c>rk4</c>).</summary>
    public const string VelocityIntegrator = "velocity_integrator";
    /// <summary>Phase 2: the integrator's steps on [0, 1] (a count).</summary>
    public const string VelocitySteps = "velocity_steps";
    /// <summary>E|v_hat - v*|^2 / E|v*|^2 with t ~ U(0, 1), x ~ mu_t (the exact geodesic marginal); a fraction.</summary>
    public const string VelocityRelativeError = "velocity_relative_error";
    /// <summary>|E_t E_x |v_hat|^2 - W2^2| / W2^2, x ~ mu_t (quadratic cost); a fraction.</summary>
    public const string KineticEnergyGap = "kinetic_energy_gap";
    /// <summary>E|X_1 - T_hat(X_0)|^2 / tr Cov(mu1), X_1 from integrating v_hat from X_0 ~ mu0; a fraction.</summary>
    public const string EndpointError = "endpoint_error";

    /// <summary>MNIST: the share (0-1) of transported source-digit test images that the digit classifier assigns to
    /// the target digit (pixels clipped to [0, 1] first, as an image would show them).</summary>
    public const string TargetClassAccuracy = "target_class_accuracy";
    /// <summary>MNIST, bidirectional training: the same for the reverse map applied to target-digit test images.</summary>
    public const string TargetClassAccuracyReverse = "target_class_accuracy_reverse";
    /// <summary>MNIST: the digit classifier's own accuracy (0-1) on the whole test split, the yardstick of the two above.</summary>
    public const string ClassifierTestAccuracy = "classifier_test_accuracy";
}
