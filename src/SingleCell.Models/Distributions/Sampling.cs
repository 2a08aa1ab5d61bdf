using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>
/// Gamma and Poisson variates drawn from a seeded <see cref="Generator"/> (double precision), used by
/// the distributions' samplers.
/// </summary>
public static class Sampling
{
    /// <summary>
    /// A Gamma(<paramref name="shape"/>, 1) variate (Marsaglia and Tsang 2000; for shape &lt; 1 the
    /// boost Gamma(a) = Gamma(a + 1) · U^(1/a)). Multiply by a scale for Gamma(shape, scale).
    /// </summary>
    /// <param name="generator">The random source.</param>
    /// <param name="shape">Shape parameter α &gt; 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">The shape is not positive and finite.</exception>
    public static double NextGamma(this Generator generator, double shape)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(shape > 0) || double.IsInfinity(shape))
            throw new ArgumentOutOfRangeException(nameof(shape), $"NextGamma: shape must be positive and finite; got {shape}.");
        double boost = 1.0;
        if (shape < 1.0)
        {
            double u;
            do u = generator.NextDouble(); while (u <= 0.0);
            // log-space to avoid underflow of u^(1/a) for tiny a.
            boost = Math.Exp(Math.Log(u) / shape);
            shape += 1.0;
        }
        double d = shape - 1.0 / 3.0, c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do { x = generator.NextNormal(); v = 1.0 + c * x; } while (v <= 0.0);
            v = v * v * v;
            double u = generator.NextDouble();
            double x2 = x * x;
            if (u < 1.0 - 0.0331 * x2 * x2) return d * v * boost;
            if (u > 0.0 && Math.Log(u) < 0.5 * x2 + d * (1.0 - v + Math.Log(v))) return d * v * boost;
        }
    }

    /// <summary>
    /// A Poisson(<paramref name="rate"/>) variate: multiplication of uniforms for rate &lt; 10, otherwise
    /// Hörmann's transformed rejection with squeeze (PTRS, 1993), exact for every rate.
    /// </summary>
    /// <param name="generator">The random source.</param>
    /// <param name="rate">The mean λ ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative, NaN or infinite.</exception>
    public static double NextPoisson(this Generator generator, double rate)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(rate >= 0) || double.IsInfinity(rate))
            throw new ArgumentOutOfRangeException(nameof(rate), $"NextPoisson: rate must be non-negative and finite; got {rate}.");
        if (rate == 0) return 0;
        if (rate < 10)
        {
            double limit = Math.Exp(-rate), prod = generator.NextDouble();
            int k = 0;
            while (prod > limit) { k++; prod *= generator.NextDouble(); }
            return k;
        }
        double slam = Math.Sqrt(rate), logLam = Math.Log(rate);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = generator.NextDouble() - 0.5;
            double v = generator.NextDouble();
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * a / us + b) * u + rate + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -rate + k * logLam - Tensors.Kernels.SpecialFunctions.LogGamma(k + 1))
                return k;
        }
    }
}
