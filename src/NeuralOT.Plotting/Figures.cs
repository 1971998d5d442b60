using System.Globalization;
using NeuralOT.Reference;
using NeuralOT.Solvers;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Plotting;

/// <summary>
/// The figures of a run as Plotly.NET charts: geodesic snapshots with a time slider, particle tracks, the map
/// as arrows, the velocity field, training curves and a side-by-side comparison of two geodesics. Every builder draws
/// its samples from <see cref="FigureOptions.Seed"/> and shows d &gt; 2 problems through
/// <see cref="FigureOptions.Projection"/>. Save them with <see cref="FigureFiles"/>; <see cref="RunFigures"/> writes
/// all of a run's figures.
/// </summary>
public static class Figures
{
    /// <summary>The times of the geodesic slider: 0, 0.1, ..., 1.</summary>
    public static IReadOnlyList<double> SnapshotTimes { get; } = Enumerable.Range(0, 11).Select(k => k / 10.0).ToArray();

    /// <summary>The times of <see cref="GeodesicPanels"/> when none are given.</summary>
    public static IReadOnlyList<double> PanelTimes { get; } = [0, 0.25, 0.5, 0.75, 1];

    private const int CloudWidth = 760, CloudHeight = 720;
    private const double MarkerSize = 4;

    /// <summary>Particles whose learned flow <see cref="Tracks"/> draws beside their straight paths.</summary>
    private const int FlowTracks = 40;

    /// <summary>The geodesic mu_t = (T_t)#mu0 at t = 0, 0.1, ..., 1 (<see cref="SnapshotTimes"/>) with a time slider,
    /// over target samples drawn faintly. The same source samples move through every step, on fixed axes.</summary>
    /// <param name="result">A trained (or untrained) phase-1 result.</param>
    /// <param name="options">Samples, seed and projection; defaults when null.</param>
    /// <param name="title">The figure title; a default names the distributions.</param>
    public static GenericChart Geodesic(TransportResult result, FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (o, projection) = Resolve(options, result);
        var (target, snapshots, bounds) = Snapshots(result, o, projection, SnapshotTimes);

        var figure = new FigureBuilder(title ?? $"{Heading(o)}Geodesic {Describe(result)}{ProjectionNote(projection)}", CloudWidth, CloudHeight + 60, FigureBuilder.LegendPlace.Right);
        figure.Panel(1, (0, 1), (0, 1), projection.XLabel, projection.YLabel, bounds, equalScale: true);
        figure.Add(Traces.Points(target.X, target.Y, Palette.Target, MarkerSize, Palette.Faint), "target samples");
        var groups = snapshots.Select(s => (IReadOnlyList<int>)[figure.Add(Traces.Points(s.X, s.Y, Palette.Geodesic, MarkerSize, 0.8), "geodesic μ_t")]).ToArray();
        figure.Slider("t = ", SnapshotTimes.Select(Label).ToArray(), groups);
        return figure.Build();
    }

    /// <summary>The geodesic at a few times side by side (static: the figure to print), over faint target samples.</summary>
    /// <param name="result">A phase-1 result.</param>
    /// <param name="times">Times in [0, 1]; <see cref="PanelTimes"/> when null.</param>
    /// <param name="options">Samples, seed and projection.</param>
    /// <param name="title">The figure title.</param>
    public static GenericChart GeodesicPanels(TransportResult result, IReadOnlyList<double>? times = null, FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (o, projection) = Resolve(options, result);
        times ??= PanelTimes;
        CheckTimes(times, nameof(times));
        var (target, snapshots, bounds) = Snapshots(result, o, projection, times);

        var panelSize = 260;
        var figure = new FigureBuilder(title ?? $"{Heading(o)}Geodesic {Describe(result)}{ProjectionNote(projection)}", 90 + panelSize * times.Count, panelSize + 230, FigureBuilder.LegendPlace.Below);
        for (var k = 0; k < times.Count; k++)
        {
            var panel = k + 1;
            figure.Panel(panel, Column(k, times.Count), (0, 1), projection.XLabel, k == 0 ? projection.YLabel : "", bounds, equalScale: true,
                title: "t = " + Label(times[k]));
            figure.Add(Traces.Points(target.X, target.Y, Palette.Target, 3, Palette.Faint), "target samples", panel);
            figure.Add(Traces.Points(snapshots[k].X, snapshots[k].Y, Palette.Geodesic, 3, 0.8), "geodesic μ_t", panel);
        }
        return figure.Build();
    }

