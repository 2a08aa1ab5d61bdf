using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>The vectorised NB rows (per-gene θ) against the scalar double-precision path, value and gradients.</summary>
[NonParallelizable]
public class NbVectorPathTests
{
    private static (float[] Y, float[] DMu, float[] DTheta) Run(bool vector, Tensor x, float[] mu, float[] theta, int rows, int cols, int thetaLen)
    {
        bool saved = NbRowKernels.IsEnabled;
        NbRowKernels.IsEnabled = vector;
        try
        {
            var m = Tensor.FromArray((float[])mu.Clone(), rows, cols); m.RequiresGrad = true;
            var t = Tensor.FromArray((float[])theta.Clone(), thetaLen); t.RequiresGrad = true;
            var y = new NegativeBinomial(m, t).LogProb(x);
            y.Backward(Tensor.RandomNormal(new Generator(9), [rows, cols]));
            return (y.ToArray(), m.Grad!.ToArray(), t.Grad!.ToArray());
        }
        finally { NbRowKernels.IsEnabled = saved; }
    }

    [TestCase(3, 13, 13)]     // tail of 5 after one vector of 8
    [TestCase(40, 37, 37)]    // several chunks (parallel) and a tail
    [TestCase(20, 16, 1)]     // one shared θ
    public void Vector_rows_match_the_scalar_path(int rows, int cols, int thetaLen)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Ignore("No AVX-512 on this machine: the vector path is not used.");
        var g = new Generator(rows * 100 + cols);
        var mu = Tensor.RandomUniform(g, [rows * cols], 1e-3f, 200f).ToArray();
        var theta = Tensor.RandomUniform(g, [thetaLen], 1e-3f, 50f).ToArray();
        var xs = new float[rows * cols];
        for (int i = 0; i < xs.Length; i++) xs[i] = g.NextDouble() < 0.3 ? 0 : (float)Math.Floor(g.NextDouble() * 3000);
        var x = Tensor.FromArray(xs, rows, cols);
        var scalar = Run(false, x, mu, theta, rows, cols, thetaLen);
        var vector = Run(true, x, mu, theta, rows, cols, thetaLen);
        TensorAssert.Close(vector.Y, scalar.Y, 1e-6, 1e-5, "log-prob");
        TensorAssert.Close(vector.DMu, scalar.DMu, 1e-6, 1e-6, "d/dμ");
        TensorAssert.Close(vector.DTheta, scalar.DTheta, 1e-5, 1e-5, "d/dθ");
    }
}
