using System.Text.Json;

namespace NeuralOT.Tests.Reference;

/// <summary>One Gaussian pair of Fixtures/gaussian_transport.json with POT's map (row convention x A + b) and W2.</summary>
public sealed record GaussianPairFixture(
    string Name, double[] Mean0, double[,] Cov0, double[] Mean1, double[,] Cov1, double[,] MapMatrix, double[] MapOffset, double W2)
{
    public override string ToString() => Name;
}

/// <summary>Loads the POT-generated fixture (see Fixtures/make_gaussian_fixtures.py).</summary>
internal static class GaussianFixtures
{
    private static readonly Lazy<IReadOnlyList<GaussianPairFixture>> Pairs = new(Load);

    public static IReadOnlyList<GaussianPairFixture> All => Pairs.Value;

    public static GaussianPairFixture Named(string name) => All.Single(p => p.Name == name);

    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var pair in All) names.Add(pair.Name);
            return names;
        }
    }

    private static IReadOnlyList<GaussianPairFixture> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "gaussian_transport.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("pairs").EnumerateArray().Select(pair => new GaussianPairFixture(
            pair.GetProperty("name").GetString()!,
            Vector(pair.GetProperty("mean0")), Matrix(pair.GetProperty("cov0")),
            Vector(pair.GetProperty("mean1")), Matrix(pair.GetProperty("cov1")),
            Matrix(pair.GetProperty("map_matrix")), Vector(pair.GetProperty("map_offset")),
            pair.GetProperty("w2").GetDouble())).ToList();
    }

    private static double[] Vector(JsonElement element) => element.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static double[,] Matrix(JsonElement element)
    {
        var rows = element.EnumerateArray().Select(Vector).ToArray();
        var matrix = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
                matrix[i, j] = rows[i][j];
        return matrix;
    }
}
