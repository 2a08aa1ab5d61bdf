using System.Buffers;
using System.Runtime.Intrinsics;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// CSR sparse × dense row-major products. Each output element is accumulated in a fixed order (stored
/// non-zeros in ascending position, fused multiply-add, then added to the output), and threads only
/// partition output rows, so results are bitwise identical for any thread count.
/// </summary>
internal static class SparseMatMul
{
    /// <summary>Below this many multiply-adds (nnz·n) the product runs on the calling thread.</summary>
    internal static long ParallelThreshold { get; set; } = 1L << 19;

    /// <summary>Maximum threads a single product may use.</summary>
    internal static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// output (rows×n) = (accumulate ? output : 0) + S · D, where S is CSR rows×cols and D is dense row-major cols×n.
    /// </summary>
    internal static unsafe void Multiply(ReadOnlySpan<int> indptr, ReadOnlySpan<int> indices, ReadOnlySpan<float> values,
        int rows, int cols, ReadOnlySpan<float> dense, int n, Span<float> output, bool accumulate)
    {
        ValidateCsr(indptr, indices, values, rows, cols);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (dense.Length < (long)cols * n) throw new ArgumentException("Dense operand is too short.", nameof(dense));
        if (output.Length < (long)rows * n) throw new ArgumentException("Output is too short.", nameof(output));
        if (rows == 0 || n == 0) return;
        fixed (int* ip = indptr) fixed (int* ix = indices) fixed (float* v = values)
        fixed (float* d = dense) fixed (float* o = output)
        {
            Rows(ip, ix, v, 0, rows, d, n, o, accumulate, indptr[rows] - indptr[0]);
        }
    }

    /// <summary>
    /// output (cols×n) = (accumulate ? output : 0) + Sᵀ · D, where S is CSR rows×cols and D is dense row-major rows×n
    /// (the weight gradient of a sparse-input layer). A stable transposed copy (CSC) of S is built from pooled
    /// buffers, so each output row sums its terms in ascending source-row order, independent of threads.
    /// </summary>
    internal static unsafe void MultiplyTransposed(ReadOnlySpan<int> indptr, ReadOnlySpan<int> indices, ReadOnlySpan<float> values,
        int rows, int cols, ReadOnlySpan<float> dense, int n, Span<float> output, bool accumulate)
    {
        ValidateCsr(indptr, indices, values, rows, cols);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (dense.Length < (long)rows * n) throw new ArgumentException("Dense operand is too short.", nameof(dense));
        if (output.Length < (long)cols * n) throw new ArgumentException("Output is too short.", nameof(output));
        if (cols == 0 || n == 0) return;
        int nnz = indptr[rows] - indptr[0];
        int[] tPtr = ArrayPool<int>.Shared.Rent(cols + 1);
        int[] tIdx = ArrayPool<int>.Shared.Rent(Math.Max(1, nnz));
        float[] tVal = ArrayPool<float>.Shared.Rent(Math.Max(1, nnz));
        try
        {
            // Counting sort by column; scanning rows in ascending order keeps each column's entries row-sorted.
            Array.Clear(tPtr, 0, cols + 1);
            int baseOff = indptr[0];
            for (int q = baseOff; q < baseOff + nnz; q++) tPtr[indices[q] + 1]++;
            for (int c = 0; c < cols; c++) tPtr[c + 1] += tPtr[c];
            int[] next = ArrayPool<int>.Shared.Rent(cols);
            try
            {
                Array.Copy(tPtr, next, cols);
                for (int r = 0; r < rows; r++)
                    for (int q = indptr[r]; q < indptr[r + 1]; q++)
                    {
                        int dst = next[indices[q]]++;
                        tIdx[dst] = r;
                        tVal[dst] = values[q];
                    }
            }
            finally { ArrayPool<int>.Shared.Return(next); }
            fixed (int* ip = tPtr) fixed (int* ix = tIdx) fixed (float* v = tVal)
            fixed (float* d = dense) fixed (float* o = output)
            {
                Rows(ip, ix, v, 0, cols, d, n, o, accumulate, nnz);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(tPtr);
            ArrayPool<int>.Shared.Return(tIdx);
            ArrayPool<float>.Shared.Return(tVal);
        }
    }

    private static void ValidateCsr(ReadOnlySpan<int> indptr, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int rows, int cols)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if (indptr.Length < rows + 1) throw new ArgumentException("indptr must have rows + 1 entries.", nameof(indptr));
        int end = indptr[rows];
        if (indptr[0] < 0 || end > indices.Length || end > values.Length)
            throw new ArgumentException("indptr is inconsistent with indices/values.", nameof(indptr));
        for (int r = 0; r < rows; r++)
            if (indptr[r + 1] < indptr[r]) throw new ArgumentException("indptr must be non-decreasing.", nameof(indptr));
        for (int q = indptr[0]; q < end; q++)
            if ((uint)indices[q] >= (uint)cols) throw new ArgumentException($"Column index {indices[q]} out of range.", nameof(indices));
    }

