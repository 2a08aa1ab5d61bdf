using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>
/// <see cref="NegativeBinomial.LogProbFromLogits"/> (one fused pass) against the same likelihood
/// composed from separate ops (softmax, broadcast multiply, NB log-prob, row sum), on both row-kernel
/// paths; its gradients are checked by finite differences in <see cref="GradientCheckTests"/>.
/// </summary>
[NonParallelizable]
public class NbSoftmaxLikelihoodTests
{
    private sealed record Result(float[] Y, float[] DLogits, float[] DLibrary, float[] DTheta);

    private static Result Run(bool fused, bool vector, float[] x, float[] logits, float[] library, float[] theta, int rows, int cols)
    {
        bool saved = NbRowKernels.IsEnabled;
        NbRowKernels.IsEnabled = vector;
        try
        {
            var xt = Tensor.FromArray(x, rows, cols);
            var z = Tensor.FromArray((float[])logits.Clone(), rows, cols); z.RequiresGrad = true;
            var l = Tensor.FromArray((float[])library.Clone(), rows, 1); l.RequiresGrad = true;
            var t = Tensor.FromArray((float[])theta.Clone(), theta.Length); t.RequiresGrad = true;
            var y = fused
                ? NegativeBinomial.LogProbFromLogits(xt, l, z, t)
                : new NegativeBinomial(l * z.Softmax(-1), t).LogProb(xt).Sum(1);
            y.Backward(Tensor.RandomNormal(new Generator(3), [rows]));
            return new Result(y.ToArray(), z.Grad!.ToArray(), l.Grad!.ToArray(), t.Grad!.ToArray());
        }
        finally { NbRowKernels.IsEnabled = saved; }
    }

