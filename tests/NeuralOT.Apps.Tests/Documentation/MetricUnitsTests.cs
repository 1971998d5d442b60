using System.Reflection;
using System.Text.RegularExpressions;
using NeuralOT.Metrics;

namespace NeuralOT.Tests.Documentation;

/// <summary>metrics.json follows one unit convention (a relative quantity is a fraction unless its key ends in
/// <c>_percent</c>) and the README gives the unit of every key.</summary>
public class MetricUnitsTests
{
    private static IEnumerable<string> MetricKeys() =>
        typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(MetricNames.QuadraticPrefix))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void TheReadmeUnitsParagraphNamesEveryMetricKey()
    {
        var readme = File.ReadAllText(Path.Combine(ReadmeExampleTests.RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("**Units of `metrics.json`.**", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no paragraph headed **Units of `metrics.json`.**");
        var end = readme.IndexOf("\n\n", start, StringComparison.Ordinal);
        var paragraph = readme[start..(end < 0 ? readme.Length : end)];
        var missing = MetricKeys().Where(key => !paragraph.Contains($"`{key}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"the README's units paragraph does not name: {string.Join(", ", missing)}");
    }

    [Fact]
    public void EveryPercentMetricSaysSoInItsName()
    {
        // The XML docs of MetricNames say "percent" exactly where the value is 100 times a ratio.
        var documentation = File.ReadAllText(Path.Combine(ReadmeExampleTests.RepositoryRoot(), "src", "NeuralOT", "Metrics", "MetricNames.cs"));
        var constants = Regex.Matches(documentation, @"<summary>(?<doc>(?:(?!</summary>).)*)</summary>(?:(?!public const|<summary>).)*public const string \w+ = ""(?<key>[a-z0-9_]+)"";",
            RegexOptions.Singleline);
        Assert.Equal(MetricKeys().Count() + 1, constants.Count); // every key and the quadratic prefix, each with its summary
        foreach (Match constant in constants)
        {
            var key = constant.Groups["key"].Value;
            var saysPercent = Regex.IsMatch(constant.Groups["doc"].Value, @"\bin percent\b|\(percent\b");
            Assert.True(saysPercent == key.EndsWith("_percent", StringComparison.Ordinal),
                $"{key}: its documentation {(saysPercent ? "says" : "does not say")} percent, its name {(key.EndsWith("_percent", StringComparison.Ordinal) ? "does" : "does not")}");
        }
    }
}
