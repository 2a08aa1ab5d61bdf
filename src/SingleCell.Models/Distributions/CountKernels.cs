using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Distributions;

/// <summary>
/// Fused negative-binomial and zero-inflated negative-binomial log-probabilities (forward and
/// backward in one pass each, in double precision), written exactly as scvi-tools'
/// <c>log_nb_positive</c> and <c>log_zinb_positive</c>.
/// </summary>
/// <remarks>
/// Per-gene terms (log(θ+ε), lgamma(θ), ψ(θ)) are computed once per column when θ is broadcast over
/// rows; the logarithms of each row run vectorised in double; lgamma(x+θ) − lgamma(θ) is computed as
/// ln ∏(θ+k) for small integer counts and is skipped at x = 0 (where it is exactly 0); lgamma(x+1) of
/// integer counts comes from a table.
/// </remarks>
internal static class CountKernels
{
    private const int TableSize = 1024;

    /// <summary>Counts below this (integers) take log(x!) from a table.</summary>
    internal const int LogFactorialTableSize = TableSize;
    private const int ProductLimit = 16;
    private static readonly double[] s_logFactorial = BuildLogFactorial();

    private static double[] BuildLogFactorial()
    {
        var t = new double[TableSize];
        double acc = 0;
        for (int k = 1; k < TableSize; k++) { acc += Math.Log(k); t[k] = acc; }
        return t;
    }

    private static readonly float[] s_logFactorialF = Array.ConvertAll(s_logFactorial, v => (float)v);

    /// <summary>lgamma(x + 1) rounded to float: from the table for integer 0 ≤ x &lt; 1024, else from the double log Γ.</summary>
    internal static float LogFactorialF(float x)
    {
        if (x >= 0 && x < TableSize)
        {
            int k = (int)x;
            if (k == x) return s_logFactorialF[k];
        }
        return (float)SpecialFunctions.LogGamma(x + 1.0);
    }

    /// <summary>lgamma(x + 1), from the table for integer 0 ≤ x &lt; 1024.</summary>
    internal static double LogFactorial(double x)
    {
        if (x >= 0 && x < TableSize)
        {
            int k = (int)x;
            if (k == x) return s_logFactorial[k];
        }
        return SpecialFunctions.LogGamma(x + 1);
    }

    /// <summary>lgamma(x + θ) − lgamma(θ) given lgamma(θ).</summary>
    internal static double LogGammaRatio(double x, double theta, double lgTheta)
    {
        if (x == 0) return 0;
        if (x <= ProductLimit && x == Math.Floor(x) && theta < 1e15)
        {
            double p = theta;
            for (int k = 1; k < (int)x; k++) p *= theta + k;
            return Math.Log(p);
        }
        return SpecialFunctions.LogGamma(x + theta) - lgTheta;
    }

    /// <summary>ψ(x + θ) − ψ(θ) given ψ(θ).</summary>
    internal static double DigammaDifference(double x, double theta, double psiTheta)
    {
        if (x == 0) return 0;
        if (x <= ProductLimit && x == Math.Floor(x))
        {
            double s = 0;
            for (int k = 0; k < (int)x; k++) s += 1.0 / (theta + k);
            return s;
        }
        return SpecialFunctions.Digamma(x + theta) - psiTheta;
    }

    /// <summary>How θ is laid out relative to the output.</summary>
    private sealed class ThetaLayout
    {
        internal ThetaLayout(Tensor theta, TensorShape so, double eps)
        {
            int cols = so.Rank == 0 ? 1 : so[-1];
            var ts = theta.Shape;
            bool trailingRow = ts.Size == cols && (ts.Rank == 0 || ts[-1] == cols || ts.Size == 1);
            bool trailingOk = trailingRow;
            if (trailingRow && ts.Rank > 0)
                for (int i = 0; i < ts.Rank - 1; i++) if (ts[i] != 1) trailingOk = false;
            if (ts.Size == 1) { PerColumn = true; Period = 1; Values = [theta.AsReadOnlySpan()[0]]; }
            else if (trailingOk) { PerColumn = true; Period = cols; Values = theta.ToArray(); }
            else { PerColumn = false; Period = so.Size; Values = CustomOperation.BroadcastStorage(theta, so); }
            if (PerColumn)
            {
                LogThetaEps = new double[Period];
                LgTheta = new double[Period];
                for (int j = 0; j < Period; j++)
                {
                    double t = Values[j];
                    LogThetaEps[j] = Math.Log(t + eps);
                    LgTheta[j] = SpecialFunctions.LogGamma(t);
                }
            }
        }

