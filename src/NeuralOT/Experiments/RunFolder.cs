using System.Globalization;
using System.Text;
using NeuralOT.Checkpoints;
using NeuralOT.Distributions;
using NeuralOT.IO;
using NeuralOT.Solvers;
using TorchSharp;
using static TorchSharp.torch;

namespace NeuralOT.Experiments;

/// <summary>
/// Reads what <see cref="ExperimentRunner"/> wrote into a run folder: its config, its phase-1 and phase-2
/// checkpoints, samples of the geodesic or of the velocity flow at any time, and the learned map applied to points
/// of a CSV file.
/// </summary>
public static class RunFolder
{
    /// <summary>Refuses a path that is not an existing folder, in the words every run-folder command uses.</summary>
    /// <exception cref="RunFolderException">No folder at <paramref name="directory"/>.</exception>
    internal static void RequireFolder(string directory)
    {
        if (!Directory.Exists(directory))
            throw new RunFolderException(RunFolderProblem.NotARunFolder, directory,
                $"No run folder at {directory}",
                "give the folder a run wrote");
    }

    /// <summary>The run's config.json, checked like a config given to <see cref="ExperimentRunner.Prepare"/>, with the
    /// solver options resolved.</summary>
    /// <exception cref="RunFolderException">No such folder, or no config.json in it.</exception>
    /// <exception cref="ConfigException">An invalid config.</exception>
    public static ExperimentConfig LoadConfig(string directory)
    {
        RequireFolder(directory);
        var configPath = Path.Combine(directory, ExperimentRunner.ConfigFile);
        if (!File.Exists(configPath))
            throw new RunFolderException(RunFolderProblem.NotARunFolder, directory,
                $"{directory} is not a run folder: it has no {ExperimentRunner.ConfigFile}",
                "give the folder a run wrote");
        // Load checks the config (ExperimentConfig.Validate).
        var config = ExperimentConfig.Load(configPath);
        return config with { Solver = config.Solver.Resolve(config.Cost) };
    }

    /// <summary>The phase-1 result in the folder's checkpoint.ckpt (as far as training got: a cancelled run's
    /// checkpoint holds the map of its last completed iteration). The caller disposes it.</summary>
    /// <exception cref="RunFolderException">Not a run folder, or no checkpoint.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static TransportResult LoadMap(string directory, out ExperimentConfig config)
    {
        config = LoadConfig(directory);
        // Not disposed: the returned result samples from its distributions (the known map's potential is left to
        // the finalizer, as the result does not own its problem).
        var problem = ExperimentRunner.CheckedProblem(config);
        try
        {
            var checkpoint = Path.Combine(directory, ExperimentRunner.CheckpointFile);
            if (!File.Exists(checkpoint))
                throw new RunFolderException(RunFolderProblem.NoCheckpoint, directory,
                    $"{directory} has no {ExperimentRunner.CheckpointFile}: the run stopped before its first checkpoint",
                    "run it again");
            return TransportCheckpoint.Load(checkpoint, problem.Source, problem.Target, config.Cost, config.Solver, RunFiles.ConfigSha256(directory));
        }
        catch
        {
            problem.Dispose();
            throw;
        }
    }

    /// <summary>The phase-2 field in the folder's velocity_checkpoint.ckpt, learned from <paramref name="map"/>.
    /// The caller disposes it.</summary>
    /// <exception cref="RunFolderException">The run has no phase 2 (no velocity section, or phase 2 did not run).</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static VelocityResult LoadVelocity(string directory, ExperimentConfig config, TransportResult map)
    {
        var checkpoint = Path.Combine(directory, ExperimentRunner.VelocityCheckpointFile);
        if (config.Velocity is null)
            throw new RunFolderException(RunFolderProblem.NoVelocityPhase, directory,
                $"The run in {directory} has no phase 2: its {ExperimentRunner.ConfigFile} has no velocity section",
                "sample the geodesic instead, or run again with a velocity section");
        if (!File.Exists(checkpoint))
            throw new RunFolderException(RunFolderProblem.VelocityPhaseNotTrained, directory,
                $"The run in {directory} has no phase 2 yet ({ExperimentRunner.VelocityCheckpointFile} is missing: phase 1 did not finish)",
                "resume the run first, or sample the geodesic instead");
        return VelocityCheckpoint.Load(checkpoint, VelocitySupervision.FromMap(map), config.Velocity.Options);
    }

