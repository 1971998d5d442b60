using NeuralOT.Distributions;
using NeuralOT.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>One direction of transport being trained: a map from <see cref="From"/> to <see cref="To"/>, its critic,
/// their optimisers and, with <see cref="SolverOptions.MapAveraging"/>, the running average of the map's weights.
/// Plain training has one direction; bidirectional training adds the reverse one.</summary>
internal sealed class TransportDirection(
    IDistribution from, IDistribution to, MapNetwork map, CriticNetwork critic, SolverOptions options, MapNetwork? averagedMap = null)
{
    public IDistribution From { get; } = from;

    public IDistribution To { get; } = to;

    public MapNetwork Map { get; } = map;

    public CriticNetwork Critic { get; } = critic;

    /// <summary>The running average of <see cref="Map"/>'s weights (its fixed buffers copied once); null when
    /// averaging is off.</summary>
    public MapNetwork? AveragedMap { get; } = averagedMap;

    /// <summary>The map a result holds: the average when there is one, else the trained map itself.</summary>
    public MapNetwork OutputMap => AveragedMap ?? Map;

    /// <summary>Every network of the given directions in one fixed order: each direction's map and critic, then the
    /// averaged maps. The held-out guard copies and restores them in this order and checkpoints store its copies in it.</summary>
    public static nn.Module[] Networks(IEnumerable<TransportDirection> directions)
    {
        var all = directions.ToArray();
        return all.SelectMany(d => new nn.Module[] { d.Map, d.Critic })
            .Concat(all.Where(d => d.AveragedMap is not null).Select(d => (nn.Module)d.AveragedMap!))
            .ToArray();
    }

    /// <summary>Folds the map's weights after 1-based iteration <paramref name="iteration"/> into the average: a
    /// plain mean of every iterate up to <paramref name="horizon"/> iterations, then an exponential moving average
    /// with weight 1 / horizon, so the average forgets the early, far-off weights. The weight depends on the
    /// iteration number only, so a resumed run averages exactly as an uninterrupted one.</summary>
    public void UpdateAverage(int iteration, int horizon)
    {
        if (AveragedMap is null) return;
        var weight = 1.0 / Math.Min(iteration, horizon);
        using Scalar keep = 1 - weight, take = weight;
        using var _ = no_grad();
        foreach (var (average, current) in AveragedMap.parameters().Zip(Map.parameters()))
            average.mul_(keep).add_(current, take);
    }

    public OptimizerHelper MapOptimizer { get; } = optim.Adam(map.parameters(), options.MapLearningRate, options.Beta1, options.Beta2);

    public OptimizerHelper CriticOptimizer { get; } = optim.Adam(critic.parameters(), options.CriticLearningRate, options.Beta1, options.Beta2);

    /// <summary>The target samples of this iteration's last critic step: the map steps report the saddle value with
    /// them instead of drawing target samples that their gradient does not use.</summary>
    private Tensor? criticTargets;

    /// <summary>Fresh samples from both ends (and times for the time-dependent critic) as float32 on <paramref name="device"/>.</summary>
    public MinibatchSamples Draw(int count, bool withTimes, Generator generator, Device device)
    {
        var x = From.Sample(count, generator).to(float32, device);
        var y = To.Sample(count, generator).to(float32, device);
        var t = withTimes ? rand(count, 1, generator: generator).to(device) : empty(0);
        criticTargets = y;
        return new MinibatchSamples(x, y, t);
    }

    /// <summary>Fresh source samples (and times) for a map step, with the last critic step's target samples beside
    /// them for reporting the saddle value. Target samples are drawn only when there are none from this iteration
    /// (a map step called alone): drawing them costs as much as the map step itself when mu1 is expensive to sample.</summary>
    public MinibatchSamples DrawForMap(int count, bool withTimes, Generator generator, Device device)
    {
        if (criticTargets is null || criticTargets.IsInvalid || criticTargets.shape[0] != count)
            return Draw(count, withTimes, generator, device);
        var x = From.Sample(count, generator).to(float32, device);
        var t = withTimes ? rand(count, 1, generator: generator).to(device) : empty(0);
        return new MinibatchSamples(x, criticTargets, t);
    }

    public void SetLearningRateFactor(double factor, SolverOptions options)
    {
        foreach (var group in MapOptimizer.ParamGroups) group.LearningRate = options.MapLearningRate * factor;
        foreach (var group in CriticOptimizer.ParamGroups) group.LearningRate = options.CriticLearningRate * factor;
    }
}
