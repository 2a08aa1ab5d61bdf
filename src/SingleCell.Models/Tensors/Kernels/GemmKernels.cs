using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SingleCell.Models.Tensors.Kernels;

[SkipLocalsInit]
internal static partial class Gemm
{
    /// <summary>8×32 micro-kernel: 16 Vector512 accumulators; per k, two B vectors and eight A broadcasts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel512(int kc, float* a, float* b, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        Vector512<float> c00 = Vector512<float>.Zero, c01 = Vector512<float>.Zero;
        Vector512<float> c10 = Vector512<float>.Zero, c11 = Vector512<float>.Zero;
        Vector512<float> c20 = Vector512<float>.Zero, c21 = Vector512<float>.Zero;
        Vector512<float> c30 = Vector512<float>.Zero, c31 = Vector512<float>.Zero;
        Vector512<float> c40 = Vector512<float>.Zero, c41 = Vector512<float>.Zero;
        Vector512<float> c50 = Vector512<float>.Zero, c51 = Vector512<float>.Zero;
        Vector512<float> c60 = Vector512<float>.Zero, c61 = Vector512<float>.Zero;
        Vector512<float> c70 = Vector512<float>.Zero, c71 = Vector512<float>.Zero;
        // Unrolled by two k-steps (same per-element FMA order) to halve loop overhead.
        int p = 0;
        for (; p + 2 <= kc; p += 2, a += 16, b += 64)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            var d0 = Vector512.Load(b + 32); var d1 = Vector512.Load(b + 48);
            var e0 = Vector512.Create(a[8 + 0]); c00 = Vector512.FusedMultiplyAdd(e0, d0, c00); c01 = Vector512.FusedMultiplyAdd(e0, d1, c01);
            var e1 = Vector512.Create(a[8 + 1]); c10 = Vector512.FusedMultiplyAdd(e1, d0, c10); c11 = Vector512.FusedMultiplyAdd(e1, d1, c11);
            var e2 = Vector512.Create(a[8 + 2]); c20 = Vector512.FusedMultiplyAdd(e2, d0, c20); c21 = Vector512.FusedMultiplyAdd(e2, d1, c21);
            var e3 = Vector512.Create(a[8 + 3]); c30 = Vector512.FusedMultiplyAdd(e3, d0, c30); c31 = Vector512.FusedMultiplyAdd(e3, d1, c31);
            var e4 = Vector512.Create(a[8 + 4]); c40 = Vector512.FusedMultiplyAdd(e4, d0, c40); c41 = Vector512.FusedMultiplyAdd(e4, d1, c41);
            var e5 = Vector512.Create(a[8 + 5]); c50 = Vector512.FusedMultiplyAdd(e5, d0, c50); c51 = Vector512.FusedMultiplyAdd(e5, d1, c51);
            var e6 = Vector512.Create(a[8 + 6]); c60 = Vector512.FusedMultiplyAdd(e6, d0, c60); c61 = Vector512.FusedMultiplyAdd(e6, d1, c61);
            var e7 = Vector512.Create(a[8 + 7]); c70 = Vector512.FusedMultiplyAdd(e7, d0, c70); c71 = Vector512.FusedMultiplyAdd(e7, d1, c71);
        }
        if (p < kc)
        {
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
        }
        if (mr == 8 && nr == 32)
        {
            if (overwrite)
            {
                c00.Store(c + 0L * ldc); c01.Store(c + 0L * ldc + 16);
                c10.Store(c + 1L * ldc); c11.Store(c + 1L * ldc + 16);
                c20.Store(c + 2L * ldc); c21.Store(c + 2L * ldc + 16);
                c30.Store(c + 3L * ldc); c31.Store(c + 3L * ldc + 16);
                c40.Store(c + 4L * ldc); c41.Store(c + 4L * ldc + 16);
                c50.Store(c + 5L * ldc); c51.Store(c + 5L * ldc + 16);
                c60.Store(c + 6L * ldc); c61.Store(c + 6L * ldc + 16);
                c70.Store(c + 7L * ldc); c71.Store(c + 7L * ldc + 16);
            }
            else
            {
                (Vector512.Load(c + 0L * ldc) + c00).Store(c + 0L * ldc); (Vector512.Load(c + 0L * ldc + 16) + c01).Store(c + 0L * ldc + 16);
                (Vector512.Load(c + 1L * ldc) + c10).Store(c + 1L * ldc); (Vector512.Load(c + 1L * ldc + 16) + c11).Store(c + 1L * ldc + 16);
                (Vector512.Load(c + 2L * ldc) + c20).Store(c + 2L * ldc); (Vector512.Load(c + 2L * ldc + 16) + c21).Store(c + 2L * ldc + 16);
                (Vector512.Load(c + 3L * ldc) + c30).Store(c + 3L * ldc); (Vector512.Load(c + 3L * ldc + 16) + c31).Store(c + 3L * ldc + 16);
                (Vector512.Load(c + 4L * ldc) + c40).Store(c + 4L * ldc); (Vector512.Load(c + 4L * ldc + 16) + c41).Store(c + 4L * ldc + 16);
                (Vector512.Load(c + 5L * ldc) + c50).Store(c + 5L * ldc); (Vector512.Load(c + 5L * ldc + 16) + c51).Store(c + 5L * ldc + 16);
                (Vector512.Load(c + 6L * ldc) + c60).Store(c + 6L * ldc); (Vector512.Load(c + 6L * ldc + 16) + c61).Store(c + 6L * ldc + 16);
                (Vector512.Load(c + 7L * ldc) + c70).Store(c + 7L * ldc); (Vector512.Load(c + 7L * ldc + 16) + c71).Store(c + 7L * ldc + 16);
            }
            return;
        }
        float* t = stackalloc float[MR * NR];
        c00.Store(t + 0); c01.Store(t + 16);
        c10.Store(t + 32); c11.Store(t + 48);
        c20.Store(t + 64); c21.Store(t + 80);
        c30.Store(t + 96); c31.Store(t + 112);
        c40.Store(t + 128); c41.Store(t + 144);
        c50.Store(t + 160); c51.Store(t + 176);
        c60.Store(t + 192); c61.Store(t + 208);
        c70.Store(t + 224); c71.Store(t + 240);
        StoreEdge(t, c, ldc, mr, nr, overwrite);
    }

    /// <summary>8×16 edge kernel for the last panel when at most 16 columns remain (uses the first half of each packed B row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel512x16(int kc, float* a, float* b, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        Vector512<float> c0 = Vector512<float>.Zero; Vector512<float> c1 = Vector512<float>.Zero; Vector512<float> c2 = Vector512<float>.Zero; Vector512<float> c3 = Vector512<float>.Zero; Vector512<float> c4 = Vector512<float>.Zero; Vector512<float> c5 = Vector512<float>.Zero; Vector512<float> c6 = Vector512<float>.Zero; Vector512<float> c7 = Vector512<float>.Zero;
        for (int p = 0; p < kc; p++, a += 8, b += 32)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
        }
        float* t = stackalloc float[MR * NR];
        c0.Store(t + 0);
        c1.Store(t + 32);
        c2.Store(t + 64);
        c3.Store(t + 96);
        c4.Store(t + 128);
        c5.Store(t + 160);
        c6.Store(t + 192);
        c7.Store(t + 224);
        StoreEdge(t, c, ldc, mr, nr, overwrite);
    }

    /// <summary>Vector256 fallback: the 8×32 tile as two 4×32 halves (16 Vector256 accumulators each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Kernel256(int kc, float* a, float* b, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        float* t = stackalloc float[MR * NR];
        for (int h = 0; h < 2; h++)
        {
            float* ap = a + 4 * h, bp = b;
            Vector256<float> c00 = Vector256<float>.Zero; Vector256<float> c01 = Vector256<float>.Zero; Vector256<float> c02 = Vector256<float>.Zero; Vector256<float> c03 = Vector256<float>.Zero;
            Vector256<float> c10 = Vector256<float>.Zero; Vector256<float> c11 = Vector256<float>.Zero; Vector256<float> c12 = Vector256<float>.Zero; Vector256<float> c13 = Vector256<float>.Zero;
            Vector256<float> c20 = Vector256<float>.Zero; Vector256<float> c21 = Vector256<float>.Zero; Vector256<float> c22 = Vector256<float>.Zero; Vector256<float> c23 = Vector256<float>.Zero;
            Vector256<float> c30 = Vector256<float>.Zero; Vector256<float> c31 = Vector256<float>.Zero; Vector256<float> c32 = Vector256<float>.Zero; Vector256<float> c33 = Vector256<float>.Zero;
            for (int p = 0; p < kc; p++, ap += 8, bp += 32)
            {
                var b0 = Vector256.Load(bp); var b1 = Vector256.Load(bp + 8); var b2 = Vector256.Load(bp + 16); var b3 = Vector256.Load(bp + 24);
                var a0 = Vector256.Create(ap[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01); c02 = Vector256.FusedMultiplyAdd(a0, b2, c02); c03 = Vector256.FusedMultiplyAdd(a0, b3, c03);
                var a1 = Vector256.Create(ap[1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11); c12 = Vector256.FusedMultiplyAdd(a1, b2, c12); c13 = Vector256.FusedMultiplyAdd(a1, b3, c13);
                var a2 = Vector256.Create(ap[2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21); c22 = Vector256.FusedMultiplyAdd(a2, b2, c22); c23 = Vector256.FusedMultiplyAdd(a2, b3, c23);
                var a3 = Vector256.Create(ap[3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31); c32 = Vector256.FusedMultiplyAdd(a3, b2, c32); c33 = Vector256.FusedMultiplyAdd(a3, b3, c33);
            }
            float* th = t + h * 4 * NR;
            c00.Store(th + 0); c01.Store(th + 8); c02.Store(th + 16); c03.Store(th + 24);
            c10.Store(th + 32); c11.Store(th + 40); c12.Store(th + 48); c13.Store(th + 56);
            c20.Store(th + 64); c21.Store(th + 72); c22.Store(th + 80); c23.Store(th + 88);
            c30.Store(th + 96); c31.Store(th + 104); c32.Store(th + 112); c33.Store(th + 120);
        }
        StoreEdge(t, c, ldc, mr, nr, overwrite);
    }

    /// <summary>Scalar fallback with the same per-element accumulation order (fused multiply-add, p ascending).</summary>
    private static unsafe void KernelScalar(int kc, float* a, float* b, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        float* t = stackalloc float[MR * NR];
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++)
            {
                float s = 0f;
                for (int p = 0; p < kc; p++) s = MathF.FusedMultiplyAdd(a[p * MR + r], b[p * NR + j], s);
                t[r * NR + j] = s;
            }
        StoreEdge(t, c, ldc, mr, nr, overwrite);
    }
}