    /// <summary>The quadratic-cost companion of a <c>compare_quadratic</c> run (quadratic_checkpoint.ckpt), or null
    /// when the run has none. It solves the same pair as <paramref name="map"/> and reads its distributions, so the
    /// folder's problem is not built again. The caller disposes it.</summary>
    /// <param name="directory">The run folder.</param>
    /// <param name="config">Its config (<see cref="LoadMap"/> gives it).</param>
    /// <param name="map">The run's phase-1 result (<see cref="LoadMap"/>).</param>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static TransportResult? LoadQuadraticComparison(string directory, ExperimentConfig config, TransportResult map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var checkpoint = Path.Combine(directory, ExperimentRunner.QuadraticCheckpointFile);
        if (!config.CompareQuadratic || !File.Exists(checkpoint)) return null;
        return TransportCheckpoint.Load(checkpoint, map.Source, map.Target, Costs.QuadraticCost.Instance, config.Solver, RunFiles.ConfigSha256(directory));
    }

    /// <summary>
    /// <paramref name="count"/> samples of the run's geodesic mu_t = (Id + t F)#mu0 at time <paramref name="t"/>, or
    /// with <paramref name="flow"/> of the phase-2 flow: source samples integrated along the learned velocity field
    /// from 0 to t with the config's integrator and steps. A float64 count x d tensor on the CPU.
    /// </summary>
    /// <param name="directory">A run folder.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <param name="count">How many samples, at least 1.</param>
    /// <param name="flow">Sample the velocity flow instead of the geodesic.</param>
    /// <param name="seed">Seed of the source samples.</param>
    /// <exception cref="ArgumentOutOfRangeException">t outside [0, 1] or count below 1.</exception>
    /// <exception cref="RunFolderException">Not a run folder, no checkpoint, or no phase 2 with <paramref name="flow"/>.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint.</exception>
    public static Tensor Sample(string directory, double t, int count, bool flow = false, int seed = 0)
    {
        if (!(t >= 0 && t <= 1))
            throw new ArgumentOutOfRangeException(nameof(t), t, FormattableString.Invariant($"t = {t} is outside [0, 1]: 0 is the source, 1 the target."));
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is invalid: ask for at least 1 sample.");
        using var map = LoadMap(directory, out var config);
        var generator = new Generator((ulong)seed);
        if (!flow) return map.SampleGeodesic(t, count, generator);
        using var velocity = LoadVelocity(directory, config, map);
        using var start = map.Source.Sample(count, generator);
        return velocity.Flow(start, t, config.Velocity!.Integrator, config.Velocity.Steps);
    }

    /// <summary>How many rows <see cref="Transform(string, string, TextWriter, double, bool, int, CancellationToken)"/> maps at a time
    /// unless told otherwise.</summary>
    public const int TransformChunkRows = 65536;

    /// <summary>
    /// Applies the run's learned map to the points of a CSV file and writes the moved points as CSV: each row x
    /// becomes T_t(x) = x + t F(x) (<see cref="TransportResult.Interpolate"/>, the geodesic the run samples; t = 1 is
    /// the map T, t = 0 the identity), or with <paramref name="reverse"/> y + t G(y)
    /// (<see cref="TransportResult.ReverseInterpolate"/>; t = 1 is the reverse map of a bidirectional run). The file is
    /// read and written <paramref name="chunkRows"/> rows at a time, so memory stays flat however many rows it has;
    /// rows keep their order. The output's header is the input's header row, or <c>x1,...,xd</c> when the input
    /// has none. Works on a finished run and on one stopped after a checkpoint (its last checkpointed map).
    /// </summary>
    /// <param name="directory">A run folder.</param>
    /// <param name="inputPath">The points: a CSV file read by <see cref="CsvSamples"/>, one point per row, as many
    /// columns as the run's dimension.</param>
    /// <param name="output">Where the CSV goes (written a chunk at a time). Nothing is written when the folder, the
    /// time, the reverse map or the input's column count is wrong; a bad row further down the file stops the
    /// transform after the chunks before it were written (use the overload with an output path to get all or nothing).</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <param name="reverse">Apply the reverse map of a bidirectional run instead of the forward one.</param>
    /// <param name="chunkRows">Rows per chunk, at least 1. The result depends on it only through the float32
    /// rounding of the network, whose arithmetic depends on the batch shape (differences of about 1e-7 relative).</param>
    /// <param name="cancellation">Checked before each chunk: cancelling stops the transform with an
    /// <see cref="OperationCanceledException"/> after the chunks before it were written.</param>
    /// <returns>The number of rows transformed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">t outside [0, 1] or chunkRows below 1.</exception>
    /// <exception cref="ArgumentException">No input file, or the input's column count differs from the run's dimension.</exception>
    /// <exception cref="RunFolderException">Not a run folder, no checkpoint, or no reverse map with <paramref name="reverse"/>.</exception>
    /// <exception cref="InvalidDataException">A truncated, corrupt or mismatched checkpoint, or a bad row in the input.</exception>
    public static long Transform(string directory, string inputPath, TextWriter output, double t = 1, bool reverse = false,
        int chunkRows = TransformChunkRows, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(inputPath);
        ArgumentNullException.ThrowIfNull(output);
        TransportResult.CheckTime(t);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkRows, 1);
        using var map = LoadMap(directory, out _);
        if (reverse && map.ReverseMap is null)
            throw new RunFolderException(RunFolderProblem.NoReverseMap, directory,
                $"The run in {directory} has no reverse map: it was not trained bidirectionally",
                "apply the forward map, or train the pair again with solver.bidirectional");
        var header = CsvSamples.ReadHeader(inputPath);
        if (header is not null) CheckColumns(directory, inputPath, header.Length, map.Dimension);
        long rows = 0;
        foreach (var chunk in CsvSamples.ReadChunks(inputPath, chunkRows))
        {
            cancellation.ThrowIfCancellationRequested();
            var text = new StringWriter(CultureInfo.InvariantCulture);
            if (rows == 0)
            {
                CheckColumns(directory, inputPath, chunk.GetLength(1), map.Dimension);
                CsvSamples.WriteHeader(text, header ?? CsvSamples.DefaultColumnNames(map.Dimension));
            }
            using (var scope = NewDisposeScope())
            {
                var points = tensor(chunk, float64);
                var moved = reverse ? map.ReverseInterpolate(points, t) : map.Interpolate(points, t);
                CsvSamples.WriteRows(text, moved.data<double>().ToArray(), map.Dimension);
            }
            // One write per chunk: a console writer flushes on every call.
            output.Write(text.ToString());
            rows += chunk.GetLength(0);
        }
        return rows;
    }

    /// <summary>
    /// <see cref="Transform(string, string, TextWriter, double, bool, int, CancellationToken)"/> into the file
    /// <paramref name="outputPath"/>, written atomically (<see cref="AtomicFile"/>): on any failure the file is left as
    /// it was, and the output may replace the input file itself.
    /// </summary>
    /// <param name="directory">A run folder.</param>
    /// <param name="inputPath">The points, one per row.</param>
    /// <param name="outputPath">The CSV file to write (UTF-8, no byte-order mark); its folder must exist.</param>
    /// <param name="t">The time, in [0, 1].</param>
    /// <param name="reverse">Apply the reverse map of a bidirectional run.</param>
    /// <param name="chunkRows">Rows per chunk, at least 1.</param>
    /// <param name="cancellation">Checked before each chunk; cancelling leaves the file as it was.</param>
    /// <returns>The number of rows transformed.</returns>
    public static long Transform(string directory, string inputPath, string outputPath, double t = 1, bool reverse = false,
        int chunkRows = TransformChunkRows, CancellationToken cancellation = default)
    {
        long rows = 0;
        AtomicFile.Write(outputPath, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            rows = Transform(directory, inputPath, writer, t, reverse, chunkRows, cancellation);
        });
        return rows;
    }

    private static void CheckColumns(string directory, string inputPath, int columns, int dimension)
    {
        if (columns != dimension)
            throw new ArgumentException(
                $"{inputPath} has {columns} column{(columns == 1 ? "" : "s")}, but the run in {directory} maps points of dimension {dimension}; give one point of {dimension} numbers per row",
                nameof(inputPath));
    }
}
