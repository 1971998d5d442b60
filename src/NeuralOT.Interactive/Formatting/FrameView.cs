using Deedle;

namespace NeuralOT.Interactive.Formatting;

/// <summary>A Deedle frame as an HTML table; long frames show their first and last rows.</summary>
internal static class FrameView
{
    public const int EdgeRows = 10;

    public static string ToHtml<TRow>(Frame<TRow, string> frame) where TRow : notnull
    {
        var rows = frame.RowKeys.ToArray();
        var shown = rows.Length <= 2 * EdgeRows ? rows : rows.Take(EdgeRows).Concat(rows.TakeLast(EdgeRows)).ToArray();
        var columns = frame.ColumnKeys.ToArray();
        var values = columns.Select(c => frame.GetColumn<object>(c)).ToArray();
        var grid = Html.Grid(
            [.. new[] { "" }.Concat(columns)],
            shown.Select(row => (IReadOnlyList<object?>)[row, .. values.Select(s => s.TryGet(row).HasValue ? s.TryGet(row).Value : null)]));
        var note = rows.Length > shown.Length ? $"<div style=\"color:#555\">{rows.Length} rows; the first and last {EdgeRows} are shown.</div>" : "";
        return Html.Block("neuralot-frame", grid + note);
    }
}
