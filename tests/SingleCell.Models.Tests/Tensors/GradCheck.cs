using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>
/// Central finite-difference gradient check of a tensor function.
/// </summary>
/// <remarks>
/// The scalar objective is L = Σ f(x) ∘ u with a fixed random upstream u, accumulated in double.
/// The forward runs in float32, so the difference quotient has two error sources: truncation
/// (h²/6 · |L‴| ≈ 2e-5 for h = 1e-2 and O(1) third derivatives) and rounding
/// (≈ 6e-8 · Σ|f∘u| / h ≈ 1e-4 for the sizes used here). The default tolerance
/// |analytic − numeric| ≤ 2e-3 + 2e-3·|numeric| sits an order of magnitude above that budget,
/// while a wrong backward rule (a missing factor, a wrong sign, a broadcast not summed) is off by
/// O(1) and fails it.
/// </remarks>
internal static class GradCheck
{
    internal static void Check(string name, Func<Tensor[], Tensor> f, Tensor[] inputs, double h = 1e-2, double rtol = 2e-3, double atol = 2e-3)
    {
        foreach (var x in inputs) { x.RequiresGrad = true; x.Grad = null; }
        var y = f(inputs);
        var gen = new Generator(12345);
        var u = Tensor.RandomNormal(gen, y.Shape.ToArray());
        y.Backward(u);
        var uu = u.ToArray();
        for (int t = 0; t < inputs.Length; t++)
        {
            var x = inputs[t];
            Assert.That(x.Grad, Is.Not.Null, $"{name}: input {t} received no gradient");
            var analytic = x.Grad!.ToArray();
            var numeric = new float[x.Size];
            using (Tensor.NoGrad())
            {
                var data = x.ToArray();
                for (int i = 0; i < x.Size; i++)
                {
                    float orig = data[i];
                    x[Unflatten(x.Shape, i)] = (float)(orig + h);
                    double sp = Objective(f(inputs), uu);
                    x[Unflatten(x.Shape, i)] = (float)(orig - h);
                    double sm = Objective(f(inputs), uu);
                    x[Unflatten(x.Shape, i)] = orig;
                    numeric[i] = (float)((sp - sm) / (2 * h));
                }
            }
            TensorAssert.Close(analytic, numeric, rtol, atol, $"{name}: d/d input {t} {x.Shape}");
        }
    }

    private static double Objective(Tensor y, float[] u)
    {
        var s = y.AsReadOnlySpan();
        double acc = 0;
        for (int i = 0; i < s.Length; i++) acc += (double)s[i] * u[i];
        return acc;
    }

    private static int[] Unflatten(TensorShape s, int flat)
    {
        var idx = new int[s.Rank];
        for (int k = s.Rank - 1; k >= 0; k--) { idx[k] = flat % s[k]; flat /= s[k]; }
        return idx;
    }

    /// <summary>Uniform values in [lo, hi] (seeded).</summary>
    internal static Tensor Rand(int seed, float lo, float hi, params int[] shape) => Tensor.RandomUniform(new Generator(seed), shape, lo, hi);

    /// <summary>Values in ±[0.2, 1.5] with random signs: away from the kinks of abs/relu at 0.</summary>
    internal static Tensor AwayFromZero(int seed, params int[] shape)
    {
        var g = new Generator(seed);
        var t = Tensor.RandomUniform(g, shape, 0.2f, 1.5f);
        var d = t.ToArray();
        for (int i = 0; i < d.Length; i++) if (g.NextDouble() < 0.5) d[i] = -d[i];
        return Tensor.FromArray(d, shape);
    }
}
