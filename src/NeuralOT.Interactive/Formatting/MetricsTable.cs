namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// Metrics to show as a table: the dictionary a run returns (<c>RunOutcome.Metrics</c>, the contents of
/// metrics.json) or any name-value pairs. Notebooks display it with <c>display(new MetricsTable(...))</c>.
/// </summary>
/// <param name="Metrics">Metric names (docs/method.md, "Metrics") and values, shown in this order.</param>
/// <param name="Caption">A title above the table; null for none.</param>
public sealed record MetricsTable(IReadOnlyDictionary<string, object> Metrics, string? Caption = null)
{
    /// <summary>A table of numeric metrics, such as <c>GaussianMapMetrics.Evaluate</c> returns.</summary>
    /// <param name="metrics">Metric names and values, shown in this order.</param>
    /// <param name="caption">A title above the table; null for none.</param>
    public MetricsTable(IReadOnlyDictionary<string, double> metrics, string? caption = null)
        : this(metrics.ToDictionary(m => m.Key, m => (object)m.Value), caption)
    {
    }
}
