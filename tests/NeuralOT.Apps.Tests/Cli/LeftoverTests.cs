using NeuralOT.Experiments;
using NeuralOT.IO;

namespace NeuralOT.Tests.Cli;

/// <summary>No temporary file survives a failed write, and a new run clears what an earlier one left.</summary>
[Collection(TrainingCollection.Name)]
public class LeftoverTests
{
    /// <summary>A write that fails after its temporary file was written (here the target is a folder; a full disk
    /// fails the same way, later) leaves no *.tmp behind.</summary>
    [Fact]
    public void AFailedAtomicWriteLeavesNoTemporaryFile()
    {
        using var folder = new TemporaryFolder();
        var target = folder.File("metrics.json");
        Directory.CreateDirectory(target);
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(target, new byte[3_000_000]));
        Assert.Equal([target], Directory.GetFileSystemEntries(folder.Path));
    }

    /// <summary>The temporary files a killed process leaves (atomic writes' *.tmp, checkpoints' .partial) are cleared
    /// by the next run into the folder, with --force over an old run and without it when no run is there.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ANewRunClearsLeftoverTemporaryFiles(bool overAnOldRun)
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        Directory.CreateDirectory(outDir);
        if (overAnOldRun) StubRun.Write(outDir);
        string[] leftovers = ["checkpoint.ckpt.1a2b3c4d.tmp", "plotly-2.28.0.min.js.0f0f0f0f.tmp", $".checkpoint.ckpt.{Guid.NewGuid():N}.partial"];
        foreach (var name in leftovers) File.WriteAllText(Path.Combine(outDir, name), "half");
        File.WriteAllText(Path.Combine(outDir, "notes.tmp"), "the user's own file");

        var args = new List<string> { "run", "gaussian-2d", "--fast", "--iterations", "5", "--out", outDir };
        if (overAnOldRun) args.Add("--force");
        var (code, _, error) = CliRunner.Run([.. args]);

        Assert.True(code == 0, error);
        Assert.All(leftovers, name => Assert.False(File.Exists(Path.Combine(outDir, name)), name));
        Assert.True(File.Exists(Path.Combine(outDir, "notes.tmp")));
        Assert.DoesNotContain(Directory.GetFiles(outDir), f => AtomicFile.IsLeftover(Path.GetFileName(f)));
        Assert.False(StubRun.IsStub(outDir), "the new run's files replace the old run's");
    }

    /// <summary>A run refused for a setting checked only when training starts (a CUDA device on a CPU build) leaves no
    /// config.json, so the corrected rerun into the same folder needs no --force.</summary>
    [Fact]
    public void ARunRefusedForItsDeviceLeavesNothingBehind()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        var (code, _, error) = CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--device", "cuda", "--out", outDir);
        Assert.Equal(1, code);
        Assert.Contains("cuda", error);
        Assert.False(File.Exists(Path.Combine(outDir, ExperimentRunner.ConfigFile)));

        var (rerun, _, rerunError) = CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--device", "cpu", "--out", outDir);
        Assert.True(rerun == 0, rerunError);
    }

    /// <summary>Also for an existing, empty folder (the user's own --out): it stays, holding only the lock file.</summary>
    [Fact]
    public void ARefusedRunKeepsAFolderItDidNotCreate()
    {
        using var folder = new TemporaryFolder();
        Assert.Equal(1, CliRunner.Run("run", "gaussian-2d", "--fast", "--device", "cuda", "--out", folder.Path).ExitCode);
        Assert.True(Directory.Exists(folder.Path));
        Assert.DoesNotContain(Directory.GetFiles(folder.Path), f => Path.GetFileName(f) != RunFolderLock.FileName);
    }
}
