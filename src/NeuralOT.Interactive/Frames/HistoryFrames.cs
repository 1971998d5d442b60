using Deedle;
using NeuralOT.Interactive.Formatting;
using NeuralOT.Solvers;

namespace NeuralOT.Interactive.Frames;

/// <summary>Training histories and metrics as Deedle frames, for analysis in a notebook (filter, resample, join).</summary>
public static class HistoryFrames
{
    /// <summary>Phase-1 history: rows keyed by iteration; columns <c>critic_objective</c>, <c>map_objective</c>,
    /// <c>w_hat</c>, <c>seconds</c> and, for bidirectional runs, <c>w_hat_reverse</c> and <c>cycle_error</c>
    /// (the columns of history.csv).</summary>
    public static Frame<int, string> ToFrame(this TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var entries = history.Entries;
        var keys = entries.Select(e => e.Iteration).ToArray();
        var columns = new List<KeyValuePair<string, Series<int, double>>>
        {
            Column("critic_objective", keys, entries.Select(e => e.CriticObjective)),
            Column("map_objective", keys, entries.Select(e => e.MapObjective)),
            Column("w_hat", keys, entries.Select(e => e.WHat)),
            Column("seconds", keys, entries.Select(e => e.Seconds)),
        };
        if (entries.Any(e => e.WHatReverse is not null))
        {
            columns.Add(Column("w_hat_reverse", keys, entries.Select(e => e.WHatReverse ?? double.NaN)));
            columns.Add(Column("cycle_error", keys, entries.Select(e => e.CycleError ?? double.NaN)));
        }
        return Frame.FromColumns(columns);
    }

    /// <summary>Phase-2 history: rows keyed by iteration; columns <c>loss</c> and <c>seconds</c>.</summary>
    public static Frame<int, string> ToFrame(this VelocityHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var keys = history.Entries.Select(e => e.Iteration).ToArray();
        return Frame.FromColumns(new[]
        {
            Column("loss", keys, history.Entries.Select(e => e.Loss)),
            Column("seconds", keys, history.Entries.Select(e => e.Seconds)),
        });
    }

    /// <summary>Numeric metrics as a one-column frame (<c>value</c>) keyed by metric name; text entries such as the
    /// experiment name are left out.</summary>
    public static Frame<string, string> ToFrame(this MetricsTable metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var numeric = metrics.Metrics.Where(m => m.Value is double or float or int or long).ToArray();
        var series = new Series<string, double>(numeric.Select(m => m.Key), numeric.Select(m => Convert.ToDouble(m.Value, System.Globalization.CultureInfo.InvariantCulture)));
        return Frame.FromColumns(new[] { KeyValuePair.Create("value", series) });
    }

    private static KeyValuePair<string, Series<int, double>> Column(string name, int[] keys, IEnumerable<double> values) =>
        KeyValuePair.Create(name, new Series<int, double>(keys, values));
}
