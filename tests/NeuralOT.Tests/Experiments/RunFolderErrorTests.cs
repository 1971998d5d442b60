using NeuralOT.Experiments;

namespace NeuralOT.Tests.Experiments;

/// <summary>The library reports a run folder it cannot use as a <see cref="RunFolderException"/> in its own terms (no
/// command-line option in the message); the problem says which, so a front end can add its own fix.</summary>
[Collection(TrainingCollection.Name)]
public class RunFolderErrorTests
{
    [Fact]
    public void AFolderHoldingAnotherRunIsRefusedBeforeTrainingAndLeftAlone()
    {
        using var folder = new TemporaryFolder();
        StubRun.Write(folder.Path);
        var config = ExperimentCatalogue.Get("gaussian-2d");

        var error = Assert.Throws<RunFolderException>(() => ExperimentRunner.Run(config, new RunSettings(folder.Path, Fast: true)));

        Assert.Equal(RunFolderProblem.HoldsAnotherRun, error.Problem);
        Assert.Equal(folder.Path, error.Directory);
        Assert.Contains(nameof(RunSettings.Force), error.Fix);
        Assert.Equal($"{error.Description}; {error.Fix}.", error.Message);
        Assert.DoesNotContain("--", error.Message);
        Assert.True(StubRun.IsStub(folder.Path));
    }

    [Fact]
    public void SamplingChecksItsArgumentsAndNamesNoCommandLineOption()
    {
        using var folder = new TemporaryFolder();
        Assert.Throws<ArgumentOutOfRangeException>("t", () => RunFolder.Sample(folder.Path, 1.5, 10));
        Assert.Throws<ArgumentOutOfRangeException>("count", () => RunFolder.Sample(folder.Path, 0.5, 0));

        var error = Assert.Throws<RunFolderException>(() => RunFolder.Sample(folder.Path, 0.5, 10));
        Assert.Equal(RunFolderProblem.NotARunFolder, error.Problem);
        Assert.DoesNotContain("--", error.Message);
        Assert.DoesNotContain("neuralot", error.Fix);
    }
}
