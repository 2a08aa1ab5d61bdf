using System.Runtime.Intrinsics;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Distributions;

/// <summary>
/// Vectorised rows of the NB log-likelihood and its gradient for per-gene θ (the count models' hot
/// path): eight genes at a time in double precision with Vector512 log, lgamma and digamma. Rows are
/// copied into padded double buffers (padding: x = 0, μ = θ = 1, which contribute nothing used).
/// </summary>
internal sealed class NbRowKernels
{
    private readonly int _cols, _padded;
    private readonly double _eps;
    private readonly double[] _theta, _logThetaEps, _lgTheta, _thetaOverThetaEps;
    private double[]? _psiTheta;

    internal NbRowKernels(int cols, float[] thetaValues, int period, double[] logThetaEps, double[] lgTheta, double eps)
    {
        _cols = cols;
        _padded = (cols + 7) & ~7;
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

    internal int Padded => _padded;

    /// <summary>y[o..o+cols) = log NB(x; μ, θ) for one row.</summary>
    internal void Forward(float[] xs, float[] ms, int o, float[] y, double[] xd, double[] md, double[] lf, double[] vd)
    {
        Load(xs, ms, o, xd, md);
        for (int j = 0; j < _cols; j++) lf[j] = xd[j] == 0 ? 0 : CountKernels.LogFactorial(xd[j]);
        var eps = Vector512.Create(_eps);
        var one = Vector512<double>.One;
        for (int j = 0; j < _padded; j += 8)
        {
            var x = Vector512.LoadUnsafe(ref xd[j]);
            var m = Vector512.LoadUnsafe(ref md[j]);
            var t = Vector512.LoadUnsafe(ref _theta[j]);
            var lt = Vector512.Log(t + m + eps);
            var v = t * (Vector512.LoadUnsafe(ref _logThetaEps[j]) - lt) + x * (Vector512.Log(m + eps) - lt);
            var nz = ~Vector512.Equals(x, Vector512<double>.Zero);
            if (nz != Vector512<double>.Zero)
            {
                var lg = VectorSpecialFunctions.LogGamma512(Vector512.ConditionalSelect(nz, x + t, one))
                         - Vector512.LoadUnsafe(ref _lgTheta[j]) - Vector512.LoadUnsafe(ref lf[j]);
                v += Vector512.ConditionalSelect(nz, lg, Vector512<double>.Zero);
            }
            v.StoreUnsafe(ref vd[j]);
        }
        for (int j = 0; j < _cols; j++) y[o + j] = (float)vd[j];
    }

    /// <summary>
    /// One row of the backward pass: dμ into <paramref name="dMu"/> (when not null) and g · ∂/∂θ added
    /// to <paramref name="dThetaAcc"/> per gene (when not null).
    /// </summary>
    internal void Backward(float[] xs, float[] ms, float[] g, int o, float[]? dMu, double[]? dThetaAcc,
        double[] xd, double[] md, double[] gd, double[] dd)
    {
        Load(xs, ms, o, xd, md);
        for (int j = 0; j < _cols; j++) gd[j] = g[o + j];
        if (dThetaAcc != null && _psiTheta == null)
        {
            var psi = new double[_padded];
            VectorSpecialFunctions.Digamma(_theta, psi);
            _psiTheta = psi;
        }
        var eps = Vector512.Create(_eps);
        var one = Vector512<double>.One;
        for (int j = 0; j < _padded; j += 8)
        {
            var x = Vector512.LoadUnsafe(ref xd[j]);
            var m = Vector512.LoadUnsafe(ref md[j]);
            var t = Vector512.LoadUnsafe(ref _theta[j]);
            var gv = Vector512.LoadUnsafe(ref gd[j]);
            var tm = t + m + eps;
            var inv = one / tm;
            var tx = (t + x) * inv;
            if (dMu != null) (gv * (x / (m + eps) - tx)).StoreUnsafe(ref dd[j]);
            if (dThetaAcc != null)
            {
                var d = Vector512.LoadUnsafe(ref _logThetaEps[j]) - Vector512.Log(tm) + Vector512.LoadUnsafe(ref _thetaOverThetaEps[j]) - tx;
                var nz = ~Vector512.Equals(x, Vector512<double>.Zero);
                if (nz != Vector512<double>.Zero)
                {
                    var dpsi = VectorSpecialFunctions.Digamma512(Vector512.ConditionalSelect(nz, x + t, one)) - Vector512.LoadUnsafe(ref _psiTheta![j]);
                    d += Vector512.ConditionalSelect(nz, dpsi, Vector512<double>.Zero);
                }
                (Vector512.LoadUnsafe(ref dThetaAcc[j]) + gv * d).StoreUnsafe(ref dThetaAcc[j]);
            }
        }
        if (dMu != null) for (int j = 0; j < _cols; j++) dMu[o + j] = (float)dd[j];
    }

    private void Load(float[] xs, float[] ms, int o, double[] xd, double[] md)
    {
        for (int j = 0; j < _cols; j++) { xd[j] = xs[o + j]; md[j] = ms[o + j]; }
        for (int j = _cols; j < _padded; j++) { xd[j] = 0; md[j] = 1; }
    }
}
