using NeuralOT.Experiments;

namespace NeuralOT.Tests.Experiments;

[Collection(TrainingCollection.Name)]
public class RunOutcomeTests
{
    /// <summary>An outcome kept in a variable (as a notebook keeps it) holds its folder until it gives it up: then a
    /// second run into the same folder from the same process, as a re-run cell does, goes through.</summary>
    [Fact]
    public void ARunIntoAFolderAnUndisposedOutcomeReleasedSucceeds()
    {
        using var folder = new TemporaryFolder();
        var settings = new RunSettings(folder.File("run"), Fast: true, Iterations: 3, Force: true);
        var config = ExperimentCatalogue.Get("gaussian-2d") with { Velocity = null };
        using var first = ExperimentRunner.Run(config, settings);
        var refused = Assert.Throws<RunFolderException>(() => ExperimentRunner.Run(config, settings));
        Assert.Equal(RunFolderProblem.InUse, refused.Problem);
        Assert.Contains("in use", refused.Message);
        first.ReleaseFolder();
        using var second = ExperimentRunner.Run(config, settings);
        Assert.True(second.Finished);
    }
}
