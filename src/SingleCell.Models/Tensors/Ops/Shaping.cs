namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>The same values with a new shape (no copy); one dimension may be −1 (inferred).</summary>
    /// <param name="shape">The new dimensions; their product must equal <see cref="Size"/>.</param>
    public Tensor Reshape(params ReadOnlySpan<int> shape)
    {
        Span<int> dims = stackalloc int[shape.Length];
        shape.CopyTo(dims);
        int infer = -1; long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1) { if (infer >= 0) throw new ArgumentException($"reshape: more than one −1 in {TensorShape.Format(shape)}."); infer = i; }
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Size % known != 0) throw new ArgumentException($"reshape: cannot reshape {Shape} into {TensorShape.Format(shape)}.");
            dims[infer] = (int)(Size / known);
        }
        var s = new TensorShape(dims);
        if (s.Size != Size) throw new ArgumentException($"reshape: cannot reshape {Shape} ({Size} elements) into {s} ({s.Size} elements).");
        var r = new Tensor(_data, s);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "reshape", [this], g => self.AccumulateGradient(g._data, self.Shape, owned: false));
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/>.</summary>
    /// <param name="axis">Position of the new axis (0 … rank; negative counts from the end).</param>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + Rank + 1 : axis;
        if ((uint)a > (uint)Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"unsqueeze: axis {axis} is out of range for shape {Shape}.");
        Span<int> d = stackalloc int[Rank + 1];
        for (int i = 0, j = 0; i <= Rank; i++) d[i] = i == a ? 1 : Shape[j++];
        return Reshape(d);
    }

    /// <summary>Removes an axis of size 1.</summary>
    /// <param name="axis">The axis to remove; it must have size 1.</param>
    public Tensor Squeeze(int axis)
    {
        int a = Shape.NormalizeAxis(axis, "squeeze");
        if (Shape[a] != 1) throw new ArgumentException($"squeeze: axis {axis} of shape {Shape} has size {Shape[a]}, not 1.");
        return Reshape(Shape.Reduce(a, false).ToArray());
    }

    /// <summary>Swaps two axes (materialised: tensors are always contiguous).</summary>
    /// <param name="axis0">First axis.</param>
    /// <param name="axis1">Second axis.</param>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = Shape.NormalizeAxis(axis0, "transpose"), b = Shape.NormalizeAxis(axis1, "transpose");
        Span<int> perm = stackalloc int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        perm[a] = b; perm[b] = a;
        return Permute(perm);
    }

    /// <summary>The matrix transpose of a rank-2 tensor.</summary>
    public Tensor T()
    {
        if (Rank != 2) throw new InvalidOperationException($"T(): needs a rank-2 tensor; got shape {Shape}.");
        return Transpose(0, 1);
    }

    /// <summary>Reorders the axes: output axis i is input axis <c>perm[i]</c>.</summary>
    /// <param name="perm">A permutation of 0 … rank − 1.</param>
    public Tensor Permute(params ReadOnlySpan<int> perm)
    {
        if (perm.Length != Rank) throw new ArgumentException($"permute: {perm.Length} axes given for shape {Shape}.");
        Span<bool> seen = stackalloc bool[Rank];
        Span<int> p = stackalloc int[4];
        Span<int> outDims = stackalloc int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int ax = perm[i] < 0 ? perm[i] + Rank : perm[i];
            if ((uint)ax >= (uint)Rank || seen[ax]) throw new ArgumentException($"permute: {TensorShape.Format(perm)} is not a permutation of the axes of {Shape}.");
            seen[ax] = true; p[i] = ax; outDims[i] = Shape[ax];
        }
        var so = new TensorShape(outDims);
        var r = new Tensor(NewBuffer(Size), so);
        PermuteCopy(AsReadOnlySpan(), Shape, p[..Rank], r.Span);
        if (!NeedsGrad(this)) return r;
        var self = this;
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[p[i]] = i;
        return Record(r, "permute", [this], g =>
        {
            var d = NewBuffer(self.Size);
            PermuteCopy(g.AsReadOnlySpan(), so, inverse, d);
            self.AccumulateGradient(d);
        });
    }

    private static void PermuteCopy(ReadOnlySpan<float> src, TensorShape s, ReadOnlySpan<int> perm, Span<float> dst)
    {
        int rank = s.Rank;
        var inStrides = s.Strides();
        Span<int> od = stackalloc int[4]; Span<int> st = stackalloc int[4];
        for (int i = 0; i < 4; i++)
        {
            int k = i - (4 - rank);
            od[i] = k < 0 ? 1 : s[perm[k]];
            st[i] = k < 0 ? 0 : inStrides[perm[k]];
        }
        int o = 0;
        for (int i0 = 0; i0 < od[0]; i0++)
            for (int i1 = 0; i1 < od[1]; i1++)
                for (int i2 = 0; i2 < od[2]; i2++)
                {
                    int b = i0 * st[0] + i1 * st[1] + i2 * st[2];
                    int s3 = st[3];
                    if (s3 == 1) { src.Slice(b, od[3]).CopyTo(dst.Slice(o, od[3])); o += od[3]; }
                    else for (int i3 = 0; i3 < od[3]; i3++) dst[o++] = src[b + i3 * s3];
                }
    }

    /// <summary>Elements <paramref name="start"/> … <paramref name="start"/> + <paramref name="length"/> − 1 along <paramref name="axis"/> (like <c>narrow</c>; copied).</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="start">First index.</param>
    /// <param name="length">Number of indices.</param>
    public Tensor Slice(int axis, int start, int length)
    {
        int ax = Shape.NormalizeAxis(axis, "slice");
        int n = Shape[ax];
        if (start < 0 || length < 0 || start + length > n)
            throw new ArgumentOutOfRangeException(nameof(start), $"slice: [{start}, {start + length}) is outside axis {ax} of shape {Shape}.");
        var dims = Shape.ToArray(); dims[ax] = length;
        var so = new TensorShape(dims);
        int outer = Shape.SizeBefore(ax), inner = Shape.SizeAfter(ax);
        var r = new Tensor(NewBuffer(so.Size), so);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int o = 0; o < outer; o++) x.Slice((o * n + start) * inner, length * inner).CopyTo(y.Slice(o * length * inner, length * inner));
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "slice", [this], g =>
        {
            var d = new float[self.Size];
            var gs = g.AsReadOnlySpan();
            for (int o = 0; o < outer; o++) gs.Slice(o * length * inner, length * inner).CopyTo(d.AsSpan((o * n + start) * inner, length * inner));
            self.AccumulateGradient(d);
        });
    }

    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    /// <param name="tensors">The tensors (at least one).</param>
    /// <param name="axis">The axis to join along.</param>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("concat: no tensors given.");
        var first = tensors[0];
        int ax = first.Shape.NormalizeAxis(axis, "concat");
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank) throw new ArgumentException($"concat: shapes {first.Shape} and {t.Shape} differ in rank.");
            for (int i = 0; i < first.Rank; i++)
                if (i != ax && t.Shape[i] != first.Shape[i]) throw new ArgumentException($"concat: shapes {first.Shape} and {t.Shape} differ outside axis {ax}.");
            total += t.Shape[ax];
        }
        var dims = first.Shape.ToArray(); dims[ax] = total;
        var so = new TensorShape(dims);
        int outer = first.Shape.SizeBefore(ax), inner = first.Shape.SizeAfter(ax);
        var r = new Tensor(NewBuffer(so.Size), so);
        var y = r.Span;
        int offset = 0;
        var offsets = new int[tensors.Count];
        for (int t = 0; t < tensors.Count; t++)
        {
            offsets[t] = offset;
            int n = tensors[t].Shape[ax];
            var x = tensors[t].AsReadOnlySpan();
            for (int o = 0; o < outer; o++) x.Slice(o * n * inner, n * inner).CopyTo(y.Slice((o * total + offset) * inner, n * inner));
            offset += n;
        }
        var inputs = tensors.ToArray();
        if (!NeedsGrad(inputs)) return r;
        return Record(r, "concat", inputs, g =>
        {
            var gs = g.AsReadOnlySpan();
            for (int t = 0; t < inputs.Length; t++)
            {
                if (!inputs[t]._requiresGrad) continue;
                int n = inputs[t].Shape[ax];
                var d = NewBuffer(inputs[t].Size);
                for (int o = 0; o < outer; o++) gs.Slice((o * total + offsets[t]) * inner, n * inner).CopyTo(d.AsSpan(o * n * inner, n * inner));
                inputs[t].AccumulateGradient(d);
            }
        });
    }

    /// <summary>Stacks equally shaped tensors along a new axis.</summary>
    /// <param name="tensors">The tensors (at least one).</param>
    /// <param name="axis">Position of the new axis.</param>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("stack: no tensors given.");
        var parts = new Tensor[tensors.Count];
        for (int i = 0; i < parts.Length; i++)
        {
            if (tensors[i].Shape != tensors[0].Shape) throw new ArgumentException($"stack: shapes {tensors[0].Shape} and {tensors[i].Shape} differ.");
            parts[i] = tensors[i].Unsqueeze(axis);
        }
        return Concat(parts, axis < 0 ? axis + tensors[0].Rank + 1 : axis);
    }
}
