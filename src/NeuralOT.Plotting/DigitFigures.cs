using System.Globalization;
using NeuralOT.Experiments;
using NeuralOT.Solvers;
using Plotly.NET;
using static TorchSharp.torch;

namespace NeuralOT.Plotting;

/// <summary>
/// Figures for problems whose samples are square grayscale images, such as MNIST digits (784 = 28 x 28 pixels in
/// [0, 1]): the geodesic as a grid of images (one row per digit, one column per time) and transported digits beside
/// the real target digits nearest to them. Pixels are drawn clipped to [0, 1], light on dark as MNIST digits are
/// usually shown. Both figures are one heatmap of tiled images, which plotly.js draws quickly and any browser shows
/// offline.
/// </summary>
public static class DigitFigures
{
    /// <summary>Rows of <see cref="GeodesicGrid"/> and columns of <see cref="NearestTargets"/> when the caller passes
    /// more images: enough to judge, small enough to read.</summary>
    public const int DefaultDigits = 10;

    /// <summary>Screen pixels per image pixel.</summary>
    private const int Zoom = 3;

    /// <summary>Blank image pixels between tiles.</summary>
    private const int Gap = 2;

    /// <summary>The geodesic T_t(x) = x + t F(x) of each image x (a row) at t = 0, 0.1, ..., 1 (the columns): the
    /// first column is the source image, the last its image under the map.</summary>
    /// <param name="result">A result whose samples are square images.</param>
    /// <param name="sourceImages">Source images, one per row (n x d, d a square number); the first
    /// <see cref="DefaultDigits"/> are drawn.</param>
    /// <param name="times">Times in [0, 1]; <see cref="Figures.SnapshotTimes"/> when null.</param>
    /// <param name="title">The figure title; a default names the distributions.</param>
    /// <exception cref="ArgumentException">The images do not match the result's dimension or are not square.</exception>
    public static GenericChart GeodesicGrid(TransportResult result, Tensor sourceImages, IReadOnlyList<double>? times = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var side = CheckImages(sourceImages, result.Dimension, nameof(sourceImages));
        times ??= Figures.SnapshotTimes;
        if (times.Count == 0 || times.Any(t => !(t >= 0 && t <= 1)))
            throw new ArgumentException("times must hold at least one time, each in [0, 1].", nameof(times));
        using var scope = NewDisposeScope();
        var x = First(sourceImages);
        var rows = Enumerable.Range(0, (int)x.shape[0]).Select(_ => new Tensor[times.Count]).ToArray();
        for (var k = 0; k < times.Count; k++)
        {
            var images = result.Interpolate(x, times[k]);
            for (var i = 0; i < rows.Length; i++) rows[i][k] = images[i];
        }
        var columnLabels = times.Select(t => "t = " + t.ToString("0.0#", CultureInfo.InvariantCulture)).ToArray();
        var rowLabels = Enumerable.Range(1, rows.Length).Select(i => $"image {i}").ToArray();
        return Grid(rows, side, columnLabels, rowLabels,
            title ?? $"Geodesic x + t F(x) of {rows.Length} images<br><sub>{result.Source.Description} → {result.Target.Description}</sub>");
    }

    /// <summary>Each transported image T(x) (middle row) between its source image x (top) and the real target image
    /// nearest to T(x) in Euclidean distance (bottom): a map that produces real-looking target images finds close
    /// neighbours.</summary>
    /// <param name="result">A result whose samples are square images.</param>
    /// <param name="sourceImages">Source images (n x d); the first <see cref="DefaultDigits"/> are drawn.</param>
    /// <param name="targetImages">Real target images to search (m x d), such as the target digit's training images.</param>
    /// <param name="title">The figure title.</param>
    /// <exception cref="ArgumentException">The images do not match the result's dimension or are not square.</exception>
    public static GenericChart NearestTargets(TransportResult result, Tensor sourceImages, Tensor targetImages, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var side = CheckImages(sourceImages, result.Dimension, nameof(sourceImages));
        CheckImages(targetImages, result.Dimension, nameof(targetImages));
        using var scope = NewDisposeScope();
        var x = First(sourceImages);
        var transported = result.Transport(x);
        var targets = targetImages.to(transported.dtype);
        var (nearestDistance, nearest) = cdist(transported.unsqueeze(0), targets.unsqueeze(0)).squeeze(0).min(1);
        var neighbours = targets.index_select(0, nearest);
        var columns = (int)x.shape[0];
        var rows = new[] { x, transported, neighbours }
            .Select(images => Enumerable.Range(0, columns).Select(i => images[i]).ToArray()).ToArray();
        var columnLabels = Enumerable.Range(0, columns)
            .Select(i => "distance " + nearestDistance[i].item<double>().ToString("0.0", CultureInfo.InvariantCulture)).ToArray();
        return Grid(rows, side, columnLabels, ["source", "T(x)", "nearest"],
            title ?? $"T(x) beside the nearest of {targetImages.shape[0]} real target images<br><sub>{result.Source.Description} → {result.Target.Description}</sub>");
    }

