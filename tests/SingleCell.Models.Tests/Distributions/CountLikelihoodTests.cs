using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;
using MathNetSf = MathNet.Numerics.SpecialFunctions;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>NB and ZINB log-probabilities against independent double-precision formulas (MathNet's GammaLn).</summary>
public class CountLikelihoodTests
{
    private const double Eps = 1e-8;

    private static double NbRef(double x, double mu, double theta)
    {
        double lt = Math.Log(theta + mu + Eps);
        return theta * (Math.Log(theta + Eps) - lt) + x * (Math.Log(mu + Eps) - lt)
            + MathNetSf.GammaLn(x + theta) - MathNetSf.GammaLn(theta) - MathNetSf.GammaLn(x + 1);
    }

    private static double Softplus(double v) => Math.Max(v, 0) + Math.Log(1 + Math.Exp(-Math.Abs(v)));

    private static double ZinbRef(double x, double mu, double theta, double pi)
    {
        double lt = Math.Log(theta + mu + Eps);
        double a = -pi + theta * (Math.Log(theta + Eps) - lt);
        return x < Eps ? Softplus(a) - Softplus(-pi) : -Softplus(-pi) + a + x * (Math.Log(mu + Eps) - lt)
            + MathNetSf.GammaLn(x + theta) - MathNetSf.GammaLn(theta) - MathNetSf.GammaLn(x + 1);
    }

    private static readonly float[] s_x = [0f, 1f, 3f, 17f, 250f, 1e4f];
    private static readonly float[] s_mu = [1e-3f, 0.5f, 5f, 300f, 1e4f];
    private static readonly float[] s_theta = [1e-4f, 0.05f, 1f, 30f, 1e6f];

    /// <summary>
    /// The kernel evaluates in double from float32 inputs and rounds once: the result is within one
    /// float32 rounding (relative 6e-8, asserted as 2e-7) plus 2e-6 absolute of the double formula at the
    /// same (float-representable) inputs, over x from 0 to 1e4 and θ from 1e-4 to 1e6.
    /// </summary>
    [Test]
    public void Nb_log_prob_matches_double_precision_reference_over_extreme_parameters()
    {
        foreach (var th in s_theta)
        {
            int n = s_x.Length * s_mu.Length;
            var x = new float[n]; var mu = new float[n];
            int k = 0;
            foreach (var xv in s_x) foreach (var m in s_mu) { x[k] = xv; mu[k] = m; k++; }
            var y = new NegativeBinomial(Tensor.FromArray(mu, s_x.Length, s_mu.Length), Tensor.FromArray([th])).LogProb(Tensor.FromArray(x, s_x.Length, s_mu.Length));
            var ys = y.AsReadOnlySpan();
            for (int i = 0; i < n; i++)
            {
                double r = NbRef(x[i], mu[i], th);
                Assert.That(Math.Abs(ys[i] - r), Is.LessThanOrEqualTo(2e-6 + 2e-7 * Math.Abs(r)), $"x={x[i]} mu={mu[i]} theta={th}: {ys[i]} vs {r}");
            }
        }
    }

    [Test]
    public void Zinb_log_prob_matches_double_precision_reference_over_extreme_parameters()
    {
        float[] pis = [-8f, -0.3f, 0f, 2.5f, 12f];
        foreach (var th in s_theta)
            foreach (var p in pis)
            {
                int n = s_x.Length * s_mu.Length;
                var x = new float[n]; var mu = new float[n];
                int k = 0;
                foreach (var xv in s_x) foreach (var m in s_mu) { x[k] = xv; mu[k] = m; k++; }
                var pi = Tensor.Full(p, s_x.Length, s_mu.Length);
                var y = new ZeroInflatedNegativeBinomial(Tensor.FromArray(mu, s_x.Length, s_mu.Length), Tensor.FromArray([th]), pi).LogProb(Tensor.FromArray(x, s_x.Length, s_mu.Length));
                var ys = y.AsReadOnlySpan();
                for (int i = 0; i < n; i++)
                {
                    double r = ZinbRef(x[i], mu[i], th, p);
                    Assert.That(Math.Abs(ys[i] - r), Is.LessThanOrEqualTo(2e-6 + 2e-7 * Math.Abs(r)), $"x={x[i]} mu={mu[i]} theta={th} pi={p}: {ys[i]} vs {r}");
                }
            }
    }

    /// <summary>At θ = 1e6 the NB is Poisson(μ) to O(μ²/θ, x²/θ): within 2e-4 for μ ≤ 5, x ≤ 12.</summary>
    [Test]
    public void Nb_with_huge_theta_approaches_the_poisson_log_pmf()
    {
        float[] xs = [0, 1, 2, 5, 8, 12];
        float[] mus = [0.1f, 1f, 5f];
        foreach (var m in mus)
        {
            var x = Tensor.FromArray(xs);
            var nb = new NegativeBinomial(Tensor.Full(m, xs.Length), Tensor.FromArray([1e6f])).LogProb(x).AsReadOnlySpan();
            var po = new Poisson(Tensor.Full(m, xs.Length)).LogProb(x).AsReadOnlySpan();
            for (int i = 0; i < xs.Length; i++)
            {
                double exact = xs[i] * Math.Log(m) - m - MathNetSf.GammaLn(xs[i] + 1);
                Assert.That(nb[i], Is.EqualTo(exact).Within(2e-4), $"NB x={xs[i]} mu={m}");
                Assert.That(po[i], Is.EqualTo(exact).Within(2e-6 + 1e-6 * Math.Abs(exact)), $"Poisson x={xs[i]} mu={m}");
            }
        }
    }

    [Test]
    public void Nb_log_probabilities_sum_to_one_over_the_support()
    {
        // Σ_x exp(log NB(x)) = 1 for a moderate case: a check independent of any formula.
        int n = 400;
        var x = Tensor.Arange(n);
        var lp = new NegativeBinomial(Tensor.Full(12f, n), Tensor.FromArray([0.7f])).LogProb(x).AsReadOnlySpan();
        double s = 0; foreach (var v in lp) s += Math.Exp(v);
        Assert.That(s, Is.EqualTo(1.0).Within(1e-5));
    }

    [Test]
    public void Theta_of_full_shape_and_per_gene_shape_give_the_same_values_and_gradients()
    {
        var gen = new Generator(3);
        int b = 4, g = 6;
        var muData = Tensor.RandomUniform(gen, [b, g], 0.1f, 20f).ToArray();
        var thData = Tensor.RandomUniform(gen, [g], 0.2f, 5f).ToArray();
        var xData = Enumerable.Range(0, b * g).Select(i => (float)(i % 7 == 0 ? 0 : i % 11)).ToArray();
        var up = Tensor.RandomNormal(gen, [b, g]);

        var mu1 = Tensor.FromArray((float[])muData.Clone(), b, g); mu1.RequiresGrad = true;
        var th1 = Tensor.FromArray((float[])thData.Clone(), g); th1.RequiresGrad = true;
        var y1 = new NegativeBinomial(mu1, th1).LogProb(Tensor.FromArray(xData, b, g));
        y1.Backward(up);

        var mu2 = Tensor.FromArray((float[])muData.Clone(), b, g); mu2.RequiresGrad = true;
        var thFull = new float[b * g];
        for (int i = 0; i < thFull.Length; i++) thFull[i] = thData[i % g];
        var th2 = Tensor.FromArray(thFull, b, g); th2.RequiresGrad = true;
        var y2 = new NegativeBinomial(mu2, th2).LogProb(Tensor.FromArray(xData, b, g));
        y2.Backward(up);

        Assert.That(y1.ToArray(), Is.EqualTo(y2.ToArray()));
        Assert.That(mu1.Grad!.ToArray(), Is.EqualTo(mu2.Grad!.ToArray()));
        var summed = new float[g];
        var g2 = th2.Grad!.AsReadOnlySpan();
        for (int i = 0; i < g2.Length; i++) summed[i % g] += g2[i];
        Assert.That(th1.Grad!.ToArray(), Is.EqualTo(summed).Within(1e-4f));
    }
}

/// <summary>The chunked, parallel path of the fused kernels (inputs of ≥ 32768 elements).</summary>
public class CountKernelParallelTests
{
    private static (Tensor Mu, Tensor Theta, Tensor X, Tensor Up) Inputs()
    {
        var gen = new Generator(99);
        int b = 70, g = 600;
        var mu = Tensor.RandomUniform(gen, [b, g], 0.01f, 40f);
        var theta = Tensor.RandomUniform(gen, [g], 0.05f, 20f);
        var xd = new float[b * g];
        for (int i = 0; i < xd.Length; i++) xd[i] = gen.NextDouble() < 0.5 ? 0 : (float)gen.NextPoisson(gen.NextGamma(0.5) * 30);
        return (mu, theta, Tensor.FromArray(xd, b, g), Tensor.RandomNormal(gen, [b, g]));
    }

    [Test]
    public void Large_inputs_give_reproducible_gradients_and_correct_values()
    {
        float[] Run(out float[] values, out float[] muGrad)
        {
            var (mu, theta, x, up) = Inputs();
            mu.RequiresGrad = true; theta.RequiresGrad = true;
            var y = new NegativeBinomial(mu, theta).LogProb(x);
            y.Backward(up);
            values = y.ToArray(); muGrad = mu.Grad!.ToArray();
            return theta.Grad!.ToArray();
        }
        var t1 = Run(out var v1, out var m1);
        var t2 = Run(out var v2, out var m2);
        Assert.That(t1, Is.EqualTo(t2), "theta gradient is bitwise reproducible");
        Assert.That(m1, Is.EqualTo(m2));
        Assert.That(v1, Is.EqualTo(v2));

        var (mu0, th0, x0, up0) = Inputs();
        var ms = mu0.AsReadOnlySpan(); var ts = th0.AsReadOnlySpan(); var xs = x0.AsReadOnlySpan(); var us = up0.AsReadOnlySpan();
        int g = th0.Size;
        var thetaGrad = new double[g];
        for (int i = 0; i < v1.Length; i++)
        {
            double m = ms[i], t = ts[i % g], x = xs[i];
            double lt = Math.Log(t + m + 1e-8);
            double r = t * (Math.Log(t + 1e-8) - lt) + x * (Math.Log(m + 1e-8) - lt)
                + MathNet.Numerics.SpecialFunctions.GammaLn(x + t) - MathNet.Numerics.SpecialFunctions.GammaLn(t) - MathNet.Numerics.SpecialFunctions.GammaLn(x + 1);
            Assert.That(Math.Abs(v1[i] - r), Is.LessThanOrEqualTo(2e-6 + 2e-7 * Math.Abs(r)), $"value {i}");
            double dmu = x / (m + 1e-8) - (t + x) / (t + m + 1e-8);
            Assert.That(m1[i], Is.EqualTo(us[i] * dmu).Within(1e-6 + 1e-5 * Math.Abs(us[i] * dmu)), $"dmu {i}");
            thetaGrad[i % g] += us[i] * (Math.Log(t + 1e-8) - lt + t / (t + 1e-8) - (t + x) / (t + m + 1e-8)
                + MathNet.Numerics.SpecialFunctions.DiGamma(x + t) - MathNet.Numerics.SpecialFunctions.DiGamma(t));
        }
        for (int j = 0; j < g; j++)
            Assert.That(t1[j], Is.EqualTo(thetaGrad[j]).Within(1e-4 + 1e-5 * Math.Abs(thetaGrad[j])), $"dtheta {j}");
    }
}
