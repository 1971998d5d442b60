using NeuralOT.Experiments;
using NeuralOT.Tests.Cli;
using TorchSharp;

namespace NeuralOT.Tests.Documentation;

/// <summary>The transform example of README.md, kept word for word, on the fast gaussian-2d run.</summary>
[Collection(TrainingCollection.Name)]
public class ReadmeTransformExampleTests(FastGaussianRun fixture)
{
    [Fact]
    public void TheReadmeTransformExampleRuns()
    {
        using var folder = new TemporaryFolder();
        string run = fixture.Directory, points = folder.File("points.csv"), moved = folder.File("moved.csv");
        File.WriteAllText(points, "x,y\n0,0\n1,2\n");
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // --- README transform example starts ---
            long count = RunFolder.Transform(run, points, moved);                    // T(x) for every row, streamed, written atomically
            RunFolder.Transform(run, points, Console.Out, t: 0.5);                   // x + 0.5 (T(x) - x), to any TextWriter
            using var result = RunFolder.LoadMap(run, out var config);               // or load the map once and use tensors
            using var halfway = result.Interpolate(torch.tensor(new double[,] { { 0, 0 }, { 1, 2 } }), 0.5);
            // --- README transform example ends ---

            Assert.Equal(2, count);
            Assert.Equal("x,y", File.ReadAllLines(moved)[0]);
            var printed = output.ToString().Split('\n')[1..3]
                .Select(line => line.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(halfway.data<double>().ToArray(), printed.SelectMany(v => v));
        }
        finally
        {
            Console.SetOut(console);
        }
    }

    [Fact]
    public void TheReadmeTransformExampleIsTheOneInTheReadme() =>
        Assert.Equal(4, ReadmeExampleTests.AssertInReadme("ReadmeTransformExampleTests.cs", "README transform example", 12).Length);
}
