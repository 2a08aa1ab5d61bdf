using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Picks slices along <paramref name="axis"/> by index (like <c>index_select</c>); repeated indices are allowed and their gradients add up.</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="indices">Indices into that axis.</param>
    public Tensor IndexSelect(int axis, ReadOnlySpan<int> indices)
    {
        int ax = Shape.NormalizeAxis(axis, "index_select");
        int outer = Shape.SizeBefore(ax), n = Shape[ax], inner = Shape.SizeAfter(ax);
        var idx = indices.ToArray();
        foreach (int i in idx)
            if ((uint)i >= (uint)n) throw new ArgumentOutOfRangeException(nameof(indices), $"index_select: index {i} is out of range for axis {ax} of shape {Shape}.");
        var dims = Shape.ToArray(); dims[ax] = idx.Length;
        var so = new TensorShape(dims);
        var r = new Tensor(NewBuffer(so.Size), so);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.Length; j++)
                x.Slice((o * n + idx[j]) * inner, inner).CopyTo(y.Slice((o * idx.Length + j) * inner, inner));
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "index_select", [this], g =>
        {
            var d = new float[self.Size];
            IndexAddCore(d, outer, n, inner, idx, g.AsReadOnlySpan());
            self.AccumulateGradient(d);
        });
    }

    /// <summary>
    /// Returns this tensor plus <paramref name="source"/>'s slices added at <paramref name="indices"/>
    /// along <paramref name="axis"/> (like <c>index_add</c>, out of place). Used for message passing
    /// and masked-token scatter. Repeated indices accumulate, in index order (deterministic).
    /// </summary>
    /// <param name="axis">The axis.</param>
    /// <param name="indices">For each slice of <paramref name="source"/> along the axis, its destination.</param>
    /// <param name="source">Slices to add; same shape as this tensor except <c>indices.Length</c> along the axis.</param>
    public Tensor IndexAdd(int axis, ReadOnlySpan<int> indices, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int ax = Shape.NormalizeAxis(axis, "index_add");
        int outer = Shape.SizeBefore(ax), n = Shape[ax], inner = Shape.SizeAfter(ax);
        var idx = indices.ToArray();
        var dims = Shape.ToArray(); dims[ax] = idx.Length;
        if (source.Shape != new TensorShape(dims))
            throw new ArgumentException($"index_add: source shape {source.Shape} does not match {TensorShape.Format(dims)} (self {Shape} with {idx.Length} indices on axis {ax}).");
        foreach (int i in idx)
            if ((uint)i >= (uint)n) throw new ArgumentOutOfRangeException(nameof(indices), $"index_add: index {i} is out of range for axis {ax} of shape {Shape}.");
        var r = new Tensor(ToArray(), Shape);
        IndexAddCore(r._data, outer, n, inner, idx, source.AsReadOnlySpan());
        if (!NeedsGrad(this, source)) return r;
        var self = this;
        return Record(r, "index_add", [this, source], g =>
        {
            self.AccumulateGradient(g._data, self.Shape, owned: false);
            if (source._requiresGrad)
            {
                var d = NewBuffer(source.Size);
                var gs = g.AsReadOnlySpan();
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < idx.Length; j++)
                        gs.Slice((o * n + idx[j]) * inner, inner).CopyTo(d.AsSpan((o * idx.Length + j) * inner, inner));
                source.AccumulateGradient(d);
            }
        });
    }

    private static void IndexAddCore(float[] dst, int outer, int n, int inner, int[] idx, ReadOnlySpan<float> src)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < idx.Length; j++)
            {
                var d = dst.AsSpan((o * n + idx[j]) * inner, inner);
                TensorPrimitives.Add(d, src.Slice((o * idx.Length + j) * inner, inner), d);
            }
    }

    /// <summary>
    /// Gathers along <paramref name="axis"/>: <c>out[i][j] = self[i][index[i][j]]</c> for axis 1 of a
    /// rank-2 tensor, and likewise for any rank (like <c>torch.gather</c>).
    /// </summary>
    /// <param name="axis">The axis.</param>
    /// <param name="index">Row-major indices with shape <paramref name="indexShape"/>.</param>
    /// <param name="indexShape">Shape of the index (and of the result): same rank, and ≤ this shape outside the axis.</param>
    public Tensor Gather(int axis, ReadOnlySpan<int> index, ReadOnlySpan<int> indexShape)
    {
        int ax = Shape.NormalizeAxis(axis, "gather");
        var so = new TensorShape(indexShape);
        if (so.Rank != Rank || so.Size != index.Length)
            throw new ArgumentException($"gather: index shape {so} ({index.Length} values) does not fit a rank-{Rank} input of shape {Shape}.");
        var flat = MapIndex(ax, index, so, "gather");
        var r = new Tensor(NewBuffer(so.Size), so);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < flat.Length; i++) y[i] = x[flat[i]];
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "gather", [this], g =>
        {
            var d = new float[self.Size];
            var gs = g.AsReadOnlySpan();
            for (int i = 0; i < flat.Length; i++) d[flat[i]] += gs[i];
            self.AccumulateGradient(d);
        });
    }

    /// <summary>
    /// Returns this tensor plus <paramref name="source"/> scattered along <paramref name="axis"/>:
    /// <c>out[i][index[i][j]] += source[i][j]</c> (like <c>scatter_add</c>, out of place).
    /// </summary>
    /// <param name="axis">The axis.</param>
    /// <param name="index">Row-major indices, shaped like <paramref name="source"/>.</param>
    /// <param name="source">Values to add.</param>
    public Tensor ScatterAdd(int axis, ReadOnlySpan<int> index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        int ax = Shape.NormalizeAxis(axis, "scatter_add");
        if (source.Rank != Rank || source.Size != index.Length)
            throw new ArgumentException($"scatter_add: source shape {source.Shape} and {index.Length} indices do not fit shape {Shape}.");
        var flat = MapIndex(ax, index, source.Shape, "scatter_add");
        var r = new Tensor(ToArray(), Shape);
        var src = source.AsReadOnlySpan();
        for (int i = 0; i < flat.Length; i++) r._data[flat[i]] += src[i];
        if (!NeedsGrad(this, source)) return r;
        var self = this;
        return Record(r, "scatter_add", [this, source], g =>
        {
            self.AccumulateGradient(g._data, self.Shape, owned: false);
            if (source._requiresGrad)
            {
                var d = NewBuffer(source.Size);
                var gs = g.AsReadOnlySpan();
                for (int i = 0; i < flat.Length; i++) d[i] = gs[flat[i]];
                source.AccumulateGradient(d);
            }
        });
    }

    /// <summary>Flat offsets into this tensor for each element of an index shaped <paramref name="s"/> along <paramref name="ax"/>.</summary>
    private int[] MapIndex(int ax, ReadOnlySpan<int> index, TensorShape s, string op)
    {
        for (int i = 0; i < Rank; i++)
            if (i != ax && s[i] > Shape[i]) throw new ArgumentException($"{op}: index shape {s} exceeds input shape {Shape} on axis {i}.");
        var strides = Shape.Strides();
        var flat = new int[index.Length];
        Span<int> pos = stackalloc int[4];
        int n = Shape[ax];
        for (int i = 0; i < index.Length; i++)
        {
            int rem = i;
            for (int k = s.Rank - 1; k >= 0; k--) { pos[k] = rem % s[k]; rem /= s[k]; }
            int v = index[i];
            if ((uint)v >= (uint)n) throw new ArgumentOutOfRangeException(nameof(index), $"{op}: index {v} is out of range for axis {ax} of shape {Shape}.");
            pos[ax] = v;
            int off = 0;
            for (int k = 0; k < Rank; k++) off += pos[k] * strides[k];
            flat[i] = off;
        }
        return flat;
    }
}
