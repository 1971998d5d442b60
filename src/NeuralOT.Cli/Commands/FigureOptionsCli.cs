using System.CommandLine;
using NeuralOT.Experiments;
using NeuralOT.Plotting;

namespace NeuralOT.Cli.Commands;

/// <summary>The figure options of the commands that write a run folder (<c>--png</c>, <c>--projection</c>) and the
/// step that writes the figures through <see cref="RunFigures"/>.</summary>
public sealed class FigureOptionsCli
{
    private readonly Option<bool> _png = new("--png")
    {
        Description = $"Also render every figure to PNG with chromium (Debian: apt-get install chromium; {Chromium.PathVariable} overrides its path).",
    };

    private readonly Option<string?> _projection = new("--projection")
    {
        Description = "The 2-D view of every figure: pca (first two principal components of source and target samples; the default when d > 2) or coords:i,j (1-based coordinates).",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public FigureOptionsCli(Command command)
    {
        command.Options.Add(_png);
        command.Options.Add(_projection);
    }

    /// <summary>Checks the options before any training, so that a bad projection or a missing chromium fails at once.</summary>
    /// <exception cref="ArgumentException">An invalid --projection.</exception>
    /// <exception cref="ChromiumNotFoundException">--png without chromium.</exception>
    public Request Prepare(ParseResult parseResult, ExperimentConfig config)
    {
        Projection? projection = null;
        if (parseResult.GetValue(_projection) is { } text)
        {
            var (source, target) = config.CreateDistributions();
            projection = Projection.Parse(text, source, target);
        }
        var chromium = parseResult.GetValue(_png) ? Chromium.Locate() : null;
        return new Request(new FigureOptions { Projection = projection }, chromium);
    }

    /// <summary>What to write once the run is done.</summary>
    /// <param name="Options">The figure settings.</param>
    /// <param name="Png">The browser for PNG files, or null.</param>
    public sealed record Request(FigureOptions Options, Chromium? Png)
    {
        /// <summary>Writes the run's figures and says where.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        public void Write(RunOutcome outcome, TextWriter output, CancellationToken cancellation = default)
        {
            var files = RunFigures.Write(outcome, Options, Png, cancellation);
            output.WriteLine($"figures: {string.Join(", ", files.Select(Path.GetFileName))}");
        }
    }
}
