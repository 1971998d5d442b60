using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace NeuralOT.Runtime;

/// <summary>
/// Makes TorchSharp use the libtorch of its own NuGet packages when a different libtorch is installed system-wide.
/// </summary>
/// <remarks>
/// <para>
/// Why: a notebook host loads TorchSharp from the NuGet cache, where no deps.json tells the runtime where the native
/// libraries are. TorchSharp then asks the dynamic loader for <c>libtorch_cpu.so</c> by name, and on a machine with
/// a system libtorch on the default search path (Debian's <c>libtorch-dev</c>, which <c>python3-torch</c> brings) the
/// loader returns that copy; <c>libLibTorchSharp.so</c> then misses symbols and every TorchSharp call fails with a
/// <see cref="TypeInitializationException"/>. Applications (the CLI, the tests) are not affected: their deps.json
/// puts the package's copies first.
/// </para>
/// <para>
/// What: before TorchSharp initialises, the package's libtorch and <c>libLibTorchSharp.so</c> are loaded by full
/// path. The dynamic loader matches later requests by name (<c>libtorch_cpu.so</c>) against the libraries already
/// loaded, so TorchSharp's own probe then gets the package's copies. Nothing is done when the libraries sit beside
/// the application (its deps.json already wins), when libtorch is already loaded, or on other operating systems than
/// Linux (their loaders search the loading library's folder first).
/// </para>
/// <para>
/// The core runs this when it is loaded (a module initializer) and the kernel extension when a notebook loads it,
/// so a notebook needs no step of its own.
/// </para>
/// </remarks>
public static class TorchNativeLibraries
{
    private static readonly Lock Gate = new();
    private static string? outcome;

    /// <summary>
    /// Loads the libtorch of TorchSharp's NuGet packages by full path if TorchSharp was loaded from a package folder
    /// (a notebook host). Idempotent and never throws: a failure is returned as text, and TorchSharp's own error
    /// appears at its first use.
    /// </summary>
    /// <returns>What was done, one line, for diagnostics (also kept in <see cref="Outcome"/>).</returns>
    public static string Preload()
    {
        lock (Gate)
        {
            outcome ??= Load();
            return outcome;
        }
    }

    /// <summary>What <see cref="Preload"/> did; null before it ran.</summary>
    public static string? Outcome
    {
        get
        {
            lock (Gate) return outcome;
        }
    }

    /// <summary>The native folders of TorchSharp's packages when <paramref name="torchSharpAssembly"/> lies in a NuGet
    /// package folder (<c>root/torchsharp/version/lib/tfm/TorchSharp.dll</c>), or null.</summary>
    /// <param name="torchSharpAssembly">The full path of TorchSharp.dll.</param>
    /// <param name="runtimeIdentifier">The runtime identifier of the native folders, such as "linux-x64".</param>
    /// <returns>The folder of <c>libLibTorchSharp.so</c> and the folder of the newest libtorch-cpu package's
    /// libraries; null when the layout or a library is missing.</returns>
    public static (string TorchSharp, string LibTorch)? PackageFolders(string torchSharpAssembly, string runtimeIdentifier)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(torchSharpAssembly);
        ArgumentException.ThrowIfNullOrWhiteSpace(runtimeIdentifier);
        var lib = Path.GetDirectoryName(Path.GetFullPath(torchSharpAssembly));
        var package = lib is null ? null : Path.GetDirectoryName(Path.GetDirectoryName(lib));
        var root = package is null ? null : Path.GetDirectoryName(Path.GetDirectoryName(package));
        if (package is null || root is null || !string.Equals(Path.GetFileName(Path.GetDirectoryName(package)), "torchsharp", StringComparison.OrdinalIgnoreCase))
            return null;
        var torchSharp = Path.Combine(package, "runtimes", runtimeIdentifier, "native");
        if (!File.Exists(Path.Combine(torchSharp, "libLibTorchSharp.so"))) return null;
        var libTorchPackage = Path.Combine(root, "libtorch-cpu-" + runtimeIdentifier);
        if (!Directory.Exists(libTorchPackage)) return null;
        // One version is restored in practice; with several, the newest is the one current TorchSharp-cpu names.
        var libTorch = Directory.GetDirectories(libTorchPackage)
            .Select(version => (Version: ParseVersion(Path.GetFileName(version)), Folder: Path.Combine(version, "runtimes", runtimeIdentifier, "native")))
            .Where(v => v.Version is not null && File.Exists(Path.Combine(v.Folder, "libtorch_cpu.so")))
            .OrderByDescending(v => v.Version)
            .Select(v => v.Folder)
            .FirstOrDefault();
        return libTorch is null ? null : (torchSharp, libTorch);
    }

    // The runtime runs this before any other code of the core, so every entry point into the core is covered.
#pragma warning disable CA2255 // A module initializer in a library is intended here: see the class remarks.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnCoreLoaded() => Preload();

    private static Version? ParseVersion(string text) =>
        Version.TryParse(text.Split('-', '+')[0], out var version) ? version : null;

    private static string Load()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return "not Linux: nothing to do";
            var rid = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "linux-x64",
                Architecture.Arm64 => "linux-arm64",
                _ => null,
            };
            if (rid is null) return "no TorchSharp native package for this processor: nothing to do";
            if (LoadedLibraries().Any(path => Path.GetFileName(path) == "libtorch_cpu.so" || Path.GetFileName(path).StartsWith("libtorch_cpu.so.", StringComparison.Ordinal)))
                return "libtorch already loaded: nothing to do";
            // Reading the location does not initialise TorchSharp (no static member of torch is touched).
            var assembly = typeof(torch).Assembly.Location;
            if (string.IsNullOrEmpty(assembly)) return "TorchSharp has no file location: nothing to do";
            if (File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", "libtorch_cpu.so"))
                || File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so")))
                return "libtorch beside the application: its deps.json already wins";
            if (PackageFolders(assembly, rid) is not { } folders) return "TorchSharp not in a package folder with its libtorch: nothing to do";
            // Dependencies first; libtorch_cpu.so finds libc10.so and libgomp beside itself ($ORIGIN run path).
            foreach (var file in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            {
                var path = Path.Combine(folders.LibTorch, file);
                if (File.Exists(path)) NativeLibrary.Load(path);
            }
            NativeLibrary.Load(Path.Combine(folders.TorchSharp, "libLibTorchSharp.so"));
            return $"loaded libtorch from {folders.LibTorch}";
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or IOException or UnauthorizedAccessException)
        {
            return "preloading libtorch failed: " + e.Message;
        }
    }

    /// <summary>The files mapped into this process (Linux), to see whether a libtorch is loaded already.</summary>
    private static IEnumerable<string> LoadedLibraries()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        return File.ReadLines(maps).Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "").Where(p => p.Length > 0).Distinct();
    }
}
