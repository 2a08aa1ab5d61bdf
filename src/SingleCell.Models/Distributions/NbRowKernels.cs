using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Distributions;

/// <summary>
/// Rows of the NB log-likelihood and its gradient for θ per gene (or one θ for all), in double
/// precision: the count models' hot path. On AVX-512 hardware eight genes go at a time with Vector512
/// log, lgamma and digamma (rows are copied into padded double buffers; padding is x = 0, μ = θ = 1,
/// which contributes nothing used); elsewhere a scalar loop computes the same formulas.
/// The fused softmax likelihood uses a float32 variant instead (<see cref="Forward32"/>,
/// <see cref="Backward32"/>): sixteen genes at a time with the float log Γ and ψ of
/// <see cref="VectorSpecialFunctions32"/>, each row's sum still accumulated in double.
/// </summary>
/// <remarks>
/// Float32 error budget (measured by the tests against this class's double path): log Γ(x + θ) is
/// within 4 ulp of max(16, |log Γ|) and log(x!) is rounded once, so an element of log NB is off by at
/// most ≈ 6 ulp of max(16, lgamma(x + θ)), e.g. 3e-4 at x + θ = 1,000 — below the float32 resolution of
/// a row sum of a few hundred genes, which is what the likelihood returns, and it does not enter the
/// gradients, which are computed from their own formulas. ∂/∂μ is plain float arithmetic (as
/// PyTorch computes it); ∂/∂θ carries ψ(x + θ) − ψ(θ) with the error of the float ψ (≤ 4e-6 absolute
/// for x + θ ≤ 8, 8 ulp of ψ above), below the float32 rounding of log(θ + μ + ε) it is added to.
/// </remarks>
internal sealed class NbRowKernels
{
    private readonly int _cols, _padded;
    private readonly double _eps;
    private readonly bool _vector;
    private readonly double[] _theta, _logThetaEps, _lgTheta, _thetaOverThetaEps;
    private double[]? _psiTheta;
    private readonly bool _float32;
    private readonly float _epsF;
    private readonly float[]? _thetaF, _logThetaEpsF, _lgThetaF, _thetaOverThetaEpsF;
    private float[]? _psiThetaF;

    /// <param name="cols">Genes per row.</param>
    /// <param name="thetaValues">θ per column (<paramref name="period"/> = cols) or one θ (period 1).</param>
    /// <param name="period">cols or 1.</param>
    /// <param name="logThetaEps">log(θ + ε) per entry of <paramref name="thetaValues"/>.</param>
    /// <param name="lgTheta">lgamma(θ) per entry of <paramref name="thetaValues"/>.</param>
    /// <param name="eps">ε inside the logarithms.</param>
    /// <param name="float32">Whether the caller uses <see cref="Forward32"/> / <see cref="Backward32"/> (only
    /// where the vector rows are enabled; see <see cref="UsesFloat32"/>).</param>
    internal NbRowKernels(int cols, float[] thetaValues, int period, double[] logThetaEps, double[] lgTheta, double eps, bool float32 = false)
    {
        _cols = cols;
        _vector = IsEnabled;
        _float32 = float32 && _vector && Float32Enabled;
        _padded = _float32 ? (cols + 15) & ~15 : _vector ? (cols + 7) & ~7 : cols;
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
        if (_float32)
        {
            _epsF = (float)eps;
            _thetaF = Array.ConvertAll(_theta, v => (float)v);
            _logThetaEpsF = Array.ConvertAll(_logThetaEps, v => (float)v);
            _lgThetaF = Array.ConvertAll(_lgTheta, v => (float)v);
            _thetaOverThetaEpsF = Array.ConvertAll(_thetaOverThetaEps, v => (float)v);
        }
    }

    /// <summary>Whether kernels built with float32 requested use it: true unless a test turns it off to compare with the double vector rows.</summary>
    internal static bool Float32Enabled { get; set; } = true;

