using NeuralOT.Distributions;
using NeuralOT.Solvers;

namespace NeuralOT.Interactive.Formatting;

/// <summary>Chart HTML for the formatters, drawn by NeuralOT.Plotting (wired when that project lands).</summary>
internal static class Charts
{
    public static string Geodesic(TransportResult result) => "";
    public static string VelocityField(VelocityResult result) => "";
    public static string History(TrainingHistory history) => "";
    public static string History(VelocityHistory history) => "";
    public static string Samples(IDistribution distribution) => "";
}
