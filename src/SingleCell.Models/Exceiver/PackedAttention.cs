using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// The Exceiver's encoder cross-attention as one fused operation: a query array shared by every
/// cell attends over each cell's own keys, stored packed (cell b's keys are rows
/// <c>offsets[b] … offsets[b+1]−1</c>), so zero-count genes need not be stored at all.
/// </summary>
/// <remarks>
/// <para>
/// For cell b, head h (head dimension D = E/H) and query i:
/// s_j = Σ_d q[i, hD+d] · k[j, hD+d] + bias_j over the cell's keys j, p = softmax(s),
/// out[b, i, hD+d] = Σ_j p_j v[j, hD+d]. The 1/√D scale is folded into q by the caller.
/// With H = E (the released model: head dimension 1) the operation is memory-bound; each query row
/// is one pass over the cell's key column of that head (scores held in an L1-resident scratch row:
/// max, exp, sum and the weighted sum run on it), with keys and values transposed once per call to
/// head-major order so the column is contiguous. The log-sum-exp of each row is kept for the backward.
/// </para>
/// <para>
/// Backward (recomputing p from the kept log-sum-exp): with g the output gradient,
/// ds_j = p_j (Σ_d g_d v_jd − Σ_d g_d out_d); dq_i += Σ_j ds_j k_j; dk_j += ds_j q_i; dv_j += p_j g.
/// Work is partitioned by cell (each cell owns its key rows); the shared query's gradient is summed
/// over per-cell partials in cell order, so results are bitwise reproducible for any thread count.
/// A cell with no keys gets a zero output (PyTorch would give NaN for an all-masked row).
/// </para>
/// </remarks>
internal static class PackedAttention
{
    private const string Op = "packed_cross_attention";

    /// <summary>Checks the shapes and offsets; returns (cells, queries, E, N).</summary>
    private static (int B, int Nq, int E, int N) Check(Tensor q, Tensor k, Tensor v, int[] offsets, float[]? bias, int heads)
    {
        if (q.Rank != 2 || k.Rank != 2 || v.Rank != 2)
            throw new ArgumentException($"{Op}: expected q [Nq, E], k [N, E], v [N, E]; got {q.Shape}, {k.Shape}, {v.Shape}.");
        int e = q.Shape[1], n = k.Shape[0];
        if (k.Shape[1] != e || v.Shape[1] != e || v.Shape[0] != n)
            throw new ArgumentException($"{Op}: shapes do not fit: q {q.Shape}, k {k.Shape}, v {v.Shape}.");
        if (heads < 1 || e % heads != 0) throw new ArgumentException($"{Op}: {heads} heads do not divide E = {e}.");
        if (offsets.Length < 2 || offsets[0] != 0 || offsets[^1] != n)
            throw new ArgumentException($"{Op}: offsets must start at 0 and end at the key count {n}.");
        for (int b = 0; b + 1 < offsets.Length; b++)
            if (offsets[b + 1] < offsets[b]) throw new ArgumentException($"{Op}: offsets decrease at cell {b}.");
        if (bias != null && bias.Length != n) throw new ArgumentException($"{Op}: bias has {bias.Length} values for {n} keys.");
        return (offsets.Length - 1, q.Shape[0], e, n);
    }

    /// <summary>[N, E] row-major → [E, N] (column c of the input becomes a contiguous row).</summary>
    private static float[] Transpose(ReadOnlySpan<float> x, int n, int e)
    {
        var t = new float[(long)n * e];
        for (int j = 0; j < n; j++)
            for (int c = 0; c < e; c++) t[(long)c * n + j] = x[j * e + c];
        return t;
    }

    /// <summary>Scores of query row <paramref name="qi"/> (head h) over the keys [start, start+len) into <paramref name="s"/>.</summary>
    private static void Scores(ReadOnlySpan<float> qi, float[] kt, int n, int h, int d, int start, int len, float[]? bias, Span<float> s)
    {
        TensorPrimitives.Multiply(kt.AsSpan(h * d * n + start, len), qi[h * d], s);
        for (int c = 1; c < d; c++) TensorPrimitives.MultiplyAdd(kt.AsSpan((h * d + c) * n + start, len), qi[h * d + c], s, s);
        if (bias != null) TensorPrimitives.Add(s, bias.AsSpan(start, len), s);
    }

