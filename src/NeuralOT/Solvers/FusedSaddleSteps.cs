using System.Runtime.CompilerServices;
using NeuralOT.Costs;
using NeuralOT.Networks;
using NeuralOT.Networks.Kernels;
using static TorchSharp.torch;

namespace NeuralOT.Solvers;

/// <summary>
/// The critic and map steps of one direction computed by the fused kernels (Networks/Kernels) instead of
/// TorchSharp's autograd: the same losses as <see cref="StaticSaddle"/> and <see cref="TimeSaddle"/>, the same
/// samples, gradient clipping and Adam, with hand-derived gradients written into the networks' own storage
/// (docs/solver.md, "Fused kernels"). Results agree with the autograd steps to float32 rounding. Used when the
/// networks are plain MLPs on the CPU, the cost is quadratic or a power cost and training has one direction.
/// </summary>
/// <remarks>Each step splits its batch into two fixed halves whose passes run on two threads when the machine has two
/// cores (one after the other otherwise); their weight gradients are added before one Adam step. The split never
/// depends on the machine, so a seed gives the same numbers on one core or many.</remarks>
internal sealed unsafe class FusedSaddleSteps
{
    private readonly CriticForm form;
    private readonly double? gradientClip;
    private readonly TransportDirection direction;
    private readonly MlpKernel map, critic;
    private readonly AdamKernel mapAdam, criticAdam;
    private readonly Shard[] shards;

    private FusedSaddleSteps(CriticForm form, IRowCost cost, double? gradientClip, TransportDirection direction, Mlp criticNetwork)
    {
        this.form = form;
        this.gradientClip = gradientClip;
        this.direction = direction;
        map = new MlpKernel(direction.Map.Displacement);
        critic = new MlpKernel(criticNetwork);
        mapAdam = new AdamKernel(direction.MapOptimizer, map);
        criticAdam = new AdamKernel(direction.CriticOptimizer, critic);
        shards = [new Shard(map, critic, cost, direction.Map.Dimension), new Shard(map, critic, cost, direction.Map.Dimension)];
        // The Gaussian start's fixed parts are set before training and never change during it: read them once.
        var mapBase = direction.Map.LinearBase is { } linear ? AffinePart.Read(linear.Weight, linear.Bias, linear.Shift, linear.Units, symmetrise: false) : null;
        var criticBase = direction.Critic.QuadraticBase is { } quadratic ? AffinePart.Read(quadratic.Quadratic, quadratic.Linear, quadratic.Shift, quadratic.Units, symmetrise: true) : null;
        foreach (var shard in shards) shard.SetBases(mapBase, criticBase);
        Synchronise();
    }

