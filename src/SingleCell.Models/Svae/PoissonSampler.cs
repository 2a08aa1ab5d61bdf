using MathNet.Numerics;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

/// <summary>
/// Exact Poisson sampling on the library's <see cref="Generator"/>: the multiplication method for
/// small means and Hörmann's PTRS (transformed rejection with squeeze) for means ≥ 10, the same
/// pair of algorithms as NumPy's <c>Generator.poisson</c>.
/// </summary>
/// <remarks>
/// Both methods are exact (no normal approximation): PTRS accepts a candidate k either in its
/// squeeze region or by comparing with the exact log-pmf −λ + k·log λ − log Γ(k + 1).
/// Reference: W. Hörmann, "The transformed rejection method for generating Poisson random
/// variables", Insurance: Mathematics and Economics 12 (1993) 39–45.
/// </remarks>
internal static class PoissonSampler
{
    /// <summary>Means at or above this use PTRS; below, the multiplication method.</summary>
    public const double PtrsThreshold = 10.0;

    /// <summary>One Poisson(<paramref name="mean"/>) draw.</summary>
    /// <param name="generator">Source of uniforms.</param>
    /// <param name="mean">λ ≥ 0, finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public static long Sample(Generator generator, double mean)
    {
        if (!(mean >= 0) || double.IsPositiveInfinity(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "A Poisson mean must be finite and non-negative.");
        if (mean == 0) return 0;
        return mean >= PtrsThreshold ? Ptrs(generator, mean) : Multiplication(generator, mean);
    }

    private static long Multiplication(Generator g, double lambda)
    {
        double limit = Math.Exp(-lambda);
        long k = 0;
        double product = 1.0;
        while (true)
        {
            product *= g.NextDouble();
            if (product > limit) k++;
            else return k;
        }
    }

    private static long Ptrs(Generator g, double lambda)
    {
        double slam = Math.Sqrt(lambda);
        double logLambda = Math.Log(lambda);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true)
        {
            double u = g.NextDouble() - 0.5;
            double v = g.NextDouble();
            double us = 0.5 - Math.Abs(u);
            double kd = Math.Floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return (long)kd;
            if (kd < 0 || (us < 0.013 && v > us)) continue;
            if (kd > long.MaxValue / 2) continue; // u at the tails with us → 0: reject (measure zero)
            long k = (long)kd;
            if (Math.Log(v) + Math.Log(invAlpha) - Math.Log(a / (us * us) + b) <= -lambda + k * logLambda - SpecialFunctions.GammaLn(k + 1.0))
                return k;
        }
    }
}
