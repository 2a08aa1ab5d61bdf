namespace SingleCell.Models.Tensors;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256** seeded through SplitMix64). Every random operation
/// in the library takes one explicitly, so runs are reproducible bit for bit.
/// </summary>
/// <remarks>
/// The stream for a given seed is part of the library's contract: it does not depend on the .NET
/// version (unlike <see cref="Random"/>). Not thread-safe: give each thread its own generator, or
/// derive one with <see cref="Fork"/>.
/// </remarks>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal streams.</param>
    public Generator(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>Creates a generator from a 32-bit seed.</summary>
    /// <param name="seed">Any value; equal seeds give equal streams.</param>
    public Generator(int seed) : this((ulong)(uint)seed) { }

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// Dropout's keep mask: <c>mask[i] = (NextUInt64() &gt;&gt; 11) ≥ threshold53 ? scale : 0</c> for i in order, with the
    /// generator's state held in registers for the whole span (the same draws, and the same state afterwards,
    /// as that many <see cref="NextUInt64"/> calls).
    /// </summary>
    /// <param name="mask">Filled with <paramref name="scale"/> or 0.</param>
    /// <param name="threshold53">Keep when the top 53 bits of a draw, as an integer, are at least this.</param>
    /// <param name="scale">Value of a kept element.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void FillKeepMask(Span<float> mask, ulong threshold53, float scale)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < mask.Length; i++)
        {
            ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
            ulong t = s1 << 17;
            s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
            s2 ^= t;
            s3 = ulong.RotateLeft(s3, 45);
            mask[i] = (result >> 11) >= threshold53 ? scale : 0f;
        }
        _s0 = s0; _s1 = s1; _s2 = s2; _s3 = s3;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    /// <param name="maxExclusive">Upper bound, positive.</param>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Lemire's multiply-shift with rejection.
        ulong range = (ulong)maxExclusive;
        while (true)
        {
            ulong x = NextUInt64() >> 32;
            ulong m = x * range;
            if ((uint)m >= (uint)((0x1_0000_0000UL - range) % range)) return (int)(m >> 32);
        }
    }

    /// <summary>A standard normal draw (Box–Muller in double precision; the second value is kept for the next call).</summary>
    public double NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return _spareNormal; }
        double u1;
        do u1 = NextDouble(); while (u1 <= double.Epsilon);
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        double theta = 2.0 * Math.PI * u2;
        _spareNormal = r * Math.Sin(theta);
        _hasSpare = true;
        return r * Math.Cos(theta);
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="items">The items to permute.</param>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0 … <paramref name="n"/> − 1.</summary>
    /// <param name="n">Length of the permutation.</param>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Shuffle<int>(p);
        return p;
    }

    /// <summary>A new, independent generator seeded from this one's stream (for per-thread or per-component streams).</summary>
    public Generator Fork() => new(NextUInt64());
}
