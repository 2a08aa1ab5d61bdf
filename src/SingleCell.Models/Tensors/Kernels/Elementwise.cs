using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>Vectorised element-wise kernels that TensorPrimitives lacks, and in-place helpers.</summary>
/// <remarks>
/// Composite kernels run as several TensorPrimitives passes over chunks of 1,024 elements held in a
/// stack buffer, so the passes stay in L1 and nothing is allocated.
/// </remarks>
internal static class Elementwise
{
    private const int Chunk = 1024;

    /// <summary>dst += src.</summary>
    internal static void AddInPlace(Span<float> dst, ReadOnlySpan<float> src) => TensorPrimitives.Add(dst, src, dst);

    /// <summary>
    /// ln(1 + x), accurate near 0 by Goldberg's correction: with u = fl(1 + x),
    /// log1p(x) = ln(u) · x / (u − 1) (and x itself where u = 1). A few ulps everywhere on x &gt; −1.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void Log1p(ReadOnlySpan<float> x, Span<float> y)
    {
        // log1p(x) = log(u)·x/(u − 1) with u = 1 + x (Goldberg's trick: the rounding error of u cancels),
        // and x itself where u − 1 rounds to 0; +∞ stays +∞.
        int i = 0, n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            var one = Vector512<float>.One;
            var inf = Vector512.Create(float.PositiveInfinity);
            for (; i + 16 <= n; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                var u = v + one;
                var d = u - one;
                var r = Vector512.Log(u) * v / d;
                r = Vector512.ConditionalSelect(Vector512.Equals(d, Vector512<float>.Zero) | Vector512.Equals(v, inf), v, r);
                r.StoreUnsafe(ref yr, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256<float>.One;
            var inf = Vector256.Create(float.PositiveInfinity);
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                var u = v + one;
                var d = u - one;
                var r = Vector256.Log(u) * v / d;
                r = Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero) | Vector256.Equals(v, inf), v, r);
                r.StoreUnsafe(ref yr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = x[i], u = v + 1f, d = u - 1f;
            y[i] = d == 0f || v == float.PositiveInfinity ? v : MathF.Log(u) * v / d;
        }
    }

    /// <summary>d[i] = x[i] &gt; 0 ? <paramref name="above"/> : <paramref name="otherwise"/> (NaN gives <paramref name="otherwise"/>), without branches.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void Step(ReadOnlySpan<float> x, float above, float otherwise, Span<float> d)
    {
        int i = 0, n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float dr = ref MemoryMarshal.GetReference(d);
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(above); var b = Vector512.Create(otherwise);
            for (; i + 16 <= n; i += 16)
                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512<float>.Zero), a, b).StoreUnsafe(ref dr, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(above); var b = Vector256.Create(otherwise);
            for (; i + 8 <= n; i += 8)
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256<float>.Zero), a, b).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < n; i++) d[i] = x[i] > 0 ? above : otherwise;
    }

    /// <summary>softplus(x) = max(x, 0) + log1p(exp(−|x|)), stable for all x.</summary>
    internal static void Softplus(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> e = stackalloc float[Chunk];
        Span<float> l = stackalloc float[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var xs = x.Slice(i, n); var ys = y.Slice(i, n); var es = e[..n]; var ls = l[..n];
            TensorPrimitives.Abs(xs, es);
            TensorPrimitives.Negate(es, es);
            TensorPrimitives.Exp(es, es);
            Log1p(es, ls);
            TensorPrimitives.Max(xs, 0f, ys);
            TensorPrimitives.Add(ys, ls, ys);
        }
    }
}
