using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using TorchSharp;

namespace NeuralOT.Tests.Documentation;

/// <summary>The library example of README.md, kept word for word, so the documentation cannot rot.</summary>
[Collection(TrainingCollection.Name)]
public class ReadmeExampleTests
{
    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void TheReadmeLibraryExampleRunsAndIsAccurate()
    {
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            // --- README example starts ---
            var source = GaussianDistribution.StandardNormal(2);
            var target = new GaussianDistribution([3, 3], new double[,] { { 1, 0.5 }, { 0.5, 0.5 } });

            using var result = MinimaxSolver.Solve(source, target, QuadraticCost.Instance,
                new SolverOptions { Iterations = 1000, Seed = 1 });

            var generator = new torch.Generator(42);
            var halfway = result.SampleGeodesic(0.5, 1000, generator);            // samples of μ_0.5
            var w2 = Math.Sqrt(2 * result.EstimateOptimalCost(1_000_000, generator));
            var exact = new GaussianTransport(source, target).W2;                   // closed form, for comparison
            Console.WriteLine($"W2 {w2:F4} (exact {exact:F4}); stopped because {result.ExitMessage}");
            // --- README example ends ---

            Assert.Equal(new long[] { 1000, 2 }, halfway.shape);
            Assert.True(Math.Abs(w2 - exact) / exact < 0.01, $"W2 {w2} vs exact {exact}");
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.Contains("stopped because completed the budget of 1000 iterations", output.ToString());
    }

    [Fact]
    public void TheReadmeExampleIsTheOneInTheReadme() => AssertInReadme("ReadmeExampleTests.cs", "README example", 12);

    /// <summary>Asserts that every line between <c>// --- {marker} starts ---</c> and <c>// --- {marker} ends ---</c> in
    /// the test file (without its first <paramref name="indent"/> columns) stands in README.md, word for word.</summary>
    /// <returns>The example's lines.</returns>
    internal static string[] AssertInReadme(string testFile, string marker, int indent)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).ReplaceLineEndings("\n");
        var test = File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "NeuralOT.Apps.Tests", "Documentation", testFile)).ReplaceLineEndings("\n");
        var start = test.IndexOf($"// --- {marker} starts ---\n", StringComparison.Ordinal);
        var end = test.IndexOf(new string(' ', indent) + $"// --- {marker} ends ---", StringComparison.Ordinal);
        var lines = test[start..end].Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()).ToArray();
        Assert.NotEmpty(lines);
        foreach (var line in lines)
            Assert.Contains(line, readme);
        return lines;
    }

    internal static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "NeuralOT.Notebooks.sln")))
            folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("The repository root (NeuralOT.Notebooks.sln) was not found above the test folder.");
    }
}
