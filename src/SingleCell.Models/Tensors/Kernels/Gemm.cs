using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// Single-precision general matrix multiply (GotoBLAS/BLIS structure): packed, cache-blocked, with a
/// register-blocked <see cref="MR"/>×<see cref="NR"/> micro-kernel (Vector512 FMA, Vector256 FMA fallback,
/// scalar fallback).
/// </summary>
/// <remarks>
/// Determinism: every element C(i,j) is computed the same way whatever the tiling or thread count:
/// for each KC block in increasing order, a register accumulator starts at zero and receives
/// a(i,p)·b(p,j) for p ascending by fused multiply-add; the block sum is then added to C (or stored, for
/// the first block when not accumulating). Threads only partition C into disjoint column (or row) ranges,
/// so results are bitwise identical for any thread count.
/// </remarks>
internal static partial class Gemm
{
    /// <summary>Rows of the micro-tile. 8 divides the model batch (128) so small-m shapes have no edge tiles.</summary>
    internal const int MR = 8;

    /// <summary>Columns of the micro-tile: two 512-bit vectors. 8×32 uses 16 accumulators + 2 B vectors + 1 broadcast of 32 zmm.</summary>
    internal const int NR = 32;

    /// <summary>
    /// Depth of a packed block. A KC×NR sliver of B (32 KiB at KC=256) plus an MR×KC sliver of A (8 KiB)
    /// fits the 32–48 KiB L1D, so the micro-kernel streams B from L1 and A from L1/L2.
    /// </summary>
    internal const int KC = 256;

    /// <summary>Rows of a packed A block: MC×KC×4 = 128 KiB stays resident in the 1–2 MiB L2 while the B panel streams past it.</summary>
    internal const int MC = 128;

    /// <summary>Columns of a packed B panel: KC×NC×4 = 4 MiB, sized for the shared L3 (32 MiB).</summary>
    internal const int NC = 4096;

    /// <summary>Below this many multiply-adds (m·n·k) the call runs on the calling thread only.</summary>
    internal static long ParallelThreshold { get; set; } = 1L << 19;

    /// <summary>Maximum threads a single product may use (default: processor count).</summary>
    internal static int MaxThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Hardware path selector, for tests: 2 = Vector512, 1 = Vector256, 0 = scalar.</summary>
    internal static int Path { get; set; } =
        Vector512.IsHardwareAccelerated ? 2 : (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported) ? 1 : 0;

    [ThreadStatic] private static float[]? _packA;
    [ThreadStatic] private static float[]? _packB;