        internal bool PerColumn { get; }
        internal int Period { get; }
        internal float[] Values { get; }
        internal double[]? LogThetaEps { get; }
        internal double[]? LgTheta { get; }
    }

    private const int RowsPerChunk = 16;

    /// <summary>
    /// Runs <paramref name="body"/> over fixed chunks of rows (16 rows each), in parallel for large
    /// inputs. The partition depends only on the shape, never on the thread count, so per-chunk partial
    /// sums combined in chunk order are bitwise reproducible.
    /// </summary>
    private static void ForChunks(int rows, int cols, Action<int, int, int> body)
    {
        int chunks = (rows + RowsPerChunk - 1) / RowsPerChunk;
        if ((long)rows * cols < 4_096 || chunks < 2) { for (int c = 0; c < chunks; c++) body(c, c * RowsPerChunk, Math.Min(rows, (c + 1) * RowsPerChunk)); return; }
        ForkJoin.For(chunks, c => body(c, c * RowsPerChunk, Math.Min(rows, (c + 1) * RowsPerChunk)));
    }

    private static float[] Full(Tensor t, TensorShape so) => CustomOperation.BroadcastStorage(t, so);

    /// <summary>θ for the element at flat index <paramref name="i"/> (column <paramref name="j"/>).</summary>
    private static double ThetaAt(ThetaLayout th, int i, int j) => th.PerColumn ? th.Values[th.Period == 1 ? 0 : j] : th.Values[i];

    /// <summary>log NB(x; μ, θ) element-wise, differentiable in μ and θ.</summary>
    internal static Tensor NbLogProb(Tensor x, Tensor mu, Tensor theta, double eps)
    {
        var so = TensorShape.Broadcast(TensorShape.Broadcast(x.Shape, mu.Shape, "nb_log_prob"), theta.Shape, "nb_log_prob");
        var xs = Full(x, so); var ms = Full(mu, so);
        var th = new ThetaLayout(theta, so, eps);
        int cols = so.Rank == 0 ? 1 : so[-1], rows = so.Rank == 0 ? 1 : so.Size / Math.Max(cols, 1);
        var y = CustomOperation.RentBuffer(so.Size);
        var rowKernels = th.PerColumn ? new NbRowKernels(cols, th.Values, th.Period, th.LogThetaEps!, th.LgTheta!, eps) : null;
        ForChunks(rows, cols, (_, r0, r1) =>
        {
            if (rowKernels != null)
            {
                var scratch = rowKernels.CreateScratch();
                for (int r = r0; r < r1; r++)
                    rowKernels.Forward(xs.AsSpan(r * cols, cols), ms.AsSpan(r * cols, cols), y.AsSpan(r * cols, cols), scratch);
                return;
            }
            for (int i = r0 * cols; i < r1 * cols; i++)
            {
                double xv = xs[i], t = th.Values[i], m = ms[i];
                double lt = Math.Log(t + m + eps);
                double v = t * (Math.Log(t + eps) - lt) + xv * (Math.Log(m + eps) - lt);
                if (xv != 0) v += LogGammaRatio(xv, t, SpecialFunctions.LogGamma(t)) - LogFactorial(xv);
                y[i] = (float)v;
            }
        });
        var result = CustomOperation.Wrap(y, so);
        if (!CustomOperation.NeedsGradient(mu, theta)) return result;
        return CustomOperation.Record(result, "nb_log_prob", [mu, theta], g =>
        {
            var gArr = CustomOperation.StorageOf(g);
            bool wantTheta = theta.RequiresGrad;
            var dMu = mu.RequiresGrad ? CustomOperation.RentBuffer(so.Size) : null;
            float[]? dThetaFull = wantTheta && !th.PerColumn ? new float[so.Size] : null;
            var partial = wantTheta && th.PerColumn ? new double[(rows + RowsPerChunk - 1) / RowsPerChunk][] : null;
            if (partial != null) rowKernels!.PrepareThetaGradient();
            ForChunks(rows, cols, (c, r0, r1) =>
            {
                if (rowKernels != null)
                {
                    var scratch = rowKernels.CreateScratch();
                    var acc = partial != null ? rowKernels.CreateThetaAccumulator() : null;
                    for (int r = r0; r < r1; r++)
                        rowKernels.Backward(xs.AsSpan(r * cols, cols), ms.AsSpan(r * cols, cols), gArr.AsSpan(r * cols, cols), 1f,
                            dMu != null ? dMu.AsSpan(r * cols, cols) : default, acc, scratch);
                    if (acc != null) partial![c] = acc;
                    return;
                }
                for (int i = r0 * cols; i < r1 * cols; i++)
                {
                    double gi = gArr[i], xv = xs[i], t = th.Values[i], m = ms[i];
                    double inv = 1.0 / (t + m + eps);
                    if (dMu != null) dMu[i] = (float)(gi * (xv / (m + eps) - (t + xv) * inv));
                    if (dThetaFull != null)
                    {
                        double d = Math.Log(t + eps) - Math.Log(t + m + eps) + t / (t + eps) - (t + xv) * inv
                                   + (xv == 0 ? 0 : DigammaDifference(xv, t, SpecialFunctions.Digamma(t)));
                        dThetaFull[i] = (float)(gi * d);
                    }
                }
            });
            if (dMu != null) CustomOperation.AccumulateGradient(mu, dMu, so, owned: true);
            if (partial != null) CustomOperation.AccumulateGradient(theta, ReduceThetaPartials(partial, th.Period, cols), theta.Shape, owned: true);
            else if (dThetaFull != null) CustomOperation.AccumulateGradient(theta, dThetaFull, so, owned: true);
        });
    }