    [TestCase(5, 13, 13, true)]
    [TestCase(5, 13, 13, false)]
    [TestCase(70, 37, 37, true)]   // several 16-row chunks (parallel) and a vector tail
    [TestCase(70, 37, 37, false)]
    [TestCase(20, 16, 1, true)]    // one shared θ
    public void Fused_likelihood_matches_the_composed_ops(int rows, int cols, int thetaLen, bool vector)
    {
        if (vector && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Ignore("No AVX-512 on this machine: the vector rows are not used.");
        var g = new Generator(rows * 1000 + cols);
        var logits = Tensor.RandomNormal(g, [rows * cols], 0f, 2f).ToArray();
        var library = Tensor.RandomUniform(g, [rows], 50f, 5000f).ToArray();
        var theta = Tensor.RandomUniform(g, [thetaLen], 0.05f, 50f).ToArray();
        var xs = new float[rows * cols];
        for (int i = 0; i < xs.Length; i++) xs[i] = g.NextDouble() < 0.3 ? 0 : (float)Math.Floor(g.NextDouble() * 400);
        var composed = Run(false, vector, xs, logits, library, theta, rows, cols);
        var fused = Run(true, vector, xs, logits, library, theta, rows, cols);
        // The composed path rounds every element to float before summing; the fused one sums in double.
        TensorAssert.Close(fused.Y, composed.Y, 1e-5, 1e-2, "log-likelihood");
        TensorAssert.Close(fused.DLogits, composed.DLogits, 1e-4, 1e-3, "d/dη");
        TensorAssert.Close(fused.DLibrary, composed.DLibrary, 1e-4, 1e-5, "d/dl");
        TensorAssert.Close(fused.DTheta, composed.DTheta, 1e-4, 1e-3, "d/dθ");
    }

    [Test]
    public void Without_gradients_it_returns_the_row_sums()
    {
        var x = Tensor.FromArray([0, 3, 1, 8, 0, 2], 2, 3);
        var z = Tensor.FromArray([0.5f, -1, 2, 0, 0, 0], 2, 3);
        var l = Tensor.FromArray([4f, 10f], 2);
        var t = Tensor.FromArray([2f, 0.5f, 7f], 3);
        var y = NegativeBinomial.LogProbFromLogits(x, l, z, t);
        Assert.That(y.Shape.ToArray(), Is.EqualTo(new[] { 2 }));
        Assert.That(y.RequiresGrad, Is.False);
        // Closed form per element: θ log(θ/(θ+μ)) + x log(μ/(θ+μ)) + lnΓ(x+θ) − lnΓ(θ) − lnΓ(x+1), μ = l·softmax(η).
        for (int r = 0; r < 2; r++)
        {
            double max = double.NegativeInfinity, sumExp = 0, expected = 0;
            for (int j = 0; j < 3; j++) max = Math.Max(max, z[r, j]);
            for (int j = 0; j < 3; j++) sumExp += Math.Exp(z[r, j] - max);
            for (int j = 0; j < 3; j++)
            {
                double mu = l[r] * Math.Exp(z[r, j] - max) / sumExp, th = t[j], xv = x[r, j];
                expected += th * Math.Log(th / (th + mu)) + xv * Math.Log(mu / (th + mu))
                            + MathNet.Numerics.SpecialFunctions.GammaLn(xv + th) - MathNet.Numerics.SpecialFunctions.GammaLn(th)
                            - MathNet.Numerics.SpecialFunctions.GammaLn(xv + 1);
            }
            Assert.That(y[r], Is.EqualTo(expected).Within(1e-5 * Math.Abs(expected) + 1e-5), $"row {r}");
        }
    }

    [Test]
    public void Mismatched_shapes_are_named()
    {
        var x = Tensor.Zeros(4, 6);
        var ex = Assert.Throws<ArgumentException>(() => NegativeBinomial.LogProbFromLogits(x, Tensor.Ones(3), Tensor.Zeros(4, 6), Tensor.Ones(6)));
        Assert.That(ex!.Message, Does.Contain("library").And.Contain("[3]").And.Contain("[4, 6]"));
        ex = Assert.Throws<ArgumentException>(() => NegativeBinomial.LogProbFromLogits(x, Tensor.Ones(4), Tensor.Zeros(4, 6), Tensor.Ones(5)));
        Assert.That(ex!.Message, Does.Contain("θ").And.Contain("[5]"));
        ex = Assert.Throws<ArgumentException>(() => NegativeBinomial.LogProbFromLogits(x, Tensor.Ones(4), Tensor.Zeros(4, 5), Tensor.Ones(5)));
        Assert.That(ex!.Message, Does.Contain("counts").And.Contain("[4, 5]"));
    }

    private static Result RunFused(bool float32, float[] x, float[] logits, float[] library, float[] theta, int rows, int cols)
    {
        bool saved = NbRowKernels.Float32Enabled;
        NbRowKernels.Float32Enabled = float32;
        try { return Run(true, true, x, logits, library, theta, rows, cols); }
        finally { NbRowKernels.Float32Enabled = saved; }
    }

    /// <summary>
    /// The float32 rows against the double vector rows on sVAE-like magnitudes (2,000 genes, counts up
    /// to a few thousand, a tenth of them zero), within the error budget stated on <see cref="NbRowKernels"/>:
    /// per row, a few float32 ulp of the log Γ terms summed (Σ_j max(16, lgamma(x_j + θ_j)) + log x_j!);
    /// gradients within 5e-5 (∂/∂η), 1e-5 (∂/∂l) and 1e-4 (∂/∂θ, a sum over rows of terms that cancel)
    /// of the largest entry. Measured when written: 0.1–0.2 ulp for the rows; ∂/∂η 1.7e-5, ∂/∂l 1e-6.
    /// </summary>
    [TestCase(33, 2000)]
    [TestCase(40, 100)]
    public void Float32_rows_match_the_double_rows_within_the_stated_budget(int rows, int cols)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Ignore("No AVX-512 on this machine: the float32 rows are not used.");
        var g = new Generator(rows * 7 + cols);
        var logits = Tensor.RandomNormal(g, [rows * cols], 0f, 1f).ToArray();
        var library = Tensor.RandomUniform(g, [rows], 1e4f, 3e5f).ToArray();
        var theta = Tensor.RandomUniform(g, [cols], 0.05f, 30f).ToArray();
        var xs = new float[rows * cols];
        for (int i = 0; i < xs.Length; i++)
        {
            double mu = library[i / cols] / (double)cols * Math.Exp(logits[i]);
            xs[i] = g.NextDouble() < 0.1 ? 0 : (float)Math.Floor(mu * (0.5 + g.NextDouble()));
        }
        var dbl = RunFused(false, xs, logits, library, theta, rows, cols);
        var f32 = RunFused(true, xs, logits, library, theta, rows, cols);
        double worstY = 0, worstL = 0, worstT = 0, worstZ = 0;
        for (int r = 0; r < rows; r++)
        {
            double budget = 0;
            for (int j = 0; j < cols; j++)
            {
                double x = xs[r * cols + j];
                budget += Math.Max(16, SingleCell.Models.Tensors.Kernels.SpecialFunctions.LogGamma(x + theta[j])) + SingleCell.Models.Tensors.Kernels.SpecialFunctions.LogGamma(x + 1);
            }
            worstY = Math.Max(worstY, Math.Abs(f32.Y[r] - dbl.Y[r]) / (budget * Math.Pow(2, -23)));
        }
        double maxZ = dbl.DLogits.Max(Math.Abs), maxL = dbl.DLibrary.Max(Math.Abs);
        for (int i = 0; i < f32.DLogits.Length; i++) worstZ = Math.Max(worstZ, Math.Abs(f32.DLogits[i] - dbl.DLogits[i]) / maxZ);
        for (int i = 0; i < f32.DLibrary.Length; i++) worstL = Math.Max(worstL, Math.Abs(f32.DLibrary[i] - dbl.DLibrary[i]) / maxL);
        double maxT = dbl.DTheta.Max(Math.Abs);
        for (int j = 0; j < cols; j++) worstT = Math.Max(worstT, Math.Abs(f32.DTheta[j] - dbl.DTheta[j]) / maxT);
        TestContext.Out.WriteLine($"[{rows}, {cols}]: y {worstY:F3} ulp of the summed magnitudes; dη {worstZ:E2}, dl {worstL:E2} of the largest; dθ {worstT:E2} of the largest");
        Assert.That(worstY, Is.LessThanOrEqualTo(4), "log-likelihood rows");
        Assert.That(worstZ, Is.LessThanOrEqualTo(5e-5), "d/dη");
        Assert.That(worstL, Is.LessThanOrEqualTo(1e-5), "d/dl");
        Assert.That(worstT, Is.LessThanOrEqualTo(1e-4), "d/dθ");
    }
}