    /// <summary>
    /// C (m×n, row stride ldc) = (accumulate ? C : 0) + op(A)·op(B).
    /// op(A) is m×k: if !transA, element (i,p) = a[i*lda + p]; if transA, A is stored k×m and (i,p) = a[p*lda + i].
    /// op(B) is k×n: if !transB, element (p,j) = b[p*ldb + j]; if transB, B is stored n×k and (p,j) = b[j*ldb + p].
    /// </summary>
    internal static unsafe void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, MaxThreads);
        }
    }

    /// <summary>One product for <see cref="MultiplyPair"/>: the arguments of <see cref="Multiply"/> over whole arrays.</summary>
    internal readonly record struct Product(bool TransA, bool TransB, int M, int N, int K, float[] A, int Lda, float[] B, int Ldb, float[] C, int Ldc, bool Accumulate)
    {
        /// <summary>Multiply-adds.</summary>
        internal long Work => (long)M * N * K;

        internal void Validate() => Gemm.Validate(TransA, TransB, M, N, K, A.Length, Lda, B.Length, Ldb, C.Length, Ldc);

        /// <summary>Runs the product on the calling thread.</summary>
        internal unsafe void RunSerial()
        {
            if (M == 0 || N == 0) return;
            fixed (float* pa = A)
            fixed (float* pb = B)
            fixed (float* pc = C)
            {
                Run(TransA, TransB, M, N, K, pa, Lda, pb, Ldb, pc, Ldc, Accumulate, 1);
            }
        }
    }

    /// <summary>Above this many multiply-adds a product of <see cref="MultiplyPair"/> is split across all threads instead.</summary>
    internal static long PairMaxWork { get; set; } = 1L << 23;

    /// <summary>
    /// Two independent products (say dX and dW of a linear layer), bitwise the same as two <see cref="Multiply"/>
    /// calls. When both are small (at most <see cref="PairMaxWork"/> multiply-adds each) and together worth a second
    /// thread, they run concurrently, each whole on one thread: one fork–join instead of two, and no operand packed
    /// twice, which on the model's [128, 128] layers beats splitting each product. Otherwise one after the other.
    /// </summary>
    internal static void MultiplyPair(Product first, Product second)
    {
        first.Validate();
        second.Validate();
        long w1 = first.Work, w2 = second.Work;
        if (MaxThreads < 2 || ForkJoin.WorkerCount == 0 || w1 + w2 < ParallelThreshold || Math.Max(w1, w2) > PairMaxWork)
        {
            Multiply(first.TransA, first.TransB, first.M, first.N, first.K, first.A, first.Lda, first.B, first.Ldb, first.C, first.Ldc, first.Accumulate);
            Multiply(second.TransA, second.TransB, second.M, second.N, second.K, second.A, second.Lda, second.B, second.Ldb, second.C, second.Ldc, second.Accumulate);
            return;
        }
        ForkJoin.For(2, i => (i == 0 ? first : second).RunSerial());
    }

    /// <summary>Batched <see cref="Multiply"/>: batch b uses a[b*strideA..], b[b*strideB..], c[b*strideC..].</summary>
    internal static unsafe void MultiplyBatched(int batch, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, long strideA, ReadOnlySpan<float> b, int ldb, long strideB,
        Span<float> c, int ldc, long strideC, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (batch == 0 || m == 0 || n == 0) return;
        // Validate the last batch (strides are non-negative by contract), which bounds all others.
        long last = batch - 1;
        if (strideA < 0 || strideB < 0 || strideC < 0) throw new ArgumentOutOfRangeException(nameof(strideA), "Strides must be non-negative.");
        Validate(transA, transB, m, n, k, a.Length - last * strideA, lda, b.Length - last * strideB, ldb, c.Length - last * strideC, ldc);
        int threads = MaxThreads;
        long work = (long)m * n * k;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (threads <= 1 || batch == 1 || work >= ParallelThreshold || work * batch < ParallelThreshold)
            {
                for (int i = 0; i < batch; i++)
                    Run(transA, transB, m, n, k, pa + i * strideA, lda, pb + i * strideB, ldb, pc + i * strideC, ldc, accumulate, threads);
                return;
            }
            // Each batch is small: give whole batches to threads (each batch is computed serially → deterministic).
            nint ia = (nint)pa, ib = (nint)pb, ic = (nint)pc;
            int parts = Math.Min(threads, batch);
            ForkJoin.For(parts, t =>
            {
                int lo = (int)((long)batch * t / parts), hi = (int)((long)batch * (t + 1) / parts);
                for (int i = lo; i < hi; i++)
                    Run(transA, transB, m, n, k, (float*)ia + i * strideA, lda, (float*)ib + i * strideB, ldb, (float*)ic + i * strideC, ldc, accumulate, 1);
            });
        }
    }

    private static void Validate(bool transA, bool transB, int m, int n, int k, long aLen, int lda, long bLen, int ldb, long cLen, int ldc)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        if (ldc < n) throw new ArgumentException($"ldc ({ldc}) < n ({n}).", nameof(ldc));
        if (cLen < (long)(m - 1) * ldc + n) throw new ArgumentException("C is too short.", "c");
        if (k == 0) return;
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < aCols) throw new ArgumentException($"lda ({lda}) < {aCols}.", nameof(lda));
        if (ldb < bCols) throw new ArgumentException($"ldb ({ldb}) < {bCols}.", nameof(ldb));
        if (aLen < (long)(aRows - 1) * lda + aCols) throw new ArgumentException("A is too short.", "a");
        if (bLen < (long)(bRows - 1) * ldb + bCols) throw new ArgumentException("B is too short.", "b");
    }

    private static unsafe void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, int threads)
    {
        if (k == 0)
        {
            if (!accumulate)
                for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            return;
        }
        long work = (long)m * n * k;
        if (threads <= 1 || work < ParallelThreshold)
        {
            Serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }
        // Fixed partition of C into disjoint ranges along the larger dimension (aligned to the micro-tile).
        bool splitN = n >= m;
        int extent = splitN ? n : m, unit = splitN ? NR : MR;
        int units = (extent + unit - 1) / unit;
        int parts = Math.Min(threads, units);
        if (parts <= 1)
        {
            Serial(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }
        nint na = (nint)a, nb = (nint)b, ncp = (nint)c;
        ForkJoin.For(parts, t =>
        {
            int lo = (int)Math.Min((long)units * t / parts * unit, extent);
            int hi = (int)Math.Min((long)units * (t + 1) / parts * unit, extent);
            if (hi <= lo) return;
            float* pa = (float*)na, pb = (float*)nb, pc = (float*)ncp;
            if (splitN)
            {
                float* bs = transB ? pb + (long)lo * ldb : pb + lo;
                Serial(transA, transB, m, hi - lo, k, pa, lda, bs, ldb, pc + lo, ldc, accumulate);
            }
            else
            {
                float* as_ = transA ? pa + lo : pa + (long)lo * lda;
                Serial(transA, transB, hi - lo, n, k, as_, lda, pb, ldb, pc + (long)lo * ldc, ldc, accumulate);
            }
        });
    }

    private static unsafe float* Aligned(ref float[]? buffer, long floats)
    {
        if (buffer is null || buffer.Length < floats + 16)
            buffer = GC.AllocateUninitializedArray<float>((int)(floats + 16), pinned: true);
        float* p = (float*)Unsafe.AsPointer(ref buffer[0]);
        return (float*)(((nint)p + 63) & ~(nint)63);
    }

    private static unsafe void Serial(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        int kcMax = Math.Min(k, KC);
        int mcMax = Math.Min(RoundUp(m, MR), MC);
        int ncMax = Math.Min(RoundUp(n, NR), NC);
        float* packA = Aligned(ref _packA, (long)mcMax * kcMax);
        float* packB = Aligned(ref _packB, (long)ncMax * kcMax);
        int path = Path;
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                bool overwrite = pc == 0 && !accumulate;
                PackB(transB, b, ldb, pc, kc, jc, nc, packB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    PackA(transA, a, lda, ic, mc, pc, kc, packA);
                    for (int jr = 0; jr < nc; jr += NR)
                    {
                        int nr = Math.Min(NR, nc - jr);
                        float* bp = packB + (long)jr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int mr = Math.Min(MR, mc - ir);
                            float* ap = packA + (long)ir * kc;
                            float* cp = c + (long)(ic + ir) * ldc + jc + jr;
                            switch (path)
                            {
                                case 2:
                                    if (nr <= 16) Kernel512x16(kc, ap, bp, cp, ldc, mr, nr, overwrite);
                                    else Kernel512(kc, ap, bp, cp, ldc, mr, nr, overwrite);
                                    break;
                                case 1: Kernel256(kc, ap, bp, cp, ldc, mr, nr, overwrite); break;
                                default: KernelScalar(kc, ap, bp, cp, ldc, mr, nr, overwrite); break;
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    /// <summary>Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-row slivers, each stored k-major (MR values per k), zero-padded.</summary>
    private static unsafe void PackA(bool transA, float* a, int lda, int ic, int mc, int pc, int kc, float* dst)
    {
        for (int ir = 0; ir < mc; ir += MR)
        {
            int mr = Math.Min(MR, mc - ir);
            float* d = dst + (long)ir * kc;
            if (transA)
            {
                // (i,p) = a[p*lda + i]: MR contiguous values per p.
                float* s = a + (long)pc * lda + ic + ir;
                if (mr == MR)
                {
                    for (int p = 0; p < kc; p++, s += lda, d += MR)
                        Vector256.Store(Vector256.Load(s), d);
                }
                else
                {
                    for (int p = 0; p < kc; p++, s += lda, d += MR)
                    {
                        int r = 0;
                        for (; r < mr; r++) d[r] = s[r];
                        for (; r < MR; r++) d[r] = 0f;
                    }
                }
            }
            else
            {
                // (i,p) = a[i*lda + p]: rows contiguous in p; interleave MR rows.
                float* s = a + (long)(ic + ir) * lda + pc;
                if (mr == MR)
                {
                    float* s0 = s, s1 = s + lda, s2 = s + 2L * lda, s3 = s + 3L * lda;
                    float* s4 = s + 4L * lda, s5 = s + 5L * lda, s6 = s + 6L * lda, s7 = s + 7L * lda;
                    int p = 0;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        for (; p + 8 <= kc; p += 8, d += 64)
                        {
                            Transpose8x8(Vector256.Load(s0 + p), Vector256.Load(s1 + p), Vector256.Load(s2 + p), Vector256.Load(s3 + p),
                                Vector256.Load(s4 + p), Vector256.Load(s5 + p), Vector256.Load(s6 + p), Vector256.Load(s7 + p), d);
                        }
                    }
                    for (; p < kc; p++, d += MR)
                    {
                        d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
                        d[4] = s4[p]; d[5] = s5[p]; d[6] = s6[p]; d[7] = s7[p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, d += MR)
                    {
                        int r = 0;
                        for (; r < mr; r++) d[r] = s[(long)r * lda + p];
                        for (; r < MR; r++) d[r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc..pc+kc, jc..jc+nc] into NR-column slivers, each stored k-major (NR values per k), zero-padded.</summary>
    private static unsafe void PackB(bool transB, float* b, int ldb, int pc, int kc, int jc, int nc, float* dst)
    {
        for (int jr = 0; jr < nc; jr += NR)
        {
            int nr = Math.Min(NR, nc - jr);
            float* d = dst + (long)jr * kc;
            if (!transB)
            {
                // (p,j) = b[p*ldb + j]: NR contiguous values per p.
                float* s = b + (long)pc * ldb + jc + jr;
                if (nr == NR)
                {
                    for (int p = 0; p < kc; p++, s += ldb, d += NR)
                    {
                        Vector256.Store(Vector256.Load(s), d);
                        Vector256.Store(Vector256.Load(s + 8), d + 8);
                        Vector256.Store(Vector256.Load(s + 16), d + 16);
                        Vector256.Store(Vector256.Load(s + 24), d + 24);
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++, s += ldb, d += NR)
                    {
                        int j = 0;
                        for (; j < nr; j++) d[j] = s[j];
                        for (; j < NR; j++) d[j] = 0f;
                    }
                }
            }
            else
            {
                // (p,j) = b[j*ldb + p]: each of the NR source rows is contiguous in p; transpose 8×8 blocks.
                float* s = b + (long)(jc + jr) * ldb + pc;
                if (nr == NR && Vector256.IsHardwareAccelerated)
                {
                    int p = 0;
                    for (; p + 8 <= kc; p += 8)
                    {
                        for (int g = 0; g < NR; g += 8)
                        {
                            float* sg = s + (long)g * ldb + p;
                            // Write an 8(p)×8(j) block into rows p..p+7 at columns g..g+7; row stride NR.
                            Transpose8x8Strided(sg, ldb, d + (long)p * NR + g, NR);
                        }
                    }
                    for (; p < kc; p++)
                    {
                        float* dp = d + (long)p * NR;
                        for (int j = 0; j < NR; j++) dp[j] = s[(long)j * ldb + p];
                    }
                }
                else
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* dp = d + (long)p * NR;
                        int j = 0;
                        for (; j < nr; j++) dp[j] = s[(long)j * ldb + p];
                        for (; j < NR; j++) dp[j] = 0f;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8Strided(float* s, int lds, float* d, int ldd)
    {
        var r0 = Vector256.Load(s); var r1 = Vector256.Load(s + lds);
        var r2 = Vector256.Load(s + 2L * lds); var r3 = Vector256.Load(s + 3L * lds);
        var r4 = Vector256.Load(s + 4L * lds); var r5 = Vector256.Load(s + 5L * lds);
        var r6 = Vector256.Load(s + 6L * lds); var r7 = Vector256.Load(s + 7L * lds);
        Transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7, d, ldd);
    }

    /// <summary>Transposes 8 row vectors and writes the 8 columns contiguously (64 floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* d)
        => Transpose8x8(r0, r1, r2, r3, r4, r5, r6, r7, d, 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* d, int ldd)
    {
        if (System.Runtime.Intrinsics.X86.Avx.IsSupported)
        {
            var t0 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r0, r1);
            var t1 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r0, r1);
            var t2 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r2, r3);
            var t3 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r2, r3);
            var t4 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r4, r5);
            var t5 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r4, r5);
            var t6 = System.Runtime.Intrinsics.X86.Avx.UnpackLow(r6, r7);
            var t7 = System.Runtime.Intrinsics.X86.Avx.UnpackHigh(r6, r7);
            var u0 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0x44);
            var u1 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t0, t2, 0xEE);
            var u2 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0x44);
            var u3 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t1, t3, 0xEE);
            var u4 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0x44);
            var u5 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t4, t6, 0xEE);
            var u6 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0x44);
            var u7 = System.Runtime.Intrinsics.X86.Avx.Shuffle(t5, t7, 0xEE);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x20), d);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x20), d + ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x20), d + 2L * ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x20), d + 3L * ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u0, u4, 0x31), d + 4L * ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u1, u5, 0x31), d + 5L * ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u2, u6, 0x31), d + 6L * ldd);
            Vector256.Store(System.Runtime.Intrinsics.X86.Avx.Permute2x128(u3, u7, 0x31), d + 7L * ldd);
            return;
        }
        Span<float> tmp = stackalloc float[64];
        r0.CopyTo(tmp); r1.CopyTo(tmp[8..]); r2.CopyTo(tmp[16..]); r3.CopyTo(tmp[24..]);
        r4.CopyTo(tmp[32..]); r5.CopyTo(tmp[40..]); r6.CopyTo(tmp[48..]); r7.CopyTo(tmp[56..]);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 8; j++)
                d[(long)i * ldd + j] = tmp[j * 8 + i];
    }

    /// <summary>Adds (or stores) an MR×NR tile held in <paramref name="tile"/> into the mr×nr corner of C.</summary>
    private static unsafe void StoreEdge(float* tile, float* c, int ldc, int mr, int nr, bool overwrite)
    {
        for (int r = 0; r < mr; r++)
        {
            float* cr = c + (long)r * ldc;
            float* tr = tile + r * NR;
            if (overwrite) for (int j = 0; j < nr; j++) cr[j] = tr[j];
            else for (int j = 0; j < nr; j++) cr[j] += tr[j];
        }
    }
}
