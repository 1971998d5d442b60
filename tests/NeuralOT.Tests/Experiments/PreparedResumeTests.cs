using NeuralOT.Experiments;
using NeuralOT.Solvers;

namespace NeuralOT.Tests.Experiments;

/// <summary>Resuming a run folder loads its config and builds its problem once (<see cref="ExperimentRunner.PrepareResume"/>),
/// holds the folder from then on, and hands both to the outcome.</summary>
[Collection(TrainingCollection.Name)]
public class PreparedResumeTests
{
    [Fact]
    public void APreparedResumeHoldsTheFolderAndHandsItsOneProblemToTheOutcome()
    {
        using var folder = new TemporaryFolder();
        var directory = StoppedRun(folder);

        using (var prepared = ExperimentRunner.PrepareResume(directory))
        {
            var held = Assert.Throws<RunFolderException>(() => ExperimentRunner.PrepareResume(directory));
            Assert.Equal(RunFolderProblem.InUse, held.Problem);

            using var outcome = ExperimentRunner.Resume(prepared);
            Assert.True(outcome.Finished);
            Assert.Same(prepared.Problem, outcome.Problem);
            Assert.Throws<InvalidOperationException>(() => ExperimentRunner.Resume(prepared));
        }
        Assert.True(ExperimentRunner.IsFinished(directory));
    }

    [Fact]
    public void APreparedResumeThatNeverRunsReleasesTheFolderAndLeavesItAsItWas()
    {
        using var folder = new TemporaryFolder();
        var directory = StoppedRun(folder);
        var before = Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray();

        ExperimentRunner.PrepareResume(directory).Dispose();

        using var again = ExperimentRunner.PrepareResume(directory);
        Assert.Equal(before, Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray());
        Assert.False(ExperimentRunner.IsFinished(directory));
    }

    [Fact]
    public void AFolderThatCannotBeResumedIsRefusedBeforeAnythingIsBuilt()
    {
        using var folder = new TemporaryFolder();
        var missing = folder.File("missing");
        Assert.Equal(RunFolderProblem.NotARunFolder, Assert.Throws<RunFolderException>(() => ExperimentRunner.PrepareResume(missing)).Problem);
        Assert.False(Directory.Exists(missing), "refusing a missing folder must not create it");

        var stub = folder.File("finished");
        Directory.CreateDirectory(stub);
        StubRun.Write(stub);
        // The stub's config.json is not a config: refused as such, and the folder is released.
        Assert.ThrowsAny<InvalidInputException>(() => ExperimentRunner.PrepareResume(stub));
        using (RunFolderLock.Acquire(stub)) { }
    }

    /// <summary>A fast gaussian-2d run cancelled at its first progress report: a checkpoint, no metrics.</summary>
    private static string StoppedRun(TemporaryFolder folder)
    {
        var directory = folder.File("stopped");
        var config = ExperimentCatalogue.Get("gaussian-2d") with { Velocity = null };
        using var cancellation = new CancellationTokenSource();
        var progress = new ProgressCallback<TrainingProgress>(_ => cancellation.Cancel());
        using (var stopped = ExperimentRunner.Run(config, new RunSettings(directory, Fast: true, Seed: 1), progress, cancellation.Token))
            Assert.Equal(ExitReason.Cancelled, stopped.Result.ExitReason);
        Assert.False(ExperimentRunner.IsFinished(directory));
        return directory;
    }
}
