namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Looks up rows of <paramref name="weight"/> [num, dim], as <c>torch.nn.functional.embedding</c>: the
    /// result has shape <paramref name="indexShape"/> + [dim]. The gradient is scattered back to the
    /// selected rows (repeated indices accumulate); the row <paramref name="paddingIndex"/>, if any,
    /// receives no gradient.
    /// </summary>
    /// <param name="weight">The embedding table [num, dim].</param>
    /// <param name="indices">Row indices, row-major over <paramref name="indexShape"/>.</param>
    /// <param name="indexShape">Shape of the indices (rank ≤ 3).</param>
    /// <param name="paddingIndex">A row that gets no gradient, or null.</param>
    /// <exception cref="ArgumentException">Bad shapes, or an index out of range (the message names it and the table shape).</exception>
    public static Tensor Embedding(Tensor weight, ReadOnlySpan<int> indices, ReadOnlySpan<int> indexShape, int? paddingIndex = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"embedding: weight must be [num, dim]; got {weight.Shape}.");
        if (indexShape.Length > 3) throw new ArgumentException($"embedding: indices of rank {indexShape.Length} give a result of rank > 4.");
        var ishape = new TensorShape(indexShape);
        if (ishape.Size != indices.Length) throw new ArgumentException($"embedding: {indices.Length} indices do not fill shape {ishape}.");
        int num = weight.Shape[0], dim = weight.Shape[1];
        var idx = indices.ToArray();
        for (int i = 0; i < idx.Length; i++)
            if ((uint)idx[i] >= (uint)num) throw new ArgumentException($"embedding: index {idx[i]} is out of range for a table of shape {weight.Shape}.");
        Span<int> dims = stackalloc int[indexShape.Length + 1];
        indexShape.CopyTo(dims);
        dims[^1] = dim;
        var y = NewBuffer(idx.Length * dim);
        var w = weight.AsReadOnlySpan();
        for (int i = 0; i < idx.Length; i++) w.Slice(idx[i] * dim, dim).CopyTo(y.AsSpan(i * dim, dim));
        var r = new Tensor(y, new TensorShape(dims));
        if (!NeedsGrad(weight)) return r;
        int pad = paddingIndex ?? -1;
        return Record(r, "embedding", [weight], g =>
        {
            var gs = g.AsReadOnlySpan();
            var dw = new float[weight.Size];
            for (int i = 0; i < idx.Length; i++)
            {
                if (idx[i] == pad) continue;
                Kernels.Elementwise.AddInPlace(dw.AsSpan(idx[i] * dim, dim), gs.Slice(i * dim, dim));
            }
            weight.AccumulateGradient(dw);
        });
    }
}
