using System.Diagnostics;
using System.Runtime.Intrinsics;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Benchmarks.Svae;

/// <summary>
/// `nb-parts`: single-thread minimum times of the float32 vector pieces of the NB likelihood over a [128, 2000] batch
/// (log, exp, a division, log Γ, ψ, a softmax row), to set the likelihood's cost against what its pieces cost.
/// </summary>
internal static class NbParts
{
    internal static void Run(int reps)
    {
        int n = 128 * 2000;
        var g = new Generator(1);
        var a = new float[n]; var b = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(1 + g.NextDouble() * 200);
        void Time(string name, Action f)
        {
            double best = double.MaxValue;
            for (int r = 0; r < reps; r++) { var sw = Stopwatch.StartNew(); f(); best = Math.Min(best, sw.Elapsed.TotalMilliseconds); }
            Console.WriteLine(FormattableString.Invariant($"{name,-28} {best:F3} ms for {n} floats ({best * 1e6 / n:F2} ns/elem, 1 thread)"));
        }
        Time("Vector512.Log", () => { for (int i = 0; i < n; i += 16) Vector512.Log(Vector512.LoadUnsafe(ref a[i])).StoreUnsafe(ref b[i]); });
        Time("Vector512.Exp", () => { for (int i = 0; i < n; i += 16) Vector512.Exp(Vector512.LoadUnsafe(ref a[i]) * Vector512.Create(-0.01f)).StoreUnsafe(ref b[i]); });
        Time("divide", () => { for (int i = 0; i < n; i += 16) (Vector512<float>.One / Vector512.LoadUnsafe(ref a[i])).StoreUnsafe(ref b[i]); });
        Time("LogGamma32", () => { for (int i = 0; i < n; i += 16) VectorSpecialFunctions32.LogGamma(Vector512.LoadUnsafe(ref a[i])).StoreUnsafe(ref b[i]); });
        Time("Digamma32", () => { for (int i = 0; i < n; i += 16) VectorSpecialFunctions32.Digamma(Vector512.LoadUnsafe(ref a[i])).StoreUnsafe(ref b[i]); });
        Time("SoftmaxRow x128", () => { for (int r = 0; r < 128; r++) Tensor.SoftmaxRow(a.AsSpan(r * 2000, 2000), b.AsSpan(r * 2000, 2000), log: false); });
        Time("TensorPrimitives.Log", () => System.Numerics.Tensors.TensorPrimitives.Log(a, b));
    }
}

/// <summary>
/// `gemm-parts`: minimum times and GFLOP/s of the five large products of a wide sVAE step (batch 128, 2,000 genes,
/// hidden 128), forward and backward, on all threads.
/// </summary>
internal static class GemmParts
{
    internal static void Run(int reps)
    {
        var g = new Generator(2);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)g.NextDouble() - 0.5f; return a; }
        var x = R(128 * 2000); var w = R(2000 * 128); var h = R(128 * 128); var c1 = new float[128 * 128]; var c2 = new float[128 * 2000]; var dw = new float[2000 * 128];
        void Time(string name, Action f, double madds)
        {
            double best = double.MaxValue;
            for (int r = 0; r < reps; r++) { var sw = Stopwatch.StartNew(); f(); best = Math.Min(best, sw.Elapsed.TotalMilliseconds); }
            Console.WriteLine(FormattableString.Invariant($"{name,-40} {best:F3} ms  {2 * madds / best / 1e6:F1} GFLOP/s"));
        }
        double m = 128.0 * 2000 * 128;
        // encoder first layer: X[128,2000] · W[128,2000]ᵀ (torch layout: weight [out, in])
        Time("fwd X·Wᵀ [128x2000]x[2000x128]", () => Gemm.Multiply(false, true, 128, 128, 2000, x, 2000, w, 2000, c1, 128, false), m);
        Time("dW = dYᵀ·X [128x128]ᵀx[128x2000]", () => Gemm.Multiply(true, false, 128, 2000, 128, h, 128, x, 2000, dw, 2000, false), m);
        // decoder last layer: H[128,128] · W[2000,128]ᵀ
        Time("fwd H·Wᵀ [128x128]x[128x2000]", () => Gemm.Multiply(false, true, 128, 2000, 128, h, 128, w, 128, c2, 2000, false), m);
        Time("dX = dY·W [128x2000]x[2000x128]", () => Gemm.Multiply(false, false, 128, 128, 2000, x, 2000, w, 128, c1, 128, false), m);
        Time("dW = dYᵀ·H [2000x128]ᵀx[128x128]", () => Gemm.Multiply(true, false, 2000, 128, 128, x, 2000, h, 128, dw, 128, false), m);
    }
}
