using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>
/// Sampler moments at fixed seeds. With N draws the sample mean has standard error √(σ²/N) and the
/// sample variance √((m₄ − s⁴)/N) (m₄ the sample fourth central moment); both must lie within 5
/// standard errors of the exact value (a false alarm has probability below 1e-6 per check, and the
/// seeds are fixed, so the test is deterministic).
/// </summary>
public class SamplerTests
{
    private static void AssertMoments(double[] s, double mean, double variance, string what)
    {
        int n = s.Length;
        double m = s.Average();
        double v = 0, m4 = 0;
        foreach (var x in s) { double d = x - m; v += d * d; m4 += d * d * d * d; }
        v /= n - 1; m4 /= n;
        double seMean = Math.Sqrt(variance / n);
        double seVar = Math.Sqrt(Math.Max(m4 - v * v, 1e-300) / n);
        Assert.That(m, Is.EqualTo(mean).Within(5 * seMean), $"{what}: mean");
        Assert.That(v, Is.EqualTo(variance).Within(5 * seVar), $"{what}: variance");
    }

    [TestCase(0.05), TestCase(0.3), TestCase(1.0), TestCase(2.5), TestCase(50.0)]
    public void Gamma_draws_have_the_right_mean_and_variance(double shape)
    {
        var gen = new Generator(101);
        var s = new double[200_000];
        for (int i = 0; i < s.Length; i++) s[i] = gen.NextGamma(shape);
        Assert.That(s.All(v => v >= 0 && double.IsFinite(v)));
        AssertMoments(s, shape, shape, $"Gamma({shape})");
    }

    [TestCase(0.5), TestCase(3.0), TestCase(9.9), TestCase(10.0), TestCase(30.0), TestCase(1000.0)]
    public void Poisson_draws_have_the_right_mean_and_variance(double rate)
    {
        var gen = new Generator(202);
        var s = new double[200_000];
        for (int i = 0; i < s.Length; i++) s[i] = gen.NextPoisson(rate);
        Assert.That(s.All(v => v >= 0 && v == Math.Floor(v)));
        AssertMoments(s, rate, rate, $"Poisson({rate})");
    }

    [Test]
    public void Poisson_pmf_at_rate_30_matches_frequencies()
    {
        // Frequencies of k = 20 … 40 within 5 binomial standard errors of the exact pmf (PTRS branch).
        var gen = new Generator(303);
        int n = 200_000;
        var counts = new int[200];
        for (int i = 0; i < n; i++) counts[(int)gen.NextPoisson(30)]++;
        for (int k = 20; k <= 40; k++)
        {
            double p = Math.Exp(k * Math.Log(30) - 30 - MathNet.Numerics.SpecialFunctions.GammaLn(k + 1));
            Assert.That(counts[k] / (double)n, Is.EqualTo(p).Within(5 * Math.Sqrt(p * (1 - p) / n)), $"k={k}");
        }
    }

    [TestCase(5f, 2f), TestCase(0.3f, 0.1f), TestCase(40f, 1e3f)]
    public void Negative_binomial_draws_have_mean_mu_and_variance_mu_plus_mu2_over_theta(float mu, float theta)
    {
        int n = 100_000;
        var nb = new NegativeBinomial(Tensor.Full(mu, n), Tensor.FromArray([theta]));
        var s = nb.Sample(new Generator(404)).ToArray().Select(v => (double)v).ToArray();
        AssertMoments(s, mu, mu + (double)mu * mu / theta, $"NB({mu}, {theta})");
    }

    [Test]
    public void Zinb_draws_have_the_zero_inflated_mean()
    {
        int n = 100_000;
        float mu = 6f, theta = 3f, pi = 0.4f;
        double z = 1 / (1 + Math.Exp(-pi));
        var zinb = new ZeroInflatedNegativeBinomial(Tensor.Full(mu, n), Tensor.FromArray([theta]), Tensor.Full(pi, n));
        var s = zinb.Sample(new Generator(505)).ToArray().Select(v => (double)v).ToArray();
        double nbVar = mu + mu * mu / theta;
        double mean = (1 - z) * mu, variance = (1 - z) * (nbVar + mu * mu) - mean * mean;
        AssertMoments(s, mean, variance, "ZINB");
    }

    [Test]
    public void Samplers_are_reproducible_for_a_seed()
    {
        var nb = new NegativeBinomial(Tensor.Full(4f, 64), Tensor.FromArray([1.5f]));
        Assert.That(nb.Sample(new Generator(9)).ToArray(), Is.EqualTo(nb.Sample(new Generator(9)).ToArray()));
        var normal = new Normal(Tensor.Zeros(8), Tensor.Ones(8));
        Assert.That(normal.RSample(new Generator(9)).ToArray(), Is.EqualTo(normal.RSample(new Generator(9)).ToArray()));
    }

    [Test]
    public void Sampler_arguments_are_validated()
    {
        var gen = new Generator(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => gen.NextGamma(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => gen.NextGamma(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => gen.NextPoisson(-1));
        Assert.That(gen.NextPoisson(0), Is.EqualTo(0));
    }
}