    /// <summary>Particle tracks: straight paths x -> T(x) of <see cref="FigureOptions.Tracks"/> source particles, from
    /// their start (source colour) to their end (transported colour), over faint target samples. With a velocity field,
    /// the paths its flow integrates from the first 40 starts are drawn beside them (dotted): the two should end together.</summary>
    /// <param name="result">A phase-1 result.</param>
    /// <param name="flow">A phase-2 field whose flow to draw, or null.</param>
    /// <param name="options">Tracks, seed and projection.</param>
    /// <param name="title">The figure title.</param>
    public static GenericChart Tracks(TransportResult result, VelocityResult? flow = null, FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (o, projection) = Resolve(options, result);
        if (flow is not null && flow.Dimension != result.Dimension)
            throw new ArgumentException($"flow has dimension {flow.Dimension} but the result has dimension {result.Dimension}; pass the field trained on this result.", nameof(flow));
        using var scope = NewDisposeScope();
        var generator = new Generator(o.Seed);
        var start = result.Source.Sample(o.Tracks, generator);
        var target = projection.Apply(result.Target.Sample(o.Samples, generator));
        var from = projection.Apply(start);
        var to = projection.Apply(result.Transport(start));
        var clouds = new List<(double[] X, double[] Y)> { target, from, to };

        var figure = new FigureBuilder(title ?? $"{Heading(o)}Particle tracks {Describe(result)}{ProjectionNote(projection)}", CloudWidth, CloudHeight, FigureBuilder.LegendPlace.Right);
        figure.Add(Traces.Points(target.X, target.Y, Palette.Target, MarkerSize, Palette.Faint), "target samples");
        var straight = Enumerable.Range(0, o.Tracks).Select(i => (new[] { from.X[i], to.X[i] }, new[] { from.Y[i], to.Y[i] })).ToArray();
        figure.Add(Traces.Paths(straight, Palette.Geodesic, 1, 0.45), "path x → T(x)");
        if (flow is not null)
        {
            // A subset: on top of every straight path the flow lines would hide them.
            var count = Math.Min(o.Tracks, FlowTracks);
            var trajectories = flow.Trajectories(start.narrow(0, 0, count));
            var paths = Enumerable.Range(0, count).Select(i => projection.Apply(trajectories[TensorIndex.Colon, i])).ToArray();
            clouds.AddRange(paths);
            figure.Add(Traces.Paths(paths, Palette.Learned, 1.5, 0.9, "dot"), $"flow of learned v ({count} particles)");
        }
        figure.Add(Traces.Points(from.X, from.Y, Palette.Source, 5), "start x ~ μ0");
        figure.Add(Traces.Points(to.X, to.Y, Palette.Transported, 5), "end T(x)");
        figure.Panel(1, (0, 1), (0, 1), projection.XLabel, projection.YLabel, Bounds.Of(clouds), equalScale: true);
        return figure.Build();
    }