    /// <summary>Sums per-chunk, per-column θ gradients in chunk order (bitwise reproducible), folded to one value for a scalar θ.</summary>
    private static float[] ReduceThetaPartials(double[]?[] partial, int period, int cols)
    {
        var sum = new double[cols];
        foreach (var part in partial)
            if (part != null)
                for (int j = 0; j < cols; j++) sum[j] += part[j];
        var gt = new float[period];
        if (period == 1) { double s = 0; for (int j = 0; j < cols; j++) s += sum[j]; gt[0] = (float)s; }
        else for (int j = 0; j < cols; j++) gt[j] = (float)sum[j];
        return gt;
    }

    /// <summary>
    /// Σ_j log NB(x_ij; l_i · softmax(η_i)_j, θ_j) per row: the scVI decoder likelihood as one fused
    /// operation, differentiable in the logits η, the library sizes l and θ.
    /// </summary>
    internal static Tensor NbSoftmaxLogProb(Tensor x, Tensor library, Tensor logits, Tensor theta, double eps)
    {
        const string Op = "nb_softmax_log_prob";
        if (logits.Rank != 2 || x.Shape != logits.Shape)
            throw new ArgumentException($"{Op}: counts {x.Shape} and logits {logits.Shape} must be the same [rows, genes] shape.");
        int rows = logits.Shape[0], cols = logits.Shape[1];
        if (library.Size != rows || (library.Rank == 2 && library.Shape[1] != 1) || library.Rank > 2)
            throw new ArgumentException($"{Op}: library {library.Shape} must have one value per row ([{rows}] or [{rows}, 1]); logits are {logits.Shape}.");
        if (theta.Size != 1 && theta.Size != cols || theta.Rank > 1 && theta.Shape[0] != 1)
            throw new ArgumentException($"{Op}: θ {theta.Shape} must be one value or one per gene ([{cols}]); logits are {logits.Shape}.");
        var th = new ThetaLayout(theta, logits.Shape, eps);
        var rowKernels = new NbRowKernels(cols, th.Values, th.Period, th.LogThetaEps!, th.LgTheta!, eps, float32: true);
        bool f32 = rowKernels.UsesFloat32;
        var xs = CustomOperation.StorageOf(x); var ls = CustomOperation.StorageOf(library); var zs = CustomOperation.StorageOf(logits);
        var rho = CustomOperation.RentBuffer(rows * cols);
        var y = CustomOperation.RentBuffer(rows);
        // The θ gradient needs log(θ + μ + ε) again: the float32 forward keeps it for the backward.
        var logThetaMu = f32 && theta.RequiresGrad && CustomOperation.NeedsGradient(library, logits, theta) ? CustomOperation.RentBuffer(rows * cols) : null;
        ForChunks(rows, cols, (_, r0, r1) =>
        {
            var scratch = rowKernels.CreateScratch();
            if (f32)
            {
                for (int r = r0; r < r1; r++)
                {
                    var p = rho.AsSpan(r * cols, cols);
                    Tensor.SoftmaxRow(zs.AsSpan(r * cols, cols), p, log: false);
                    y[r] = (float)rowKernels.Forward32(xs.AsSpan(r * cols, cols), p, ls[r], scratch,
                        logThetaMu != null ? logThetaMu.AsSpan(r * cols, cols) : default);
                }
                return;
            }
            var mu = new float[cols];
            for (int r = r0; r < r1; r++)
            {
                var p = rho.AsSpan(r * cols, cols);
                Tensor.SoftmaxRow(zs.AsSpan(r * cols, cols), p, log: false);
                TensorPrimitives.Multiply(p, ls[r], mu);
                y[r] = (float)rowKernels.Forward(xs.AsSpan(r * cols, cols), mu, default, scratch);
            }
        });
        var result = CustomOperation.Wrap(y, new TensorShape(rows));
        if (!CustomOperation.NeedsGradient(library, logits, theta)) { CustomOperation.ReturnBuffer(rho); return result; }
        return CustomOperation.Record(result, Op, [library, logits, theta], g =>
        {
            var gArr = CustomOperation.StorageOf(g);
            var dLogits = logits.RequiresGrad ? CustomOperation.RentBuffer(rows * cols) : null;
            var dLib = library.RequiresGrad ? new float[rows] : null;
            var partial = theta.RequiresGrad ? new double[(rows + RowsPerChunk - 1) / RowsPerChunk][] : null;
            if (partial != null) rowKernels.PrepareThetaGradient();
            ForChunks(rows, cols, (c, r0, r1) =>
            {
                var scratch = rowKernels.CreateScratch();
                var acc = partial != null ? rowKernels.CreateThetaAccumulator() : null;
                if (f32)
                {
                    var dMuRow = dLogits == null ? new float[cols] : null;
                    for (int r = r0; r < r1; r++)
                    {
                        var p = rho.AsSpan(r * cols, cols);
                        float l = ls[r];
                        // g ∂/∂μ goes straight into the row of dη, which is then rewritten in place.
                        var d = dLogits != null ? dLogits.AsSpan(r * cols, cols) : dMuRow;
                        rowKernels.Backward32(xs.AsSpan(r * cols, cols), p, l, gArr[r], d, acc, scratch,
                            logThetaMu != null && acc != null ? logThetaMu.AsSpan(r * cols, cols) : default);
                        // dl = Σ ρ_j ∂/∂μ_j; dη = l ρ ⊙ (∂/∂μ − Σ ρ_k ∂/∂μ_k).
                        float rhoDotDMu = TensorPrimitives.Dot(p, d);
                        if (dLib != null) dLib[r] = rhoDotDMu;
                        if (dLogits != null)
                        {
                            TensorPrimitives.Subtract(d, rhoDotDMu, d);
                            TensorPrimitives.Multiply(d, p, d);
                            TensorPrimitives.Multiply(d, l, d);
                        }
                    }
                    if (acc != null) partial![c] = acc;
                    return;
                }
                var mu = new float[cols];
                var dMu = new float[cols];
                for (int r = r0; r < r1; r++)
                {
                    var p = rho.AsSpan(r * cols, cols);
                    float l = ls[r];
                    TensorPrimitives.Multiply(p, l, mu);
                    rowKernels.Backward(xs.AsSpan(r * cols, cols), mu, default, gArr[r], dMu, acc, scratch);
                    // dl = Σ ρ_j ∂/∂μ_j; dρ = l ∂/∂μ; dη = ρ ⊙ (dρ − Σ ρ_k dρ_k).
                    float rhoDotDMu = TensorPrimitives.Dot(p, dMu);
                    if (dLib != null) dLib[r] = rhoDotDMu;
                    if (dLogits != null)
                    {
                        var d = dLogits.AsSpan(r * cols, cols);
                        TensorPrimitives.Multiply(dMu, l, d);
                        TensorPrimitives.Subtract(d, l * rhoDotDMu, d);
                        TensorPrimitives.Multiply(d, p, d);
                    }
                }
                if (acc != null) partial![c] = acc;
            });
            CustomOperation.ReturnBuffer(rho);
            if (logThetaMu != null) CustomOperation.ReturnBuffer(logThetaMu);
            if (dLogits != null) CustomOperation.AccumulateGradient(logits, dLogits, logits.Shape, owned: true);
            if (dLib != null) CustomOperation.AccumulateGradient(library, dLib, library.Shape, owned: true);
            if (partial != null) CustomOperation.AccumulateGradient(theta, ReduceThetaPartials(partial, th.Period, cols), theta.Shape, owned: true);
        });
    }

