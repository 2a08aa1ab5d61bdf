using System.Runtime.Intrinsics;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Distributions;

/// <summary>
/// Rows of the NB log-likelihood and its gradient for θ per gene (or one θ for all), in double
/// precision: the count models' hot path. On AVX-512 hardware eight genes go at a time with Vector512
/// log, lgamma and digamma (rows are copied into padded double buffers; padding is x = 0, μ = θ = 1,
/// which contributes nothing used); elsewhere a scalar loop computes the same formulas.
/// </summary>
internal sealed class NbRowKernels
{
    private readonly int _cols, _padded;
    private readonly double _eps;
    private readonly bool _vector;
    private readonly double[] _theta, _logThetaEps, _lgTheta, _thetaOverThetaEps;
    private double[]? _psiTheta;

    /// <param name="cols">Genes per row.</param>
    /// <param name="thetaValues">θ per column (<paramref name="period"/> = cols) or one θ (period 1).</param>
    /// <param name="period">cols or 1.</param>
    /// <param name="logThetaEps">log(θ + ε) per entry of <paramref name="thetaValues"/>.</param>
    /// <param name="lgTheta">lgamma(θ) per entry of <paramref name="thetaValues"/>.</param>
    /// <param name="eps">ε inside the logarithms.</param>
    internal NbRowKernels(int cols, float[] thetaValues, int period, double[] logThetaEps, double[] lgTheta, double eps)
    {
        _cols = cols;
        _vector = IsEnabled;
        _padded = _vector ? (cols + 7) & ~7 : cols;
        _eps = eps;
        _theta = new double[_padded]; _logThetaEps = new double[_padded]; _lgTheta = new double[_padded]; _thetaOverThetaEps = new double[_padded];
        for (int j = 0; j < _padded; j++)
        {
            int k = period == 1 ? 0 : Math.Min(j, cols - 1);
            bool pad = j >= cols;
            _theta[j] = pad ? 1 : thetaValues[k];
            _logThetaEps[j] = pad ? 0 : logThetaEps[k];
            _lgTheta[j] = pad ? 0 : lgTheta[k];
            _thetaOverThetaEps[j] = _theta[j] / (_theta[j] + eps);
        }
    }

    /// <summary>Whether the vector rows are used: on AVX-512 hardware, unless a test turns them off to check them against the scalar path.</summary>
    internal static bool IsEnabled { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>Per-thread work buffers for rows of this width.</summary>
    internal sealed class Scratch
    {
        internal Scratch(int padded)
        {
            X = new double[padded]; Mu = new double[padded]; A = new double[padded]; B = new double[padded];
        }

        internal double[] X { get; }
        internal double[] Mu { get; }
        internal double[] A { get; }
        internal double[] B { get; }
    }

    /// <summary>Buffers for one thread.</summary>
    internal Scratch CreateScratch() => new(_padded);

    /// <summary>A zeroed per-column θ-gradient accumulator for <see cref="Backward"/>: padded to the vector width, of which the first cols entries are used.</summary>
    internal double[] CreateThetaAccumulator() => new double[_padded];

    /// <summary>Computes ψ(θ) per column once, before rows run in parallel with θ gradients.</summary>
    internal void PrepareThetaGradient()
    {
        if (_psiTheta != null) return;
        var psi = new double[_padded];
        VectorSpecialFunctions.Digamma(_theta, psi);
        _psiTheta = psi;
    }

    /// <summary>
    /// log NB(x_j; μ_j, θ_j) for one row, written to <paramref name="y"/> unless it is empty;
    /// returns the row's sum (accumulated in double).
    /// </summary>
    internal double Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, Span<float> y, Scratch s)
    {
        if (!_vector) return ForwardScalar(x, mu, y);
        Load(x, mu, s.X, s.Mu);
        var xd = s.X; var md = s.Mu; var lf = s.A; var vd = s.B;
        for (int j = 0; j < _cols; j++) lf[j] = xd[j] == 0 ? 0 : CountKernels.LogFactorial(xd[j]);
        var eps = Vector512.Create(_eps);
        // Lanes with x = 0 are discarded; 10 keeps lgamma and digamma off their recurrence for them.
        var ten = Vector512.Create(10.0);
        var sum = Vector512<double>.Zero;
        for (int j = 0; j < _padded; j += 8)
        {
            var xv = Vector512.LoadUnsafe(ref xd[j]);
            var m = Vector512.LoadUnsafe(ref md[j]);
            var t = Vector512.LoadUnsafe(ref _theta[j]);
            var lt = Vector512.Log(t + m + eps);
            var v = t * (Vector512.LoadUnsafe(ref _logThetaEps[j]) - lt) + xv * (Vector512.Log(m + eps) - lt);
            var nz = ~Vector512.Equals(xv, Vector512<double>.Zero);
            if (nz != Vector512<double>.Zero)
            {
                var lg = VectorSpecialFunctions.LogGamma512(Vector512.ConditionalSelect(nz, xv + t, ten))
                         - Vector512.LoadUnsafe(ref _lgTheta[j]) - Vector512.LoadUnsafe(ref lf[j]);
                v += Vector512.ConditionalSelect(nz, lg, Vector512<double>.Zero);
            }
            // Padding lanes: x = 0, μ = θ = 1 give v = log(1+ε) − log(2+ε) ≠ 0; keep them out of the sum.
            if (j + 8 > _cols) v = Vector512.ConditionalSelect(LaneBelow(_cols - j), v, Vector512<double>.Zero);
            sum += v;
            v.StoreUnsafe(ref vd[j]);
        }
        if (!y.IsEmpty) for (int j = 0; j < _cols; j++) y[j] = (float)vd[j];
        return Vector512.Sum(sum);
    }

