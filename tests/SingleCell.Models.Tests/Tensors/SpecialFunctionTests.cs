using SingleCell.Models.Tensors;
using Ours = SingleCell.Models.Tensors.Kernels.SpecialFunctions;
using Ref = MathNet.Numerics.SpecialFunctions;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>log Γ, ψ and erf against MathNet.Numerics (double precision, independent implementations).</summary>
public class SpecialFunctionTests
{
    private static readonly double[] s_points =
        [1e-8, 1e-4, 0.01, 0.1, 0.5, 0.9999, 1, 1.5, 2, 2.5, 3.7, 9.99, 10, 10.01, 30.5, 100, 1234.5, 1e5, 1e7, 1e10, -0.5, -1.5, -2.25, -10.3];

    [Test]
    public void LogGamma_matches_MathNet_to_1e_minus_12_relative()
    {
        foreach (var x in s_points)
        {
            double expected = x > 0 ? Ref.GammaLn(x) : Math.Log(Math.Abs(Ref.Gamma(x)));
            double tol = 1e-12 * Math.Max(1, Math.Abs(expected)) + 1e-13;
            Assert.That(Kernels_LogGamma(x), Is.EqualTo(expected).Within(tol), $"x = {x}");
        }
    }

    [Test]
    public void Digamma_matches_MathNet_to_1e_minus_11()
    {
        foreach (var x in s_points)
        {
            double expected = Ref.DiGamma(x);
            Assert.That(Kernels_Digamma(x), Is.EqualTo(expected).Within(1e-11 * Math.Max(1, Math.Abs(expected))), $"x = {x}");
        }
    }

    [Test]
    public void Trigamma_matches_finite_difference_of_digamma()
    {
        foreach (var x in new[] { 0.05, 0.5, 1.0, 3.3, 12.0, 150.0, -0.5 })
        {
            double h = 1e-5 * Math.Max(1, Math.Abs(x));
            double fd = (Kernels_Digamma(x + h) - Kernels_Digamma(x - h)) / (2 * h);
            Assert.That(Ours.Trigamma(x), Is.EqualTo(fd).Within(1e-6 * Math.Abs(fd)), $"x = {x}");
        }
    }

    [Test]
    public void Erf_matches_MathNet_to_2e_minus_7()
    {
        for (double x = -6; x <= 6; x += 0.0625)
            Assert.That(Ours.Erf(x), Is.EqualTo(Ref.Erf(x)).Within(2e-7), $"x = {x}");
    }

    [Test]
    public void LogGamma_poles_and_special_values()
    {
        Assert.That(Kernels_LogGamma(0), Is.EqualTo(double.PositiveInfinity));
        Assert.That(Kernels_LogGamma(-3), Is.EqualTo(double.PositiveInfinity));
        Assert.That(Kernels_LogGamma(1), Is.EqualTo(0));
        Assert.That(Kernels_LogGamma(2), Is.EqualTo(0));
        Assert.That(Kernels_LogGamma(0.5), Is.EqualTo(0.5 * Math.Log(Math.PI)).Within(1e-13));
        Assert.That(double.IsNaN(Kernels_Digamma(-2)));
        // ψ(1) = −γ
        Assert.That(Kernels_Digamma(1), Is.EqualTo(-0.57721566490153286).Within(1e-13));
    }

    [Test]
    public void Tensor_lgamma_of_integers_is_log_factorial()
    {
        var x = Tensor.FromArray([1f, 2f, 5f, 11f, 101f], 5);
        var expected = new[] { 0.0, 0.0, Math.Log(24), Math.Log(3628800), Ref.FactorialLn(100) };
        var got = x.LGamma().ToArray();
        for (int i = 0; i < got.Length; i++) Assert.That(got[i], Is.EqualTo(expected[i]).Within(1e-6 * Math.Max(1, expected[i])));
    }

    private static double Kernels_LogGamma(double x) => Ours.LogGamma(x);

    private static double Kernels_Digamma(double x) => Ours.Digamma(x);
}

public class VectorSpecialFunctionTests
{
    [Test]
    public void Vector_lgamma_and_digamma_match_the_scalar_versions_at_every_length()
    {
        var g = new Generator(4);
        for (int n = 0; n <= 33; n++)
        {
            var z = new double[n];
            for (int i = 0; i < n; i++) z[i] = Math.Exp(g.NextDouble() * 24 - 10); // 4.5e-5 … 1.6e6, both sides of the shift at 10
            var lg = new double[n]; var psi = new double[n];
            SingleCell.Models.Tensors.Kernels.VectorSpecialFunctions.LogGamma(z, lg);
            SingleCell.Models.Tensors.Kernels.VectorSpecialFunctions.Digamma(z, psi);
            for (int i = 0; i < n; i++)
            {
                double lgRef = MathNet.Numerics.SpecialFunctions.GammaLn(z[i]);
                double psiRef = MathNet.Numerics.SpecialFunctions.DiGamma(z[i]);
                Assert.That(lg[i], Is.EqualTo(lgRef).Within(1e-12 * Math.Max(1, Math.Abs(lgRef))), $"lgamma({z[i]})");
                Assert.That(psi[i], Is.EqualTo(psiRef).Within(1e-11 * Math.Max(1, Math.Abs(psiRef))), $"digamma({z[i]})");
            }
        }
    }
}
