using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>The binary arithmetic that broadcasting ops dispatch on.</summary>
internal enum BinaryOp { Add, Subtract, Multiply, Divide, Maximum, Minimum }

/// <summary>NumPy broadcasting loops: the shapes are padded to rank 4, the last axis runs vectorised.</summary>
internal static class Broadcasting
{
    /// <summary>Dimensions of <paramref name="s"/> right-aligned into 4 slots (leading 1s).</summary>
    internal static void Pad(TensorShape s, Span<int> dims)
    {
        int off = 4 - s.Rank;
        for (int i = 0; i < 4; i++) dims[i] = i < off ? 1 : s[i - off];
    }

    /// <summary>Row-major strides of padded dims, with 0 where the dim is 1 and the output's is not.</summary>
    private static void BroadcastStrides(ReadOnlySpan<int> dims, ReadOnlySpan<int> outDims, Span<int> strides)
    {
        int acc = 1;
        for (int i = 3; i >= 0; i--)
        {
            strides[i] = dims[i] == 1 && outDims[i] != 1 ? 0 : acc;
            acc *= dims[i];
        }
    }

    /// <summary>dst = a ∘ b with broadcasting; dst has shape <paramref name="so"/>.</summary>
    internal static void Binary(BinaryOp op, ReadOnlySpan<float> a, TensorShape sa, ReadOnlySpan<float> b, TensorShape sb, Span<float> dst, TensorShape so)
    {
        if (sa == so && sb == so) { Row(op, a, b, dst); return; }
        if (sb.Size == 1 && sa == so) { RowScalarRight(op, a, b[0], dst); return; }
        if (sa.Size == 1 && sb == so) { RowScalarLeft(op, a[0], b, dst); return; }

        Span<int> da = stackalloc int[4], db = stackalloc int[4], d = stackalloc int[4];
        Span<int> ta = stackalloc int[4], tb = stackalloc int[4];
        Pad(sa, da); Pad(sb, db); Pad(so, d);
        BroadcastStrides(da, d, ta); BroadcastStrides(db, d, tb);
        int n = d[3];
        int o = 0;
        for (int i0 = 0; i0 < d[0]; i0++)
            for (int i1 = 0; i1 < d[1]; i1++)
                for (int i2 = 0; i2 < d[2]; i2++)
                {
                    int oa = i0 * ta[0] + i1 * ta[1] + i2 * ta[2];
                    int ob = i0 * tb[0] + i1 * tb[1] + i2 * tb[2];
                    var dr = dst.Slice(o, n);
                    o += n;
                    bool fullA = ta[3] != 0 || n == 1, fullB = tb[3] != 0 || n == 1;
                    if (fullA && fullB) Row(op, a.Slice(oa, n), b.Slice(ob, n), dr);
                    else if (fullA) RowScalarRight(op, a.Slice(oa, n), b[ob], dr);
                    else if (fullB) RowScalarLeft(op, a[oa], b.Slice(ob, n), dr);
                    else dr.Fill(Scalar(op, a[oa], b[ob]));
                }
    }

    internal static float Scalar(BinaryOp op, float x, float y) => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Subtract => x - y,
        BinaryOp.Multiply => x * y,
        BinaryOp.Divide => x / y,
        BinaryOp.Maximum => MathF.Max(x, y),
        _ => MathF.Min(x, y),
    };

    private static void Row(BinaryOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(x, y, d); break;
            default: TensorPrimitives.Min(x, y, d); break;
        }
    }

    private static void RowScalarRight(BinaryOp op, ReadOnlySpan<float> x, float y, Span<float> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(x, y, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(x, y, d); break;
            default: TensorPrimitives.Min(x, y, d); break;
        }
    }

    private static void RowScalarLeft(BinaryOp op, float x, ReadOnlySpan<float> y, Span<float> d)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(y, x, d); break;
            case BinaryOp.Subtract: TensorPrimitives.Subtract(x, y, d); break;
            case BinaryOp.Multiply: TensorPrimitives.Multiply(y, x, d); break;
            case BinaryOp.Divide: TensorPrimitives.Divide(x, y, d); break;
            case BinaryOp.Maximum: TensorPrimitives.Max(y, x, d); break;
            default: TensorPrimitives.Min(y, x, d); break;
        }
    }

    /// <summary>
    /// Sums <paramref name="g"/> (shape <paramref name="gs"/>) over the dimensions along which
    /// <paramref name="target"/> was broadcast, returning a new buffer of <paramref name="target"/>'s size.
    /// The order of summation is fixed (deterministic).
    /// </summary>
    internal static float[] SumToShape(float[] g, TensorShape gs, TensorShape target)
    {
        var result = new float[target.Size];
        if (target.Size == 1) { result[0] = SumDeterministic(g.AsSpan(0, gs.Size)); return result; }
        Span<int> dt = stackalloc int[4], d = stackalloc int[4], st = stackalloc int[4];
        if (target.Rank > gs.Rank) throw new InvalidOperationException($"Cannot reduce a gradient of shape {gs} to shape {target}.");
        Pad(target, dt); Pad(gs, d);
        for (int i = 0; i < 4; i++)
            if (dt[i] != d[i] && dt[i] != 1) throw new InvalidOperationException($"Cannot reduce a gradient of shape {gs} to shape {target}.");
        BroadcastStrides(dt, d, st);
        int n = d[3];
        int o = 0;
        var src = g.AsSpan();
        for (int i0 = 0; i0 < d[0]; i0++)
            for (int i1 = 0; i1 < d[1]; i1++)
                for (int i2 = 0; i2 < d[2]; i2++)
                {
                    int ot = i0 * st[0] + i1 * st[1] + i2 * st[2];
                    var row = src.Slice(o, n);
                    o += n;
                    if (st[3] != 0 || n == 1) TensorPrimitives.Add(result.AsSpan(ot, n), row, result.AsSpan(ot, n));
                    else result[ot] += SumDeterministic(row);
                }
        return result;
    }

    /// <summary>A sum with a fixed association order: pairwise over blocks, so it is accurate and reproducible.</summary>
    internal static float SumDeterministic(ReadOnlySpan<float> x)
    {
        // TensorPrimitives.Sum uses a fixed vector-lane order for a given length and hardware,
        // so its result is reproducible; blocks of 4096 bound the rounding growth.
        if (x.Length <= 4096) return TensorPrimitives.Sum(x);
        double acc = 0;
        for (int i = 0; i < x.Length; i += 4096) acc += TensorPrimitives.Sum(x.Slice(i, Math.Min(4096, x.Length - i)));
        return (float)acc;
    }
}
