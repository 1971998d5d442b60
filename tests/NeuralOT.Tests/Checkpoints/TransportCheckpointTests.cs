using NeuralOT.Checkpoints;
using NeuralOT.Costs;
using NeuralOT.Distributions;
using NeuralOT.Networks;
using NeuralOT.Solvers;
using NeuralOT.Tests.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Tests.Checkpoints;

[Collection(TrainingCollection.Name)]
public class TransportCheckpointTests
{
    /// <summary>Every variant: both critic forms, each with and without bidirectional training and preconditioning.</summary>
    public static TheoryData<CriticForm, bool, bool> Variants()
    {
        var data = new TheoryData<CriticForm, bool, bool>();
        foreach (var form in new[] { CriticForm.Static, CriticForm.Time })
            foreach (var bidirectional in new[] { false, true })
                foreach (var preconditioned in new[] { false, true })
                    data.Add(form, bidirectional, preconditioned);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ARoundTripGivesIdenticalOutputs(CriticForm form, bool bidirectional, bool preconditioned)
    {
        var reference = TestProblems.SmallGaussianPair();
        var options = Options(form, bidirectional, preconditioned);
        using var folder = new TemporaryFolder();
        var path = folder.File("run.ckpt");
        using var trained = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, options);
        TransportCheckpoint.Save(trained, path);
        using var loaded = TransportCheckpoint.Load(path, reference.Source, reference.Target, QuadraticCost.Instance, options);

        using var x = reference.Source.Sample(200, new Generator(3));
        using var y = reference.Target.Sample(200, new Generator(4));
        AssertIdentical(trained.Transport(x), loaded.Transport(x));
        AssertIdentical(trained.Interpolate(x, 0.3), loaded.Interpolate(x, 0.3));
        using (var t = full(200, 1, 0.5f))
        using (var x32 = x.to(float32))
            AssertIdentical(trained.Critic.Forward(x32, t), loaded.Critic.Forward(x32, t));
        if (bidirectional) AssertIdentical(trained.ReverseTransport(y), loaded.ReverseTransport(y));
        Assert.Equal(trained.Options, loaded.Options);
        Assert.Equal(trained.History.Entries, loaded.History.Entries);
        Assert.Equal(trained.ExitReason, loaded.ExitReason);
        Assert.Equal(trained.IterationsCompleted, loaded.IterationsCompleted);
        Assert.Equal(trained.Preconditioner?.Scale, loaded.Preconditioner?.Scale);
    }

