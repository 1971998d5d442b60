using System.Text;
using System.Text.Json.Nodes;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Cli;

/// <summary>resume, sample and figures trust nothing in a checkpoint that its checksum does not cover.</summary>
[Collection(TrainingCollection.Name)]
public class EditedCheckpointTests(FastGaussianRun fastRun)
{
    /// <summary>A copy of a 200-iteration run, made unfinished, whose checkpoint header then claims more iterations, or another exit
    /// reason (same length, valid JSON), is refused by every command that reads it, with one line naming the file.</summary>
    [Theory]
    [InlineData("\"iterations_completed\":200", "\"iterations_completed\":900")]
    [InlineData("\"exit_reason\":\"iteration_budget\"", "\"exit_reason\":\"converged\"       ")]
    public void EveryCommandRefusesAnEditedHeader(string original, string edited)
    {
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        // Make it an unfinished run as a cancel leaves it: resume then has something to continue.
        File.Delete(Path.Combine(outDir, ExperimentRunner.MetricsFile));
        var checkpoint = Path.Combine(outDir, ExperimentRunner.CheckpointFile);
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(checkpoint));
        Assert.Contains(original, text);
        Assert.Equal(original.Length, edited.Length);
        File.WriteAllBytes(checkpoint, Encoding.Latin1.GetBytes(text.Replace(original, edited, StringComparison.Ordinal)));

        foreach (var args in new[] { new[] { "resume", outDir }, ["sample", outDir, "--t", "0.5", "--n", "5"], ["figures", outDir] })
        {
            var (code, output, error) = CliRunner.Run(args);
            Assert.True(code == 1, $"{args[0]} accepted an edited checkpoint: {output}");
            Assert.Contains("checksum", error);
            Assert.Contains(checkpoint, error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        Assert.False(File.Exists(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
    }

    /// <summary>An edit of config.json that keeps every solver setting (here the target's mean, which the networks
    /// were trained for) is refused by every command that reads the checkpoint, with one line naming it: the
    /// checkpoint records the config's SHA-256 under its own checksum.</summary>
    [Fact]
    public void EveryCommandRefusesAConfigEditedAfterTheCheckpoint()
    {
        using var folder = new TemporaryFolder();
        var outDir = fastRun.CopyTo(folder.File("run"));
        File.Delete(Path.Combine(outDir, ExperimentRunner.MetricsFile));
        var configPath = Path.Combine(outDir, ExperimentRunner.ConfigFile);
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["target"]!["mean"]![0] = 3.5;
        File.WriteAllText(configPath, config.ToJsonString());

        foreach (var args in new[] { new[] { "resume", outDir }, ["sample", outDir, "--t", "0.5", "--n", "5"], ["figures", outDir] })
        {
            var (code, output, error) = CliRunner.Run(args);
            Assert.True(code == 1, $"{args[0]} accepted a checkpoint beside an edited config: {output}");
            Assert.Contains("edited", error);
            Assert.Contains(ExperimentRunner.CheckpointFile, error);
            Assert.Single(error.TrimEnd().Split('\n'));
        }
        Assert.False(File.Exists(Path.Combine(outDir, ExperimentRunner.MetricsFile)));
    }
}
