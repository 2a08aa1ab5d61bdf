using System.Text;

namespace SingleCell.Models.Tests.Data;

/// <summary>What one fuzz run saw: how many reads parsed cleanly (with the original values or not), were rejected with the documented exception, and the most bytes one read allocated.</summary>
internal sealed record FuzzCounts(string Label, int Iterations, int CleanSame, int CleanDifferent, int Rejected, long PeakAllocated, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Label}: {Iterations} iterations, {CleanSame + CleanDifferent} clean ({CleanSame} with the original values, {CleanDifferent} different), " +
        $"{Rejected} documented exceptions, peak {PeakAllocated / 1e6:F1} MB allocated in one read, {Elapsed.TotalSeconds:F1} s";
}

/// <summary>
/// Runs a reader on mutated inputs, one read at a time on its own thread, under a time bound and a
/// memory bound (bytes allocated by that thread during the read), and accepts only a clean parse or
/// the documented exception; for inputs protected by checksums a clean parse must give the original values.
/// </summary>
internal static class FuzzHarness
{
    public static readonly TimeSpan PerRead = TimeSpan.FromSeconds(10);

    /// <param name="label">Names the run in messages.</param>
    /// <param name="iterations">Number of mutated inputs.</param>
    /// <param name="prepare">Writes the <paramref name="iterations"/>-th mutated input (given the generator) to disk.</param>
    /// <param name="read">Reads it and returns a fingerprint of the values (compared with <paramref name="original"/>).</param>
    /// <param name="documented">True for the reader's documented exception.</param>
    /// <param name="original">The fingerprint of the unmutated input.</param>
    /// <param name="checksummed">When it returns true for an iteration, a clean parse must equal <paramref name="original"/>.</param>
    /// <param name="memoryBound">The most bytes one read may allocate.</param>
    public static FuzzCounts Run(string label, int iterations, int seed, Action<int, Random> prepare, Func<string> read,
        Func<Exception, bool> documented, string original, Func<int, bool> checksummed, long memoryBound)
    {
        var rng = new Random(seed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int same = 0, different = 0, rejected = 0;
        long peak = 0;
        for (int it = 0; it < iterations; it++)
        {
            prepare(it, rng);
            var (result, error, allocated) = Measure(read, $"{label} iteration {it}");
            peak = Math.Max(peak, allocated);
            if (allocated > memoryBound)
                Assert.Fail($"{label} iteration {it}: one read allocated {allocated:N0} bytes, more than the bound {memoryBound:N0} ({(error is null ? "clean" : error.GetType().Name + ": " + error.Message)}).");
            if (error is null)
            {
                if (result == original) same++;
                else
                {
                    if (checksummed(it)) Assert.Fail($"{label} iteration {it}: a checksummed input parsed cleanly with different values.");
                    different++;
                }
            }
            else if (documented(error)) rejected++;
            else Assert.Fail($"{label} iteration {it}: undocumented {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
        }
        var counts = new FuzzCounts(label, iterations, same, different, rejected, peak, clock.Elapsed);
        TestContext.Out.WriteLine(counts);
        return counts;
    }

    /// <summary>Runs <paramref name="read"/> on a fresh thread; returns its result or exception and the bytes that thread allocated.</summary>
    public static (string? Result, Exception? Error, long Allocated) Measure(Func<string> read, string what)
    {
        string? result = null;
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                result = read();
            }
            catch (Exception e)
            {
                error = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20);
        thread.Start();
        if (!thread.Join(PerRead)) Assert.Fail($"{what}: the read did not finish within {PerRead.TotalSeconds} s (hang).");
        return (result, error, allocated);
    }

    /// <summary>Byte-level mutation: bit flips, zeroed or 0xFF ranges, random bytes, large integers written into aligned words, or a truncation.</summary>
    public static byte[] MutateBytes(byte[] original, Random rng, int from = 0, int to = -1)
    {
        if (to < 0) to = original.Length;
        int kind = rng.Next(6);
        if (kind == 0) return original.AsSpan(0, rng.Next(from == 0 ? 1 : from, to)).ToArray(); // truncation
        var bytes = (byte[])original.Clone();
        int edits = rng.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int pos = rng.Next(from, to);
            switch (kind)
            {
                case 1: bytes[pos] ^= (byte)(1 << rng.Next(8)); break;
                case 2:
                    int len = Math.Min(to - pos, rng.Next(1, 64));
                    bytes.AsSpan(pos, len).Fill(rng.Next(2) == 0 ? (byte)0 : (byte)0xff);
                    break;
                case 3:
                    // A large integer in an aligned 4- or 8-byte word (sizes, counts, addresses).
                    int width = rng.Next(2) == 0 ? 4 : 8;
                    int at = pos & ~(width - 1);
                    if (at < from || at + width > to) break;
                    ulong v = rng.Next(4) switch { 0 => ulong.MaxValue, 1 => 0x7FFF_FFFF, 2 => 0xFFFF_FFFF, _ => (ulong)rng.NextInt64() };
                    for (int k = 0; k < width; k++) bytes[at + k] = (byte)(v >> (8 * k));
                    break;
                case 4:
                    // Eight arbitrary bytes (the issue's reproducer).
                    for (int k = 0; k < 8 && pos + k < to; k++) bytes[pos + k] = (byte)rng.Next(256);
                    break;
                default: bytes[pos] = (byte)rng.Next(256); break;
            }
        }
        return bytes;
    }

    private static readonly string[] s_tokens =
        ["99999999999", "2147483647", "2147483648", "-1", "0", "1.5", "NaN", "-inf", "1e400", "1e39", "", "x", "9223372036854775808", "1500000000"];

    /// <summary>Text mutation: replaces a whitespace- or comma-separated token with a hostile one, or falls back to a byte mutation.</summary>
    public static byte[] MutateText(byte[] original, Random rng)
    {
        if (rng.Next(3) == 0) return MutateBytes(original, rng);
        var text = Encoding.UTF8.GetString(original);
        int edits = rng.Next(1, 3);
        var sb = new StringBuilder(text);
        for (int e = 0; e < edits; e++)
        {
            int pos = rng.Next(sb.Length);
            while (pos > 0 && !IsSeparator(sb[pos - 1])) pos--;
            int end = pos;
            while (end < sb.Length && !IsSeparator(sb[end])) end++;
            sb.Remove(pos, end - pos).Insert(pos, s_tokens[rng.Next(s_tokens.Length)]);
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static bool IsSeparator(char c) => c is ' ' or '\t' or '\n' or ',' or '\r';

    /// <summary>A stable fingerprint of numbers and strings (exact bits of floats).</summary>
    public sealed class Fingerprint
    {
        private ulong _hash = 14695981039346656037;
        private long _bytes;

        public Fingerprint Add(ReadOnlySpan<byte> bytes)
        {
            // FNV-1a over the bytes, then the length, so that boundaries count.
            foreach (byte b in bytes) _hash = (_hash ^ b) * 1099511628211;
            _hash = (_hash ^ (ulong)bytes.Length) * 1099511628211;
            _bytes += bytes.Length;
            return this;
        }

        public Fingerprint Add<T>(T[] values) where T : unmanaged => Add(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));

        public Fingerprint Add(IEnumerable<string?> strings)
        {
            foreach (var s in strings) Add(Encoding.UTF8.GetBytes((s ?? "\u0001null") + "\u0000"));
            return this;
        }

        public override string ToString() => $"{_hash:x16}/{_bytes}";
    }
}