    /// <summary>The fused steps for these directions, or null when the kernels do not cover them (another device,
    /// two directions, an input-convex critic, GELU, a cost other than quadratic or power, a CPU without 256-bit
    /// vectors, or the autograd engine chosen in the options): training then runs on autograd.</summary>
    public static FusedSaddleSteps? TryCreate(ICost cost, SolverOptions options, Device device, TransportDirection[] directions)
    {
        if (options.Engine == TrainingEngine.Autograd || device.type != TorchSharp.DeviceType.CPU || directions.Length != 1) return null;
        // Without 256-bit vector hardware (an ARM machine, say) the kernels would run emulated: autograd is faster.
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) return null;
        if (cost is not IRowCost rowCost) return null;
        var direction = directions[0];
        if (direction.Critic.PlainPotential is not { } potential || !MlpKernel.Supports(potential) || !MlpKernel.Supports(direction.Map.Displacement))
            return null;
        if (direction.Critic.TimeDependent != (options.Critic == CriticForm.Time)) return null;
        if (direction.Map.parameters().Concat(direction.Critic.parameters()).Any(p => p.dtype != ScalarType.Float32)) return null;
        return new FusedSaddleSteps(options.Critic, rowCost, options.GradientClip, direction, potential);
    }

    /// <summary>Reads the networks' and optimisers' storage again and repacks the weights: after anything outside
    /// these steps may have changed them (a rollback of the held-out guard, a state loaded into the optimisers).</summary>
    public void Synchronise()
    {
        map.Refresh();
        critic.Refresh();
        map.Pack();
        critic.Pack();
        mapAdam.Refresh();
        criticAdam.Refresh();
    }

    /// <summary>One critic ascent step on <paramref name="batch"/>; returns the estimate of S.</summary>
    public double CriticStep(MinibatchSamples batch)
    {
        var rows = new BatchRows(batch);
        if (form == CriticForm.Static) Run(rows, (shard, start, count) => shard.StaticCritic(rows, start, count));
        else Run(rows, (shard, start, count) => shard.TimeCritic(rows, start, count));
        Update(critic, criticAdam, shards.Select(s => s.CriticGradients));
        return shards.Sum(s => s.Objective);
    }

    /// <summary>One map descent step on <paramref name="batch"/>; the values are measured only when <paramref name="report"/>.</summary>
    public MapStepValues? MapStep(MinibatchSamples batch, bool report)
    {
        var rows = new BatchRows(batch);
        if (form == CriticForm.Static) Run(rows, (shard, start, count) => shard.StaticMap(rows, start, count));
        else Run(rows, (shard, start, count) => shard.TimeMap(rows, start, count, report));
        Update(map, mapAdam, shards.Select(s => s.MapGradients));
        if (!report) return null;
        // The saddle value adds the critic's target (and for the time form source) terms, which the map's gradient
        // does not need, measured with the critic the step ran through.
        Run(rows, (shard, start, count) => shard.ReportTerms(form, rows, start, count));
        return new MapStepValues(shards.Sum(s => s.Objective), shards.Sum(s => s.TransportCost), null, null);
    }

    // The rows of one half of the batch on each shard, on two threads when there are two cores.
    private void Run(BatchRows rows, Action<Shard, int, int> work)
    {
        var first = (rows.Count + 1) / 2;
        LanePair.Run(lane => work(shards[lane], lane == 0 ? 0 : first, lane == 0 ? first : rows.Count - first));
    }

    private void Update(MlpKernel network, AdamKernel adam, IEnumerable<MlpGradients> perShard)
    {
        var all = perShard.ToArray();
        var total = all[0];
        foreach (var other in all.Skip(1)) total.Add(other);
        if (gradientClip is { } maxNorm)
        {
            // As torch.nn.utils.clip_grad_norm_: scale by maxNorm / (norm + 1e-6) when that is below 1.
            var factor = maxNorm / (Math.Sqrt(total.SquaredNorm()) + 1e-6);
            if (factor < 1) total.Scale((float)factor);
        }
        adam.Step(total);
        network.Pack();
    }

    /// <summary>The batch's float32 rows as addresses (the tensors outlive the step).</summary>
    private readonly struct BatchRows(MinibatchSamples batch)
    {
        public readonly int Count = (int)batch.Source.shape[0];
        public readonly nint Source = (nint)TensorMemory.Floats(batch.Source);
        public readonly nint Target = (nint)TensorMemory.Floats(batch.Target);
        public readonly nint Times = batch.Times.numel() == 0 ? 0 : (nint)TensorMemory.Floats(batch.Times);
    }

    /// <summary>
    /// The passes over one half of a batch: its own tapes, buffers and weight gradients, and its share of the
    /// reported values (sums over its rows divided by the whole batch's size, so the shards' values add up).
    /// </summary>
    private sealed class Shard(MlpKernel map, MlpKernel critic, IRowCost cost, int dimension)
    {
        private readonly MlpTape mapTape = new(map, 0), criticTape = new(critic, 0), boundaryTape = new(critic, 0);
        private readonly PinnedBuffer displacement = new(0), points = new(0), pointGradients = new(0), rowGradients = new(0),
            mapOutputGradient = new(0), criticOutputGradient = new(0), inputGradient = new(0), tangent = new(0),
            costGradient = new(0), potentials = new(0), affineValues = new(0);
        private AffinePart? mapBase, criticBase;

        public MlpGradients MapGradients { get; } = new(map);
        public MlpGradients CriticGradients { get; } = new(critic);

        /// <summary>This shard's part of the step's objective (or, after a map step, of its loss).</summary>
        public double Objective { get; private set; }

        /// <summary>This shard's part of the mean transport cost.</summary>
        public double TransportCost { get; private set; }

        public void SetBases(AffinePart? mapPart, AffinePart? criticPart)
        {
            mapBase = mapPart;
            criticBase = criticPart;
        }

        // S = E L(F) + E phi(y) - E phi(x + F(x)); the critic's loss is -S.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void StaticCritic(BatchRows rows, int start, int count)
        {
            if (!Start(CriticGradients, rows, start, count, out var x)) return;
            var n = rows.Count;
            // One pass over 2 count rows: the targets, then the transported sources.
            points.EnsureLength(2 * count * dimension);
            Copy(Row(rows.Target, start), points.Pointer, count * dimension);
            Add(points.Pointer + count * dimension, x, displacement.Pointer, count * dimension);
            var phi = StaticCriticForward(criticTape, points.Pointer, 2 * count);
            FillOppositeHalves(count, n);
            StaticCriticBackward(criticTape, points.Pointer, 2 * count, rowGradients.Pointer, CriticGradients, null);
            TransportCost = SumOfCosts(count, gradientScale: null) / n;
            Objective = TransportCost + (Sum(phi, 0, count) - Sum(phi, count, count)) / n;
        }

        // The map's loss E L(F(x)) - E phi(x + F(x)); dloss/dF = grad L / n + dloss/dT.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void StaticMap(BatchRows rows, int start, int count)
        {
            if (!Start(MapGradients, rows, start, count, out var x)) return;
            var n = rows.Count;
            TransportCost = SumOfCosts(count, gradientScale: 1f / n) / n;
            points.EnsureLength(count * dimension);
            Add(points.Pointer, x, displacement.Pointer, count * dimension);
            var phi = StaticCriticForward(criticTape, points.Pointer, count);
            Objective = TransportCost - Sum(phi, 0, count) / n;
            rowGradients.EnsureLength(count);
            rowGradients.Span[..count].Fill(-1f / n);
            pointGradients.EnsureLength(count * dimension);
            StaticCriticBackward(criticTape, points.Pointer, count, rowGradients.Pointer, null, pointGradients.Pointer);
            Add(pointGradients.Pointer, pointGradients.Pointer, costGradient.Pointer, count * dimension);
            MapBackward(pointGradients.Pointer, count);
        }

        // S = E Phi(y, 1) - E Phi(x, 0) - E[dPhi/dt + H(grad_x Phi)] at x_t = x + t F(x); the critic's loss is -S.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void TimeCritic(BatchRows rows, int start, int count)
        {
            if (!Start(CriticGradients, rows, start, count, out var x)) return;
            var n = rows.Count;
            var interior = Interior(x, (float*)rows.Times + start, count, 1f / n);
            criticTape.SecondOrder(tangent.Pointer, CriticGradients, null);
            var boundary = Boundary(x, Row(rows.Target, start), count);
            FillOppositeHalves(count, n);
            WriteScalarGradients(boundaryTape, rowGradients.Pointer, 2 * count, scale: 1);
            boundaryTape.Backward(criticOutputGradient.Pointer, CriticGradients, null);
            Objective = (boundary - interior) / n;
        }

        // The map's loss -E[dPhi/dt + H(grad_x Phi)] at x_t = x + t F(x); dloss/dF = t dloss/dx_t.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void TimeMap(BatchRows rows, int start, int count, bool report)
        {
            if (!Start(MapGradients, rows, start, count, out var x)) return;
            var n = rows.Count;
            var times = (float*)rows.Times + start;
            Objective = -Interior(x, times, count, -1f / n) / n;
            criticTape.SecondOrder(tangent.Pointer, null, inputGradient.Pointer);
            var stride = criticTape.InputStride;
            pointGradients.EnsureLength(count * dimension);
            for (var r = 0; r < count; r++)
                for (var j = 0; j < dimension; j++)
                    pointGradients.Pointer[r * dimension + j] = times[r] * inputGradient.Pointer[r * stride + j];
            if (report) TransportCost = SumOfCosts(count, gradientScale: null) / n;
            MapBackward(pointGradients.Pointer, count);
        }

        // After a map step: adds E phi(y) (static) or E Phi(y, 1) - E Phi(x, 0) (time) to Objective.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ReportTerms(CriticForm form, BatchRows rows, int start, int count)
        {
            if (count == 0) return;
            var y = Row(rows.Target, start);
            Objective += form == CriticForm.Static
                ? Sum(StaticCriticForward(criticTape, y, count), 0, count) / rows.Count
                : Boundary(Row(rows.Source, start), y, count) / rows.Count;
        }

        private float* Row(nint values, int row) => (float*)values + (long)row * dimension;

        // Clears the gradients the step fills and this shard's values, and runs F on its source rows (into
        // `displacement`); false when the shard has no rows.
        private bool Start(MlpGradients gradients, BatchRows rows, int start, int count, out float* x)
        {
            gradients.Clear();
            Objective = TransportCost = 0;
            x = Row(rows.Source, start);
            if (count == 0) return false;
            MapForward(x, count);
            return true;
        }

        // dloss/dPhi for a critic pass over targets then sources: -1/n on the first `count` rows, +1/n on the next.
        private void FillOppositeHalves(int count, int n)
        {
            rowGradients.EnsureLength(2 * count);
            rowGradients.Span[..count].Fill(-1f / n);
            rowGradients.Span[count..(2 * count)].Fill(1f / n);
        }

        // F(x) into `displacement` (count x d): the network's output, scaled and plus the linear base when there is one.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void MapForward(float* x, int count)
        {
            mapTape.Reserve(count);
            displacement.EnsureLength(count * dimension);
            WriteInputs(mapTape, x, count, mapBase, extraColumn: null);
            mapTape.Forward(count);
            var output = mapTape.Output;
            var stride = mapTape.OutputStride;
            var f = displacement.Pointer;
            var linear = mapBase?.Apply(x, count, affineValues);
            for (var r = 0; r < count; r++)
                for (var j = 0; j < dimension; j++)
                {
                    var value = output[r * stride + j];
                    f[r * dimension + j] = mapBase is { } b ? b.OutputUnit * value + linear![r * b.Stride + j] : value;
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void MapBackward(float* gradient, int count)
        {
            var stride = mapTape.OutputStride;
            mapOutputGradient.EnsureLength(count * stride);
            var scale = mapBase?.OutputUnit ?? 1f;
            for (var r = 0; r < count; r++)
                for (var j = 0; j < dimension; j++)
                    mapOutputGradient.Pointer[r * stride + j] = scale * gradient[r * dimension + j];
            mapTape.Backward(mapOutputGradient.Pointer, MapGradients, null);
        }

        // The sum of L(F) over the rows of `displacement`; with a scale, also grad L times it into `costGradient`.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double SumOfCosts(int count, float? gradientScale)
        {
            costGradient.EnsureLength(count * dimension);
            double sum = 0;
            for (var r = 0; r < count; r++)
            {
                var row = new ReadOnlySpan<float>(displacement.Pointer + r * dimension, dimension);
                var gradient = gradientScale is null ? Span<float>.Empty : new Span<float>(costGradient.Pointer + r * dimension, dimension);
                sum += cost.Lagrangian(row, gradient, gradientScale ?? 0);
            }
            return sum;
        }

        // phi at `rows` points (rows x d), one value per row.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private float* StaticCriticForward(MlpTape tape, float* at, int rows)
        {
            tape.Reserve(rows);
            potentials.EnsureLength(rows);
            WriteInputs(tape, at, rows, criticBase, extraColumn: null);
            tape.Forward(rows);
            var output = tape.Output;
            var stride = tape.OutputStride;
            // With a quadratic part, Q y + c of every row stays in `affineValues` for the backward pass (its gradient).
            var gradient = criticBase?.Apply(at, rows, affineValues);
            for (var r = 0; r < rows; r++)
            {
                var value = output[r * stride];
                potentials.Pointer[r] = criticBase is { } b ? b.OutputUnit * value + b.QuadraticValue(at + r * dimension, gradient! + r * b.Stride) : value;
            }
            return potentials.Pointer;
        }

        // Back-propagates dloss/dphi per row: weight gradients into `gradients` (null: frozen) and dloss/d points
        // into `pointsGradient` (null: not needed).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void StaticCriticBackward(MlpTape tape, float* at, int rows, float* potentialGradients, MlpGradients? gradients, float* pointsGradient)
        {
            WriteScalarGradients(tape, potentialGradients, rows, criticBase?.OutputUnit ?? 1f);
            var stride = tape.InputStride;
            if (pointsGradient != null) inputGradient.EnsureLength(rows * stride);
            tape.Backward(criticOutputGradient.Pointer, gradients, pointsGradient == null ? null : inputGradient.Pointer);
            if (pointsGradient == null) return;
            var inverseUnit = criticBase is { } c ? 1f / c.InputUnit : 1f;
            for (var r = 0; r < rows; r++)
                for (var j = 0; j < dimension; j++)
                {
                    var value = inputGradient.Pointer[r * stride + j] * inverseUnit;
                    if (criticBase is { } b) value += potentialGradients[r] * affineValues.Pointer[r * b.Stride + j];
                    pointsGradient[r * dimension + j] = value;
                }
        }

        // The sum over the rows of dPhi/dt + H(grad_x Phi) at x_t = x + t F(x) (F in `displacement`); leaves
        // p = scale (grad H, 1) in `tangent`, ready for the second-order pass.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double Interior(float* x, float* times, int count, float scale)
        {
            criticTape.Reserve(count);
            var stride = criticTape.InputStride;
            var input = criticTape.Input;
            for (var r = 0; r < count; r++)
            {
                for (var j = 0; j < dimension; j++)
                    input[r * stride + j] = x[r * dimension + j] + times[r] * displacement.Pointer[r * dimension + j];
                input[r * stride + dimension] = times[r];
            }
            criticTape.Forward(count, secondOrder: true);
            inputGradient.EnsureLength(count * stride);
            tangent.EnsureLength(count * stride);
            criticTape.InputGradient(inputGradient.Pointer);
            double sum = 0;
            for (var r = 0; r < count; r++)
            {
                var g = inputGradient.Pointer + r * stride;
                var p = tangent.Pointer + r * stride;
                sum += g[dimension] + cost.Hamiltonian(new ReadOnlySpan<float>(g, dimension), new Span<float>(p, dimension), scale);
                p[dimension] = scale;
            }
            return sum;
        }

        // The sum of Phi(y, 1) minus the sum of Phi(x, 0), with the 2 count rows left in `boundaryTape`.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private double Boundary(float* x, float* y, int count)
        {
            boundaryTape.Reserve(2 * count);
            WriteInputs(boundaryTape, y, count, null, extraColumn: 1f);
            WriteInputs(boundaryTape, x, count, null, extraColumn: 0f, firstRow: count);
            boundaryTape.Forward(2 * count);
            double target = 0, source = 0;
            var stride = boundaryTape.OutputStride;
            for (var r = 0; r < count; r++)
            {
                target += boundaryTape.Output[r * stride];
                source += boundaryTape.Output[(count + r) * stride];
            }
            return target - source;
        }

        // Rows of d values into a tape's padded input, through the base's shift and unit, with an extra last column (time).
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WriteInputs(MlpTape tape, float* values, int rows, AffinePart? affine, float? extraColumn, int firstRow = 0)
        {
            var stride = tape.InputStride;
            var input = tape.Input + (long)firstRow * stride;
            for (var r = 0; r < rows; r++)
            {
                var row = values + r * dimension;
                var target = input + (long)r * stride;
                if (affine is { } a)
                    for (var j = 0; j < dimension; j++) target[j] = (row[j] - a.Shift[j]) / a.InputUnit;
                else
                    for (var j = 0; j < dimension; j++) target[j] = row[j];
                if (extraColumn is { } value) target[dimension] = value;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WriteScalarGradients(MlpTape tape, float* values, int rows, float scale)
        {
            var stride = tape.OutputStride;
            criticOutputGradient.EnsureLength(rows * stride);
            for (var r = 0; r < rows; r++) criticOutputGradient.Pointer[r * stride] = scale * values[r];
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static double Sum(float* values, int start, int count)
        {
            double sum = 0;
            for (var i = 0; i < count; i++) sum += values[start + i];
            return sum;
        }

        private static void Copy(float* from, float* to, int count) => new ReadOnlySpan<float>(from, count).CopyTo(new Span<float>(to, count));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Add(float* target, float* a, float* b, int count)
        {
            for (var i = 0; i < count; i++) target[i] = a[i] + b[i];
        }
    }

    /// <summary>A network's fixed affine or quadratic part and units, read from its buffers: the map's W x + c (F
    /// sees (x - shift) / unit_in, its output is multiplied by unit_out), or the critic's x^T Q x / 2 + c . x with
    /// Q symmetrised, whose gradient is Q x + c. M x + c of a batch is one product with the padded M^T.</summary>
    private sealed class AffinePart
    {
        private PinnedBuffer transposed = new(0), vector = new(0);
        private int dimension;

        public required float[] Shift { get; init; }
        public float InputUnit { get; init; }
        public float OutputUnit { get; init; }

        /// <summary>The row stride of <see cref="Apply"/>'s result.</summary>
        public int Stride => Gemm.Pad(dimension);

        public static AffinePart Read(Tensor matrix, Tensor vector, Tensor shift, Tensor units, bool symmetrise)
        {
            using var _ = NewDisposeScope();
            var m = (symmetrise ? (matrix + matrix.t()) * 0.5 : matrix).to(ScalarType.Float32).contiguous().data<float>().ToArray();
            var c = vector.to(ScalarType.Float32).data<float>().ToArray();
            var u = units.to(ScalarType.Float32).data<float>().ToArray();
            var part = new AffinePart { Shift = shift.to(ScalarType.Float32).data<float>().ToArray(), InputUnit = u[0], OutputUnit = u[1] };
            var d = part.dimension = c.Length;
            part.transposed = new PinnedBuffer(d * part.Stride);
            part.vector = new PinnedBuffer(part.Stride);
            for (var j = 0; j < d; j++)
            {
                part.vector.Pointer[j] = c[j];
                for (var k = 0; k < d; k++) part.transposed.Pointer[k * part.Stride + j] = m[j * d + k];
            }
            return part;
        }

        /// <summary>M x + c for every row of <paramref name="x"/> (rows x d) into <paramref name="result"/>, rows of
        /// <see cref="Stride"/> floats; returns its address.</summary>
        public float* Apply(float* x, int rows, PinnedBuffer result)
        {
            var stride = Stride;
            result.EnsureLength(rows * stride);
            Gemm.Multiply(rows, stride, dimension, x, dimension, 1, transposed.Pointer, stride, result.Pointer, stride, false);
            for (var r = 0; r < rows; r++)
                for (var j = 0; j < dimension; j++) result.Pointer[r * stride + j] += vector.Pointer[j];
            return result.Pointer;
        }

        /// <summary>x^T Q x / 2 + c . x, given Q x + c.</summary>
        public float QuadraticValue(float* x, float* affine)
        {
            float sum = 0;
            for (var j = 0; j < dimension; j++) sum += x[j] * 0.5f * (affine[j] + vector.Pointer[j]);
            return sum;
        }
    }
}