    /// <summary>Whether <see cref="Forward32"/> / <see cref="Backward32"/> may be called (float32 requested and the vector rows enabled).</summary>
    internal bool UsesFloat32 => _float32;

    /// <summary>Whether the vector rows are used: on AVX-512 hardware, unless a test turns them off to check them against the scalar path.</summary>
    internal static bool IsEnabled { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>Per-thread work buffers for rows of this width.</summary>
    internal sealed class Scratch
    {
        private readonly int _padded;
        private double[]? _x, _mu, _a, _b;

        /// <param name="padded">Padded row width of the double rows.</param>
        internal Scratch(int padded) => _padded = padded;

        internal float[] TailX { get; } = new float[16];
        internal float[] TailP { get; } = new float[16];
        internal float[] TailD { get; } = new float[16];
        internal float[] TailL { get; } = new float[16];

        // The double rows' buffers, allocated on first use (the float32 rows need none of them).
        internal double[] X => _x ??= new double[_padded];
        internal double[] Mu => _mu ??= new double[_padded];
        internal double[] A => _a ??= new double[_padded];
        internal double[] B => _b ??= new double[_padded];
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
        if (_float32) _psiThetaF = Array.ConvertAll(psi, v => (float)v);
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

    /// <summary>
    /// Float32 forward of one row of the fused softmax likelihood, μ_j = <paramref name="library"/> · ρ_j:
    /// Σ_j log NB(x_j; μ_j, θ_j), each element in float32 and the sum in double.
    /// </summary>
    /// <param name="x">Counts of the row.</param>
    /// <param name="rho">Softmax frequencies of the row.</param>
    /// <param name="library">Library size l of the row.</param>
    /// <param name="s">This thread's buffers.</param>
    /// <param name="logThetaMu">When not empty (cols entries): receives log(θ_j + μ_j + ε), which
    /// <see cref="Backward32"/> then reads instead of computing it again (the same float32 values, bit for bit).</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal double Forward32(ReadOnlySpan<float> x, ReadOnlySpan<float> rho, float library, Scratch s, Span<float> logThetaMu = default)
    {
        if (!_float32) throw new InvalidOperationException("NB rows: Forward32 needs kernels built with float32 on a vector path.");
        bool keep = !logThetaMu.IsEmpty;
        var l = Vector512.Create(library);
        var sum = Vector512<double>.Zero;
        int full = _cols & ~15, j0 = 0;
        for (; j0 < full; j0 += 16)
        {
            var xv = Vector512.Create(x.Slice(j0, 16));
            var v = Element32(xv, Vector512.Create(rho.Slice(j0, 16)) * l, j0, LogFactorial16(xv), out var lt);
            if (keep) lt.CopyTo(logThetaMu.Slice(j0, 16));
            var (lo, hi) = Vector512.Widen(v);
            sum += lo + hi;
        }
        if (full < _cols)
        {
            var tx = s.TailX; var tp = s.TailP;
            Array.Clear(tx); Array.Fill(tp, 1f);
            x[full..].CopyTo(tx); rho[full..].CopyTo(tp);
            var xv = Vector512.Create(tx);
            var v = Element32(xv, Vector512.Create(tp) * l, full, LogFactorial16(xv), out var lt);
            if (keep) { lt.CopyTo(s.TailL); s.TailL.AsSpan(0, _cols - full).CopyTo(logThetaMu[full..]); }
            // Padding lanes (x = 0, ρ = 1, θ = 1) are finite but not part of the row.
            v = Vector512.ConditionalSelect(LaneBelow32(_cols - full), v, Vector512<float>.Zero);
            var (lo, hi) = Vector512.Widen(v);
            sum += lo + hi;
        }
        return Vector512.Sum(sum);
    }

    /// <summary>
    /// log(x!) rounded to float for sixteen counts, as <see cref="CountKernels.LogFactorialF"/> (0 for x = 0): one
    /// table gather when every lane is an integer below the table's size (the usual case), else lane by lane.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe Vector512<float> LogFactorial16(Vector512<float> xv)
    {
        var xi = Vector512.ConvertToInt32(xv);
        if (Avx2.IsSupported && Vector512.EqualsAll(Vector512.ConvertToSingle(xi), xv)
            && Vector512.LessThanAll(xi.AsUInt32(), Vector512.Create((uint)CountKernels.LogFactorialTableSize)))
        {
            float* table = s_logFactorialTable;
            return Vector512.Create(Avx2.GatherVector256(table, xi.GetLower(), 4), Avx2.GatherVector256(table, xi.GetUpper(), 4));
        }
        Span<float> lanes = stackalloc float[16];
        for (int k = 0; k < 16; k++)
        {
            float xk = xv.GetElement(k);
            lanes[k] = xk == 0 ? 0f : CountKernels.LogFactorialF(xk);
        }
        return Vector512.Create((ReadOnlySpan<float>)lanes);
    }

    // log(k!) as float for k below the table size, at a fixed address for the gathers (never freed).
    private static readonly unsafe float* s_logFactorialTable = CreateLogFactorialTable();

    private static unsafe float* CreateLogFactorialTable()
    {
        int n = CountKernels.LogFactorialTableSize;
        var table = (float*)NativeMemory.AlignedAlloc((nuint)(n * sizeof(float)), 64);
        for (int k = 0; k < n; k++) table[k] = CountKernels.LogFactorialF(k);
        return table;
    }

    /// <summary>log NB for sixteen genes from column <paramref name="j"/> on, given log(x!) <paramref name="lf"/>; <paramref name="lt"/> is log(θ + μ + ε).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private Vector512<float> Element32(Vector512<float> xv, Vector512<float> m, int j, Vector512<float> lf, out Vector512<float> lt)
    {
        var eps = Vector512.Create(_epsF);
        var t = Vector512.LoadUnsafe(ref _thetaF![j]);
        lt = Vector512.Log(t + m + eps);
        var v = t * (Vector512.LoadUnsafe(ref _logThetaEpsF![j]) - lt) + xv * (Vector512.Log(m + eps) - lt);
        var nz = ~Vector512.Equals(xv, Vector512<float>.Zero);
        if (nz != Vector512<float>.Zero)
        {
            // Lanes with x = 0 are discarded; 10 keeps log Γ off its recurrence for them.
            var lg = VectorSpecialFunctions32.LogGamma(Vector512.ConditionalSelect(nz, xv + t, Vector512.Create(10f)))
                     - Vector512.LoadUnsafe(ref _lgThetaF![j]) - lf;
            v += Vector512.ConditionalSelect(nz, lg, Vector512<float>.Zero);
        }
        return v;
    }

    /// <summary>
    /// Float32 backward of one row of the fused softmax likelihood with upstream gradient
    /// <paramref name="g"/>: g · ∂/∂μ_j into <paramref name="dMu"/> (cols entries) and g · ∂/∂θ_j added to
    /// <paramref name="dThetaAcc"/> (when not null: from <see cref="CreateThetaAccumulator"/>, after <see cref="PrepareThetaGradient"/>).
    /// </summary>
    /// <param name="x">Counts of the row.</param>
    /// <param name="rho">Softmax frequencies of the row.</param>
    /// <param name="library">Library size l of the row.</param>
    /// <param name="g">Upstream gradient of the row's sum.</param>
    /// <param name="dMu">Receives g · ∂/∂μ (cols entries).</param>
    /// <param name="dThetaAcc">θ-gradient accumulator, or null.</param>
    /// <param name="s">This thread's buffers.</param>
    /// <param name="logThetaMu">log(θ_j + μ_j + ε) of the row as <see cref="Forward32"/> wrote it, or empty to compute it here.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void Backward32(ReadOnlySpan<float> x, ReadOnlySpan<float> rho, float library, float g, Span<float> dMu, double[]? dThetaAcc, Scratch s,
        ReadOnlySpan<float> logThetaMu = default)
    {
        if (!_float32) throw new InvalidOperationException("NB rows: Backward32 needs kernels built with float32 on a vector path.");
        if (dThetaAcc != null && (_psiThetaF == null || dThetaAcc.Length < _padded))
            throw new InvalidOperationException("NB rows: θ gradients need PrepareThetaGradient() and an accumulator from CreateThetaAccumulator().");
        var l = Vector512.Create(library);
        var gv = Vector512.Create(g);
        bool kept = !logThetaMu.IsEmpty;
        int full = _cols & ~15, j = 0;
        for (; j < full; j += 16)
        {
            var d = Gradient32(Vector512.Create(x.Slice(j, 16)), Vector512.Create(rho.Slice(j, 16)) * l, gv, j, dThetaAcc,
                kept, kept ? Vector512.Create(logThetaMu.Slice(j, 16)) : default);
            d.CopyTo(dMu.Slice(j, 16));
        }
        if (full < _cols)
        {
            var tx = s.TailX; var tp = s.TailP;
            Array.Clear(tx); Array.Fill(tp, 1f);
            x[full..].CopyTo(tx); rho[full..].CopyTo(tp);
            var tl = Vector512<float>.Zero;
            if (kept) { Array.Clear(s.TailL); logThetaMu[full..].CopyTo(s.TailL); tl = Vector512.Create(s.TailL); }
            // Padding lanes add to accumulator entries past cols, which are never read.
            Gradient32(Vector512.Create(tx), Vector512.Create(tp) * l, gv, full, dThetaAcc, kept, tl).CopyTo(s.TailD);
            s.TailD.AsSpan(0, _cols - full).CopyTo(dMu[full..]);
        }
    }

    /// <summary>
    /// g · ∂/∂μ for sixteen genes from column <paramref name="j"/> on (returned); g · ∂/∂θ added to the accumulator,
    /// with log(θ + μ + ε) taken from <paramref name="logTm"/> when <paramref name="haveLogTm"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private Vector512<float> Gradient32(Vector512<float> xv, Vector512<float> m, Vector512<float> gv, int j, double[]? dThetaAcc,
        bool haveLogTm, Vector512<float> logTm)
    {
        var eps = Vector512.Create(_epsF);
        var t = Vector512.LoadUnsafe(ref _thetaF![j]);
        var tm = t + m + eps;
        var tx = (t + xv) / tm;
        var dMu = gv * (xv / (m + eps) - tx);
        if (dThetaAcc != null)
        {
            var d = Vector512.LoadUnsafe(ref _logThetaEpsF![j]) - (haveLogTm ? logTm : Vector512.Log(tm)) + Vector512.LoadUnsafe(ref _thetaOverThetaEpsF![j]) - tx;
            var nz = ~Vector512.Equals(xv, Vector512<float>.Zero);
            if (nz != Vector512<float>.Zero)
            {
                var dpsi = VectorSpecialFunctions32.Digamma(Vector512.ConditionalSelect(nz, xv + t, Vector512.Create(10f))) - Vector512.LoadUnsafe(ref _psiThetaF![j]);
                d += Vector512.ConditionalSelect(nz, dpsi, Vector512<float>.Zero);
            }
            var (lo, hi) = Vector512.Widen(gv * d);
            (Vector512.LoadUnsafe(ref dThetaAcc[j]) + lo).StoreUnsafe(ref dThetaAcc[j]);
            (Vector512.LoadUnsafe(ref dThetaAcc[j + 8]) + hi).StoreUnsafe(ref dThetaAcc[j + 8]);
        }
        return dMu;
    }

    private static Vector512<float> LaneBelow32(int n) =>
        Vector512.LessThan(Vector512.Create(0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create((float)n));

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
