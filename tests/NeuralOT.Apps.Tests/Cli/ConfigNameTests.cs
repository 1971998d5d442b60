using System.Text.Json.Nodes;

namespace NeuralOT.Tests.Cli;

/// <summary>A config's name is the default output folder runs/&lt;name&gt;: it must be a name, never a path.</summary>
public class ConfigNameTests
{
    private const string Pair = """
        "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
        "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0.5], [0.5, 0.5]] },
        "cost": { "type": "quadratic" }
        """;

    /// <summary>Absolute paths, escapes from runs/, an empty name (runs/ itself) and "." or ".." are refused with
    /// one line naming config.name, before anything is written anywhere.</summary>
    [Theory]
    [InlineData("ABSOLUTE")]
    [InlineData("../../../neuralot-escaped")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("line\nbreak")]
    public void APathAsNameIsRefusedWithoutWritingAnything(string name)
    {
        using var folder = new TemporaryFolder();
        var absolute = folder.File("written-here");
        if (name == "ABSOLUTE") name = absolute;
        var config = folder.File("config.json");
        File.WriteAllText(config, $$"""{ "name": {{JsonValue.Create(name).ToJsonString()}}, {{Pair}} }""");
        var runs = Path.GetFullPath("runs");
        var runsBefore = Directory.Exists(runs) ? Directory.GetFileSystemEntries(runs).Length : -1;

        var (code, _, error) = CliRunner.Run("run", config, "--fast", "--iterations", "1");

        Assert.Equal(1, code);
        Assert.Contains("config.name", error);
        Assert.Contains("--out", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(absolute));
        Assert.False(Directory.Exists(Path.GetFullPath(Path.Combine("runs", "../../../neuralot-escaped"))));
        Assert.Equal(runsBefore, Directory.Exists(runs) ? Directory.GetFileSystemEntries(runs).Length : -1);
    }

    [Theory]
    [InlineData("my-problem")]
    [InlineData("gaussian_2d.v2")]
    [InlineData("mixture 8")]
    public void PlainNamesAreKept(string name) =>
        Assert.Equal(name, NeuralOT.Experiments.ExperimentConfig.Parse($$"""{ "name": "{{name}}", {{Pair}} }""").Name);
}
