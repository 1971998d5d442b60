using NeuralOT.Networks.Kernels;

namespace NeuralOT.Tests.Kernels;

public sealed class LanePairTests
{
    /// <summary>Many hand-offs after pauses of every length from none to several times the background thread's spin
    /// before it sleeps, so that many posts land while it is deciding to sleep: every run does both lanes exactly
    /// once, and none hangs (a lost wake-up would).</summary>
    private const int Runs = 5_000;

    [Fact]
    public async Task EveryRunDoesBothLanesThroughSleepsAndWakeUps()
    {
        var counts = new int[2];
        var run = Task.Run(() =>
        {
            var random = new Random(1);
            for (var i = 0; i < Runs; i++)
            {
                LanePair.Run(lane => Interlocked.Increment(ref counts[lane]));
                var pause = System.Diagnostics.Stopwatch.StartNew();
                var microseconds = random.Next(0, 300);
                while (pause.Elapsed.TotalMicroseconds < microseconds) Thread.SpinWait(10);
            }
        });
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == run, "a hand-off hung");
        await run;
        Assert.Equal(new[] { Runs, Runs }, counts);
    }

    [Fact]
    public void AFailureInEitherLaneReachesTheCaller()
    {
        var inFirst = Assert.Throws<InvalidOperationException>(() => LanePair.Run(lane =>
        {
            if (lane == 0) throw new InvalidOperationException("lane 0");
        }));
        Assert.Equal("lane 0", inFirst.Message);
        var inSecond = Assert.ThrowsAny<Exception>(() => LanePair.Run(lane =>
        {
            if (lane == 1) throw new InvalidOperationException("lane 1");
        }));
        Assert.Contains("lane 1", inSecond.InnerException?.Message ?? inSecond.Message);
        // And the pair still works afterwards.
        var done = new bool[2];
        LanePair.Run(lane => done[lane] = true);
        Assert.Equal(new[] { true, true }, done);
    }
}
