namespace NeuralOT.Tests.Cli;

[Collection(TrainingCollection.Name)]
public class FiguresCommandTests(FastGaussianRun run)
{
    /// <summary>Figures drawn again from the checkpoints are the very files the run wrote (same map, same velocity
    /// field, same seeded samples), so the command can replace lost or outdated figures.</summary>
    [Fact]
    public void FiguresDrawnFromTheCheckpointsEqualThoseTheRunWrote()
    {
        var written = Directory.GetFiles(run.Directory, "*.html").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        Assert.Contains("velocity.html", written.Keys);
        foreach (var file in written.Keys) File.Delete(Path.Combine(run.Directory, file));

        var (code, output, error) = CliRunner.Run("figures", run.Directory);

        Assert.True(code == 0, error);
        Assert.Contains("geodesic.html", output);
        var redrawn = Directory.GetFiles(run.Directory, "*.html").ToDictionary(path => Path.GetFileName(path), File.ReadAllText);
        Assert.Equal(written.Keys.Order(), redrawn.Keys.Order());
        foreach (var (file, html) in written) Assert.True(html == redrawn[file], $"{file} differs when drawn again");
    }

    [Fact]
    public void AFolderThatIsNotARunFailsWithOneLine()
    {
        using var folder = new TemporaryFolder();
        var (code, _, error) = CliRunner.Run("figures", folder.File("missing"));
        Assert.NotEqual(0, code);
        Assert.Contains("No run folder at", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
