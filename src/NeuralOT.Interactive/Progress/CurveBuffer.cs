namespace NeuralOT.Interactive.Progress;

/// <summary>
/// The recent points of one live curve, thinned to at most <see cref="Capacity"/> points: when full, every second
/// point is dropped, so the whole run stays visible at a coarser resolution and memory stays bounded.
/// </summary>
internal sealed class CurveBuffer(string name)
{
    public const int Capacity = 256;
    private readonly List<(int Iteration, double Value)> points = [];
    private int stride = 1;
    private int seen;

    public void Add(int iteration, double value)
    {
        if (seen++ % stride != 0) return;
        points.Add((iteration, value));
        if (points.Count < Capacity) return;
        for (var i = points.Count - 1; i > 0; i -= 2) points.RemoveAt(i - 1);
        stride *= 2;
    }

    public StatusCurve Snapshot() => new(name, points.ToArray());
}
