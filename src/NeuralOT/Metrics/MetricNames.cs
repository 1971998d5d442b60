namespace NeuralOT.Metrics;

/// <summary>The metric keys exactly as they appear in metrics files (SPEC 3).</summary>
public static class MetricNames
{
    /// <summary>100 * E|T_hat(x) - T*(x)|^2 / tr Cov(mu1), in percent.</summary>
    public const string L2Uvp = "l2_uvp";
    /// <summary>Cosine between T_hat - Id and T* - Id in L2(mu0).</summary>
    public const string Cosine = "cosine";
    /// <summary>The solver's estimate of the distance W2 itself (quadratic cost): sqrt(2 E L(F(x))).</summary>
    public const string W2Estimate = "w2_estimate";
    /// <summary>The reference value of W2.</summary>
    public const string W2Reference = "w2_reference";
    /// <summary>|w2_estimate - w2_reference| / w2_reference.</summary>
    public const string W2RelativeError = "w2_relative_error";
    /// <summary>Mean over t = 0.1..0.9 of the Bures-Wasserstein distance between the moments of T_t#mu0 and the exact marginal, over w2_reference.</summary>
    public const string GeodesicError = "geodesic_error";
    /// <summary>The solver's estimate of the optimal mean cost E L(T(x) - x), for any cost.</summary>
    public const string CostEstimate = "cost_estimate";
    /// <summary>E|v_hat - v*|^2 / E|v*|^2 with t ~ U(0, 1), x ~ mu_t (the exact geodesic marginal); a fraction.</summary>
    public const string VelocityRelativeError = "velocity_relative_error";
    /// <summary>|E_t E_x |v_hat|^2 - W2^2| / W2^2, x ~ mu_t (quadratic cost); a fraction.</summary>
    public const string KineticEnergyGap = "kinetic_energy_gap";
    /// <summary>E|X_1 - T_hat(X_0)|^2 / tr Cov(mu1), X_1 from integrating v_hat from X_0 ~ mu0; a fraction.</summary>
    public const string EndpointError = "endpoint_error";
}
