namespace SingleCell.Models.Tensors.Kernels;

// TEMPORARY reference GEMM, replaced by the blocked SIMD kernel from the `gemm` branch.
internal static class Gemm
{
    internal static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0f;
                for (int p = 0; p < k; p++)
                    s += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s;
            }
    }

    internal static void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, bool accumulate)
    {
        for (int t = 0; t < batch; t++)
            Multiply(transA, transB, m, n, k, a[(int)(t * strideA)..], lda, b[(int)(t * strideB)..], ldb, c[(int)(t * strideC)..], ldc, accumulate);
    }
}
