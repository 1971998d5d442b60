namespace NeuralOT.Plotting;

/// <summary>
/// The colours every figure uses, one per role, so that a colour means the same thing in every chart of a run
/// (Okabe-Ito colours, which stay distinct for colour-blind readers).
/// </summary>
public static class Palette
{
    /// <summary>The source distribution mu0 and the start of particle tracks.</summary>
    public const string Source = "#0072B2";

    /// <summary>The target distribution mu1 (drawn faintly behind what should match it).</summary>
    public const string Target = "#E69F00";

    /// <summary>Samples pushed by the learned map, T#mu0, and the map's arrows.</summary>
    public const string Transported = "#009E73";

    /// <summary>The geodesic mu_t between the end points and the straight particle paths.</summary>
    public const string Geodesic = "#CC79A7";

    /// <summary>What phase 2 learned: the velocity field and its flow.</summary>
    public const string Learned = "#D55E00";

    /// <summary>Closed-form references (the analytic velocity of a Gaussian pair).</summary>
    public const string Analytic = "#000000";

    /// <summary>The critic's objective in training curves.</summary>
    public const string Critic = "#56B4E9";

    /// <summary>The opacity of background clouds (the target behind a snapshot, the paths behind tracks).</summary>
    public const double Faint = 0.25;
}