    /// <summary>log ZINB(x; μ, θ, π) element-wise (π: zero-inflation logits), differentiable in μ, θ and π.</summary>
    internal static Tensor ZinbLogProb(Tensor x, Tensor mu, Tensor theta, Tensor pi, double eps)
    {
        var so = TensorShape.Broadcast(TensorShape.Broadcast(TensorShape.Broadcast(x.Shape, mu.Shape, "zinb_log_prob"), theta.Shape, "zinb_log_prob"), pi.Shape, "zinb_log_prob");
        var xs = Full(x, so); var ms = Full(mu, so); var ps = Full(pi, so);
        var th = new ThetaLayout(theta, so, eps);
        int cols = so.Rank == 0 ? 1 : so[-1], rows = so.Rank == 0 ? 1 : so.Size / Math.Max(cols, 1);
        var y = CustomOperation.RentBuffer(so.Size);
        ForChunks(rows, cols, (_, r0, r1) =>
        {
        var logMu = new double[cols];
        var logTm = new double[cols];
        for (int r = r0; r < r1; r++)
        {
            int o = r * cols;
            FillLogs(ms, th, o, cols, eps, logMu, logTm);
            for (int j = 0; j < cols; j++)
            {
                int i = o + j;
                double xv = xs[i], t = ThetaAt(th, i, j), p = ps[i];
                double logTe, lgT;
                if (th.PerColumn) { int k = th.Period == 1 ? 0 : j; logTe = th.LogThetaEps![k]; lgT = th.LgTheta![k]; }
                else { logTe = Math.Log(t + eps); lgT = xv < eps ? 0 : SpecialFunctions.LogGamma(t); }
                double lt = logTm[j];
                double softplusNegPi = Softplus(-p);
                double piThetaLog = -p + t * (logTe - lt);
                double v;
                if (xv < eps) v = Softplus(piThetaLog) - softplusNegPi;
                else if (xv > eps) v = -softplusNegPi + piThetaLog + xv * (logMu[j] - lt) + LogGammaRatio(xv, t, lgT) - LogFactorial(xv);
                else v = 0;
                y[i] = (float)v;
            }
        }
        });
        var result = CustomOperation.Wrap(y, so);
        if (!CustomOperation.NeedsGradient(mu, theta, pi)) return result;
        return CustomOperation.Record(result, "zinb_log_prob", [mu, theta, pi], g =>
        {
            var gArr = CustomOperation.StorageOf(g);
            bool wantMu = mu.RequiresGrad, wantTheta = theta.RequiresGrad, wantPi = pi.RequiresGrad;
            var dMu = wantMu ? CustomOperation.RentBuffer(so.Size) : null;
            var dPi = wantPi ? CustomOperation.RentBuffer(so.Size) : null;
            float[]? dThetaFull = wantTheta && !th.PerColumn ? new float[so.Size] : null;
            double[]? psiCol = null;
            if (wantTheta && th.PerColumn)
            {
                psiCol = new double[th.Period];
                for (int k = 0; k < th.Period; k++) psiCol[k] = SpecialFunctions.Digamma(th.Values[k]);
            }
            var partial = wantTheta && th.PerColumn ? new double[(rows + RowsPerChunk - 1) / RowsPerChunk][] : null;
            ForChunks(rows, cols, (c, r0, r1) =>
            {
            var logTm = new double[cols];
            double[]? dThetaCol = partial != null ? (partial[c] = new double[cols]) : null;
            for (int r = r0; r < r1; r++)
            {
                int o = r * cols;
                FillLogs(ms, th, o, cols, eps, null, logTm);
                for (int j = 0; j < cols; j++)
                {
                    int i = o + j;
                    double gi = gArr[i];
                    double xv = xs[i], t = ThetaAt(th, i, j), m = ms[i], p = ps[i];
                    int k = th.Period == 1 ? 0 : j;
                    double logTe = th.PerColumn ? th.LogThetaEps![k] : Math.Log(t + eps);
                    double inv = 1.0 / (t + m + eps);
                    double dMuI, dThetaI, dPiI;
                    if (xv < eps)
                    {
                        // v = softplus(a) − softplus(−π), a = −π + θ(log(θ+ε) − log(θ+μ+ε))
                        double a = -p + t * (logTe - logTm[j]);
                        double sa = Sigmoid(a);
                        dPiI = -sa + Sigmoid(-p);
                        dMuI = -sa * t * inv;
                        dThetaI = sa * (logTe - logTm[j] + t / (t + eps) - t * inv);
                    }
                    else if (xv > eps)
                    {
                        dPiI = -Sigmoid(p);
                        dMuI = xv / (m + eps) - (t + xv) * inv;
                        if (wantTheta)
                        {
                            double psiT = th.PerColumn ? psiCol![k] : SpecialFunctions.Digamma(t);
                            dThetaI = logTe - logTm[j] + t / (t + eps) - (t + xv) * inv + DigammaDifference(xv, t, psiT);
                        }
                        else dThetaI = 0;
                    }
                    else { dPiI = 0; dMuI = 0; dThetaI = 0; }
                    if (dMu != null) dMu[i] = (float)(gi * dMuI);
                    if (dPi != null) dPi[i] = (float)(gi * dPiI);
                    if (dThetaCol != null) dThetaCol[j] += gi * dThetaI;
                    else if (dThetaFull != null) dThetaFull[i] = (float)(gi * dThetaI);
                }
            }
            });
            if (dMu != null) CustomOperation.AccumulateGradient(mu, dMu, so, owned: true);
            if (dPi != null) CustomOperation.AccumulateGradient(pi, dPi, so, owned: true);
            if (partial != null) CustomOperation.AccumulateGradient(theta, ReduceThetaPartials(partial, th.Period, cols), theta.Shape, owned: true);
            else if (dThetaFull != null) CustomOperation.AccumulateGradient(theta, dThetaFull, so, owned: true);
        });
    }

    /// <summary>Row logs, vectorised in double: log(μ+ε) (when <paramref name="logMu"/> is given) and log(θ+μ+ε).</summary>
    private static void FillLogs(float[] ms, ThetaLayout th, int o, int cols, double eps, double[]? logMu, double[] logTm)
    {
        for (int j = 0; j < cols; j++)
        {
            double m = ms[o + j];
            double t = th.PerColumn ? th.Values[th.Period == 1 ? 0 : j] : th.Values[o + j];
            logTm[j] = t + m + eps;
            if (logMu != null) logMu[j] = m + eps;
        }
        TensorPrimitives.Log(logTm, logTm);
        if (logMu != null) TensorPrimitives.Log(logMu, logMu);
    }

    internal static double Softplus(double v) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));

    internal static double Sigmoid(double v) => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));
}
