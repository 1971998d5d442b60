using NeuralOT.Runtime;
using TorchSharp;

namespace NeuralOT.Tests.Runtime;

/// <summary>Where the notebook host's TorchSharp finds its own libtorch (the preload that beats a system libtorch).</summary>
public class TorchNativeLibrariesTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("neuralot-packages-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string Touch(params string[] parts)
    {
        var path = Path.Combine([root, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public void InAPackageFolderTheNewestLibTorchWithItsLibrariesIsChosen()
    {
        var assembly = Touch("torchsharp", "0.107.0", "lib", "net6.0", "TorchSharp.dll");
        Touch("torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Touch("libtorch-cpu-linux-x64", "2.9.1", "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Touch("libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        // A newer version folder without the library (an interrupted restore) must not be chosen.
        Directory.CreateDirectory(Path.Combine(root, "libtorch-cpu-linux-x64", "2.11.0", "runtimes", "linux-x64", "native"));

        var folders = TorchNativeLibraries.PackageFolders(assembly, "linux-x64");

        Assert.NotNull(folders);
        Assert.Equal(Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native"), folders.Value.TorchSharp);
        Assert.Equal(Path.Combine(root, "libtorch-cpu-linux-x64", "2.10.0", "runtimes", "linux-x64", "native"), folders.Value.LibTorch);
    }

    [Fact]
    public void OutsideAPackageFolderOrWithoutLibTorchThereIsNothingToPreload()
    {
        var application = Touch("app", "bin", "TorchSharp.dll");
        Assert.Null(TorchNativeLibraries.PackageFolders(application, "linux-x64"));

        var assembly = Touch("torchsharp", "0.107.0", "lib", "net6.0", "TorchSharp.dll");
        Touch("torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.Null(TorchNativeLibraries.PackageFolders(assembly, "linux-x64"));
    }

    [Fact]
    public void TheTestHostComputesWithTheLibTorchOfItsOwnOutputFolder()
    {
        var outcome = TorchNativeLibraries.Preload();
        Assert.DoesNotContain("failed", outcome);
        using var sum = torch.ones(3).sum();
        Assert.Equal(3f, sum.item<float>());

        // Even with a system libtorch on the default search path (CI installs Debian's libtorch-dev), the process
        // maps the copy that the build put beside the tests.
        if (!OperatingSystem.IsLinux()) return;
        var mapped = File.ReadLines("/proc/self/maps").Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
            .Where(path => Path.GetFileName(path).StartsWith("libtorch_cpu.so", StringComparison.Ordinal)).Distinct().ToArray();
        Assert.NotEmpty(mapped);
        Assert.All(mapped, path => Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), path));
    }
}
