namespace NeuralOT.Networks.Kernels;

/// <summary>
/// Runs work in two lanes, lane 0 on the calling thread and lane 1 on a background thread shared by the process,
/// and returns when both are done. The background thread spins for a moment after each piece of work, so the next
/// one (a training step a fraction of a millisecond later) starts without a thread wake-up, then sleeps; a thread
/// pool hand-off cost more than the halved steps gained. On one core, or while another caller holds the background
/// thread, both lanes run on the caller, one after the other: the lanes' results never depend on which happened.
/// </summary>
internal sealed class LanePair
{
    private static readonly Lazy<LanePair?> shared = new(() => Environment.ProcessorCount > 1 ? new LanePair() : null);

    // About 50-100 microseconds of spinning before the background thread sleeps.
    private const int SpinsBeforeSleep = 20_000;
    private const int NapMilliseconds = 10;
    private const int NapsBeforeLongSleep = 100;

    private readonly object owner = new();
    private readonly SemaphoreSlim wake = new(0);
    private Action<int>? work;
    private Exception? failure;
    private int posted, done, sleeping;

    private LanePair()
    {
        new Thread(Loop) { IsBackground = true, Name = "NeuralOT kernels lane 1" }.Start();
    }

    /// <summary>Runs <paramref name="lane"/>(0) and <paramref name="lane"/>(1), in parallel when a second core is free.</summary>
    public static void Run(Action<int> lane)
    {
        var pair = shared.Value;
        if (pair is null || !Monitor.TryEnter(pair.owner))
        {
            lane(0);
            lane(1);
            return;
        }
        try
        {
            pair.RunBoth(lane);
        }
        finally
        {
            Monitor.Exit(pair.owner);
        }
    }

    private void RunBoth(Action<int> lane)
    {
        work = lane;
        failure = null;
        Volatile.Write(ref done, 0);
        // Full fences on both sides (Interlocked), not release writes: a store followed by a load of another field
        // may be reordered, and then each side could miss the other's flag and the background thread sleep through
        // the post.
        Interlocked.Exchange(ref posted, 1);
        if (Volatile.Read(ref sleeping) == 1) wake.Release();
        Exception? mine = null;
        try
        {
            lane(0);
        }
        catch (Exception exception)
        {
            mine = exception;
        }
        var spinner = new SpinWait();
        while (Volatile.Read(ref done) == 0) spinner.SpinOnce(sleep1Threshold: -1);
        work = null;
        if (mine is not null) throw mine;
        if (failure is not null) throw new AggregateException("Lane 1 of a fused kernel step failed.", failure);
    }

    private void Loop()
    {
        while (true)
        {
            var spins = 0;
            var naps = 0;
            while (Volatile.Read(ref posted) == 0)
            {
                if (++spins < SpinsBeforeSleep)
                {
                    Thread.SpinWait(1);
                    continue;
                }
                // Announce the sleep, then look once more: a post made before the announcement is seen here, and
                // one made after it sees the announcement and releases the semaphore. Naps of 10 ms during the
                // first second bound the cost of any wake-up that went astray; after a second idle, sleep until woken.
                Interlocked.Exchange(ref sleeping, 1);
                if (Volatile.Read(ref posted) == 0)
                {
                    if (naps < NapsBeforeLongSleep) wake.Wait(NapMilliseconds);
                    else wake.Wait();
                    naps++;
                }
                Interlocked.Exchange(ref sleeping, 0);
                spins = SpinsBeforeSleep;
            }
            Volatile.Write(ref posted, 0);
            try
            {
                work!(1);
            }
            catch (Exception exception)
            {
                failure = exception;
            }
            Volatile.Write(ref done, 1);
        }
    }
}
