using NeuralOT.Experiments;

namespace NeuralOT.Tests.Documentation;

/// <summary>The configs under docs/examples, which the docs tell users to run, stay valid as the config format moves.</summary>
public class ExampleConfigTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(ReadmeExampleTests.RepositoryRoot(), "docs", "examples"), "*.json").Order())
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void EachExampleLoadsUnderItsFileNameAndRoundTrips(string file)
    {
        var path = Path.Combine(ReadmeExampleTests.RepositoryRoot(), "docs", "examples", file);
        var config = ExperimentConfig.Load(path);

        // `neuralot run` writes to runs/<name>, which the docs give as the file's name.
        Assert.Equal(Path.GetFileNameWithoutExtension(file), config.Name);
        var written = config.ToJson();
        Assert.Equal(written, ExperimentConfig.Parse(written).ToJson());
    }
}
