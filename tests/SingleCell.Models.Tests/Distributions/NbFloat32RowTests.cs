using System.Runtime.Intrinsics;
using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>
/// The float32 rows of the fused NB likelihood: the log(θ + μ + ε) the forward keeps for the backward gives
/// bitwise the gradients of recomputing it, and the gathered log(x!) equals the scalar table lookup.
/// </summary>
public class NbFloat32RowTests
{
    [TestCase(100)]
    [TestCase(2000)]
    [TestCase(37)]
    public void Kept_log_theta_mu_gives_bitwise_the_recomputed_gradients(int cols)
    {
        if (!Vector512.IsHardwareAccelerated) Assert.Ignore("No AVX-512 on this machine: the float32 rows are not used.");
        const double eps = 1e-8;
        var g = new Generator(cols);
        var theta = Tensor.RandomUniform(g, [cols], 0.05f, 30f).ToArray();
        var logThetaEps = theta.Select(t => Math.Log(t + eps)).ToArray();
        var lgTheta = theta.Select(t => SpecialFunctions.LogGamma(t)).ToArray();
        var kernels = new NbRowKernels(cols, theta, cols, logThetaEps, lgTheta, eps, float32: true);
        Assert.That(kernels.UsesFloat32, Is.True);
        kernels.PrepareThetaGradient();
        var s = kernels.CreateScratch();
        for (int row = 0; row < 4; row++)
        {
            var logits = Tensor.RandomNormal(g, [cols]).ToArray();
            var rho = new float[cols];
            Tensor.SoftmaxRow(logits, rho, log: false);
            float library = (float)(1e3 + 1e5 * g.NextDouble());
            var x = new float[cols];
            // Zeros, table counts, counts past the table and a non-integer (the lane-by-lane log(x!)).
            for (int j = 0; j < cols; j++)
                x[j] = j % 7 == 0 ? 0f : j % 29 == 3 ? 2500f + j : j % 31 == 5 ? 2.5f : (float)Math.Floor(library * rho[j] * (0.5 + g.NextDouble()));
            var kept = new float[cols];
            double withKeep = kernels.Forward32(x, rho, library, s, kept);
            double without = kernels.Forward32(x, rho, library, s);
            Assert.That(withKeep, Is.EqualTo(without), "forward value");
            var dA = new float[cols]; var dB = new float[cols];
            var accA = kernels.CreateThetaAccumulator(); var accB = kernels.CreateThetaAccumulator();
            kernels.Backward32(x, rho, library, 0.75f, dA, accA, s, kept);
            kernels.Backward32(x, rho, library, 0.75f, dB, accB, s);
            Assert.That(dA, Is.EqualTo(dB), "d/dμ");
            Assert.That(accA.AsSpan(0, cols).ToArray(), Is.EqualTo(accB.AsSpan(0, cols).ToArray()), "d/dθ");
        }
    }

    [Test]
    public void Gathered_log_factorial_equals_the_scalar_lookup()
    {
        if (!Vector512.IsHardwareAccelerated) Assert.Ignore("No AVX-512 on this machine: the float32 rows are not used.");
        var cases = new[]
        {
            Enumerable.Range(0, 16).Select(k => (float)k).ToArray(),
            Enumerable.Range(1008, 16).Select(k => (float)k).ToArray(),   // 1008 … 1023: all in the table
            Enumerable.Range(1016, 16).Select(k => (float)k).ToArray(),   // crosses the table's end
            Enumerable.Range(0, 16).Select(k => k == 9 ? 3.5f : k * 11f).ToArray(),
            Enumerable.Range(0, 16).Select(k => k == 4 ? 3e9f : k == 5 ? -0f : k).ToArray(),
        };
        foreach (var c in cases)
        {
            var got = NbRowKernels.LogFactorial16(Vector512.Create(c));
            for (int k = 0; k < 16; k++)
            {
                float want = c[k] == 0 ? 0f : CountKernels.LogFactorialF(c[k]);
                Assert.That(got.GetElement(k), Is.EqualTo(want), $"x = {c[k]}");
            }
        }
    }
}
