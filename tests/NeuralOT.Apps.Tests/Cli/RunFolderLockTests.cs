using NeuralOT.Checkpoints;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Cli;

/// <summary>A run folder is owned by one process at a time, and a dead process never keeps it.</summary>
[Collection(TrainingCollection.Name)]
public class RunFolderLockTests
{
    /// <summary>While one process trains into a folder, a second run (even with --force), a resume and figures into
    /// it are refused with one line and exit 1, leaving the first run's config untouched; after that process is
    /// killed with kill -9 the folder is free again.</summary>
    [Fact]
    public void ASecondProcessIsRefusedAndAKilledOwnerLeavesTheFolderFree()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        string configBefore;
        using (var owner = new ChildCli("run", "gaussian-2d", "--iterations", "1000000", "--seed", "1", "--out", outDir))
        {
            Assert.True(owner.WaitForOutput(" it ", TimeSpan.FromSeconds(60)), $"training never started. stderr: {owner.Error}");
            configBefore = File.ReadAllText(Path.Combine(outDir, ExperimentRunner.ConfigFile));

            foreach (var args in new[]
                     {
                         new[] { "run", "gaussian-2d", "--fast", "--iterations", "5", "--seed", "2", "--out", outDir },
                         ["run", "gaussian-2d", "--fast", "--iterations", "5", "--seed", "2", "--out", outDir, "--force"],
                         ["resume", outDir],
                     })
            {
                var (code, output, error) = CliRunner.Run(args);
                Assert.Equal(1, code);
                Assert.Contains("in use by another neuralot process", error);
                Assert.Single(error.TrimEnd().Split('\n'));
                Assert.DoesNotContain("w2", output);
            }
            Assert.Equal(configBefore, File.ReadAllText(Path.Combine(outDir, ExperimentRunner.ConfigFile)));
            // kill -9: no chance to release anything.
        }

        var (rerun, _, rerunError) = CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--seed", "2", "--out", outDir, "--force");
        Assert.True(rerun == 0, rerunError);
        Assert.Equal(2, TransportCheckpoint.ReadHeader(Path.Combine(outDir, ExperimentRunner.CheckpointFile)).Solver.Seed);
    }

    /// <summary>The lock is the OS's, per open file: a holder in this process refuses figures too, and releasing it
    /// frees the folder.</summary>
    [Fact]
    public void FiguresWaitForTheFolderToBeFree()
    {
        using var folder = new TemporaryFolder();
        var outDir = folder.File("run");
        Assert.Equal(0, CliRunner.Run("run", "gaussian-2d", "--fast", "--iterations", "5", "--out", outDir).ExitCode);
        using (RunFolderLock.Acquire(outDir))
        {
            var (code, _, error) = CliRunner.Run("figures", outDir);
            Assert.Equal(1, code);
            Assert.Contains("in use by another neuralot process", error);
        }
        var (after, _, afterError) = CliRunner.Run("figures", outDir);
        Assert.True(after == 0, afterError);
    }
}
