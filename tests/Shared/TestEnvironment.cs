using System.Runtime.CompilerServices;

namespace NeuralOT.Tests;

/// <summary>
/// Keeps the test run's files in the temporary folder: the digit classifier that judges MNIST runs is cached in a
/// folder of this run (through <c>NEURALOT_CACHE</c>, which child processes and notebooks inherit) instead of the
/// user's application-data folder, and the bundled notebooks write their run folders there too
/// (<c>NEURALOT_RUNS</c>) instead of <c>runs/</c> under the working directory; the folder is deleted when the test
/// process ends.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>The cache and notebook-run folder of this test run.</summary>
    public static string CacheFolder { get; } = Path.Combine(Path.GetTempPath(), "neuralot-tests-cache-" + Guid.NewGuid().ToString("N")[..10]);

    // CA2255 warns libraries off module initialisers; this assembly is the test application, and the variable must
    // be set before any test can train a classifier.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RedirectCaches()
    {
        Environment.SetEnvironmentVariable("NEURALOT_CACHE", CacheFolder);
        Environment.SetEnvironmentVariable("NEURALOT_RUNS", Path.Combine(CacheFolder, "runs"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (Directory.Exists(CacheFolder)) Directory.Delete(CacheFolder, recursive: true);
            }
            catch (IOException)
            {
                // A child process may still hold a file; the system's temporary folder is cleaned eventually.
            }
        };
    }
}
