namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// Special functions evaluated in double precision (results rounded to float by callers):
/// log Γ, digamma, erf. Accurate to well below float32 resolution over the whole real line.
/// </summary>
internal static class SpecialFunctions
{
    private const double HalfLog2Pi = 0.91893853320467274178; // ½ ln(2π)

    /// <summary>ln |Γ(x)|; +∞ at the poles (0, −1, −2, …).</summary>
    internal static double LogGamma(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (double.IsInfinity(x)) return double.PositiveInfinity;
        if (x <= 0 && x == Math.Floor(x)) return double.PositiveInfinity;
        if (x < 0.5)
        {
            // Reflection: ln|Γ(x)| = ln(π / |sin(πx)|) − ln|Γ(1−x)|
            double s = Math.Sin(Math.PI * x);
            return Math.Log(Math.PI / Math.Abs(s)) - LogGamma(1 - x);
        }
        if (x == 1.0 || x == 2.0) return 0.0;
        // Shift up to x ≥ 10 then use the Stirling series; the shifted product stays well in range.
        double shift = 0;
        if (x < 10)
        {
            double prod = 1;
            while (x < 10) { prod *= x; x += 1; }
            shift = -Math.Log(prod);
        }
        double inv = 1.0 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188)))));
        return (x - 0.5) * Math.Log(x) - x + HalfLog2Pi + series + shift;
    }

    /// <summary>ψ(x) = d/dx ln Γ(x); NaN at the poles (as PyTorch returns −∞/NaN there; we use NaN).</summary>
    internal static double Digamma(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x == double.PositiveInfinity) return double.PositiveInfinity;
        if (x <= 0 && x == Math.Floor(x)) return double.NaN;
        double result = 0;
        if (x < 0)
        {
            // Reflection: ψ(x) = ψ(1−x) − π / tan(πx)
            result = -Math.PI / Math.Tan(Math.PI * x);
            x = 1 - x;
        }
        while (x < 10) { result -= 1.0 / x; x += 1; }
        double inv = 1.0 / x, inv2 = inv * inv;
        double series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
        return result + Math.Log(x) - 0.5 * inv - series;
    }

    /// <summary>ψ′(x) (trigamma), for x &gt; 0 and by reflection below.</summary>
    internal static double Trigamma(double x)
    {
        if (x <= 0 && x == Math.Floor(x)) return double.NaN;
        double result = 0;
        if (x < 0)
        {
            double s = Math.Sin(Math.PI * x);
            return -Trigamma(1 - x) + Math.PI * Math.PI / (s * s);
        }
        while (x < 10) { result += 1.0 / (x * x); x += 1; }
        double inv = 1.0 / x, inv2 = inv * inv;
        return result + inv + 0.5 * inv2 + inv * inv2 * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30))));
    }

    /// <summary>The error function, |error| &lt; 1.2e-7 relative (Numerical Recipes' erfc Chebyshev form, in double).</summary>
    internal static double Erf(double x)
    {
        double z = Math.Abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - ans : ans - 1.0;
    }
}

/// <summary>
/// Vectorised log Γ and ψ over arrays of positive doubles (the count likelihoods' hot path): lanes
/// below 10 are shifted up by the recurrences (with a masked product or sum), then the Stirling
/// series of the scalar versions is evaluated on whole vectors. Same accuracy as
/// <see cref="SpecialFunctions"/> (≈ 1e-15 relative for z ≥ 10) for z &gt; 0.
/// </summary>
internal static class VectorSpecialFunctions
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>result[i] = ln Γ(z[i]) for z[i] &gt; 0.</summary>
    internal static void LogGamma(ReadOnlySpan<double> z, Span<double> result)
    {
        int i = 0;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= z.Length; i += 8)
                System.Runtime.Intrinsics.Vector512.StoreUnsafe(LogGamma512(System.Runtime.Intrinsics.Vector512.Create(z.Slice(i, 8))), ref result[i]);
        }
        for (; i < z.Length; i++) result[i] = SpecialFunctions.LogGamma(z[i]);
    }

    /// <summary>result[i] = ψ(z[i]) for z[i] &gt; 0.</summary>
    internal static void Digamma(ReadOnlySpan<double> z, Span<double> result)
    {
        int i = 0;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            for (; i + 8 <= z.Length; i += 8)
                System.Runtime.Intrinsics.Vector512.StoreUnsafe(Digamma512(System.Runtime.Intrinsics.Vector512.Create(z.Slice(i, 8))), ref result[i]);
        }
        for (; i < z.Length; i++) result[i] = SpecialFunctions.Digamma(z[i]);
    }

    internal static System.Runtime.Intrinsics.Vector512<double> LogGamma512(System.Runtime.Intrinsics.Vector512<double> z)
    {
        var ten = System.Runtime.Intrinsics.Vector512.Create(10.0);
        var one = System.Runtime.Intrinsics.Vector512<double>.One;
        var prod = one;
        bool shifted = false;
        // Γ(z) = Γ(z + k) / (z (z + 1) … (z + k − 1)): at most 10 shifts for z > 0.
        for (int k = 0; k < 10; k++)
        {
            var small = System.Runtime.Intrinsics.Vector512.LessThan(z, ten);
            if (small == System.Runtime.Intrinsics.Vector512<double>.Zero) break;
            shifted = true;
            prod = System.Runtime.Intrinsics.Vector512.ConditionalSelect(small, prod * z, prod);
            z = System.Runtime.Intrinsics.Vector512.ConditionalSelect(small, z + one, z);
        }
        var inv = one / z;
        var inv2 = inv * inv;
        var series = inv * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 12) - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 360)
            - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 1260) - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 1680)
            - inv2 * System.Runtime.Intrinsics.Vector512.Create(1.0 / 1188)))));
        var logz = System.Runtime.Intrinsics.Vector512.Log(z);
        var result = (z - System.Runtime.Intrinsics.Vector512.Create(0.5)) * logz - z + System.Runtime.Intrinsics.Vector512.Create(HalfLog2Pi) + series;
        return shifted ? result - System.Runtime.Intrinsics.Vector512.Log(prod) : result;
    }

    internal static System.Runtime.Intrinsics.Vector512<double> Digamma512(System.Runtime.Intrinsics.Vector512<double> z)
    {
        var ten = System.Runtime.Intrinsics.Vector512.Create(10.0);
        var one = System.Runtime.Intrinsics.Vector512<double>.One;
        var acc = System.Runtime.Intrinsics.Vector512<double>.Zero;
        // ψ(z) = ψ(z + 1) − 1/z.
        for (int k = 0; k < 10; k++)
        {
            var small = System.Runtime.Intrinsics.Vector512.LessThan(z, ten);
            if (small == System.Runtime.Intrinsics.Vector512<double>.Zero) break;
            acc = System.Runtime.Intrinsics.Vector512.ConditionalSelect(small, acc - one / z, acc);
            z = System.Runtime.Intrinsics.Vector512.ConditionalSelect(small, z + one, z);
        }
        var inv = one / z;
        var inv2 = inv * inv;
        var series = inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 12) - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 120)
            - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 252) - inv2 * (System.Runtime.Intrinsics.Vector512.Create(1.0 / 240)
            - inv2 * System.Runtime.Intrinsics.Vector512.Create(1.0 / 132)))));
        return acc + System.Runtime.Intrinsics.Vector512.Log(z) - System.Runtime.Intrinsics.Vector512.Create(0.5) * inv - series;
    }
}