    /// <summary>The map as arrows x -> T(x) at <see cref="FigureOptions.Arrows"/> source points, drawn to scale, with
    /// source and target samples faintly behind.</summary>
    /// <param name="result">A phase-1 result.</param>
    /// <param name="options">Arrows, seed and projection.</param>
    /// <param name="title">The figure title.</param>
    public static GenericChart Map(TransportResult result, FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (o, projection) = Resolve(options, result);
        using var scope = NewDisposeScope();
        var generator = new Generator(o.Seed);
        var points = result.Source.Sample(o.Arrows, generator);
        var source = projection.Apply(result.Source.Sample(o.Samples, generator));
        var target = projection.Apply(result.Target.Sample(o.Samples, generator));
        var from = projection.Apply(points);
        var to = projection.Apply(result.Transport(points));
        var bounds = Bounds.Of([source, target, from, to]);

        var figure = new FigureBuilder(title ?? $"{Heading(o)}Map T(x) = x + F(x) {Describe(result)}{ProjectionNote(projection)}", CloudWidth, CloudHeight, FigureBuilder.LegendPlace.Right);
        figure.Panel(1, (0, 1), (0, 1), projection.XLabel, projection.YLabel, bounds, equalScale: true);
        figure.Add(Traces.Points(source.X, source.Y, Palette.Source, MarkerSize, Palette.Faint), "source samples");
        figure.Add(Traces.Points(target.X, target.Y, Palette.Target, MarkerSize, Palette.Faint), "target samples");
        figure.Add(Traces.Arrows(from.X, from.Y, to.X, to.Y, HeadSize(bounds), Palette.Transported), "x → T(x)");
        figure.Add(Traces.Points(from.X, from.Y, Palette.Source, 4), "x ~ μ0");
        return figure.Build();
    }

    /// <summary>
    /// The velocity field v(x, t) as arrows, one panel per time of <see cref="FigureOptions.VelocityTimes"/>, the learned
    /// field in the top row and, when an analytic field exists, the closed form below it on the same points and scale.
    /// In 2-D the arrows stand on a grid, kept where the geodesic has mass at that time; in higher dimensions they stand
    /// on samples of mu_t and show the projected velocity. Samples of mu_t are drawn faintly behind.
    /// </summary>
    /// <param name="velocity">The phase-2 field.</param>
    /// <param name="map">The phase-1 result whose geodesic mu_t places the arrows.</param>
    /// <param name="analytic">The closed form to draw beside; null uses <see cref="AnalyticReference"/> of the map
    /// (a Gaussian pair under the quadratic cost), and no second row when there is none.</param>
    /// <param name="options">Times, grid, seed and projection.</param>
    /// <param name="title">The figure title.</param>
    public static GenericChart Velocity(VelocityResult velocity, TransportResult map, GaussianTransport? analytic = null, FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(velocity);
        ArgumentNullException.ThrowIfNull(map);
        if (velocity.Dimension != map.Dimension)
            throw new ArgumentException($"velocity has dimension {velocity.Dimension} but map has dimension {map.Dimension}; pass the field trained on this map.", nameof(velocity));
        var (o, projection) = Resolve(options, map);
        analytic ??= AnalyticReference(map);
        var times = o.VelocityTimes;
        using var scope = NewDisposeScope();
        var generator = new Generator(o.Seed);
        var source = map.Source.Sample(o.Samples, generator);
        var geodesic = times.Select(t => map.Interpolate(source, t)).ToArray();
        var clouds = geodesic.Select(projection.Apply).ToArray();
        var bounds = Bounds.Of(clouds);
        var spacing = Math.Max(bounds.Width, bounds.Height) / (o.GridSize - 1);

        // Where the arrows stand at each time: grid nodes near the samples of mu_t in 2-D, samples of mu_t otherwise.
        var anchors = geodesic.Select((points, k) => map.Dimension == 2
            ? Lift(projection, GridNear(clouds[k], bounds, o.GridSize, spacing))
            : points.narrow(0, 0, Math.Min(o.Arrows, o.Samples))).ToArray();
        var rows = new List<(string Name, string Color, Func<Tensor, double, Tensor> Field)> { ("learned v(x, t)", Palette.Learned, velocity.Velocity) };
        if (analytic is not null) rows.Add(("analytic v*(x, t)", Palette.Analytic, analytic.Velocity));
        var arrows = rows.Select(row => anchors.Select((a, k) => projection.ApplyToVectors(row.Field(a, times[k]))).ToArray()).ToArray();
        var longest = arrows.SelectMany(r => r).SelectMany(v => v.X.Zip(v.Y, (x, y) => Math.Sqrt(x * x + y * y))).DefaultIfEmpty(0).Max();
        // One scale for every panel, so arrows compare across times and between learned and analytic.
        var scale = longest > 0 ? 0.9 * spacing / longest : 1;

        var tips = rows.Select((_, r) => anchors.Select((a, k) => Tips(projection.Apply(a), arrows[r][k], scale))).SelectMany(t => t);
        var withTips = Bounds.Of(clouds.Concat(anchors.Select(projection.Apply)).Concat(tips), 0.02);

        var panelSize = 300;
        var figure = new FigureBuilder(
            title ?? $"{Heading(o)}Velocity field {Describe(map)}{ProjectionNote(projection)}<br><sub>arrow length = {scale.ToString("G2", CultureInfo.InvariantCulture)} × |v|{(map.Dimension > 2 ? " (projected)" : "")}</sub>",
            90 + panelSize * times.Count, 230 + panelSize * rows.Count, FigureBuilder.LegendPlace.Below);
        for (var r = 0; r < rows.Count; r++)
            for (var k = 0; k < times.Count; k++)
            {
                var panel = r * times.Count + k + 1;
                var yDomain = Row(r, rows.Count);
                figure.Panel(panel, Column(k, times.Count), yDomain, projection.XLabel, k == 0 ? projection.YLabel : "", withTips, equalScale: true,
                    title: $"{(rows.Count > 1 ? (r == 0 ? "learned, " : "analytic, ") : "")}t = {Label(times[k])}");
                figure.Add(Traces.Points(clouds[k].X, clouds[k].Y, Palette.Geodesic, 3, Palette.Faint), "samples of μ_t", panel);
                var (ax, ay) = projection.Apply(anchors[k]);
                var (tipX, tipY) = Tips((ax, ay), arrows[r][k], scale);
                figure.Add(Traces.Arrows(ax, ay, tipX, tipY, 0.35 * spacing, rows[r].Color), rows[r].Name, panel);
            }
        return figure.Build();
    }

