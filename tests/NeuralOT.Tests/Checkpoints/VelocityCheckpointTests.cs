using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Solvers;
using NeuralOT.Tests.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Checkpoints;

[Collection(TrainingCollection.Name)]
public class VelocityCheckpointTests
{
    [Fact]
    public void ARoundTripGivesIdenticalOutputs()
    {
        var reference = TestProblems.SmallGaussianPair();
        var supervision = VelocitySupervision.Exact(reference);
        var options = new VelocityOptions { Iterations = 30, Seed = 2 };
        using var folder = new TemporaryFolder();
        var path = folder.File("velocity.ckpt");
        using var trained = VelocitySolver.Train(supervision, options);
        VelocityCheckpoint.Save(trained, path);
        using var loaded = VelocityCheckpoint.Load(path, supervision, options);

        using var x = reference.Source.Sample(100, new Generator(3));
        Assert.Equal(trained.Velocity(x, 0.4).data<double>().ToArray(), loaded.Velocity(x, 0.4).data<double>().ToArray());
        Assert.Equal(trained.EndPoints(x).data<double>().ToArray(), loaded.EndPoints(x).data<double>().ToArray());
        Assert.Equal(trained.History.Entries, loaded.History.Entries);
        Assert.Equal(trained.Options, loaded.Options);
        Assert.Equal(trained.IterationsCompleted, loaded.IterationsCompleted);
    }

    [Fact]
    public void TruncatedMismatchedAndForeignCheckpointsAreRefused()
    {
        var reference = TestProblems.SmallGaussianPair();
        var supervision = VelocitySupervision.Exact(reference);
        using var folder = new TemporaryFolder();
        var path = folder.File("velocity.ckpt");
        using (var trained = VelocitySolver.Train(supervision, new VelocityOptions { Iterations = 3 }))
            VelocityCheckpoint.Save(trained, path);

        var error = Assert.Throws<InvalidDataException>(() => VelocityCheckpoint.Load(path, supervision,
            new VelocityOptions { Network = new Networks.NetworkOptions(Width: 16) }));
        Assert.Contains("velocity network is 3 x 64 silu, not 3 x 16 silu", error.Message);

        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => VelocityCheckpoint.Load(path, supervision)).Message);

        // A phase-1 checkpoint is not a phase-2 one, and the reverse.
        var transportPath = folder.File("transport.ckpt");
        using (var map = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 2 }))
            TransportCheckpoint.Save(map, transportPath);
        Assert.Contains("holds a transport result, not a velocity result",
            Assert.Throws<InvalidDataException>(() => VelocityCheckpoint.Load(transportPath, supervision)).Message);
    }
}
