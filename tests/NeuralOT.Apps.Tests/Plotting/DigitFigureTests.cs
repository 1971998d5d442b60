using System.Text.Json;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Plotting;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Plotting;

/// <summary>The image figures on 4 x 4 "images" (d = 16): every tile must show exactly the image it claims to.</summary>
[Collection(TrainingCollection.Name)]
public class DigitFigureTests
{
    private const int Side = 4, Gap = 2;

    private static TransportResult SmallImageProblem() =>
        MinimaxSolver.Solve(new GaussianDistribution(Enumerable.Repeat(0.3, Side * Side).ToArray(), Identity(0.04)),
            new GaussianDistribution(Enumerable.Repeat(0.6, Side * Side).ToArray(), Identity(0.02)), QuadraticCost.Instance,
            new SolverOptions { Iterations = 20, Seed = 3, MapNetwork = new Networks.NetworkOptions(32, 1), CriticNetwork = new Networks.NetworkOptions(32, 1) });

    private static double[,] Identity(double variance)
    {
        var matrix = new double[Side * Side, Side * Side];
        for (var i = 0; i < Side * Side; i++) matrix[i, i] = variance;
        return matrix;
    }

    /// <summary>The tile in row <paramref name="row"/> and column <paramref name="column"/> of the heatmap, row-major.</summary>
    private static double[] Tile(JsonElement heatmap, int row, int column)
    {
        var z = heatmap.GetProperty("z").EnumerateArray().Select(r => r.EnumerateArray().ToArray()).ToArray();
        var tile = new double[Side * Side];
        for (var r = 0; r < Side; r++)
            for (var c = 0; c < Side; c++)
                tile[r * Side + c] = z[row * (Side + Gap) + r][column * (Side + Gap) + c].GetDouble();
        return tile;
    }

    private static double[] Expected(Tensor image) =>
        image.clamp(0, 1).to_type(ScalarType.Float64).data<double>().Select(v => Math.Round(v, 3)).ToArray();

    [Fact]
    public void EachTileOfTheGeodesicGridIsThatImageAtThatTimeAndTheGapsAreBlank()
    {
        using var result = SmallImageProblem();
        using var scope = NewDisposeScope();
        var images = result.Source.Sample(3, new Generator(5)).to_type(ScalarType.Float32);
        double[] times = [0, 0.5, 1];
        using var figure = new FigureJson(DigitFigures.GeodesicGrid(result, images, times));
        var heatmap = figure.Traces.Single();
        Assert.Equal("heatmap", heatmap.GetProperty("type").GetString());

        for (var i = 0; i < 3; i++)
            for (var k = 0; k < times.Length; k++)
                Assert.Equal(Expected(result.Interpolate(images[i].unsqueeze(0), times[k])[0]), Tile(heatmap, i, k));
        Assert.Equal(Expected(images[1]), Tile(heatmap, 1, 0));
        Assert.Equal(Expected(result.Transport(images[2].unsqueeze(0))[0]), Tile(heatmap, 2, 2));
        var gapRow = heatmap.GetProperty("z")[Side].EnumerateArray();
        Assert.All(gapRow, v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
        Assert.Equal(new[] { "t = 0.0", "t = 0.5", "t = 1.0" },
            figure.Layout.GetProperty("xaxis").GetProperty("ticktext").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void TheNeighbourRowHoldsTheRealTargetImageNearestToEachTransportedImage()
    {
        using var result = SmallImageProblem();
        using var scope = NewDisposeScope();
        var images = result.Source.Sample(4, new Generator(5)).to_type(ScalarType.Float32);
        var targets = result.Target.Sample(50, new Generator(6)).to_type(ScalarType.Float32);
        using var figure = new FigureJson(DigitFigures.NearestTargets(result, images, targets));
        var heatmap = figure.Traces.Single();

        var transported = result.Transport(images);
        for (var i = 0; i < 4; i++)
        {
            var nearest = Enumerable.Range(0, 50).MinBy(j => (transported[i] - targets[j]).square().sum().item<double>());
            Assert.Equal(Expected(images[i]), Tile(heatmap, 0, i));
            Assert.Equal(Expected(transported[i]), Tile(heatmap, 1, i));
            Assert.Equal(Expected(targets[nearest]), Tile(heatmap, 2, i));
        }
    }

    [Fact]
    public void ImagesThatAreNotSquareOrDoNotFitTheResultAreRefusedByName()
    {
        using var scope = NewDisposeScope();
        using var notSquare = MinimaxSolver.Solve(GaussianDistribution.StandardNormal(3), GaussianDistribution.StandardNormal(3), QuadraticCost.Instance,
            new SolverOptions { Iterations = 1 });
        var error = Assert.Throws<ArgumentException>(() => DigitFigures.GeodesicGrid(notSquare, zeros(2, 3)));
        Assert.Equal("sourceImages", error.ParamName);
        Assert.Contains("not a square image", error.Message);

        using var result = SmallImageProblem();
        error = Assert.Throws<ArgumentException>(() => DigitFigures.NearestTargets(result, zeros(2, 16), zeros(5, 9)));
        Assert.Equal("targetImages", error.ParamName);
        Assert.Contains("n x 16", error.Message);
    }
}
