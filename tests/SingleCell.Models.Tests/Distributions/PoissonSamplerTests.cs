using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

public class PoissonSamplerTests
{
    [TestCase(0.05)]
    [TestCase(0.7)]
    [TestCase(3.0)]
    [TestCase(9.99)]
    [TestCase(10.0)]
    [TestCase(40.0)]
    [TestCase(1234.5)]
    [TestCase(1e6)]
    public void Mean_and_variance_match_lambda(double lambda)
    {
        var g = new Generator((ulong)(lambda * 1000) + 1);
        const int m = 40000;
        double sum = 0, sumSq = 0;
        var draws = new long[m];
        for (int i = 0; i < m; i++) { draws[i] = (long)g.NextPoisson(lambda); sum += draws[i]; }
        double mean = sum / m;
        foreach (long d in draws) sumSq += (d - mean) * (d - mean);
        double variance = sumSq / (m - 1);
        // Bounds: 5 standard errors of the sample mean (√(λ/m)) and variance (√((λ + 2λ²)/m)).
        Assert.That(mean, Is.EqualTo(lambda).Within(5 * Math.Sqrt(lambda / m)), "mean");
        Assert.That(variance, Is.EqualTo(lambda).Within(5 * Math.Sqrt((lambda + 2 * lambda * lambda) / m)), "variance");
        Assert.That(draws.All(d => d >= 0));
    }

    [TestCase(2.5)]
    [TestCase(12.0)]
    public void Frequencies_match_the_pmf(double lambda)
    {
        var g = new Generator(99);
        const int m = 100000;
        var hist = new int[200];
        for (int i = 0; i < m; i++) hist[(int)Math.Min(199, g.NextPoisson(lambda))]++;
        double logPmf = -lambda; // log P(0)
        for (int k = 0; k < 40; k++)
        {
            double p = Math.Exp(logPmf);
            double sd = Math.Sqrt(m * p * (1 - p));
            Assert.That(hist[k], Is.EqualTo(m * p).Within(5 * sd + 1), $"k = {k}");
            logPmf += Math.Log(lambda) - Math.Log(k + 1);
        }
    }

    [Test]
    public void Zero_mean_gives_zero_and_bad_means_throw()
    {
        var g = new Generator(1);
        Assert.That((long)g.NextPoisson(0), Is.EqualTo(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.NextPoisson(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.NextPoisson(double.NaN));
    }
}
