using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// Layer normalisation over the trailing <paramref name="normalizedSize"/> elements of each row, as
    /// <c>torch.nn.functional.layer_norm</c>: y = (x − μ) / √(σ² + ε) · w + b with the biased variance σ².
    /// Fused forward and backward (statistics accumulated in double).
    /// </summary>
    /// <param name="x">Input whose trailing axes hold <paramref name="normalizedSize"/> elements per row.</param>
    /// <param name="normalizedSize">Number of elements normalised together (product of the normalised axes).</param>
    /// <param name="weight">Optional scale with <paramref name="normalizedSize"/> elements.</param>
    /// <param name="bias">Optional shift with <paramref name="normalizedSize"/> elements.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <exception cref="ArgumentException">Sizes do not match; the message names the shapes.</exception>
    public static Tensor LayerNorm(Tensor x, int normalizedSize, Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = normalizedSize;
        if (n <= 0 || x.Size % n != 0)
            throw new ArgumentException($"layer_norm: input {x.Shape} cannot be split into rows of {n} elements.");
        if (weight != null && weight.Size != n) throw new ArgumentException($"layer_norm: weight {weight.Shape} has not {n} elements (input {x.Shape}).");
        if (bias != null && bias.Size != n) throw new ArgumentException($"layer_norm: bias {bias.Shape} has not {n} elements (input {x.Shape}).");
        int rows = x.Size / n;
        var xs = x.AsReadOnlySpan();
        var y = NewBuffer(x.Size);
        var xhat = NewBuffer(x.Size);
        var rstd = new float[rows];
        var ws = weight?._data; var bs = bias?._data;
        for (int r = 0; r < rows; r++)
        {
            var row = xs.Slice(r * n, n);
            double sum = 0;
            for (int i = 0; i < n; i++) sum += row[i];
            double mean = sum / n, sq = 0;
            for (int i = 0; i < n; i++) { double d = row[i] - mean; sq += d * d; }
            double rs = 1.0 / Math.Sqrt(sq / n + eps);
            rstd[r] = (float)rs;
            int o = r * n;
            for (int i = 0; i < n; i++)
            {
                float h = (float)((row[i] - mean) * rs);
                xhat[o + i] = h;
                float v = ws != null ? h * ws[i] : h;
                y[o + i] = bs != null ? v + bs[i] : v;
            }
        }
        var result = new Tensor(y, x.Shape);
        Tensor[] inputs = weight == null ? (bias == null ? [x] : [x, bias]) : (bias == null ? [x, weight] : [x, weight, bias]);
        if (!NeedsGrad(inputs)) return result;
        return Record(result, "layer_norm", inputs, g =>
        {
            var gs = g.AsReadOnlySpan();
            if (x._requiresGrad)
            {
                // dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ∘ x̂)), ĝ = g ∘ w.
                var dx = NewBuffer(x.Size);
                for (int r = 0; r < rows; r++)
                {
                    int o = r * n;
                    double s1 = 0, s2 = 0;
                    for (int i = 0; i < n; i++)
                    {
                        double gh = ws != null ? gs[o + i] * ws[i] : gs[o + i];
                        s1 += gh; s2 += gh * xhat[o + i];
                    }
                    double m1 = s1 / n, m2 = s2 / n, rs = rstd[r];
                    for (int i = 0; i < n; i++)
                    {
                        double gh = ws != null ? gs[o + i] * ws[i] : gs[o + i];
                        dx[o + i] = (float)(rs * (gh - m1 - xhat[o + i] * m2));
                    }
                }
                x.AccumulateGradient(dx);
            }
            if (weight != null && weight._requiresGrad)
            {
                var dw = new double[n];
                for (int r = 0; r < rows; r++)
                    for (int i = 0; i < n; i++) dw[i] += gs[r * n + i] * (double)xhat[r * n + i];
                weight.AccumulateGradient(ToFloat(dw), weight.Shape, owned: true);
            }
            if (bias != null && bias._requiresGrad)
            {
                var db = new double[n];
                for (int r = 0; r < rows; r++)
                    for (int i = 0; i < n; i++) db[i] += gs[r * n + i];
                bias.AccumulateGradient(ToFloat(db), bias.Shape, owned: true);
            }
        });
    }

    /// <summary>
    /// Batch normalisation of [N, C] or [N, C, L] input over every axis but the channel axis, as
    /// <c>torch.nn.functional.batch_norm</c>. In training mode the batch statistics normalise (biased
    /// variance) and, when running buffers are given, update them in place: running = (1 − m)·running +
    /// m·batch, with the unbiased variance for the running variance. In evaluation mode the running
    /// statistics normalise. Fused forward and backward.
    /// </summary>
    /// <param name="x">Input [N, C] or [N, C, L].</param>
    /// <param name="runningMean">Running mean [C], updated in place when training; required in evaluation.</param>
    /// <param name="runningVar">Running variance [C], updated in place when training; required in evaluation.</param>
    /// <param name="weight">Optional scale [C].</param>
    /// <param name="bias">Optional shift [C].</param>
    /// <param name="training">Use batch statistics (true) or running statistics (false).</param>
    /// <param name="momentum">Weight m of the batch statistic in the running update.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="rowWeights">
    /// Optional multiplicities [N] of the rows of [N, C] input: row i stands for <c>rowWeights[i]</c> identical
    /// rows of a larger batch, whose statistics (and running update, with the unbiased factor W / (W − 1) for W =
    /// Σ weights) are used. The backward pass then takes each row's incoming gradient as the sum over its copies
    /// and returns the summed gradient of the copies. Evaluation mode ignores the weights.
    /// </param>
    /// <exception cref="ArgumentException">Bad shapes, or one value per channel in training.</exception>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum = 0.1f, float eps = 1e-5f, float[]? rowWeights = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank is not (2 or 3)) throw new ArgumentException($"batch_norm: input must be [N, C] or [N, C, L]; got {x.Shape}.");
        int nb = x.Shape[0], c = x.Shape[1], l = x.Rank == 3 ? x.Shape[2] : 1;
        void Check(Tensor? t, string what)
        {
            if (t != null && (t.Rank != 1 || t.Shape[0] != c))
                throw new ArgumentException($"batch_norm: {what} has shape {t.Shape}; expected [{c}] for input {x.Shape}.");
        }
        Check(runningMean, "running mean"); Check(runningVar, "running variance"); Check(weight, "weight"); Check(bias, "bias");
        var rw = training ? rowWeights : null;
        double count = nb * l;
        if (rw != null)
        {
            if (l != 1 || rw.Length != nb) throw new ArgumentException($"batch_norm: row weights need [N, C] input and one weight per row; got {rw.Length} weights for input {x.Shape}.");
            count = 0;
            foreach (float w in rw)
            {
                if (!(w > 0 && float.IsFinite(w))) throw new ArgumentException($"batch_norm: row weights must be finite and positive; got {w}.");
                count += w;
            }
        }
        var xs = x.AsReadOnlySpan();
        var mean = new double[c];
        var rstd = new float[c];
        if (training)
        {
            if (count <= 1) throw new ArgumentException($"batch_norm: expected more than 1 value per channel when training; got input {x.Shape}.");
            var variance = new double[c];
            if (rw != null)
            {
                // Weighted rows: the statistics of the batch in which row b appears rw[b] times.
                Widened.WeightedColumnSums(xs, rw, nb, c, mean);
                for (int ch = 0; ch < c; ch++) mean[ch] /= count;
                Widened.WeightedColumnSquaredDeviations(xs, mean, rw, nb, c, variance);
                for (int ch = 0; ch < c; ch++)
                {
                    variance[ch] /= count;
                    rstd[ch] = (float)(1.0 / Math.Sqrt(variance[ch] + eps));
                }
            }
            else if (l == 1)
            {
                // [N, C]: whole rows at a time, accumulated in double (as PyTorch's CPU kernels do).
                Widened.ColumnSums(xs, default, nb, c, mean);
                for (int ch = 0; ch < c; ch++) mean[ch] /= count;
                Widened.ColumnSquaredDeviations(xs, mean, nb, c, variance);
                for (int ch = 0; ch < c; ch++)
                {
                    variance[ch] /= count;
                    rstd[ch] = (float)(1.0 / Math.Sqrt(variance[ch] + eps));
                }
            }
            else
            {
                for (int ch = 0; ch < c; ch++)
                {
                    double s = 0;
                    for (int b = 0; b < nb; b++) { int o = (b * c + ch) * l; for (int i = 0; i < l; i++) s += xs[o + i]; }
                    double m = s / count, sq = 0;
                    for (int b = 0; b < nb; b++) { int o = (b * c + ch) * l; for (int i = 0; i < l; i++) { double d = xs[o + i] - m; sq += d * d; } }
                    mean[ch] = m; variance[ch] = sq / count;
                    rstd[ch] = (float)(1.0 / Math.Sqrt(sq / count + eps));
                }
            }
            if (runningMean != null && runningVar != null)
            {
                var rm = runningMean.Span; var rv = runningVar.Span;
                double unbias = count / (count - 1.0);
                for (int ch = 0; ch < c; ch++)
                {
                    rm[ch] = (float)((1.0 - momentum) * rm[ch] + momentum * mean[ch]);
                    rv[ch] = (float)((1.0 - momentum) * rv[ch] + momentum * variance[ch] * unbias);
                }
            }
        }
        else
        {
            if (runningMean == null || runningVar == null) throw new ArgumentException("batch_norm: evaluation mode needs running statistics.");
            var rm = runningMean.AsReadOnlySpan(); var rv = runningVar.AsReadOnlySpan();
            for (int ch = 0; ch < c; ch++) { mean[ch] = rm[ch]; rstd[ch] = (float)(1.0 / Math.Sqrt(rv[ch] + (double)eps)); }
        }
        var y = NewBuffer(x.Size);
        var xhat = NewBuffer(x.Size);
        var ws = weight?._data; var bs = bias?._data;
        if (l == 1)
        {
            var meanF = new float[c];
            for (int ch = 0; ch < c; ch++) meanF[ch] = (float)mean[ch];
            if (ws != null && bs != null) NormalizeRows(xs, meanF, rstd, ws, bs, xhat, y, nb, c);
            else
                for (int b = 0; b < nb; b++)
                {
                    var h = xhat.AsSpan(b * c, c); var yr = y.AsSpan(b * c, c);
                    TensorPrimitives.Subtract(xs.Slice(b * c, c), meanF, h);
                    TensorPrimitives.Multiply(h, rstd, h);
                    if (ws != null) TensorPrimitives.Multiply(h, ws.AsSpan(0, c), yr); else h.CopyTo(yr);
                    if (bs != null) TensorPrimitives.Add(yr, bs.AsSpan(0, c), yr);
                }
        }
        else
        {
            for (int b = 0; b < nb; b++)
                for (int ch = 0; ch < c; ch++)
                {
                    int o = (b * c + ch) * l;
                    float sc = ws != null ? ws[ch] : 1f, sh = bs != null ? bs[ch] : 0f;
                    for (int i = 0; i < l; i++)
                    {
                        float h = (float)((xs[o + i] - mean[ch]) * rstd[ch]);
                        xhat[o + i] = h;
                        y[o + i] = h * sc + sh;
                    }
                }
        }
        var result = new Tensor(y, x.Shape);
        var inputList = new List<Tensor>(3) { x };
        if (weight != null) inputList.Add(weight);
        if (bias != null) inputList.Add(bias);
        var inputs = inputList.ToArray();
        if (!NeedsGrad(inputs)) { Kernels.BufferPool.Return(xhat); return result; }
        return Record(result, "batch_norm", inputs, g =>
        {
            var gs = g.AsReadOnlySpan();
            var sumG = new double[c]; var sumGx = new double[c];
            if (l == 1)
            {
                Widened.ColumnSums(gs, default, nb, c, sumG);
                Widened.ColumnSums(gs, xhat.AsSpan(0, nb * c), nb, c, sumGx);
            }
            else
            {
                for (int b = 0; b < nb; b++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int o = (b * c + ch) * l;
                        for (int i = 0; i < l; i++) { sumG[ch] += gs[o + i]; sumGx[ch] += gs[o + i] * (double)xhat[o + i]; }
                    }
            }
            if (x._requiresGrad && l == 1)
            {
                // dx = w·rstd · (g − mean(g) − x̂ · mean(g ∘ x̂)) in training; w·rstd · g in evaluation.
                var dx = NewBuffer(x.Size);
                var k = new float[c]; var m1 = new float[c]; var m2 = new float[c];
                for (int ch = 0; ch < c; ch++)
                {
                    k[ch] = (float)((ws != null ? ws[ch] : 1.0) * rstd[ch]);
                    m1[ch] = training ? (float)(sumG[ch] / count) : 0f;
                    m2[ch] = training ? (float)(sumGx[ch] / count) : 0f;
                }
                if (rw != null) WeightedBackwardRows(gs, xhat, m1, m2, k, rw, dx, nb, c);
                else BackwardRows(gs, xhat, m1, m2, k, dx, nb, c);
                x.AccumulateGradient(dx);
            }
            else if (x._requiresGrad)
            {
                var dx = NewBuffer(x.Size);
                for (int b = 0; b < nb; b++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int o = (b * c + ch) * l;
                        double k = (ws != null ? ws[ch] : 1.0) * rstd[ch];
                        if (training)
                        {
                            // dx = w·rstd · (g − mean(g) − x̂ · mean(g ∘ x̂))
                            double m1 = sumG[ch] / count, m2 = sumGx[ch] / count;
                            for (int i = 0; i < l; i++) dx[o + i] = (float)(k * (gs[o + i] - m1 - xhat[o + i] * m2));
                        }
                        else
                        {
                            for (int i = 0; i < l; i++) dx[o + i] = (float)(k * gs[o + i]);
                        }
                    }
                x.AccumulateGradient(dx);
            }
            if (weight != null && weight._requiresGrad) weight.AccumulateGradient(ToFloat(sumGx), weight.Shape, owned: true);
            if (bias != null && bias._requiresGrad) bias.AccumulateGradient(ToFloat(sumG), bias.Shape, owned: true);
            // x̂ is read by this rule only, and the rule runs once (the graph is freed after backward).
            Kernels.BufferPool.Return(xhat);
        });
    }

    /// <summary>
    /// x̂ = (x − mean) · rstd and y = x̂ · w + b for [N, C] rows in one pass (the same float operations, in
    /// the same order, as four separate element-wise passes: bitwise the same result).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeRows(ReadOnlySpan<float> xs, float[] mean, float[] rstd, float[] w, float[] bias, float[] xhat, float[] y, int nb, int c)
    {
        int vec = Vector512.IsHardwareAccelerated ? c & ~15 : 0;
        for (int b = 0; b < nb; b++)
        {
            int o = b * c, j = 0;
            for (; j < vec; j += 16)
            {
                var h = (Vector512.Create(xs.Slice(o + j, 16)) - Vector512.LoadUnsafe(ref mean[j])) * Vector512.LoadUnsafe(ref rstd[j]);
                h.StoreUnsafe(ref xhat[o + j]);
                (h * Vector512.LoadUnsafe(ref w[j]) + Vector512.LoadUnsafe(ref bias[j])).StoreUnsafe(ref y[o + j]);
            }
            for (; j < c; j++)
            {
                float h = (xs[o + j] - mean[j]) * rstd[j];
                xhat[o + j] = h;
                y[o + j] = h * w[j] + bias[j];
            }
        }
    }

    /// <summary>dx = ((g − x̂ · m2) − m1) · k for [N, C] rows in one pass (the same float operations, in the same order, as before).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRows(ReadOnlySpan<float> gs, float[] xhat, float[] m1, float[] m2, float[] k, float[] dx, int nb, int c)
    {
        int vec = Vector512.IsHardwareAccelerated ? c & ~15 : 0;
        for (int b = 0; b < nb; b++)
        {
            int o = b * c, j = 0;
            for (; j < vec; j += 16)
            {
                var d = Vector512.Create(gs.Slice(o + j, 16)) - Vector512.LoadUnsafe(ref xhat[o + j]) * Vector512.LoadUnsafe(ref m2[j]);
                ((d - Vector512.LoadUnsafe(ref m1[j])) * Vector512.LoadUnsafe(ref k[j])).StoreUnsafe(ref dx[o + j]);
            }
            for (; j < c; j++) dx[o + j] = (gs[o + j] - xhat[o + j] * m2[j] - m1[j]) * k[j];
        }
    }

    /// <summary>
    /// Row-into-column-sums accumulation in double, vectorised by widening float lanes. Every column is summed row
    /// after row, so the sums are bitwise those of the plain loops; the vector paths only change how many columns
    /// advance together: 64 (eight independent accumulator chains in registers, one pass over the rows) and then 16.
    /// </summary>
    private static class Widened
    {
        /// <summary>acc[j] += Σ_b x[b, j] (or Σ_b x[b, j] · y[b, j] when <paramref name="y"/> is not empty).</summary>
        internal static void ColumnSums(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int nb, int c, Span<double> acc)
        {
            if (y.IsEmpty) Accumulate<Plain>(x, default, default, default, nb, c, acc);
            else Accumulate<Product>(x, y, default, default, nb, c, acc);
        }

        /// <summary>acc[j] += Σ_b (x[b, j] − mean[j])².</summary>
        internal static void ColumnSquaredDeviations(ReadOnlySpan<float> x, ReadOnlySpan<double> mean, int nb, int c, Span<double> acc) =>
            Accumulate<SquaredDeviation>(x, default, mean, default, nb, c, acc);

        /// <summary>acc[j] += Σ_b w[b] · x[b, j].</summary>
        internal static void WeightedColumnSums(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int nb, int c, Span<double> acc) =>
            Accumulate<WeightedPlain>(x, default, default, w, nb, c, acc);

        /// <summary>acc[j] += Σ_b w[b] · (x[b, j] − mean[j])², as (w · d) · d.</summary>
        internal static void WeightedColumnSquaredDeviations(ReadOnlySpan<float> x, ReadOnlySpan<double> mean, ReadOnlySpan<float> w, int nb, int c, Span<double> acc) =>
            Accumulate<WeightedSquaredDeviation>(x, default, mean, w, nb, c, acc);

        /// <summary>What one row adds to a column's sum, from x, y, the column's mean and the row's weight (all in double).</summary>
        private interface ITerm
        {
            static abstract bool UsesY { get; }
            static abstract Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w);
            static abstract double Of(double x, double y, double mean, double w);
        }

        private struct Plain : ITerm
        {
            public static bool UsesY => false;
            public static Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w) => x;
            public static double Of(double x, double y, double mean, double w) => x;
        }

        private struct Product : ITerm
        {
            public static bool UsesY => true;
            public static Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w) => x * y;
            public static double Of(double x, double y, double mean, double w) => x * y;
        }

        private struct SquaredDeviation : ITerm
        {
            public static bool UsesY => false;
            public static Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w) { var d = x - mean; return d * d; }
            public static double Of(double x, double y, double mean, double w) { double d = x - mean; return d * d; }
        }

        private struct WeightedPlain : ITerm
        {
            public static bool UsesY => false;
            public static Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w) => w * x;
            public static double Of(double x, double y, double mean, double w) => w * x;
        }

        private struct WeightedSquaredDeviation : ITerm
        {
            public static bool UsesY => false;
            public static Vector512<double> Of(Vector512<double> x, Vector512<double> y, Vector512<double> mean, Vector512<double> w) { var d = x - mean; return w * d * d; }
            public static double Of(double x, double y, double mean, double w) { double d = x - mean; return w * d * d; }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static void Accumulate<T>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<double> mean, ReadOnlySpan<float> w,
            int nb, int c, Span<double> acc) where T : struct, ITerm
        {
            bool hasMean = !mean.IsEmpty, hasW = !w.IsEmpty;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                ref float x0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
                ref float y0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(y);
                for (; j + 64 <= c; j += 64)
                {
                    var a0 = Load(acc, j); var a1 = Load(acc, j + 8); var a2 = Load(acc, j + 16); var a3 = Load(acc, j + 24);
                    var a4 = Load(acc, j + 32); var a5 = Load(acc, j + 40); var a6 = Load(acc, j + 48); var a7 = Load(acc, j + 56);
                    var m0 = Mean(mean, hasMean, j); var m1 = Mean(mean, hasMean, j + 8); var m2 = Mean(mean, hasMean, j + 16); var m3 = Mean(mean, hasMean, j + 24);
                    var m4 = Mean(mean, hasMean, j + 32); var m5 = Mean(mean, hasMean, j + 40); var m6 = Mean(mean, hasMean, j + 48); var m7 = Mean(mean, hasMean, j + 56);
                    for (int b = 0; b < nb; b++)
                    {
                        var wb = hasW ? Vector512.Create((double)w[b]) : default;
                        nuint o = (nuint)(b * c + j);
                        var (t0, t1) = Terms<T>(ref x0, ref y0, o, m0, m1, wb); a0 += t0; a1 += t1;
                        (t0, t1) = Terms<T>(ref x0, ref y0, o + 16, m2, m3, wb); a2 += t0; a3 += t1;
                        (t0, t1) = Terms<T>(ref x0, ref y0, o + 32, m4, m5, wb); a4 += t0; a5 += t1;
                        (t0, t1) = Terms<T>(ref x0, ref y0, o + 48, m6, m7, wb); a6 += t0; a7 += t1;
                    }
                    a0.CopyTo(acc.Slice(j, 8)); a1.CopyTo(acc.Slice(j + 8, 8)); a2.CopyTo(acc.Slice(j + 16, 8)); a3.CopyTo(acc.Slice(j + 24, 8));
                    a4.CopyTo(acc.Slice(j + 32, 8)); a5.CopyTo(acc.Slice(j + 40, 8)); a6.CopyTo(acc.Slice(j + 48, 8)); a7.CopyTo(acc.Slice(j + 56, 8));
                }
                for (; j + 16 <= c; j += 16)
                {
                    var lo = Load(acc, j); var hi = Load(acc, j + 8);
                    var ml = Mean(mean, hasMean, j); var mh = Mean(mean, hasMean, j + 8);
                    for (int b = 0; b < nb; b++)
                    {
                        var wb = hasW ? Vector512.Create((double)w[b]) : default;
                        var (t0, t1) = Terms<T>(ref x0, ref y0, (nuint)(b * c + j), ml, mh, wb);
                        lo += t0; hi += t1;
                    }
                    lo.CopyTo(acc.Slice(j, 8)); hi.CopyTo(acc.Slice(j + 8, 8));
                }
            }
            for (; j < c; j++)
            {
                double s = acc[j], m = hasMean ? mean[j] : 0;
                for (int b = 0; b < nb; b++)
                    s += T.Of(x[b * c + j], T.UsesY ? y[b * c + j] : 0, m, hasW ? w[b] : 0);
                acc[j] = s;
            }
        }

        /// <summary>The terms of sixteen columns of one row, from offset <paramref name="o"/>.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static (Vector512<double> Lo, Vector512<double> Hi) Terms<T>(ref float x0, ref float y0, nuint o,
            Vector512<double> ml, Vector512<double> mh, Vector512<double> w) where T : struct, ITerm
        {
            var (xl, xh) = Vector512.Widen(Vector512.LoadUnsafe(ref x0, o));
            Vector512<double> yl = default, yh = default;
            if (T.UsesY) (yl, yh) = Vector512.Widen(Vector512.LoadUnsafe(ref y0, o));
            return (T.Of(xl, yl, ml, w), T.Of(xh, yh, mh, w));
        }

        private static Vector512<double> Load(Span<double> acc, int j) => Vector512.Create((ReadOnlySpan<double>)acc.Slice(j, 8));

        private static Vector512<double> Mean(ReadOnlySpan<double> mean, bool hasMean, int j) => hasMean ? Vector512.Create(mean.Slice(j, 8)) : default;
    }

    /// <summary>
    /// dx[b] = (g[b] − (x̂[b] · m2 + m1) · rw[b]) · k for weighted rows: Σ over the row's copies of g − m1 − x̂·m2, where
    /// g (incoming) is already the copies' sum. The element operations of five row-wide passes, in their order, fused.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void WeightedBackwardRows(ReadOnlySpan<float> g, float[] xhat, float[] m1, float[] m2, float[] k, float[] rw, float[] dx, int nb, int c)
    {
        int vec = Vector512.IsHardwareAccelerated ? c & ~15 : 0;
        for (int b = 0; b < nb; b++)
        {
            int o = b * c;
            float w = rw[b];
            var wv = Vector512.Create(w);
            int j = 0;
            for (; j < vec; j += 16)
            {
                var t = (Vector512.Create(xhat.AsSpan(o + j, 16)) * Vector512.Create(m2.AsSpan(j, 16)) + Vector512.Create(m1.AsSpan(j, 16))) * wv;
                ((Vector512.Create(g.Slice(o + j, 16)) - t) * Vector512.Create(k.AsSpan(j, 16))).CopyTo(dx.AsSpan(o + j, 16));
            }
            for (; j < c; j++) dx[o + j] = (g[o + j] - (xhat[o + j] * m2[j] + m1[j]) * w) * k[j];
        }
    }

    private static float[] ToFloat(double[] values)
    {
        var r = new float[values.Length];
        for (int i = 0; i < r.Length; i++) r[i] = (float)values[i];
        return r;
    }
}
