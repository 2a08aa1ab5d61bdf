namespace SingleCell.Models.Data;

/// <summary>The checksums that compressed inputs carry: CRC-32 (gzip) and Adler-32 (zlib).</summary>
internal static class Checksums
{
    private static readonly uint[] s_crcTable = BuildCrcTable();

    /// <summary>Continues a CRC-32 (IEEE 802.3, reflected, as in gzip) over <paramref name="data"/>; start from 0.</summary>
    public static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        var t = s_crcTable;
        uint c = ~crc;
        int i = 0;
        // Slicing by 4: four table lookups per 32-bit word.
        for (; i + 4 <= data.Length; i += 4)
        {
            c ^= (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            c = t[768 + (int)(c & 0xff)] ^ t[512 + (int)((c >> 8) & 0xff)] ^ t[256 + (int)((c >> 16) & 0xff)] ^ t[(int)(c >> 24)];
        }
        for (; i < data.Length; i++) c = t[(int)((c ^ data[i]) & 0xff)] ^ (c >> 8);
        return ~c;
    }

    /// <summary>The Adler-32 of <paramref name="data"/> (RFC 1950), the checksum at the end of a zlib stream.</summary>
    public static uint Adler32(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        const int NMax = 5552; // largest n with 255n(n+1)/2 + (n+1)(Mod-1) < 2^32
        uint a = 1, b = 0;
        while (data.Length > 0)
        {
            int n = Math.Min(NMax, data.Length);
            foreach (byte x in data[..n])
            {
                a += x;
                b += a;
            }
            a %= Mod;
            b %= Mod;
            data = data[n..];
        }
        return (b << 16) | a;
    }

    private static uint[] BuildCrcTable()
    {
        var t = new uint[1024];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int n = 0; n < 256; n++)
            for (int s = 1; s < 4; s++) t[s * 256 + n] = t[(s - 1) * 256 + n] >> 8 ^ t[t[(s - 1) * 256 + n] & 0xff];
        return t;
    }
}