    /// <summary>Training curves: both players' objectives, W_hat (forward and, when trained bidirectionally, reverse),
    /// the cycle error of bidirectional training and the phase-2 loss, one panel each, against the iteration. Long
    /// noisy curves are drawn faint with their moving average on top; the optimal cost, when known, is a dotted line
    /// that the objectives and W_hat should approach.</summary>
    /// <param name="history">The phase-1 history.</param>
    /// <param name="velocityHistory">The phase-2 history, or null.</param>
    /// <param name="title">The figure title.</param>
    /// <param name="preconditioned">The run used affine preconditioning (<see cref="TransportResult.Preconditioner"/>):
    /// training then solves the residual problem from P(x), so the curves are that problem's and W_hat is the mean cost
    /// from P(x) to T(x), not from x (metrics.json's <c>w_hat</c> is from x).</param>
    /// <param name="optimalCost">The problem's optimal cost (W2²/2 for the quadratic cost), drawn as a line on the
    /// objective and W_hat panels; null when unknown, and ignored for a preconditioned run, whose curves are the
    /// residual problem's.</param>
    public static GenericChart Training(TrainingHistory history, VelocityHistory? velocityHistory = null, string? title = null, bool preconditioned = false,
        double? optimalCost = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        var entries = history.Entries;
        var iterations = entries.Select(e => (double?)e.Iteration).ToArray();
        var bidirectional = entries.Any(e => e.WHatReverse is not null);
        var optimal = preconditioned ? null : optimalCost;
        void OptimalLine(FigureBuilder f, int p)
        {
            if (optimal is not { } value || iterations.Length == 0) return;
            f.Add(Traces.Line([iterations[0], iterations[^1]], [value, value], Palette.Analytic, 1.5, dash: "dot"), "optimal cost", p);
        }
        var panels = new List<(string Title, string YTitle, bool Log, Action<FigureBuilder, int> Draw)>
        {
            ("Saddle objective S (critic ascends, map descends)", "S", false, (f, p) =>
            {
                Curve(f, p, iterations, entries.Select(e => (double?)e.CriticObjective).ToArray(), Palette.Critic, 1.5, "critic objective");
                Curve(f, p, iterations, entries.Select(e => (double?)e.MapObjective).ToArray(), Palette.Transported, 1.5, "map objective");
                OptimalLine(f, p);
            }),
            (preconditioned ? "Mean cost from the affine start, E L(T(x) − P(x)) (residual problem)"
                : bidirectional ? "Mean transport cost W_hat, both directions" : "Mean transport cost W_hat = E L(F(x))", "W_hat", false, (f, p) =>
            {
                Curve(f, p, iterations, entries.Select(e => (double?)e.WHat).ToArray(), Palette.Geodesic, 2, bidirectional ? "W_hat_ab (μ0 → μ1)" : "W_hat");
                if (bidirectional)
                    Curve(f, p, iterations, entries.Select(e => e.WHatReverse).ToArray(), Palette.Source, 2, "W_hat_ba (μ1 → μ0)", dash: "dash");
                OptimalLine(f, p);
            }),
        };
        if (bidirectional)
            panels.Add(("Cycle error (bidirectional)", "cycle error", true, (f, p) =>
                Curve(f, p, iterations, entries.Select(e => e.CycleError).ToArray(), Palette.Analytic, 1.5, "cycle error")));
        if (velocityHistory is not null)
            panels.Add(("Velocity phase: E|v(x_t, t) − u|²", "loss", true, (f, p) =>
                Curve(f, p, velocityHistory.Entries.Select(e => (double?)e.Iteration).ToArray(),
                    velocityHistory.Entries.Select(e => (double?)e.Loss).ToArray(), Palette.Learned, 1.5, "velocity loss")));

        var figure = new FigureBuilder(title ?? "Training", 720, 140 + 300 * panels.Count, FigureBuilder.LegendPlace.RightOfEachPanel);
        for (var k = 0; k < panels.Count; k++)
        {
            var (panelTitle, yTitle, log, draw) = panels[k];
            figure.Panel(k + 1, (0, 1), Row(k, panels.Count), velocityHistory is not null && k == panels.Count - 1 ? "velocity iteration" : "iteration",
                yTitle, logY: log, title: panelTitle);
            draw(figure, k + 1);
        }
        return figure.Build();
    }

