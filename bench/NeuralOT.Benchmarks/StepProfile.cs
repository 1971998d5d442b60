using System.Diagnostics;
using NeuralOT.Distributions;
using NeuralOT.Experiments;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Benchmarks;

/// <summary>
/// Where one phase-1 iteration spends its time on a named experiment: drawing each side's samples, and one critic
/// and one map step's forward-backward-update (on fixed samples), each timed alone over many repetitions.
/// </summary>
internal static class StepProfile
{
    public static void Run(TextWriter output, string experiment, int batch, int width, int repetitions = 200)
    {
        torch.set_num_threads(1);
        var config = ExperimentCatalogue.Get(experiment);
        var (source, target) = config.CreateDistributions();
        var generator = new Generator(1);
        double Time(Action action)
        {
            for (var i = 0; i < 10; i++) { using var warm = NewDisposeScope(); action(); }
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < repetitions; i++) { using var scope = NewDisposeScope(); action(); }
            return watch.Elapsed.TotalMilliseconds / repetitions;
        }
        torch.manual_seed(0);
        var shape = new NetworkOptions(width, 3);
        var map = new MapNetwork(source.Dimension, shape);
        var critic = new CriticNetwork(source.Dimension, false, shape);
        var mapOptimizer = optim.Adam(map.parameters(), 1e-3);
        var criticOptimizer = optim.Adam(critic.parameters(), 1e-3);
        var x = source.Sample(batch, generator).to(float32).DetachFromDisposeScope();
        var y = target.Sample(batch, generator).to(float32).DetachFromDisposeScope();
        output.WriteLine($"{experiment}, batch {batch}, networks 3 x {width}: milliseconds per call");
        output.WriteLine($"  source sample   {Time(() => source.Sample(batch, generator)),8:F3}");
        output.WriteLine($"  target sample   {Time(() => target.Sample(batch, generator)),8:F3}");
        output.WriteLine($"  critic step     {Time(() =>
        {
            criticOptimizer.zero_grad();
            Tensor moved;
            using (no_grad()) moved = x + map.forward(x);
            (critic.forward(moved).mean() - critic.forward(y).mean()).backward();
            criticOptimizer.step();
        }),8:F3}");
        output.WriteLine($"  map step        {Time(() =>
        {
            mapOptimizer.zero_grad();
            var displacement = map.forward(x);
            (displacement.square().sum(1).mean() / 2 - critic.forward(x + displacement).mean()).backward();
            mapOptimizer.step();
        }),8:F3}");
    }
}
