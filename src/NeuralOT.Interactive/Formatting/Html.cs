using System.Globalization;
using System.Net;
using System.Text;

namespace NeuralOT.Interactive.Formatting;

/// <summary>Small HTML pieces shared by the formatters: encoded text, number formatting and key-value tables.</summary>
internal static class Html
{
    public const string Style = "font-family:system-ui,sans-serif;font-size:13px;";

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A number as a person reads it: 4 significant digits, invariant culture, NaN and infinity spelled out.</summary>
    public static string Number(double value) => double.IsFinite(value)
        ? value.ToString(Math.Abs(value) is >= 1e-3 and < 1e6 or 0d ? "0.####" : "0.###e0", CultureInfo.InvariantCulture)
        : value.ToString(CultureInfo.InvariantCulture);

    public static string Value(object? value) => value switch
    {
        null => "",
        double d => Number(d),
        float f => Number(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static string Duration(TimeSpan span) => span.TotalSeconds < 120
        ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : span.TotalMinutes < 120
            ? span.TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture) + " min"
            : span.TotalHours.ToString("0.0", CultureInfo.InvariantCulture) + " h";

    /// <summary>A two-column table of (name, value) rows under an optional caption.</summary>
    public static string Table(string? caption, IEnumerable<(string Name, object? Value)> rows)
    {
        var html = new StringBuilder();
        // A heading above the table rather than a <caption>, which browsers wrap to the table's width.
        if (caption is not null) html.Append("<div style=\"font-weight:600;margin-top:4px\">").Append(Encode(caption)).Append("</div>");
        html.Append("<table style=\"border-collapse:collapse;margin:2px 0 4px 0\">");
        foreach (var (name, value) in rows)
            html.Append("<tr><td style=\"padding:1px 12px 1px 0;color:#555\">").Append(Encode(name))
                .Append("</td><td style=\"padding:1px 0;text-align:right;font-variant-numeric:tabular-nums\">")
                .Append(Encode(Value(value))).Append("</td></tr>");
        return html.Append("</table>").ToString();
    }

    /// <summary>A table with a header row.</summary>
    public static string Grid(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var html = new StringBuilder("<table style=\"border-collapse:collapse;margin:4px 0\"><tr>");
        foreach (var name in header) html.Append("<th style=\"padding:1px 10px;text-align:right;border-bottom:1px solid #999\">").Append(Encode(name)).Append("</th>");
        html.Append("</tr>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td style=\"padding:1px 10px;text-align:right;font-variant-numeric:tabular-nums\">").Append(Encode(Value(cell))).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>A block with the shared font.</summary>
    public static string Block(string className, string inner) => $"<div class=\"{className}\" style=\"{Style}\">{inner}</div>";
}