    /// <summary>The side of the square images, after checking their shape.</summary>
    private static int CheckImages(Tensor images, long dimension, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.dim() != 2 || images.shape[1] != dimension || images.shape[0] < 1)
            throw new ArgumentException($"{name} must be a non-empty n x {dimension} tensor of images (one per row); got shape [{string.Join(", ", images.shape)}].", name);
        var side = (int)Math.Round(Math.Sqrt(dimension));
        if (side * side != dimension)
            throw new ArgumentException($"{name} has {dimension} values per sample, which is not a square image; these figures need d = side x side (784 for MNIST).", name);
        return side;
    }

    private static Tensor First(Tensor images) =>
        images.narrow(0, 0, Math.Min(images.shape[0], DefaultDigits)).to_type(ScalarType.Float32);

    /// <summary>One heatmap of the tiles (rows[i][k] is the tile in row i and column k), labelled below and left.</summary>
    private static GenericChart Grid(Tensor[][] rows, int side, IReadOnlyList<string> columnLabels, IReadOnlyList<string> rowLabels, string title)
    {
        var columnCount = rows[0].Length;
        var height = rows.Length * (side + Gap) - Gap;
        var width = columnCount * (side + Gap) - Gap;
        // Gaps stay null: plotly.js leaves them blank.
        var z = Enumerable.Range(0, height).Select(_ => new double?[width]).ToArray();
        for (var i = 0; i < rows.Length; i++)
            for (var k = 0; k < columnCount; k++)
            {
                var pixels = rows[i][k].clamp(0, 1).to_type(ScalarType.Float64).data<double>().ToArray();
                for (var r = 0; r < side; r++)
                    for (var c = 0; c < side; c++)
                        z[i * (side + Gap) + r][k * (side + Gap) + c] = Math.Round(pixels[r * side + c], 3);
            }
        var heatmap = new Trace2D("heatmap");
        heatmap.SetProperty("z", z);
        heatmap.SetProperty("colorscale", "Greys");
        heatmap.SetProperty("zmin", 0);
        heatmap.SetProperty("zmax", 1);
        heatmap.SetProperty("showscale", false);
        heatmap.SetProperty("hoverinfo", "skip");

        // Room for the margins of FigureBuilder (70 + 30 across; tool bar, title lines and 60 below), so the zoom is kept.
        var figure = new FigureBuilder(title, 100 + Zoom * width, 120 + 24 * title.Split("<br>").Length + Zoom * height, FigureBuilder.LegendPlace.None);
        figure.Add(heatmap, "images");
        var centres = (int count) => Enumerable.Range(0, count).Select(k => k * (side + Gap) + (side - 1) / 2.0).ToArray();
        figure.Set("xaxis", Axis(centres(columnCount), columnLabels, reversed: false, anchor: "y"));
        figure.Set("yaxis", Axis(centres(rows.Length), rowLabels, reversed: true, anchor: "x"));
        figure.Set("plot_bgcolor", "white");
        return figure.Build();
    }

    /// <summary>An axis with one label per tile, no grid and square pixels (the y axis runs down, as images do).</summary>
    private static Dictionary<string, object> Axis(double[] ticks, IReadOnlyList<string> labels, bool reversed, string anchor)
    {
        var axis = new Dictionary<string, object>
        {
            // Two spaces keep the row labels off the images.
            ["tickvals"] = ticks, ["ticktext"] = labels.Select(l => reversed ? l + "  " : l).ToArray(), ["showgrid"] = false, ["zeroline"] = false,
            ["showline"] = false, ["ticks"] = "", ["anchor"] = anchor, ["constrain"] = "domain",
        };
        if (reversed)
        {
            axis["autorange"] = "reversed";
            axis["scaleanchor"] = "x";
            axis["scaleratio"] = 1;
        }
        return axis;
    }
}

/// <summary>The images behind the image figures of a run (<see cref="DigitFigures"/>).</summary>
/// <param name="Source">Held-out source images, one per row (the first <see cref="DigitFigures.DefaultDigits"/> are drawn).</param>
/// <param name="Target">Real target images among which the nearest to each transported image is found.</param>
/// <param name="SourceLabel">What the source images show, for titles (such as "digit 4").</param>
/// <param name="TargetLabel">What the target images show.</param>
public sealed record ImageSamples(Tensor Source, Tensor Target, string SourceLabel, string TargetLabel) : IDisposable
{
    /// <summary>For a digit-to-digit config: the source digit's test images (never trained on) and the target digit's
    /// training images; null for other problems.</summary>
    public static ImageSamples? For(ExperimentConfig config) =>
        config.Source is MnistSpec source && config.Target is MnistSpec target
            ? new ImageSamples(source.Images(Distributions.MnistSplit.Test), target.Images(Distributions.MnistSplit.Train),
                $"digit {source.Digit}", $"digit {target.Digit}")
            : null;

    /// <inheritdoc />
    public void Dispose()
    {
        Source.Dispose();
        Target.Dispose();
    }
}
