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
}
