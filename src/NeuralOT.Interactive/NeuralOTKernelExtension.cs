using Microsoft.DotNet.Interactive;
using NeuralOT.Interactive.Formatting;

namespace NeuralOT.Interactive;

/// <summary>
/// The .NET Interactive kernel extension: loaded automatically when a notebook references the NeuralOT.Interactive
/// package (<c>#r "nuget: NeuralOT.Interactive"</c>); it registers the HTML formatters of <see cref="NeuralOTFormatters"/>.
/// </summary>
public sealed class NeuralOTKernelExtension : IKernelExtension
{
    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        NeuralOTFormatters.Register();
        return Task.CompletedTask;
    }
}
