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
    public static void Run(TextWriter output, string experiment, int batch, int width, int threads = 1, int repetitions = 200)
    {
        torch.set_num_threads(threads);
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
        output.WriteLine($"    zero_grad     {Time(() => mapOptimizer.zero_grad()),8:F3}");
        output.WriteLine($"    forward       {Time(() =>
        {
            var displacement = map.forward(x);
            _ = displacement.square().sum(1).mean() / 2 - critic.forward(x + displacement).mean();
        }),8:F3}");
        output.WriteLine($"    + backward    {Time(() =>
        {
            var displacement = map.forward(x);
            (displacement.square().sum(1).mean() / 2 - critic.forward(x + displacement).mean()).backward();
        }),8:F3}");
        output.WriteLine($"    adam step     {Time(() => mapOptimizer.step()),8:F3}");
        var hidden = randn(batch, width);
        var weight = randn(width, width);
        output.WriteLine($"  kernels on {batch} x {width}: matmul by {width} x {width} {Time(() => hidden.matmul(weight)),8:F3}, silu {Time(() => nn.functional.silu(hidden)),8:F3}, silu forward + backward {Time(() => nn.functional.silu(hidden.detach().requires_grad_(true)).backward([hidden])),8:F3}");
        var tiny = ones(1);
        output.WriteLine($"  call overhead: 100 additions of 1-element tensors {Time(() => { for (var i = 0; i < 100; i++) _ = tiny + tiny; }),8:F3}");
        // What the solver does (the critic's weights need no gradient in a map step), and what two threads did.
        foreach (var p in critic.parameters()) p.requires_grad = false;
        output.WriteLine($"  map step, critic frozen {Time(() =>
        {
            mapOptimizer.zero_grad();
            var displacement = map.forward(x);
            (displacement.square().sum(1).mean() / 2 - critic.forward(x + displacement).mean()).backward();
            mapOptimizer.step();
        }),8:F3}");
        var halves = x.chunk(2);
        void Half(Tensor h)
        {
            using var scope = NewDisposeScope();
            var displacement = map.forward(h);
            ((displacement.square().sum(1).mean() / 2 - critic.forward(h + displacement).mean()) * 0.5).backward();
        }
        output.WriteLine($"  map step, frozen, 2 shards on 2 threads {Time(() =>
        {
            mapOptimizer.zero_grad();
            var other = System.Threading.Tasks.Task.Run(() => { torch.set_num_threads(1); Half(halves[1]); });
            Half(halves[0]);
            other.Wait();
            mapOptimizer.step();
        }),8:F3}");
    
        foreach (var p in critic.parameters()) p.requires_grad = true;
        FusedSteps(output, source, target, x, y, batch, width, Time);
    }

    // The same steps on the fused kernels (the solver's default engine), for both forms.
    private static void FusedSteps(TextWriter output, IDistribution source, IDistribution target, Tensor x, Tensor y, int batch, int width, Func<Action, double> time)
    {
        var t = rand(batch, 1, generator: new Generator(2)).DetachFromDisposeScope();
        foreach (var form in new[] { CriticForm.Static, CriticForm.Time })
        {
            var options = new SolverOptions { Critic = form, MapNetwork = new NetworkOptions(width, 3), CriticNetwork = new NetworkOptions(width, 3) }.Resolve();
            torch.manual_seed(0);
            var direction = new TransportDirection(source, target, new MapNetwork(source.Dimension, options.MapNetwork),
                new CriticNetwork(source.Dimension, form == CriticForm.Time, options.CriticNetwork), options);
            var steps = FusedSaddleSteps.TryCreate(Costs.QuadraticCost.Instance, options, CPU, [direction])
                ?? throw new InvalidOperationException("The fused kernels do not cover this experiment.");
            var samples = new MinibatchSamples(x, y, t);
            output.WriteLine($"  fused kernels, {form.ToString().ToLowerInvariant()} form: critic step {time(() => steps.CriticStep(samples)),8:F3}, map step {time(() => steps.MapStep(samples, report: false)),8:F3}, "
                + $"map step reporting {time(() => steps.MapStep(samples, report: true)),8:F3}, synchronise {time(steps.Synchronise),8:F3}, "
                + $"draw {time(() => direction.Draw(batch, form == CriticForm.Time, new Generator(3), CPU)),8:F3}");
        }
    }
}
