using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>CSR × dense products. Each output row is written by one thread, in a fixed order (deterministic).</summary>
internal static class SparseKernels
{
    /// <summary>Y[rows × n] (+)= A · X with A in CSR form and X dense row-major [cols × n].</summary>
    internal static void Multiply(int rows, int[] ptr, int[] idx, float[] val, float[] x, int n, float[] y, bool accumulate)
    {
        long work = (long)ptr[rows] * n;
        if (work < 1 << 18 || Environment.ProcessorCount == 1)
        {
            Rows(0, rows, ptr, idx, val, x, n, y, accumulate);
            return;
        }
        int threads = Math.Min(Environment.ProcessorCount, 8);
        // Fixed partition by row ranges of about equal non-zero counts.
        var bounds = new int[threads + 1];
        long nnz = ptr[rows];
        int row = 0;
        for (int t = 1; t < threads; t++)
        {
            long target = nnz * t / threads;
            while (row < rows && ptr[row] < target) row++;
            bounds[t] = row;
        }
        bounds[threads] = rows;
        Parallel.For(0, threads, t => Rows(bounds[t], bounds[t + 1], ptr, idx, val, x, n, y, accumulate));
    }

    private static void Rows(int from, int to, int[] ptr, int[] idx, float[] val, float[] x, int n, float[] y, bool accumulate)
    {
        for (int r = from; r < to; r++)
        {
            var dst = y.AsSpan(r * n, n);
            if (!accumulate) dst.Clear();
            for (int k = ptr[r]; k < ptr[r + 1]; k++)
                TensorPrimitives.MultiplyAdd(x.AsSpan(idx[k] * n, n), val[k], dst, dst);
        }
    }
}
