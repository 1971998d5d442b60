using System.Text;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Metrics;
using NeuralOT.Solvers;

namespace NeuralOT.Interactive.Formatting;

/// <summary>The HTML of each result type: a summary table and, where the data has a picture, the chart of it.</summary>
internal static class ResultViews
{
    public static string Transport(TransportResult result)
    {
        var last = result.History.Entries.LastOrDefault();
        var rows = new List<(string, object?)>
        {
            ("dimension", result.Dimension),
            ("cost", result.Cost.Name),
            ("critic", result.Options.Critic.ToString().ToLowerInvariant()),
            ("iterations", $"{result.IterationsCompleted} of {result.Options.Iterations}"),
            ("stopped", $"{RunIdentity.ExitReasonName(result.ExitReason)}: {result.ExitMessage}"),
            ("training time", Html.Duration(result.TrainingTime)),
        };
        if (last is not null) rows.Add(("W_hat (last logged)", last.WHat));
        if (result.ReverseMap is not null) rows.Add(("bidirectional", "yes"));
        if (result.Preconditioner is not null) rows.Add(("preconditioning", "affine"));
        return Html.Block("neuralot-transport", Html.Table("Transport map " + result.Source.Description + " → " + result.Target.Description, rows)
            + Charts.Geodesic(result));
    }

    public static string Velocity(VelocityResult result) =>
        Html.Block("neuralot-velocity", Html.Table("Velocity field: " + result.Supervision.Description,
        [
            ("dimension", result.Dimension),
            ("iterations", $"{result.IterationsCompleted} of {result.Options.Iterations}"),
            ("stopped", $"{RunIdentity.ExitReasonName(result.ExitReason)}: {result.ExitMessage}"),
            ("training time", Html.Duration(result.TrainingTime)),
            ("last loss", result.History.Entries.LastOrDefault()?.Loss),
        ]) + Charts.Loss(result.History)
        + "<div style=\"color:#555\">The field as arrows: <code>Figures.Velocity(velocity, map)</code>; its flow: <code>Figures.Tracks(map, velocity)</code>.</div>");

    public static string History(TrainingHistory history)
    {
        var last = history.Entries.LastOrDefault();
        var caption = $"Training history: {history.Entries.Count} logged iterations";
        var table = last is null ? "" : Html.Table(caption,
        [
            ("last iteration", last.Iteration), ("critic objective", last.CriticObjective),
            ("map objective", last.MapObjective), ("W_hat", last.WHat), ("seconds", last.Seconds),
        ]);
        return Html.Block("neuralot-history", (last is null ? Html.Encode(caption) : table) + Charts.Training(history));
    }

    public static string History(VelocityHistory history)
    {
        var last = history.Entries.LastOrDefault();
        var caption = $"Velocity training history: {history.Entries.Count} logged iterations";
        var table = last is null ? Html.Encode(caption)
            : Html.Table(caption, [("last iteration", last.Iteration), ("loss", last.Loss), ("seconds", last.Seconds)]);
        return Html.Block("neuralot-history", table + Charts.Loss(history));
    }

    public static string Distribution(IDistribution distribution) =>
        Html.Block("neuralot-distribution", Html.Table("Distribution", [("description", distribution.Description), ("dimension", distribution.Dimension)])
            + Charts.Samples(distribution));

    public static string Metrics(MetricsTable metrics) =>
        Html.Block("neuralot-metrics", Html.Table(metrics.Caption ?? "Metrics", metrics.Metrics.Select(m => (m.Key, (object?)(m.Value ?? "undefined")))));

    public static string Run(RunOutcome outcome)
    {
        var html = new StringBuilder();
        html.Append("<h4 style=\"margin:4px 0\">").Append(Html.Encode(outcome.Config.Name)).Append("</h4>");
        html.Append(Html.Encode($"Run folder: {outcome.OutputDirectory}"));
        if (outcome.Metrics is { } metrics) html.Append(Metrics(new MetricsTable(metrics)));
        else html.Append("<div>No metrics: training diverged (").Append(Html.Encode(outcome.Result.ExitMessage)).Append(").</div>");
        html.Append(Transport(outcome.Result));
        html.Append(Charts.Training(outcome.Result.History, outcome.Velocity?.History, outcome.Result.Preconditioner is not null));
        if (outcome.Velocity is { } velocity && velocity.ExitReason != ExitReason.Diverged) html.Append(Charts.Velocity(velocity, outcome.Result));
        return Html.Block("neuralot-run", html.ToString());
    }
}
