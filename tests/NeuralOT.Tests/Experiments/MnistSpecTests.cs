using NeuralOT.Distributions;
using NeuralOT.Experiments;

namespace NeuralOT.Tests.Experiments;

public class MnistSpecTests
{
    [Fact]
    public void AnMnistSourceReadsWithDefaultsAndWritesTheSameSchemaBack()
    {
        var config = ExperimentConfig.Parse("""
            { "source": { "type": "mnist", "digit": 4 },
              "target": { "type": "mnist", "digit": 8, "split": "test", "noise": 0.02, "path": "digits.bin.gz" },
              "cost": { "type": "quadratic" } }
            """);
        Assert.Equal(new MnistSpec(4), config.Source);
        Assert.Equal(new MnistSpec(8, MnistSplit.Test, 0.02, "digits.bin.gz"), config.Target);
        Assert.Equal(config.ToJson(), ExperimentConfig.Parse(config.ToJson()).ToJson());
        var distribution = config.Source.Create();
        Assert.Equal(784, distribution.Dimension);
        Assert.Contains("digit 4", distribution.Description);
    }

    [Fact]
    public void ARelativeDataPathResolvesAgainstTheConfigFolder()
    {
        var spec = new MnistSpec(3, Path: "data/x-images-idx3-ubyte");
        var resolved = (MnistSpec)spec.WithPathsRelativeTo("/some/folder");
        Assert.Equal(Path.GetFullPath("/some/folder/data/x-images-idx3-ubyte"), resolved.Path);
        var bundled = new MnistSpec(3);
        Assert.Equal(bundled, bundled.WithPathsRelativeTo("/some/folder"));
    }

    /// <summary>Fast mode stops digit pairs sooner than low-dimensional problems (each of their iterations costs about
    /// twenty times more); an explicit --iterations still wins.</summary>
    [Fact]
    public void FastModeCapsDigitPairsAtTheirOwnSmallerBudget()
    {
        var fast = new RunSettings("unused", Fast: true);
        Assert.Equal(ExperimentRunner.FastDigitIterations, ExperimentRunner.Apply(ExperimentCatalogue.Get("mnist-6-9"), fast).Solver.Iterations);
        Assert.Equal(ExperimentRunner.FastIterations, ExperimentRunner.Apply(ExperimentCatalogue.Get("mixture-2d"), fast).Solver.Iterations);
        Assert.Equal(7, ExperimentRunner.Apply(ExperimentCatalogue.Get("mnist-6-9"), fast with { Iterations = 7 }).Solver.Iterations);
        Assert.Equal(ExperimentCatalogue.DigitIterations, ExperimentRunner.Apply(ExperimentCatalogue.Get("mnist-0-1"), new RunSettings("unused")).Solver.Iterations);
    }
}
