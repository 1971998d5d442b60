using System.Reflection;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;
using DocumentKernelInfo = Microsoft.DotNet.Interactive.Documents.KernelInfo;

namespace NeuralOT.Cli.Notebooks;

/// <summary>Settings of <see cref="NotebookRunner.RunAsync"/>.</summary>
/// <param name="Fast">Sets the notebooks' fast-mode variable (NEURALOT_FAST=1) while the notebook runs.</param>
/// <param name="PackageSource">A package folder to restore from besides the user's NuGet sources; null for the
/// repository's <c>artifacts/feed</c> above the notebook, when there is one.</param>
public sealed record NotebookRunOptions(bool Fast = false, string? PackageSource = null);

/// <summary>What one code cell produced.</summary>
/// <param name="Number">1-based position among all cells of the notebook (markdown included), as an editor shows it.</param>
/// <param name="Tags">The cell's Jupyter tags (metadata.tags), e.g. "chart".</param>
/// <param name="MimeTypes">The MIME types of its outputs, in order (an output updated in place counts once).</param>
/// <param name="Html">Every text/html output, in order.</param>
/// <param name="DisplayUpdates">How many in-place updates its displayed outputs received.</param>
/// <param name="Error">Why it failed; null when it succeeded.</param>
/// <param name="Seconds">Execution time.</param>
public sealed record CellReport(
    int Number, IReadOnlyList<string> Tags, IReadOnlyList<string> MimeTypes, IReadOnlyList<string> Html,
    int DisplayUpdates, string? Error, double Seconds)
{
    /// <summary>True when the cell ran without error.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>The executed notebook.</summary>
/// <param name="Cells">One report per executed code cell; execution stops at the first failing cell.</param>
/// <param name="Json">The notebook with every executed cell's outputs, in the Jupyter format.</param>
public sealed record NotebookRun(IReadOnlyList<CellReport> Cells, string Json)
{
    /// <summary>The first failing cell, or null.</summary>
    public CellReport? Failure => Cells.FirstOrDefault(c => !c.Succeeded);
}

/// <summary>
/// Executes a C# notebook (.ipynb) in this process, without a notebook host: a .NET Interactive C# kernel runs the
/// cells in order and their outputs (displayed values, return values, standard output, errors) are written back into
/// the notebook. <c>#r "nuget: ..."</c> restores packages as the hosts do; the packages' assemblies are referenced
/// and their kernel extensions (<c>interactive-extensions/dotnet/*.dll</c>) are loaded, which the hosts do
/// themselves and a bare kernel does not. The repository's package feed (artifacts/feed, see notebooks/pack-feed.sh)
/// is added as a restore source, as notebooks/setup-kernel.sh does for Jupyter and VS Code, so the bundled notebooks
/// name no path.
/// </summary>
public static class NotebookRunner
{
    /// <summary>The environment variable that <see cref="NotebookRunOptions.Fast"/> sets (read by the notebooks).</summary>
    public const string FastModeVariable = "NEURALOT_FAST";

    private static readonly DocumentKernelInfo[] Kernels = [new("csharp", "C#", ["c#", "C#"])];

    /// <summary>Runs every code cell of the notebook at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such notebook.</exception>
    /// <exception cref="InvalidDataException">The file is not a notebook.</exception>
    public static async Task<NotebookRun> RunAsync(string path, NotebookRunOptions? options = null, CancellationToken cancellation = default)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath)) throw new FileNotFoundException($"No notebook at {path}: check the path.", path);
        InteractiveDocument document;
        try
        {
            document = Notebook.Parse(await File.ReadAllTextAsync(fullPath, cancellation), new KernelInfoCollection { Kernels[0] });
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{path} is not a Jupyter notebook (.ipynb): {error.Message}", error);
        }

        var previousFast = Environment.GetEnvironmentVariable(FastModeVariable);
        if (options?.Fast == true) Environment.SetEnvironmentVariable(FastModeVariable, "1");
        try
        {
            using var kernel = CreateKernel();
            var folder = Path.GetDirectoryName(fullPath)!;
            if ((options?.PackageSource ?? FindFeed(folder)) is { } feed)
            {
                var added = await kernel.SendAsync(new SubmitCode($"#i \"nuget: {Path.GetFullPath(feed)}\"", "csharp"), cancellation);
                if (added.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
                    throw new IOException($"The package source {feed} cannot be used: {FirstLine(failed.Message)}");
            }
            var reports = new List<CellReport>();
            var number = 0;
            foreach (var cell in document.Elements)
            {
                number++;
                if (!IsCode(cell)) continue;
                cell.Outputs.Clear();
                var report = await RunCellAsync(kernel, cell, number, cancellation);
                reports.Add(report);
                cell.ExecutionOrder = reports.Count;
                if (!report.Succeeded) break;
            }
            return new NotebookRun(reports, document.ToJupyterJson());
        }
        finally
        {
            Environment.SetEnvironmentVariable(FastModeVariable, previousFast);
        }
    }

    private static bool IsCode(InteractiveDocumentElement cell) => cell.KernelName is "csharp" or "C#" or "c#";

    private static CompositeKernel CreateKernel()
    {
        var csharp = new CSharpKernel().UseKernelHelpers().UseValueSharing();
        var composite = new CompositeKernel { csharp };
        composite.DefaultKernelName = csharp.Name;
        csharp.UseNugetDirective((kernel, packages) => LoadPackagesAsync(kernel, composite, packages), forceRestore: false);
        return composite;
    }

    /// <summary>References the restored packages' assemblies and loads their kernel extensions. An assembly this
    /// process has already loaded (the CLI ships NeuralOT, TorchSharp, .NET Interactive) is referenced from where it
    /// was loaded, so one identity never exists twice.</summary>
    private static async Task LoadPackagesAsync(CSharpKernel kernel, Kernel root, IReadOnlyList<ResolvedPackageReference> packages)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location != "")
            .GroupBy(a => a.GetName().Name!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        string Resolve(string file) => loaded.TryGetValue(Path.GetFileNameWithoutExtension(file), out var a) ? a.Location : file;
        kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths).Select(Resolve).Distinct());

        foreach (var package in packages)
        {
            var extensions = Path.Combine(package.PackageRoot, "interactive-extensions", "dotnet");
            if (!Directory.Exists(extensions)) continue;
            foreach (var file in Directory.GetFiles(extensions, "*.dll"))
            {
                var assembly = loaded.TryGetValue(Path.GetFileNameWithoutExtension(file), out var existing) ? existing : Assembly.LoadFrom(file);
                foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IKernelExtension).IsAssignableFrom(t)))
                    await ((IKernelExtension)Activator.CreateInstance(type)!).OnLoadAsync(root);
            }
        }
    }

    private static async Task<CellReport> RunCellAsync(Kernel kernel, InteractiveDocumentElement cell, int number, CancellationToken cancellation)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await kernel.SendAsync(new SubmitCode(cell.Contents, "csharp"), cancellation);
        var outputs = new List<(string? Id, InteractiveDocumentOutputElement Element)>();
        var updates = 0;
        string? error = null;
        foreach (var e in result.Events)
        {
            switch (e)
            {
                case DisplayedValueUpdated updated:
                    updates++;
                    var index = outputs.FindIndex(o => o.Id == updated.ValueId);
                    if (index >= 0) outputs[index] = (updated.ValueId, new DisplayElement(Data(updated)));
                    break;
                case StandardOutputValueProduced stdout:
                    outputs.Add((null, new TextElement(stdout.FormattedValues.First().Value, "stdout")));
                    break;
                case StandardErrorValueProduced stderr:
                    outputs.Add((null, new TextElement(stderr.FormattedValues.First().Value, "stderr")));
                    break;
                case ReturnValueProduced value:
                    outputs.Add((value.ValueId, ReturnValue(Data(value))));
                    break;
                case ErrorProduced produced:
                    error ??= produced.Message;
                    break;
                case DisplayEvent display:
                    outputs.Add((display.ValueId, new DisplayElement(Data(display))));
                    break;
                case CommandFailed failed:
                    error = failed.Message;
                    outputs.Add((null, new ErrorElement("Error", failed.Message, failed.Exception?.StackTrace?.Split('\n') ?? [])));
                    break;
            }
        }
        cell.Outputs.AddRange(outputs.Select(o => o.Element));
        var data = outputs.Select(o => o.Element).OfType<DisplayElement>().Select(d => d.Data)
            .Concat(outputs.Select(o => o.Element).OfType<ReturnValueElement>().Select(r => r.Data)).ToArray();
        return new CellReport(
            number, Tags(cell), [.. data.SelectMany(d => d.Keys)],
            [.. data.Where(d => d.ContainsKey("text/html")).Select(d => d["text/html"]?.ToString() ?? "")],
            updates, error is null ? null : FirstLine(error), clock.Elapsed.TotalSeconds);
    }

    private static ReturnValueElement ReturnValue(Dictionary<string, object> data)
    {
        var element = new ReturnValueElement();
        foreach (var (mime, value) in data) element.Data[mime] = value;
        return element;
    }

    private static Dictionary<string, object> Data(DisplayEvent display) =>
        display.FormattedValues.Where(v => !v.SuppressDisplay).ToDictionary(v => v.MimeType, v => (object)v.Value);

    private static IReadOnlyList<string> Tags(InteractiveDocumentElement cell) =>
        cell.Metadata?.TryGetValue("tags", out var tags) == true && tags is IEnumerable<object> list
            ? [.. list.Select(t => t?.ToString() ?? "")]
            : [];

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();

    /// <summary>The nearest <c>artifacts/feed</c> folder at or above <paramref name="folder"/>, or null.</summary>
    private static string? FindFeed(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
            if (Directory.Exists(Path.Combine(current.FullName, "artifacts", "feed"))) return Path.Combine(current.FullName, "artifacts", "feed");
        return null;
    }
}
