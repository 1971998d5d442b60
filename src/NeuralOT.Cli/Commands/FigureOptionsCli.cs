using System.CommandLine;
using NeuralOT.Experiments;
using NeuralOT.Plotting;
using NeuralOT.Solvers;

namespace NeuralOT.Cli.Commands;

/// <summary>The figure options of the commands that write a run folder (<c>--png</c>, <c>--svg</c>, <c>--pdf</c>,
/// <c>--scale</c>, <c>--projection</c>) and the step that writes the figures through <see cref="RunFigures"/>.</summary>
public sealed class FigureOptionsCli
{
    private readonly Option<bool> _png = new("--png")
    {
        Description = $"Also render every figure to PNG with chromium (Debian: apt-get install chromium; {Chromium.PathVariable} overrides its path).",
    };

    private readonly Option<bool> _svg = new("--svg")
    {
        Description = "Also write every figure as SVG (vector, for papers; rendered with chromium).",
    };

    private readonly Option<bool> _pdf = new("--pdf")
    {
        Description = "Also write every figure as a one-page vector PDF (rendered with chromium).",
    };

    private readonly Option<double?> _scale = new("--scale")
    {
        Description = $"Pixels per layout pixel of the PNG files, {FigureFiles.MinScale} to {FigureFiles.MaxScale} (default 1; 2 or 3 for print).",
    };

    private readonly Option<string?> _projection = new("--projection")
    {
        Description = "The 2-D view of every figure: pca (first two principal components of source and target samples; the default when d > 2) or coords:i,j (1-based coordinates).",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public FigureOptionsCli(Command command)
    {
        command.Options.Add(_png);
        command.Options.Add(_svg);
        command.Options.Add(_pdf);
        command.Options.Add(_scale);
        command.Options.Add(_projection);
    }

    /// <summary>Checks the options before any training, so that a bad projection or a missing chromium fails at once.</summary>
    /// <param name="parseResult">The command line.</param>
    /// <param name="problem">The run's problem, whose distributions a projection is set up on.</param>
    /// <exception cref="ArgumentException">An invalid --projection or --scale.</exception>
    /// <exception cref="ChromiumNotFoundException">--png, --svg or --pdf without chromium.</exception>
    public Request Prepare(ParseResult parseResult, TransportProblem problem)
    {
        Projection? projection = null;
        if (parseResult.GetValue(_projection) is { } text)
            projection = Projection.Parse(text, problem.Source, problem.Target);
        var (png, svg, pdf, scale) = (parseResult.GetValue(_png), parseResult.GetValue(_svg), parseResult.GetValue(_pdf), parseResult.GetValue(_scale));
        if (scale is { } value && !(value is >= FigureFiles.MinScale and <= FigureFiles.MaxScale))
            throw new ArgumentOutOfRangeException("--scale", value, $"--scale {value} is out of range: give {FigureFiles.MinScale} to {FigureFiles.MaxScale} (2 or 3 for print).");
        if (scale is not null && !png)
            throw new ArgumentException("--scale sets the size of the PNG files: add --png (SVG and PDF are vector and need no scale).", "--scale");
        var export = png || svg || pdf ? new FigureExport(Chromium.Locate(), png, svg, pdf, scale ?? 1) : null;
        return new Request(new FigureOptions { Projection = projection }, export);
    }

    /// <summary>What to write once the run is done.</summary>
    /// <param name="Options">The figure settings.</param>
    /// <param name="Export">The image files to write beside each page, or null for HTML only.</param>
    public sealed record Request(FigureOptions Options, FigureExport? Export)
    {
        /// <summary>Writes the run's figures and says where.</summary>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        public void Write(RunOutcome outcome, TextWriter output, CancellationToken cancellation = default)
        {
            var files = RunFigures.Write(outcome, Options, Export, cancellation);
            output.WriteLine($"figures: {string.Join(", ", files.Select(Path.GetFileName))}");
        }
    }
}