    /// <summary>The fused forward: out [B, Nq, E] (see the class remarks).</summary>
    /// <param name="q">Queries [Nq, E], already scaled by 1/√D.</param>
    /// <param name="k">Packed keys [N, E].</param>
    /// <param name="v">Packed values [N, E].</param>
    /// <param name="offsets">B + 1 row offsets into the keys.</param>
    /// <param name="bias">Additive score bias per key, or null.</param>
    /// <param name="heads">Number of heads H.</param>
    internal static Tensor Forward(Tensor q, Tensor k, Tensor v, int[] offsets, float[]? bias, int heads)
    {
        var (b, nq, e, n) = Check(q, k, v, offsets, bias, heads);
        int d = e / heads;
        var qs = q.AsReadOnlySpan().ToArray();
        var kt = Transpose(k.AsReadOnlySpan(), n, e);
        var vt = Transpose(v.AsReadOnlySpan(), n, e);
        var y = new float[(long)b * nq * e];
        var lse = new float[(long)b * heads * nq];
        ForkJoin.For(b, cell =>
        {
            int start = offsets[cell], len = offsets[cell + 1] - start;
            if (len == 0) return;
            var s = new float[len];
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < nq; i++)
                {
                    var qi = qs.AsSpan(i * e, e);
                    Scores(qi, kt, n, h, d, start, len, bias, s);
                    float max = TensorPrimitives.Max(s);
                    TensorPrimitives.Subtract(s, max, s);
                    TensorPrimitives.Exp(s, s);
                    float z = TensorPrimitives.Sum(s);
                    float inv = 1f / z;
                    long o = ((long)cell * nq + i) * e + h * d;
                    for (int c = 0; c < d; c++) y[o + c] = TensorPrimitives.Dot(s, vt.AsSpan((h * d + c) * n + start, len)) * inv;
                    lse[((long)cell * heads + h) * nq + i] = max + MathF.Log(z);
                }
        });
        var result = new Tensor(y, new TensorShape(b, nq, e));
        if (!Tensor.NeedsGrad([q, k, v])) return result;
        return Tensor.Record(result, Op, [q, k, v], g =>
        {
            var gs = g.AsReadOnlySpan().ToArray();
            var dkt = k.RequiresGrad ? new float[(long)n * e] : null;
            var dvt = v.RequiresGrad ? new float[(long)n * e] : null;
            var dqPart = q.RequiresGrad ? new float[b][] : null;
            ForkJoin.For(b, cell =>
            {
                int start = offsets[cell], len = offsets[cell + 1] - start;
                if (len == 0) return;
                var p = new float[len];
                var ds = new float[len];
                var dq = dqPart != null ? (dqPart[cell] = new float[nq * e]) : null;
                for (int h = 0; h < heads; h++)
                    for (int i = 0; i < nq; i++)
                    {
                        long o = ((long)cell * nq + i) * e + h * d;
                        var qi = qs.AsSpan(i * e, e);
                        Scores(qi, kt, n, h, d, start, len, bias, p);
                        TensorPrimitives.Subtract(p, lse[((long)cell * heads + h) * nq + i], p);
                        TensorPrimitives.Exp(p, p);
                        // dp_j = Σ_c g_c v_jc; Σ_j p_j dp_j = Σ_c g_c out_c.
                        float gOut = 0;
                        for (int c = 0; c < d; c++) gOut += gs[o + c] * y[o + c];
                        TensorPrimitives.Multiply(vt.AsSpan(h * d * n + start, len), gs[o], ds);
                        for (int c = 1; c < d; c++) TensorPrimitives.MultiplyAdd(vt.AsSpan((h * d + c) * n + start, len), gs[o + c], ds, ds);
                        TensorPrimitives.Subtract(ds, gOut, ds);
                        TensorPrimitives.Multiply(ds, p, ds);
                        for (int c = 0; c < d; c++)
                        {
                            int col = h * d + c;
                            if (dq != null) dq[i * e + col] += TensorPrimitives.Dot(ds, kt.AsSpan(col * n + start, len));
                            if (dkt != null)
                            {
                                var dk = dkt.AsSpan(col * n + start, len);
                                TensorPrimitives.MultiplyAdd(ds, qi[col], dk, dk);
                            }
                            if (dvt != null)
                            {
                                var dv = dvt.AsSpan(col * n + start, len);
                                TensorPrimitives.MultiplyAdd(p, gs[o + c], dv, dv);
                            }
                        }
                    }
            });
            if (dqPart != null)
            {
                var dq = new float[nq * e];
                foreach (var part in dqPart) if (part != null) TensorPrimitives.Add(dq, part, dq);
                q.AccumulateGradient(dq, q.Shape, owned: true);
            }
            if (dkt != null) k.AccumulateGradient(Transpose(dkt, e, n), k.Shape, owned: true);
            if (dvt != null) v.AccumulateGradient(Transpose(dvt, e, n), v.Shape, owned: true);
        });
    }
}
