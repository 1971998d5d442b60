namespace NeuralOT.Metrics;

/// <summary>
/// A group of metrics that belong together (the cost estimates, the accuracy against a closed form, phase 2, ...):
/// typed properties, plus the same values under their metrics.json keys (<see cref="Entries"/>, <see cref="ByName"/>).
/// </summary>
/// <remarks>One convention for undefined values: a measured number is a <c>double?</c>, null when the measurement is not
/// a finite number (w2_estimate when the dual cost estimate is negative, as after zero iterations); metrics.json writes
/// it as null. A metric that does not apply to a run is not null but absent: its whole group is null, or the group
/// documents the property as optional.</remarks>
public abstract record MetricGroup
{
    /// <summary>The group's keys (<see cref="MetricNames"/>) and values in metrics.json order. A value is a string, an
    /// <see cref="int"/>, a <see cref="double"/>, or null for an undefined measurement.</summary>
    public abstract IEnumerable<KeyValuePair<string, object?>> Entries { get; }

    /// <summary>The values by metrics.json key, in metrics.json order: for looking a metric up by name (a notebook's
    /// table of chosen keys); the typed properties hold the same values.</summary>
    public IReadOnlyDictionary<string, object?> ByName
    {
        get
        {
            var byName = new OrderedDictionary<string, object?>();
            foreach (var (name, value) in Entries) byName.Add(name, value);
            return byName;
        }
    }

    /// <summary>A measurement as a metric: null when it is NaN or infinite (undefined for this run).</summary>
    public static double? Defined(double measured) => double.IsFinite(measured) ? measured : null;

    /// <summary>One entry of <see cref="Entries"/>.</summary>
    protected static KeyValuePair<string, object?> Entry(string name, object? value) => new(name, value);
}