    /// <summary>
    /// One row of the backward pass with upstream gradient (g_j or 1) · <paramref name="scale"/>:
    /// ∂/∂μ into <paramref name="dMu"/> (unless empty) and ∂/∂θ added per column to
    /// <paramref name="dThetaAcc"/> (when not null: from <see cref="CreateThetaAccumulator"/>, after <see cref="PrepareThetaGradient"/>).
    /// </summary>
    internal void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, ReadOnlySpan<float> g, float scale,
        Span<float> dMu, double[]? dThetaAcc, Scratch s)
    {
        if (dThetaAcc != null && (_psiTheta == null || dThetaAcc.Length < _padded))
            throw new InvalidOperationException("NB rows: θ gradients need PrepareThetaGradient() and an accumulator from CreateThetaAccumulator().");
        if (!_vector) { BackwardScalar(x, mu, g, scale, dMu, dThetaAcc); return; }
        Load(x, mu, s.X, s.Mu);
        var xd = s.X; var md = s.Mu; var gd = s.A; var dd = s.B;
        if (g.IsEmpty) Array.Fill(gd, (double)scale, 0, _cols);
        else for (int j = 0; j < _cols; j++) gd[j] = (double)g[j] * scale;
        for (int j = _cols; j < _padded; j++) gd[j] = 0;
        var eps = Vector512.Create(_eps);
        var one = Vector512<double>.One;
        var ten = Vector512.Create(10.0);
        bool wantMu = !dMu.IsEmpty;
        for (int j = 0; j < _padded; j += 8)
        {
            var xv = Vector512.LoadUnsafe(ref xd[j]);
            var m = Vector512.LoadUnsafe(ref md[j]);
            var t = Vector512.LoadUnsafe(ref _theta[j]);
            var gv = Vector512.LoadUnsafe(ref gd[j]);
            var tm = t + m + eps;
            var inv = one / tm;
            var tx = (t + xv) * inv;
            if (wantMu) (gv * (xv / (m + eps) - tx)).StoreUnsafe(ref dd[j]);
            if (dThetaAcc != null)
            {
                var d = Vector512.LoadUnsafe(ref _logThetaEps[j]) - Vector512.Log(tm) + Vector512.LoadUnsafe(ref _thetaOverThetaEps[j]) - tx;
                var nz = ~Vector512.Equals(xv, Vector512<double>.Zero);
                if (nz != Vector512<double>.Zero)
                {
                    var dpsi = VectorSpecialFunctions.Digamma512(Vector512.ConditionalSelect(nz, xv + t, ten)) - Vector512.LoadUnsafe(ref _psiTheta![j]);
                    d += Vector512.ConditionalSelect(nz, dpsi, Vector512<double>.Zero);
                }
                (Vector512.LoadUnsafe(ref dThetaAcc[j]) + gv * d).StoreUnsafe(ref dThetaAcc[j]);
            }
        }
        if (wantMu) for (int j = 0; j < _cols; j++) dMu[j] = (float)dd[j];
    }

    private double ForwardScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, Span<float> y)
    {
        double sum = 0;
        for (int j = 0; j < _cols; j++)
        {
            double xv = x[j], m = mu[j], t = _theta[j];
            double lt = Math.Log(t + m + _eps);
            double v = t * (_logThetaEps[j] - lt) + xv * (Math.Log(m + _eps) - lt);
            if (xv != 0) v += CountKernels.LogGammaRatio(xv, t, _lgTheta[j]) - CountKernels.LogFactorial(xv);
            if (!y.IsEmpty) y[j] = (float)v;
            sum += v;
        }
        return sum;
    }

    private void BackwardScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, ReadOnlySpan<float> g, float scale, Span<float> dMu, double[]? dThetaAcc)
    {
        for (int j = 0; j < _cols; j++)
        {
            double gi = (g.IsEmpty ? 1.0 : g[j]) * scale;
            double xv = x[j], t = _theta[j], m = mu[j];
            double tm = t + m + _eps, inv = 1.0 / tm;
            if (!dMu.IsEmpty) dMu[j] = (float)(gi * (xv / (m + _eps) - (t + xv) * inv));
            if (dThetaAcc != null)
            {
                double d = _logThetaEps[j] - Math.Log(tm) + _thetaOverThetaEps[j] - (t + xv) * inv + CountKernels.DigammaDifference(xv, t, _psiTheta![j]);
                dThetaAcc[j] += gi * d;
            }
        }
    }

    private static Vector512<double> LaneBelow(int n) =>
        Vector512.LessThan(Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7), Vector512.Create((double)n));

    private void Load(ReadOnlySpan<float> x, ReadOnlySpan<float> mu, double[] xd, double[] md)
    {
        for (int j = 0; j < _cols; j++) { xd[j] = x[j]; md[j] = mu[j]; }
        for (int j = _cols; j < _padded; j++) { xd[j] = 0; md[j] = 1; }
    }
}