    /// <summary>Curves with at least this many points are drawn faint with their moving average on top.</summary>
    public const int SmoothingMinimumPoints = 40;

    /// <summary>One training curve: as it is when short; when long, its centred moving average (a window of about a
    /// twenty-fifth of the curve) and the raw values faint, under one legend entry.</summary>
    private static void Curve(FigureBuilder figure, int panel, double?[] x, double?[] y, string color, double width, string name, string dash = "solid")
    {
        if (y.Length < SmoothingMinimumPoints)
        {
            figure.Add(Traces.Line(x, y, color, width, dash: dash), name, panel);
            return;
        }
        // The average first, so that the legend shows its line; the faint raw values are drawn over it.
        figure.Add(Traces.Line(x, MovingAverage(y, Math.Max(3, y.Length / 25) | 1), color, width, dash: dash), name, panel);
        figure.Add(Traces.Line(x, y, color, 1, opacity: 0.25, dash: dash), name, panel);
    }

    /// <summary>The centred moving average over an odd <paramref name="window"/> (shorter at the ends), skipping
    /// missing and non-finite values; missing where the window holds none.</summary>
    public static double?[] MovingAverage(IReadOnlyList<double?> values, int window)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (window < 1 || window % 2 == 0) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be a positive odd number of points.");
        var half = window / 2;
        var averaged = new double?[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            double sum = 0;
            var count = 0;
            for (var j = Math.Max(0, i - half); j <= Math.Min(values.Count - 1, i + half); j++)
                if (values[j] is { } value && double.IsFinite(value)) { sum += value; count++; }
            averaged[i] = count > 0 ? sum / count : null;
        }
        return averaged;
    }

    /// <summary>Two geodesics of the same source side by side with one time slider (t = 0, 0.1, ..., 1, opening at
    /// t = 0.5): the same source samples move under each map, over the faint samples of each target. For example the power-cost result
    /// beside a quadratic-cost run on the same pair.</summary>
    /// <param name="first">The left result.</param>
    /// <param name="firstLabel">Its panel title, such as "power cost p = 1.5".</param>
    /// <param name="second">The right result, of the same dimension.</param>
    /// <param name="secondLabel">Its panel title.</param>
    /// <param name="options">Samples, seed and projection (the projection of the first result by default).</param>
    /// <param name="title">The figure title.</param>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static GenericChart CompareGeodesics(TransportResult first, string firstLabel, TransportResult second, string secondLabel,
        FigureOptions? options = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
            throw new ArgumentException($"second has dimension {second.Dimension} but first has dimension {first.Dimension}; compare results of the same problem.", nameof(second));
        var (o, projection) = Resolve(options, first);
        using var scope = NewDisposeScope();
        var generator = new Generator(o.Seed);
        var source = first.Source.Sample(o.Samples, generator);
        var results = new[] { (Result: first, Label: firstLabel), (Result: second, Label: secondLabel) };
        var targets = results.Select(r => projection.Apply(r.Result.Target.Sample(o.Samples, generator))).ToArray();
        var snapshots = results.Select(r => SnapshotTimes.Select(t => projection.Apply(r.Result.Interpolate(source, t))).ToArray()).ToArray();
        var bounds = Bounds.Of(snapshots.SelectMany(s => s).Concat(targets));

        var figure = new FigureBuilder(title ?? $"{Heading(o)}Two geodesics from {first.Source.Description}{ProjectionNote(projection)}", 1000, 640, FigureBuilder.LegendPlace.Right);
        var groups = SnapshotTimes.Select(_ => new List<int>()).ToArray();
        for (var r = 0; r < results.Length; r++)
        {
            var panel = r + 1;
            figure.Panel(panel, Column(r, 2), (0, 1), projection.XLabel, r == 0 ? projection.YLabel : "", bounds, equalScale: true, title: results[r].Label);
            figure.Add(Traces.Points(targets[r].X, targets[r].Y, Palette.Target, MarkerSize, Palette.Faint), "target samples", panel);
            for (var k = 0; k < SnapshotTimes.Count; k++)
                groups[k].Add(figure.Add(Traces.Points(snapshots[r][k].X, snapshots[r][k].Y, Palette.Geodesic, MarkerSize, 0.8), "geodesic μ_t", panel));
        }
        // Both start from the same samples, so the comparison opens half way, where the geodesics differ.
        figure.Slider("t = ", SnapshotTimes.Select(Label).ToArray(), groups, active: SnapshotTimes.Count / 2);
        return figure.Build();
    }

    /// <summary>The closed-form velocity field and optimal cost of the result's problem when it has them: its
    /// <see cref="TransportProblem.ClosedForm"/> when that is a <see cref="GaussianTransport"/> (two Gaussians under the
    /// quadratic cost). Null otherwise.</summary>
    public static GaussianTransport? AnalyticReference(TransportResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Problem.ClosedForm as GaussianTransport;
    }

    /// <summary>Projected target samples and the same source samples moved to each time, with bounds holding them all.</summary>
    private static ((double[] X, double[] Y) Target, (double[] X, double[] Y)[] Snapshots, Bounds Bounds) Snapshots(
        TransportResult result, FigureOptions options, Projection projection, IReadOnlyList<double> times)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(options.Seed);
        var source = result.Source.Sample(options.Samples, generator);
        var target = projection.Apply(result.Target.Sample(options.Samples, generator));
        var snapshots = times.Select(t => projection.Apply(result.Interpolate(source, t))).ToArray();
        return (target, snapshots, Bounds.Of(snapshots.Append(target)));
    }

    /// <summary>Checked options and the projection to draw with: the given one, or the result's default.</summary>
    private static (FigureOptions Options, Projection Projection) Resolve(FigureOptions? options, TransportResult result)
    {
        options ??= new FigureOptions();
        options.Validate();
        if (options.Projection is { } projection && projection.Dimension != result.Dimension)
            throw new ArgumentException($"The projection takes points of dimension {projection.Dimension} but the result has dimension {result.Dimension}; build it for this problem.", nameof(options));
        return (options, options.Projection ?? Projection.Default(result));
    }

    private static void CheckTimes(IReadOnlyList<double> times, string name)
    {
        if (times.Count == 0 || times.Any(t => !(t >= 0 && t <= 1)))
            throw new ArgumentOutOfRangeException(name, $"{name} must hold at least one time, each in [0, 1].");
    }

    private static string Heading(FigureOptions options) => options.Experiment is { Length: > 0 } name ? name + ": " : "";

    private static string Describe(TransportResult result) =>
        $"<br><sub>{result.Source.Description} → {result.Target.Description}, {result.Cost.Name} cost</sub>";

    private static string ProjectionNote(Projection projection) =>
        projection.Description.Length == 0 ? "" : $"<br><sub>view: {projection.Description}</sub>";

    private static string Label(double t) => t.ToString("0.0#", CultureInfo.InvariantCulture);

    /// <summary>The horizontal extent of column k of n, with a gap between columns.</summary>
    private static (double, double) Column(int k, int n)
    {
        const double gap = 0.04;
        var width = (1 - gap * (n - 1)) / n;
        return (k * (width + gap), k * (width + gap) + width);
    }

    /// <summary>The vertical extent of row k of n counted from the top, with room for a panel title between rows.</summary>
    private static (double, double) Row(int k, int n)
    {
        // Tick labels, the axis title and the next panel's title must fit even when a page shrinks the figure to a
        // short window (ChartMarkup keeps at least three quarters of the designed height).
        var gap = n > 1 ? 0.4 / n : 0;
        var height = (1 - gap * (n - 1)) / n;
        var top = 1 - k * (height + gap);
        return (top - height, top);
    }

    /// <summary>Arrow heads of the map figure: 2.5 % of the view.</summary>
    private static double HeadSize(Bounds bounds) => 0.025 * Math.Max(bounds.Width, bounds.Height);

    /// <summary>Nodes of a size x size grid over the bounds that lie within one spacing of some sample.</summary>
    private static (double[] X, double[] Y) GridNear((double[] X, double[] Y) cloud, Bounds bounds, int size, double spacing)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < size; i++)
            for (var j = 0; j < size; j++)
            {
                var x = bounds.XMin + bounds.Width * i / (size - 1);
                var y = bounds.YMin + bounds.Height * j / (size - 1);
                var near = false;
                for (var s = 0; s < cloud.X.Length && !near; s++)
                {
                    double dx = cloud.X[s] - x, dy = cloud.Y[s] - y;
                    near = dx * dx + dy * dy <= spacing * spacing;
                }
                if (!near) continue;
                xs.Add(x);
                ys.Add(y);
            }
        return (xs.ToArray(), ys.ToArray());
    }

    private static (double[] X, double[] Y) Tips((double[] X, double[] Y) anchors, (double[] X, double[] Y) vectors, double scale) =>
        (anchors.X.Select((x, i) => x + scale * vectors.X[i]).ToArray(), anchors.Y.Select((y, i) => y + scale * vectors.Y[i]).ToArray());

    private static Tensor Lift(Projection projection, (double[] X, double[] Y) grid) => projection.Lift(grid.X, grid.Y);
}
