using NeuralOT.Metrics;

namespace NeuralOT.Interactive.Formatting;

/// <summary>
/// Metrics to show as a table: a run's metrics (<c>RunOutcome.Metrics</c>, the contents of metrics.json), one of their
/// groups (such as what <c>GaussianMapMetrics.Evaluate</c> returns), or any name-value pairs. Notebooks display it with
/// <c>display(new MetricsTable(...))</c>; an undefined value (null) shows as "undefined".
/// </summary>
/// <param name="Metrics">Metric names (docs/method.md, "Metrics") and values, shown in this order.</param>
/// <param name="Caption">A title above the table; null for none.</param>
public sealed record MetricsTable(IReadOnlyDictionary<string, object?> Metrics, string? Caption = null)
{
    /// <summary>A table of a run's metrics or of one group of them, under their metrics.json keys.</summary>
    /// <param name="metrics">The metrics, shown in metrics.json order.</param>
    /// <param name="caption">A title above the table; null for none.</param>
    public MetricsTable(MetricGroup metrics, string? caption = null)
        : this(metrics.ByName, caption)
    {
    }

    /// <summary>A table of numeric metrics.</summary>
    /// <param name="metrics">Metric names and values, shown in this order.</param>
    /// <param name="caption">A title above the table; null for none.</param>
    public MetricsTable(IReadOnlyDictionary<string, double> metrics, string? caption = null)
        : this(metrics.ToDictionary(m => m.Key, m => (object?)m.Value), caption)
    {
    }

    /// <summary>A table of numeric metrics, some of which may be undefined (null), such as the typed values of a run's
    /// metrics.</summary>
    /// <param name="metrics">Metric names and values, shown in this order.</param>
    /// <param name="caption">A title above the table; null for none.</param>
    public MetricsTable(IReadOnlyDictionary<string, double?> metrics, string? caption = null)
        : this(metrics.ToDictionary(m => m.Key, m => (object?)m.Value), caption)
    {
    }
}