    [Fact]
    public void ATruncatedCheckpointIsRefused()
    {
        using var folder = new TemporaryFolder();
        var path = SaveSmall(folder);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains("truncated", error.Message);
        File.WriteAllBytes(path, bytes[..40]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Load(path)).Message);
    }

    [Fact]
    public void ACorruptCheckpointIsRefused()
    {
        using var folder = new TemporaryFolder();
        var path = SaveSmall(folder);
        var bytes = File.ReadAllBytes(path);
        bytes[^50] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => Load(path)).Message);
    }

    [Fact]
    public void AFileThatIsNoCheckpointIsRefused()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("notes.ckpt"), "iteration,critic_objective\n1,2\n");
        Assert.Contains("not a NeuralOT checkpoint", Assert.Throws<InvalidDataException>(() => Load(folder.File("notes.ckpt"))).Message);
        Assert.Throws<FileNotFoundException>(() => Load(folder.File("missing.ckpt")));
    }

    [Fact]
    public void AMismatchedProblemIsRefusedSayingWhatDiffers()
    {
        using var folder = new TemporaryFolder();
        var path = SaveSmall(folder);
        var threeD = GaussianDistribution.StandardNormal(3);
        var error = Assert.Throws<InvalidDataException>(() => TransportCheckpoint.Load(path, threeD, threeD, QuadraticCost.Instance));
        Assert.Contains("2-dimensional", error.Message);

        var reference = TestProblems.SmallGaussianPair();
        error = Assert.Throws<InvalidDataException>(() => TransportCheckpoint.Load(path, reference.Source, reference.Target, new PowerCost(1.5)));
        Assert.Contains("power:1.5", error.Message);

        error = Assert.Throws<InvalidDataException>(() => TransportCheckpoint.Load(path, reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { MapNetwork = new NetworkOptions(Width: 32), Critic = CriticForm.Time }));
        Assert.Contains("solver.map_network is 3 x 64 silu, not 3 x 32 silu", error.Message);
        Assert.Contains("solver.critic is static, not time", error.Message);
    }

    [Fact]
    public void AnInterruptedWriteLeavesThePreviousCheckpointLoadable()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var folder = new TemporaryFolder();
        var path = folder.File("run.ckpt");
        using var first = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 5, Seed = 1 });
        TransportCheckpoint.Save(first, path);
        using var second = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 10, Seed = 2 });

        Assert.Throws<IOException>(() => TransportCheckpoint.Save(second, path, null, stream => new FailingStream(stream, failAfterBytes: 300)));

        using var loaded = Load(path);
        using var x = reference.Source.Sample(50, new Generator(1));
        AssertIdentical(first.Transport(x), loaded.Transport(x));
        Assert.Equal(new[] { "run.ckpt" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void PeriodicCheckpointsHoldTheStateAtTheirIteration()
    {
        var reference = TestProblems.SmallGaussianPair();
        var saved = new List<int>();
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance,
            new SolverOptions { Iterations = 25, Seed = 1 }, hooks: new TrainingHooks(10, r => saved.Add(r.IterationsCompleted)));
        Assert.Equal(new[] { 10, 20 }, saved);
    }

    /// <summary>docs/checkpoints.md describes the layout so that other tools can read a checkpoint; this reads one
    /// with nothing but that description.</summary>
    [Fact]
    public void TheFileFollowsTheDocumentedLayout()
    {
        var reference = TestProblems.SmallGaussianPair();
        using var folder = new TemporaryFolder();
        var path = folder.File("run.ckpt");
        using (var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, Options(CriticForm.Time, true, true)))
            TransportCheckpoint.Save(result, path);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("NeuralOT-ckpt-v2", System.Text.Encoding.ASCII.GetString(bytes, 0, 16));
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16, 4));
        using var header = System.Text.Json.JsonDocument.Parse(bytes.AsMemory(20, length));
        var root = header.RootElement;
        var payload = bytes.AsSpan(20 + length, bytes.Length - 20 - length - 32);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);

        Assert.Equal("transport", root.GetProperty("kind").GetString());
        var sections = root.GetProperty("sections").EnumerateArray().Select(s => (Name: s.GetProperty("name").GetString(), Length: s.GetProperty("length").GetInt32())).ToList();
        Assert.Equal(["map", "critic", "reverse_map", "reverse_critic", "averaged_map", "averaged_reverse_map", "map_optimizer", "critic_optimizer",
            "reverse_map_optimizer", "reverse_critic_optimizer", "generator"], sections.Select(s => s.Name));
        Assert.Equal(payload.Length, sections.Sum(s => s.Length));
        Assert.Equal(["kind", "sections", "content"], root.EnumerateObject().Select(p => p.Name));

        var content = root.GetProperty("content");
        Assert.Equal(["dimension", "cost", "solver", "preconditioner", "iterations_completed", "exit_reason", "exit_message",
            "training_seconds", "history", "training", "held_out", "config_sha256"], content.EnumerateObject().Select(p => p.Name));
        // Samplers on both sides: the held-out guard does not act, and the entry is null.
        Assert.Equal(System.Text.Json.JsonValueKind.Null, content.GetProperty("held_out").ValueKind);
        Assert.Equal("quadratic", content.GetProperty("cost").GetString());
        var solver = content.GetProperty("solver");
        Assert.Equal("time", solver.GetProperty("critic").GetString());
        Assert.Equal("affine", solver.GetProperty("preconditioning").GetString());
        Assert.Equal("silu", solver.GetProperty("map_network").GetProperty("activation").GetString());
        Assert.Equal(2, content.GetProperty("preconditioner").GetProperty("source_mean").GetArrayLength());
        Assert.StartsWith("iteration,critic_objective,map_objective,w_hat,seconds", content.GetProperty("history").GetString());
    }

    /// <summary>The checksum covers the header: an edit of the iterations completed or of the exit reason (same
    /// length, valid JSON) is refused as surely as a flipped weight.</summary>
    [Theory]
    [InlineData("\"iterations_completed\":3", "\"iterations_completed\":9")]
    // Padded with JSON whitespace so that the header keeps its length, as a careful hand edit would.
    [InlineData("\"exit_reason\":\"iteration_budget\"", "\"exit_reason\":\"converged\"       ")]
    public void AnEditedHeaderIsRefused(string original, string edited)
    {
        using var folder = new TemporaryFolder();
        var path = SaveSmall(folder);
        var text = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path));
        Assert.Contains(original, text);
        var editedText = text.Replace(original, edited, StringComparison.Ordinal);
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(editedText));
        Assert.Equal(text.Length, editedText.Length);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => Load(path)).Message);
        Assert.Throws<InvalidDataException>(() => TransportCheckpoint.ReadHeader(path));
    }

    /// <summary>Files of the earlier container (v1: checksum over the weights only) are refused with a message that
    /// says why and what to do, since their headers cannot be checked.</summary>
    [Fact]
    public void AVersionOneCheckpointIsRefusedSayingWhy()
    {
        using var folder = new TemporaryFolder();
        var path = SaveSmall(folder);
        var bytes = File.ReadAllBytes(path);
        "NeuralOT-ckpt-v1"u8.CopyTo(bytes);
        File.WriteAllBytes(path, bytes[..^32]);
        var error = Assert.Throws<InvalidDataException>(() => Load(path));
        Assert.Contains("format v1", error.Message);
        Assert.Contains("run the experiment again", error.Message);
    }

    private static SolverOptions Options(CriticForm form, bool bidirectional, bool preconditioned) => new()
    {
        Critic = form, Iterations = 15, Seed = 4,
        Bidirectional = bidirectional ? new BidirectionalOptions(1, 1e-6) : null,
        Preconditioning = preconditioned ? Preconditioning.Affine : Preconditioning.None,
    };

    private static string SaveSmall(TemporaryFolder folder)
    {
        var reference = TestProblems.SmallGaussianPair();
        using var result = MinimaxSolver.Solve(reference.Source, reference.Target, QuadraticCost.Instance, new SolverOptions { Iterations = 3 });
        var path = folder.File("small.ckpt");
        TransportCheckpoint.Save(result, path);
        return path;
    }

    private static TransportResult Load(string path)
    {
        var reference = TestProblems.SmallGaussianPair();
        return TransportCheckpoint.Load(path, reference.Source, reference.Target, QuadraticCost.Instance);
    }

    private static void AssertIdentical(Tensor expected, Tensor actual) =>
        Assert.Equal(expected.to(float64).data<double>().ToArray(), actual.to(float64).data<double>().ToArray());

    /// <summary>Lets a number of bytes through, then fails as a full disk or a killed process would.</summary>
    private sealed class FailingStream(Stream inner, int failAfterBytes) : Stream
    {
        private long written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            var allowed = (int)Math.Max(0, Math.Min(count, failAfterBytes - written));
            inner.Write(buffer, offset, allowed);
            written += allowed;
            if (allowed < count) throw new IOException("simulated crash mid-write");
        }
    }
}
