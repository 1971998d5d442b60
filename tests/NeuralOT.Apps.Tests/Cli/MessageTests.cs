using NeuralOT.Cli.Commands;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Cli;

/// <summary>Messages that say what is wrong and where, and a bug that says it is one.</summary>
public class MessageTests
{
    /// <summary>A key written twice names the key, its section and the line of the second one (System.Text.Json
    /// alone says "An item with the same key has already been added").</summary>
    [Theory]
    [InlineData("\"solver\": { \"batch_size\": 10,\n \"batch_size\": 20 }", "config.solver", "batch_size", 6)]
    [InlineData("\"name\": \"a\",\n\"name\": \"b\"", "config", "name", 6)]
    [InlineData("\"velocity\": { \"network\": { \"width\": 8, \"depth\": 2,\n\n \"width\": 9 } }", "config.velocity.network", "width", 7)]
    public void ADuplicateKeyIsNamedWithItsSectionAndLine(string extra, string section, string key, int line)
    {
        var json = $$"""
            {
              "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian", "mean": [3, 3], "covariance": [[1, 0.5], [0.5, 0.5]] },
              "cost": { "type": "quadratic" },
              {{extra}}
            }
            """;
        var error = Assert.Throws<ConfigException>(() => ExperimentConfig.Parse(json));
        Assert.Equal($"{section} has the key \"{key}\" twice (the second on line {line}); keep one of them.", error.Message);
    }

    /// <summary>Keys repeated in different objects (each covariance row, each component) are not duplicates.</summary>
    [Fact]
    public void TheSameKeyInDifferentObjectsIsFine()
    {
        var json = """
            {
              "source": { "type": "gaussian", "mean": [0, 0], "covariance": [[1, 0], [0, 1]] },
              "target": { "type": "gaussian-mixture", "weights": [0.5, 0.5], "means": [[1, 1], [2, 2]],
                          "covariances": [[[1, 0], [0, 1]], [[1, 0], [0, 1]]] },
              "cost": { "type": "quadratic" }
            }
            """;
        Assert.Equal(2, ExperimentConfig.Parse(json).Target.Create().Dimension);
    }

    /// <summary>An unexpected exception is a bug: one line that says so and names a log file holding the trace,
    /// exit 70, and no trace on the terminal.</summary>
    [Fact]
    public void ABugSaysItIsOneAndLogsTheTrace()
    {
        using var folder = new TemporaryFolder();
        var previous = CliErrors.LogFolder;
        CliErrors.LogFolder = folder.Path;
        try
        {
            var error = new StringWriter();
            var code = CliErrors.Run(error, ThrowsLikeABug);
            Assert.Equal(CliErrors.Bug, code);
            var line = Assert.Single(error.ToString().TrimEnd().Split('\n'));
            Assert.Contains("bug in neuralot", line);
            Assert.DoesNotContain(nameof(ThrowsLikeABug), line);
            var log = Assert.Single(Directory.GetFiles(folder.Path, "neuralot-bug-*.log"));
            Assert.Contains(log, line);
            Assert.Contains(nameof(ThrowsLikeABug), File.ReadAllText(log));
        }
        finally
        {
            CliErrors.LogFolder = previous;
        }
    }

    private static int ThrowsLikeABug()
    {
        string? missing = null;
        return missing!.Length;
    }
}
