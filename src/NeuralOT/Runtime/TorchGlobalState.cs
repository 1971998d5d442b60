using static TorchSharp.torch;

namespace NeuralOT.Runtime;

/// <summary>
/// TorchSharp's process-wide settings a solver needs for a while: its thread count, and its global generator seeded
/// (network initialisation draws from it). Both are restored when the scope is disposed, so a solve leaves the
/// caller's thread count and random stream as it found them; training itself draws from its own generator.
/// </summary>
internal sealed class TorchGlobalState : IDisposable
{
    private readonly int previousThreads;
    private readonly Tensor? previousRandomState;

    private TorchGlobalState(int threads, long? seed)
    {
        previousThreads = get_num_threads();
        if (seed is { } value)
        {
            previousRandomState = random.get_rng_state();
            random.manual_seed(value);
        }
        if (threads != previousThreads) set_num_threads(threads);
    }

    /// <summary>Uses <paramref name="threads"/> threads until disposed.</summary>
    public static TorchGlobalState WithThreads(int threads) => new(threads, null);

    /// <summary>Seeds the global generator with <paramref name="seed"/> until disposed (its earlier state then comes
    /// back), and uses <paramref name="threads"/> threads.</summary>
    public static TorchGlobalState Seeded(long seed, int threads) => new(threads, seed);

    public void Dispose()
    {
        if (previousRandomState is not null)
        {
            random.set_rng_state(previousRandomState);
            previousRandomState.Dispose();
        }
        if (get_num_threads() != previousThreads) set_num_threads(previousThreads);
    }
}
