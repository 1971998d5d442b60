using Microsoft.DotNet.Interactive;
using NeuralOT.Interactive.Formatting;
using NeuralOT.Interactive.Progress;
using NeuralOT.Runtime;

namespace NeuralOT.Interactive;

/// <summary>
/// The .NET Interactive kernel extension: loaded automatically when a notebook references the NeuralOT.Interactive
/// package (<c>#r "nuget: NeuralOT.Interactive"</c>); it makes TorchSharp use its own libtorch
/// (<see cref="TorchNativeLibraries"/>), registers the HTML formatters of <see cref="NeuralOTFormatters"/>, and makes
/// the notebook's stop button cancel the running cell without ending the kernel.
/// </summary>
public sealed class NeuralOTKernelExtension : IKernelExtension
{
    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        // Before any cell can touch TorchSharp: a system libtorch would otherwise be picked up by name.
        TorchNativeLibraries.Preload();
        NeuralOTFormatters.Register();
        // The notebook's stop button (SIGINT) cancels the running cell instead of ending the kernel.
        KernelInterrupt.Install(kernel);
        return Task.CompletedTask;
    }
}
