using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NeuralOT.Networks.Kernels;

/// <summary>
/// Single-precision matrix products for the fused training kernels: C (+)= A B with A read through strides (so A or
/// its transpose can be passed without copying) and B, C row-major. The column count N of B and C must be a multiple
/// of 16: callers pad their buffers, which keeps every inner loop free of remainders.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>The padding unit of every column count passed here.</summary>
    public const int ColumnUnit = 16;

    /// <summary>Rounds a column count up to <see cref="ColumnUnit"/>.</summary>
    public static int Pad(int columns) => (columns + ColumnUnit - 1) / ColumnUnit * ColumnUnit;

    /// <summary>C[i, :] (+)= sum over k &lt; K of A(i, k) B[k, :], for i &lt; M, where A(i, k) = a[i * aRow + k * aColumn],
    /// row k of B starts at b + k * ldb and row i of C at c + i * ldc; N columns, a multiple of 16.</summary>
    public static void Multiply(int m, int n, int k, float* a, int aRow, int aColumn, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        if (n % ColumnUnit != 0) throw new ArgumentException($"The column count {n} is not a multiple of {ColumnUnit}.", nameof(n));
        if (Vector512.IsHardwareAccelerated)
            Multiply512(m, n, k, a, aRow, aColumn, b, ldb, c, ldc, accumulate);
        else
            MultiplyPortable(m, n, k, a, aRow, aColumn, b, ldb, c, ldc, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply512(int m, int n, int k, float* a, int aRow, int aColumn, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        var j = 0;
        for (; j + 32 <= n; j += 32)
        {
            var i = 0;
            for (; i + 6 <= m; i += 6) Tile6x32(k, a + (long)i * aRow, aRow, aColumn, b + j, ldb, c + (long)i * ldc + j, ldc, accumulate);
            for (; i < m; i++) Row32(k, a + (long)i * aRow, aColumn, b + j, ldb, c + (long)i * ldc + j, accumulate);
        }
        if (j < n)
        {
            var i = 0;
            for (; i + 6 <= m; i += 6) Tile6x16(k, a + (long)i * aRow, aRow, aColumn, b + j, ldb, c + (long)i * ldc + j, ldc, accumulate);
            for (; i < m; i++) Row16(k, a + (long)i * aRow, aColumn, b + j, ldb, c + (long)i * ldc + j, accumulate);
        }
    }

    // Six rows by 32 columns: twelve accumulators, two loads of B and six broadcasts of A per k.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x32(int k, float* a, int aRow, int aColumn, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (var p = 0; p < k; p++)
        {
            var row = b + (long)p * ldb;
            var b0 = Vector512.Load(row);
            var b1 = Vector512.Load(row + 16);
            var ap = a + (long)p * aColumn;
            var x = Vector512.Create(ap[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(ap[aRow]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(ap[2 * aRow]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(ap[3 * aRow]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(ap[4 * aRow]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(ap[5 * aRow]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
        }
        Store(c, c00, accumulate); Store(c + 16, c01, accumulate);
        Store(c + ldc, c10, accumulate); Store(c + ldc + 16, c11, accumulate);
        Store(c + 2 * ldc, c20, accumulate); Store(c + 2 * ldc + 16, c21, accumulate);
        Store(c + 3 * ldc, c30, accumulate); Store(c + 3 * ldc + 16, c31, accumulate);
        Store(c + 4 * ldc, c40, accumulate); Store(c + 4 * ldc + 16, c41, accumulate);
        Store(c + 5 * ldc, c50, accumulate); Store(c + 5 * ldc + 16, c51, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16(int k, float* a, int aRow, int aColumn, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (var p = 0; p < k; p++)
        {
            var b0 = Vector512.Load(b + (long)p * ldb);
            var ap = a + (long)p * aColumn;
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[aRow]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[2 * aRow]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[3 * aRow]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[4 * aRow]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(ap[5 * aRow]), b0, c5);
        }
        Store(c, c0, accumulate); Store(c + ldc, c1, accumulate); Store(c + 2 * ldc, c2, accumulate);
        Store(c + 3 * ldc, c3, accumulate); Store(c + 4 * ldc, c4, accumulate); Store(c + 5 * ldc, c5, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row32(int k, float* a, int aColumn, float* b, int ldb, float* c, bool accumulate)
    {
        Vector512<float> c0 = default, c1 = default;
        for (var p = 0; p < k; p++)
        {
            var x = Vector512.Create(a[(long)p * aColumn]);
            var row = b + (long)p * ldb;
            c0 = Vector512.FusedMultiplyAdd(x, Vector512.Load(row), c0);
            c1 = Vector512.FusedMultiplyAdd(x, Vector512.Load(row + 16), c1);
        }
        Store(c, c0, accumulate);
        Store(c + 16, c1, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row16(int k, float* a, int aColumn, float* b, int ldb, float* c, bool accumulate)
    {
        Vector512<float> c0 = default;
        for (var p = 0; p < k; p++)
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[(long)p * aColumn]), Vector512.Load(b + (long)p * ldb), c0);
        Store(c, c0, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> value, bool accumulate)
    {
        if (accumulate) value += Vector512.Load(c);
        value.Store(c);
    }

    // Machines without 512-bit vectors: one row at a time, 16 columns in two 256-bit halves.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyPortable(int m, int n, int k, float* a, int aRow, int aColumn, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        for (var i = 0; i < m; i++)
        {
            var ai = a + (long)i * aRow;
            var ci = c + (long)i * ldc;
            for (var j = 0; j < n; j += 16)
            {
                Vector256<float> c0 = default, c1 = default;
                for (var p = 0; p < k; p++)
                {
                    var x = Vector256.Create(ai[(long)p * aColumn]);
                    var row = b + (long)p * ldb + j;
                    c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row), c0);
                    c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(row + 8), c1);
                }
                if (accumulate)
                {
                    c0 += Vector256.Load(ci + j);
                    c1 += Vector256.Load(ci + j + 8);
                }
                c0.Store(ci + j);
                c1.Store(ci + j + 8);
            }
        }
    }
}
