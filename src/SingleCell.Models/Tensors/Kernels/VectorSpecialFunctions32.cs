using System.Runtime.Intrinsics;

namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// log Γ and ψ in float32 on 16-lane vectors, for z &gt; 0 (the count likelihoods' hot path on AVX-512).
/// Lanes below 8 are shifted up by the recurrences — the shifts are folded into one product (log Γ)
/// or one fraction (ψ), so a lane costs one extra log or one division — and the Stirling series is
/// summed in float. Each lane depends only on its own input, so results do not depend on the
/// neighbouring lanes or on where a row is split.
/// </summary>
/// <remarks>
/// Maximum error against the double versions in <see cref="SpecialFunctions"/>, measured over
/// z ∈ [1e-3, 1e5] (the NB likelihoods evaluate x + θ with x ≥ 1 and θ &gt; 0) and checked by the tests:
/// log Γ: |error| ≤ 4 ulp(max(16, |ln Γ(z)|)), i.e. ≤ 7.6e-6 absolute below z ≈ 8 (where the shifted
/// Stirling terms are of size 16; near the zeros of log Γ at 1 and 2 the relative error is therefore
/// unbounded) and ≤ 4 ulp relative above (measured: 3 ulp; 2.4e-7 relative for z ≥ 8);
/// ψ: |error| ≤ 8 ulp(max(4, |ψ(z)|, 1/z)) (measured: 7.5 ulp at z = 0.137, where the folded
/// fraction of eight shifts loses the most), i.e. ≤ 3.8e-6 absolute for 1/8 ≤ z ≤ 8.
/// Inputs ≤ 0, NaN and ∞ are outside the contract (callers mask them).
/// </remarks>
internal static class VectorSpecialFunctions32
{
    private const float HalfLog2Pi = 0.918938533204672742f;
    private const float Shift = 8f;

    /// <summary>ln Γ(z) for z &gt; 0, lane by lane.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static Vector512<float> LogGamma(Vector512<float> z)
    {
        var one = Vector512<float>.One;
        var limit = Vector512.Create(Shift);
        var prod = one;
        var small = Vector512.LessThan(z, limit);
        bool shifted = small != Vector512<float>.Zero;
        // Γ(z) = Γ(z + k) / (z (z + 1) … (z + k − 1)): at most 8 shifts for z > 0; the product stays
        // between 8!·1e-3 and 8⁸ for z ≥ 1e-3.
        while (small != Vector512<float>.Zero)
        {
            prod = Vector512.ConditionalSelect(small, prod * z, prod);
            z = Vector512.ConditionalSelect(small, z + one, z);
            small = Vector512.LessThan(z, limit);
        }
        var inv = one / z;
        var inv2 = inv * inv;
        var series = inv * (Vector512.Create(1f / 12) - inv2 * (Vector512.Create(1f / 360) - inv2 * Vector512.Create(1f / 1260)));
        var logz = Vector512.Log(z);
        var result = (z - Vector512.Create(0.5f)) * logz - z + Vector512.Create(HalfLog2Pi) + series;
        return shifted ? result - Vector512.Log(prod) : result;
    }

    /// <summary>ψ(z) = d/dz ln Γ(z) for z &gt; 0, lane by lane.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static Vector512<float> Digamma(Vector512<float> z)
    {
        var one = Vector512<float>.One;
        var limit = Vector512.Create(Shift);
        // ψ(z) = ψ(z + k) − Σ 1/(z + i), the sum kept as one fraction num/den.
        var num = Vector512<float>.Zero;
        var den = one;
        var small = Vector512.LessThan(z, limit);
        bool shifted = small != Vector512<float>.Zero;
        while (small != Vector512<float>.Zero)
        {
            num = Vector512.ConditionalSelect(small, num * z + den, num);
            den = Vector512.ConditionalSelect(small, den * z, den);
            z = Vector512.ConditionalSelect(small, z + one, z);
            small = Vector512.LessThan(z, limit);
        }
        var inv = one / z;
        var inv2 = inv * inv;
        var series = inv2 * (Vector512.Create(1f / 12) - inv2 * (Vector512.Create(1f / 120) - inv2 * Vector512.Create(1f / 252)));
        var result = Vector512.Log(z) - Vector512.Create(0.5f) * inv - series;
        return shifted ? result - num / den : result;
    }

    /// <summary>result[i] = ln Γ(z[i]) for z[i] &gt; 0 (a partial last vector is padded, so every element goes through the same vector code).</summary>
    internal static void LogGamma(ReadOnlySpan<float> z, Span<float> result) => Apply(z, result, digamma: false);

    /// <summary>result[i] = ψ(z[i]) for z[i] &gt; 0 (a partial last vector is padded, so every element goes through the same vector code).</summary>
    internal static void Digamma(ReadOnlySpan<float> z, Span<float> result) => Apply(z, result, digamma: true);

    private static void Apply(ReadOnlySpan<float> z, Span<float> result, bool digamma)
    {
        if (result.Length < z.Length) throw new ArgumentException("result is shorter than z.", nameof(result));
        Span<float> tail = stackalloc float[16];
        for (int i = 0; i < z.Length; i += 16)
        {
            int n = Math.Min(16, z.Length - i);
            tail.Fill(10f);
            z.Slice(i, n).CopyTo(tail);
            var v = Vector512.Create<float>(tail);
            (digamma ? Digamma(v) : LogGamma(v)).CopyTo(tail);
            tail[..n].CopyTo(result.Slice(i, n));
        }
    }
}
