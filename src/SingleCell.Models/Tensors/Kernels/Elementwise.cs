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

    /// <summary>dst += alpha · src.</summary>
    internal static void AxpyInPlace(Span<float> dst, float alpha, ReadOnlySpan<float> src) => TensorPrimitives.MultiplyAdd(src, alpha, dst, dst);

    /// <summary>
    /// ln(1 + x), accurate near 0 by Goldberg's correction: with u = fl(1 + x),
    /// log1p(x) = ln(u) · x / (u − 1) (and x itself where u = 1). A few ulps everywhere on x &gt; −1.
    /// </summary>
    internal static void Log1p(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> u = stackalloc float[Chunk];
        Span<float> d = stackalloc float[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var xs = x.Slice(i, n); var ys = y.Slice(i, n); var us = u[..n]; var ds = d[..n];
            TensorPrimitives.Add(xs, 1f, us);
            TensorPrimitives.Subtract(us, 1f, ds);
            TensorPrimitives.Log(us, us);
            TensorPrimitives.Multiply(us, xs, us);
            for (int k = 0; k < n; k++) ys[k] = ds[k] == 0f ? xs[k] : us[k] / ds[k];
        }
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
