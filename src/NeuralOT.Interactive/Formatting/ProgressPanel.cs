using System.Text;
using NeuralOT.Interactive.Progress;

namespace NeuralOT.Interactive.Formatting;

/// <summary>The HTML of a <see cref="TrainingStatus"/>: a header line, a bar, the latest numbers and the live chart.</summary>
internal static class ProgressPanel
{
    public static string ToHtml(TrainingStatus status)
    {
        var percent = (100 * status.Fraction).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append("<div><b>").Append(Html.Encode(status.Title)).Append("</b> · ").Append(Html.Encode(status.Phase))
            .Append(" · iteration ").Append(status.Iteration).Append(" / ").Append(status.TotalIterations)
            .Append(" (").Append(percent).Append(" %) · elapsed ").Append(Html.Duration(status.Elapsed));
        if (!status.IsFinished) html.Append(" · ETA ").Append(Html.Duration(status.Remaining));
        html.Append("</div>");
        html.Append("<div style=\"background:#e6e6e6;height:6px;max-width:560px;margin:3px 0\"><div style=\"background:")
            .Append(status.IsFinished ? "#888" : "#2ca02c").Append(";height:6px;width:").Append(percent).Append("%\"></div></div>");
        html.Append(Html.Table(null, status.Values.Select(v => (v.Name, (object?)v.Value))));
        html.Append(LiveChart.Svg(status.Curves, logarithmic: status.Phase == "velocity", status.TotalIterations));
        // After a run with several phases, one compact line each (the header and chart show the last phase only).
        if (status.IsFinished && status.FinishedPhases.Count > 1)
            foreach (var phase in status.FinishedPhases)
            {
                html.Append("<div>").Append(Html.Encode(phase.Phase)).Append(": ").Append(phase.Iteration).Append(" / ")
                    .Append(phase.TotalIterations).Append(" iterations · ").Append(Html.Duration(phase.Elapsed));
                if (phase.Final is { } final) html.Append(" · ").Append(Html.Encode(final.Name)).Append(' ').Append(Html.Number(final.Value));
                if (phase.Exit is { } exit) html.Append(" · ").Append(Html.Encode(exit));
                html.Append("</div>");
            }
        html.Append("<div style=\"color:#555\">").Append(status.Outcome is { } outcome
            ? (status.Interrupted ? "Stopped: " : "Finished: ") + Html.Encode(outcome)
            : "Training. The notebook's stop button ends it within one iteration and keeps the last completed one.").Append("</div>");
        return Html.Block("neuralot-progress", html.ToString());
    }
}
