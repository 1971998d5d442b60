using System.Diagnostics;

namespace NeuralOT.Plotting;

/// <summary>chromium is needed for image files (PNG, SVG, PDF) but was not found; the message says how to install it.</summary>
public sealed class ChromiumNotFoundException(string message) : FileNotFoundException(message);

/// <summary>
/// Renders HTML figures to images (PNG, SVG, PDF) with a headless chromium (Debian: <c>apt-get install chromium</c>). The browser is the
/// <see cref="PathVariable"/> environment variable when set, else the first of chromium, chromium-browser,
/// google-chrome on PATH.
/// </summary>
public sealed class Chromium
{
    /// <summary>The environment variable that names the chromium executable, overriding the PATH search.</summary>
    public const string PathVariable = "NEURALOT_CHROMIUM";

    private static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    private Chromium(string executable) => Executable = executable;

    /// <summary>The browser executable used.</summary>
    public string Executable { get; }

    /// <summary>Finds the browser.</summary>
    /// <param name="executable">An explicit path; when null, <see cref="PathVariable"/> and then PATH are searched.</param>
    /// <exception cref="ChromiumNotFoundException">No browser at the given path, or none found; the message says how
    /// to install one or point to it.</exception>
    public static Chromium Locate(string? executable = null)
    {
        executable ??= Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } configured ? configured : null;
        if (executable is not null)
            return File.Exists(executable)
                ? new Chromium(executable)
                : throw new ChromiumNotFoundException(
                    $"Image export (PNG, SVG, PDF) needs chromium, but {executable} (from {PathVariable} or the caller) does not exist: install chromium (Debian: apt-get install chromium) or set {PathVariable} to its path.");
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(folder => Candidates.Select(name => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
        return found is not null
            ? new Chromium(found)
            : throw new ChromiumNotFoundException(
                $"Image export (PNG, SVG, PDF) needs chromium, which is not on PATH: install it (Debian: apt-get install chromium) or set {PathVariable} to its path.");
    }

    /// <summary>Loads an HTML page, lets its scripts run (up to <paramref name="virtualMilliseconds"/> of the page's
    /// own clock, which headless chromium fast-forwards) and returns the resulting document as HTML text.</summary>
    /// <param name="htmlPath">The page (one that renders offline, as <see cref="FigureFiles"/> writes them).</param>
    /// <param name="virtualMilliseconds">How long the page's timers and promises may run.</param>
    /// <param name="window">The window's size in pixels; chromium's default (800 x 600) when null.</param>
    /// <exception cref="IOException">chromium failed; the message carries its last output line.</exception>
    public string DumpDom(string htmlPath, int virtualMilliseconds = 10_000, (int Width, int Height)? window = null) =>
        window is { } size
            ? Run(htmlPath, "read", $"--virtual-time-budget={virtualMilliseconds}", FormattableString.Invariant($"--window-size={size.Width},{size.Height}"), "--dump-dom")
            : Run(htmlPath, "read", $"--virtual-time-budget={virtualMilliseconds}", "--dump-dom");

    /// <summary>Prints an HTML page to a PDF file (one page, sized by the page's CSS <c>@page</c> rule; no header or
    /// footer). Vector content (SVG) stays vector.</summary>
    /// <param name="htmlPath">The page.</param>
    /// <param name="pdfPath">The PDF to write.</param>
    /// <exception cref="IOException">chromium failed or wrote no file; the message carries its last output line.</exception>
    public void PrintPdf(string htmlPath, string pdfPath)
    {
        var pdf = Path.GetFullPath(pdfPath);
        if (File.Exists(pdf)) File.Delete(pdf);
        Run(htmlPath, "print", "--no-pdf-header-footer", $"--print-to-pdf={pdf}");
        if (!File.Exists(pdf)) throw new IOException($"{Executable} wrote no PDF for {Path.GetFullPath(htmlPath)}.");
    }

    /// <summary>Runs the browser headless on one local page with a throw-away profile; returns its standard output.</summary>
    private string Run(string htmlPath, string verb, params string[] arguments)
    {
        var html = Path.GetFullPath(htmlPath);
        if (!File.Exists(html)) throw new FileNotFoundException($"The page to {verb} does not exist: {html}.", html);
        var profile = Directory.CreateTempSubdirectory("neuralot-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // A throw-away profile and no background traffic: the page is local and the browser must not phone home.
            foreach (var argument in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                         $"--user-data-dir={profile.FullName}",
                     }.Concat(arguments).Append(new Uri(html).AbsoluteUri))
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start) ?? throw new IOException($"Could not start {Executable}.");
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new IOException($"{Executable} did not finish with {html} within 2 minutes.");
            }
            if (process.ExitCode != 0)
            {
                var lastLine = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "no output";
                throw new IOException($"{Executable} failed to {verb} {html} (exit code {process.ExitCode}): {lastLine}");
            }
            return stdout;
        }
        finally
        {
            try { profile.Delete(recursive: true); }
            catch (IOException) { /* chromium may still hold a lock file; the temp folder is cleaned later */ }
        }
    }
}
