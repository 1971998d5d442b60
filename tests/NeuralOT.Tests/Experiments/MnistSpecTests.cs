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
}
