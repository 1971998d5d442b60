namespace NeuralOT.Tests;

/// <summary>A fresh folder under the system temp directory, deleted on dispose.</summary>
internal sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuralot-tests-" + Guid.NewGuid().ToString("N")[..10]);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

/// <summary>The files of a finished run, with stub contents: enough for the guards that look at a folder (another run
/// is there) without training one.</summary>
internal static class StubRun
{
    private const string Marker = "stub of an earlier run";

    public static void Write(string directory)
    {
        foreach (var file in new[] { "config.json", "history.csv", "metrics.json" })
            System.IO.File.WriteAllText(System.IO.Path.Combine(directory, file), file.EndsWith(".json", StringComparison.Ordinal) ? $$"""{ "stub": "{{Marker}}" }""" : Marker);
    }

    /// <summary>Whether the folder's metrics.json is still the stub's.</summary>
    public static bool IsStub(string directory) =>
        System.IO.File.ReadAllText(System.IO.Path.Combine(directory, "metrics.json")).Contains(Marker, StringComparison.Ordinal);
}