    private static unsafe void Rows(int* ip, int* ix, float* v, int r0, int r1, float* d, int n, float* o, bool accumulate, long nnz)
    {
        int threads = Math.Min(MaxThreads, r1 - r0);
        if (threads <= 1 || nnz * n < ParallelThreshold)
        {
            RowRange(ip, ix, v, r0, r1, d, n, o, accumulate);
            return;
        }
        nint nip = (nint)ip, nix = (nint)ix, nv = (nint)v, nd = (nint)d, no = (nint)o;
        int count = r1 - r0;
        ForkJoin.For(threads, t =>
        {
            int lo = r0 + (int)((long)count * t / threads), hi = r0 + (int)((long)count * (t + 1) / threads);
            RowRange((int*)nip, (int*)nix, (float*)nv, lo, hi, (float*)nd, n, (float*)no, accumulate);
        });
    }

    private static unsafe void RowRange(int* ip, int* ix, float* v, int r0, int r1, float* d, int n, float* o, bool accumulate)
    {
        for (int r = r0; r < r1; r++)
        {
            int q0 = ip[r], q1 = ip[r + 1];
            float* orow = o + (long)r * n;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // 64 columns at a time in four accumulators: each dense row segment is loaded once per non-zero.
                for (; j + 64 <= n; j += 64)
                {
                    Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int q = q0; q < q1; q++)
                    {
                        var s = Vector512.Create(v[q]);
                        float* dr = d + (long)ix[q] * n + j;
                        a0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(dr), a0);
                        a1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(dr + 16), a1);
                        a2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(dr + 32), a2);
                        a3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(dr + 48), a3);
                    }
                    float* op = orow + j;
                    if (accumulate) { a0 = Vector512.Load(op) + a0; a1 = Vector512.Load(op + 16) + a1; a2 = Vector512.Load(op + 32) + a2; a3 = Vector512.Load(op + 48) + a3; }
                    a0.Store(op); a1.Store(op + 16); a2.Store(op + 32); a3.Store(op + 48);
                }
                for (; j + 16 <= n; j += 16)
                {
                    Vector512<float> a0 = default;
                    for (int q = q0; q < q1; q++)
                        a0 = Vector512.FusedMultiplyAdd(Vector512.Create(v[q]), Vector512.Load(d + (long)ix[q] * n + j), a0);
                    if (accumulate) a0 = Vector512.Load(orow + j) + a0;
                    a0.Store(orow + j);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 32 <= n; j += 32)
                {
                    Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
                    for (int q = q0; q < q1; q++)
                    {
                        var s = Vector256.Create(v[q]);
                        float* dr = d + (long)ix[q] * n + j;
                        a0 = Vector256.FusedMultiplyAdd(s, Vector256.Load(dr), a0);
                        a1 = Vector256.FusedMultiplyAdd(s, Vector256.Load(dr + 8), a1);
                        a2 = Vector256.FusedMultiplyAdd(s, Vector256.Load(dr + 16), a2);
                        a3 = Vector256.FusedMultiplyAdd(s, Vector256.Load(dr + 24), a3);
                    }
                    float* op = orow + j;
                    if (accumulate) { a0 = Vector256.Load(op) + a0; a1 = Vector256.Load(op + 8) + a1; a2 = Vector256.Load(op + 16) + a2; a3 = Vector256.Load(op + 24) + a3; }
                    a0.Store(op); a1.Store(op + 8); a2.Store(op + 16); a3.Store(op + 24);
                }
            }
            for (; j < n; j++)
            {
                float s = 0f;
                for (int q = q0; q < q1; q++) s = MathF.FusedMultiplyAdd(v[q], d[(long)ix[q] * n + j], s);
                orow[j] = accumulate ? orow[j] + s : s;
            }
        }
    }
}
