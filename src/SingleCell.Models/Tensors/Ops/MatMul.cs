using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Matrix product <c>this · other</c>; see <see cref="MatMul(Tensor, Tensor, bool, bool)"/>.</summary>
    /// <param name="other">Right operand.</param>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    /// <summary>
    /// Matrix product op(a) · op(b), where op transposes the last two axes when asked — without
    /// copying: the GEMM reads the transposed layout directly. Rank 2 × rank 2, or batched: leading
    /// axes (up to two) are batch axes; a rank-2 operand is broadcast over the other's batch.
    /// </summary>
    /// <param name="a">Left operand, [..., m, k] (or [..., k, m] when <paramref name="transposeA"/>).</param>
    /// <param name="b">Right operand, [..., k, n] (or [..., n, k] when <paramref name="transposeB"/>).</param>
    /// <param name="transposeA">Use the transpose of <paramref name="a"/>'s last two axes.</param>
    /// <param name="transposeB">Use the transpose of <paramref name="b"/>'s last two axes.</param>
    /// <exception cref="ArgumentException">Ranks or inner dimensions do not match; the message names both shapes.</exception>
    public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank < 2 || b.Rank < 2)
            throw new ArgumentException($"matmul: operands need rank ≥ 2; got {a.Shape} and {b.Shape}.");
        int ra = a.Rank, rb = b.Rank;
        int m = transposeA ? a.Shape[ra - 1] : a.Shape[ra - 2];
        int k = transposeA ? a.Shape[ra - 2] : a.Shape[ra - 1];
        int kb = transposeB ? b.Shape[rb - 1] : b.Shape[rb - 2];
        int n = transposeB ? b.Shape[rb - 2] : b.Shape[rb - 1];
        if (k != kb)
            throw new ArgumentException($"matmul: inner dimensions differ: {a.Shape}{(transposeA ? "ᵀ" : "")} · {b.Shape}{(transposeB ? "ᵀ" : "")} ({k} vs {kb}).");
        int batchA = a.Shape.SizeBefore(ra - 2), batchB = b.Shape.SizeBefore(rb - 2);
        TensorShape so;
        if (ra == 2 && rb == 2) so = new TensorShape(m, n);
        else
        {
            var batchShape = ra >= rb ? a.Shape : b.Shape;
            if (ra > 2 && rb > 2)
            {
                if (ra != rb) throw new ArgumentException($"matmul: batch ranks differ: {a.Shape} and {b.Shape}.");
                for (int i = 0; i < ra - 2; i++)
                    if (a.Shape[i] != b.Shape[i]) throw new ArgumentException($"matmul: batch dimensions differ: {a.Shape} and {b.Shape}.");
            }
            var dims = new int[batchShape.Rank];
            for (int i = 0; i < dims.Length - 2; i++) dims[i] = batchShape[i];
            dims[^2] = m; dims[^1] = n;
            so = new TensorShape(dims);
        }
        int batch = Math.Max(batchA, batchB);
        int lda = a.Shape[ra - 1], ldb = b.Shape[rb - 1];
        long sA = batchA == 1 ? 0 : (long)m * k, sB = batchB == 1 ? 0 : (long)k * n, sC = (long)m * n;
        var r = new Tensor(NewBuffer(so.Size), so);
        Product(batch, transposeA, transposeB, m, n, k, a._data, lda, sA, b._data, ldb, sB, r._data, n, sC, accumulateBroadcast: false);
        if (!NeedsGrad(a, b)) return r;
        return Record(r, "matmul", [a, b], g =>
        {
            var gd = g._data;
            if (a._requiresGrad)
            {
                // C = op(A)·op(B). If !tA: dA = dC·op(B)ᵀ (m×k). If tA: dA = op(B)·dCᵀ (k×m).
                // Every path below overwrites the whole buffer (k = 0 clears it), so a pooled one will do.
                var da = NewBuffer(a.Size);
                if (!transposeA)
                    Product(batch, false, !transposeB, m, k, n, gd, n, sC, b._data, ldb, sB, da, k, sA, accumulateBroadcast: sA == 0);
                else
                    Product(batch, transposeB, true, k, m, n, b._data, ldb, sB, gd, n, sC, da, m, sA, accumulateBroadcast: sA == 0);
                a.AccumulateGradient(da);
            }
            if (b._requiresGrad)
            {
                // If !tB: dB = op(A)ᵀ·dC (k×n). If tB: dB = dCᵀ·op(A) (n×k).
                var db = NewBuffer(b.Size);
                if (!transposeB)
                    Product(batch, !transposeA, false, k, n, m, a._data, lda, sA, gd, n, sC, db, n, sB, accumulateBroadcast: sB == 0);
                else
                    Product(batch, true, transposeA, n, k, m, gd, n, sC, a._data, lda, sA, db, k, sB, accumulateBroadcast: sB == 0);
                b.AccumulateGradient(db);
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="batch"/> GEMMs. A zero output stride means the output is shared by all
    /// batches (a broadcast operand's gradient): then the products are summed in batch order.
    /// </summary>
    private static void Product(int batch, bool tA, bool tB, int m, int n, int k,
        float[] a, int lda, long sA, float[] b, int ldb, long sB, float[] c, int ldc, long sC, bool accumulateBroadcast)
    {
        if (batch == 1)
        {
            Gemm.Multiply(tA, tB, m, n, k, a, lda, b, ldb, c, ldc, accumulate: false);
            return;
        }
        if (accumulateBroadcast)
        {
            // Broadcast operand gradient: if the non-broadcast operand is the row-major left factor and
            // untransposed, the batch folds into the rows of a single GEMM; else accumulate in order.
            for (int t = 0; t < batch; t++)
                Gemm.Multiply(tA, tB, m, n, k, a.AsSpan((int)(t * sA)), lda, b.AsSpan((int)(t * sB)), ldb, c, ldc, accumulate: t > 0);
            return;
        }
        if (sB == 0 && !tA && sA == (long)m * k && lda == k)
        {
            // [batch, m, k] · [k, n]: one GEMM of (batch·m) × k.
            Gemm.Multiply(false, tB, batch * m, n, k, a, lda, b, ldb, c, ldc, accumulate: false);
            return;
        }
        Gemm.MultiplyBatched(batch, tA, tB, m, n, k, a, lda, sA, b, ldb, sB, c, ldc, sC, accumulate: false);
    }

    /// <summary>
    /// The fused affine map of a linear layer, <c>x · Wᵀ + b</c>, as <c>torch.nn.functional.linear</c>:
    /// <paramref name="x"/> is [..., in], <paramref name="weight"/> is [out, in] (read transposed in
    /// place), <paramref name="bias"/> is [out] or null.
    /// </summary>
    /// <param name="x">Input, rank 1 to 4, last axis = in features.</param>
    /// <param name="weight">Weight [out, in].</param>
    /// <param name="bias">Optional bias [out].</param>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"linear: weight must be [out, in]; got {weight.Shape}.");
        int outF = weight.Shape[0], inF = weight.Shape[1];
        if (x.Rank == 0 || x.Shape[-1] != inF)
            throw new ArgumentException($"linear: input {x.Shape} does not end in {inF} features (weight {weight.Shape}).");
        if (bias != null && (bias.Rank != 1 || bias.Shape[0] != outF))
            throw new ArgumentException($"linear: bias {bias.Shape} does not match {outF} output features (weight {weight.Shape}).");
        int rows = x.Size / Math.Max(inF, 1);
        if (inF == 0) rows = x.Shape.SizeBefore(x.Rank - 1);
        var dims = x.Shape.ToArray(); dims[^1] = outF;
        var so = new TensorShape(dims);
        var y = NewBuffer(so.Size);
        if (bias != null)
        {
            for (int i = 0; i < rows; i++) bias._data.AsSpan(0, outF).CopyTo(y.AsSpan(i * outF, outF));
            Gemm.Multiply(false, true, rows, outF, inF, x._data, inF, weight._data, inF, y, outF, accumulate: true);
        }
        else Gemm.Multiply(false, true, rows, outF, inF, x._data, inF, weight._data, inF, y, outF, accumulate: false);
        var r = new Tensor(y, so);
        bool needs = bias == null ? NeedsGrad(x, weight) : NeedsGrad([x, weight, bias]);
        if (!needs) return r;
        Tensor[] inputs = bias == null ? [x, weight] : [x, weight, bias];
        return Record(r, "linear", inputs, g =>
        {
            var gd = g._data;
            if (x._requiresGrad && weight._requiresGrad)
            {
                // dX = dY · W and dW = dYᵀ · X: independent products, run side by side when small.
                var dx = NewBuffer(x.Size);
                var dw = NewBuffer(weight.Size);
                Gemm.MultiplyPair(new Gemm.Product(false, false, rows, inF, outF, gd, outF, weight._data, inF, dx, inF, false),
                    new Gemm.Product(true, false, outF, inF, rows, gd, outF, x._data, inF, dw, inF, false));
                x.AccumulateGradient(dx);
                weight.AccumulateGradient(dw);
            }
            else if (x._requiresGrad)
            {
                var dx = NewBuffer(x.Size);                      // dX = dY · W
                Gemm.Multiply(false, false, rows, inF, outF, gd, outF, weight._data, inF, dx, inF, accumulate: false);
                x.AccumulateGradient(dx);
            }
            else if (weight._requiresGrad)
            {
                var dw = NewBuffer(weight.Size);                 // dW = dYᵀ · X
                Gemm.Multiply(true, false, outF, inF, rows, gd, outF, x._data, inF, dw, inF, accumulate: false);
                weight.AccumulateGradient(dw);
            }
            if (bias != null && bias._requiresGrad)
                bias.AccumulateGradient(SumAxis(g.AsReadOnlySpan(), new TensorShape(rows, outF), 0));
        });
    }
}
