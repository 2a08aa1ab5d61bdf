using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>
/// The float32 vector log Γ and ψ (<see cref="VectorSpecialFunctions32"/>) against the double versions
/// over the range the NB likelihoods use (x + θ with x ≥ 1, θ from 1e-3 up, counts into the tens of
/// thousands), with the error bounds stated in its documentation, in units in the last place of float.
/// </summary>
public class Float32SpecialFunctionTests
{
    /// <summary>One float32 unit in the last place at magnitude <paramref name="v"/> (2^(e − 23)).</summary>
    private static double Ulp(double v) => MathF.BitIncrement((float)Math.Abs(v)) - (float)Math.Abs(v);

    /// <summary>Every grid point: log-spaced over [1e-3, 1e5], plus integers + θ for small counts, plus 1 and 2 (zeros of log Γ).</summary>
    private static float[] Grid()
    {
        var z = new List<float>();
        for (int i = 0; i <= 20000; i++) z.Add((float)Math.Pow(10, -3 + 8.0 * i / 20000));
        foreach (var t in new[] { 1e-3f, 0.05f, 0.5f, 1f, 3.7f, 25f })
            for (int x = 1; x <= 40; x++) z.Add(x + t);
        z.AddRange([1f, 2f, 7.999999f, 8f, 8.000001f, 0.999999f, 1.000001f, 1.999999f, 2.000001f]);
        return [.. z];
    }

    [Test]
    public void LogGamma_is_within_4_ulp_of_max_16_and_lgamma()
    {
        var z = Grid();
        var got = new float[z.Length];
        VectorSpecialFunctions32.LogGamma(z, got);
        double worst = 0; float at = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double expected = SpecialFunctions.LogGamma(z[i]);
            double scale = Ulp(Math.Max(16, Math.Abs(expected)));
            double err = Math.Abs(got[i] - expected) / scale;
            if (err > worst) { worst = err; at = z[i]; }
        }
        TestContext.Out.WriteLine($"lgamma float32: worst {worst:F2} ulp of max(16, |lgamma|) at z = {at:R}");
        Assert.That(worst, Is.LessThanOrEqualTo(4), $"at z = {at:R}");
    }

    [Test]
    public void Digamma_is_within_8_ulp_of_max_4_psi_and_1_over_z()
    {
        var z = Grid();
        var got = new float[z.Length];
        VectorSpecialFunctions32.Digamma(z, got);
        double worst = 0; float at = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double expected = SpecialFunctions.Digamma(z[i]);
            double scale = Ulp(Math.Max(Math.Max(4, Math.Abs(expected)), 1.0 / z[i]));
            double err = Math.Abs(got[i] - expected) / scale;
            if (err > worst) { worst = err; at = z[i]; }
        }
        TestContext.Out.WriteLine($"digamma float32: worst {worst:F2} ulp of max(4, |ψ|, 1/z) at z = {at:R}");
        Assert.That(worst, Is.LessThanOrEqualTo(8), $"at z = {at:R}");
    }

    [Test]
    public void Away_from_the_zeros_of_log_gamma_the_relative_error_is_a_few_ulp()
    {
        // z ≥ 8: log Γ(z) ≥ 8.5, so an absolute bound is also a relative one; this checks that the
        // absolute bound above is not hiding a large relative error where values are big.
        var z = Grid().Where(v => v >= 8).ToArray();
        var got = new float[z.Length];
        VectorSpecialFunctions32.LogGamma(z, got);
        double worst = 0; float at = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double expected = SpecialFunctions.LogGamma(z[i]);
            double rel = Math.Abs(got[i] - expected) / Math.Abs(expected);
            if (rel > worst) { worst = rel; at = z[i]; }
        }
        TestContext.Out.WriteLine($"lgamma float32, z ≥ 8: worst relative error {worst:E2} at z = {at:R}");
        Assert.That(worst, Is.LessThan(1e-6), $"at z = {at:R}");
    }

    [Test]
    public void A_lane_does_not_depend_on_its_neighbours_or_the_length()
    {
        // Same value alone, in a full vector of mixed magnitudes, and in a padded tail: bitwise equal.
        float[] values = [1.5f, 1234.5f, 0.01f, 9f, 7.5f, 3e4f, 2f, 1f, 100.25f, 0.5f, 17f, 8f, 42f, 6.5f, 0.002f, 5000f, 3.3f];
        var lgAll = new float[values.Length]; var psiAll = new float[values.Length];
        VectorSpecialFunctions32.LogGamma(values, lgAll);
        VectorSpecialFunctions32.Digamma(values, psiAll);
        for (int i = 0; i < values.Length; i++)
        {
            var one = new float[1]; var two = new float[1];
            VectorSpecialFunctions32.LogGamma(values.AsSpan(i, 1), one);
            VectorSpecialFunctions32.Digamma(values.AsSpan(i, 1), two);
            Assert.That(one[0], Is.EqualTo(lgAll[i]), $"lgamma lane {i}");
            Assert.That(two[0], Is.EqualTo(psiAll[i]), $"digamma lane {i}");
        }
    }
}
