using System.IO.Compression;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>Parses filter pipeline messages and undoes the filters of one chunk (deflate, shuffle, fletcher32, LZF).</summary>
internal static class FilterPipeline
{
    public const int Deflate = 1, Shuffle = 2, Fletcher32 = 3, Lzf = 32000;

    internal readonly record struct Filter(int Id, bool Optional, uint[] Values);

    public static Filter[] Parse(byte[] body, Hdf5File file, string path)
    {
        var r = new ByteReader(body, file, path);
        int version = r.U8();
        int n = r.U8();
        if (version == 1) r.Skip(6);
        else if (version != 2) throw file.Error(path, $"filter pipeline version {version} is not supported.");
        var filters = new Filter[n];
        for (int i = 0; i < n; i++)
        {
            int id = r.U16();
            int nameLength = version == 1 || id >= 256 ? r.U16() : 0;
            int flags = r.U16();
            int nValues = r.U16();
            if (version == 1) r.Skip((nameLength + 7) & ~7);
            else r.Skip(nameLength);
            var values = new uint[nValues];
            for (int k = 0; k < nValues; k++) values[k] = r.U32();
            if (version == 1 && nValues % 2 == 1) r.Skip(4);
            if (id is not (Deflate or Shuffle or Fletcher32 or Lzf))
                throw file.Error(path, $"filter {id} is not supported (deflate, shuffle, fletcher32 and LZF are).");
            filters[i] = new Filter(id, (flags & 1) != 0, values);
        }
        return filters;
    }

    /// <summary>
    /// Undoes the filters of a stored chunk, returning exactly <paramref name="expected"/> bytes. Each
    /// stage must produce exactly the size the layout implies (plus four bytes for every fletcher32
    /// checksum still to be removed); deflate streams are decoded to their end and their Adler-32 checked.
    /// </summary>
    public static byte[] Decode(IReadOnlyList<Filter> filters, uint mask, byte[] data, int expected, int elementSize, Hdf5File file, string path)
    {
        for (int i = filters.Count - 1; i >= 0; i--)
        {
            if ((mask & (1u << i)) != 0) continue;
            var f = filters[i];
            long stageExpected = expected;
            for (int k = 0; k < i; k++)
                if ((mask & (1u << k)) == 0 && filters[k].Id == Fletcher32) stageExpected += 4;
            if (stageExpected > int.MaxValue - 64) throw file.Error(path, "chunk is larger than 2 GB.");
            data = f.Id switch
            {
                Deflate => Inflate(data, (int)stageExpected, file, path),
                Shuffle => Unshuffle(data, f.Values.Length > 0 ? (int)f.Values[0] : elementSize),
                Fletcher32 => CheckFletcher(data, file, path),
                Lzf => LzfDecoder.Decode(data, (int)stageExpected, file, path),
                _ => throw file.Error(path, $"filter {f.Id} is not supported."),
            };
        }
        if (data.Length != expected) throw file.Error(path, $"chunk decoded to {data.Length} bytes; its layout implies {expected}.");
        return data;
    }

    /// <summary>The most bytes <paramref name="stored"/> bytes can decode to through the filters (deflate at most 1032:1, LZF 88:1).</summary>
    public static long MaxDecodedSize(IReadOnlyList<Filter> filters, uint mask, long stored)
    {
        long size = Math.Clamp(stored, 0, int.MaxValue);
        for (int i = 0; i < filters.Count; i++)
        {
            if ((mask & (1u << i)) != 0) continue;
            size = filters[i].Id switch
            {
                Deflate => size * 1032 + 64,
                Lzf => size * 88 + 64,
                _ => size,
            };
        }
        return size;
    }

    /// <summary>
    /// Inflates a whole zlib stream, growing the output from what is decoded (never from the declared
    /// size alone), and checks that it decodes to exactly <paramref name="expected"/> bytes whose
    /// Adler-32 matches the stream's trailer (the last four bytes of the chunk).
    /// </summary>
    private static byte[] Inflate(byte[] data, int expected, Hdf5File file, string path)
    {
        if (data.Length < 6) throw file.Error(path, $"deflate chunk of {data.Length} bytes is shorter than a zlib stream.");
        if (expected > (long)data.Length * 1032 + 64)
            throw file.Error(path, $"a deflate chunk of {data.Length} bytes cannot decode to the {expected} bytes its layout implies.");
        byte[] output;
        int done = 0;
        try
        {
            output = new byte[Math.Min(expected, Math.Max(1 << 16, data.Length * 8L))];
            using var z = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
            var probe = new byte[1];
            while (true)
            {
                if (done == output.Length)
                {
                    if (done == expected)
                    {
                        // Decode one byte more to reach the end of the stream (and its checksum); anything more is an error.
                        if (z.Read(probe, 0, 1) != 0) throw file.Error(path, $"deflate stream decodes to more than the {expected} bytes its layout implies.");
                        break;
                    }
                    Array.Resize(ref output, (int)Math.Min(expected, output.Length * 2L));
                }
                int n = z.Read(output, done, output.Length - done);
                if (n == 0) break;
                done += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw file.Error(path, $"corrupt deflate stream in a chunk: {e.Message}", e);
        }
        if (done != expected) throw file.Error(path, $"deflate stream decodes to {done} bytes; the layout implies {expected}.");
        uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(data.Length - 4));
        uint computed = Checksums.Adler32(output);
        if (stored != computed) throw file.Error(path, $"deflate chunk fails its Adler-32 check (stored {stored:x8}, computed {computed:x8}): the chunk is truncated or damaged.");
        return output;
    }

    private static byte[] Unshuffle(byte[] data, int elementSize)
    {
        if (elementSize <= 1) return data;
        int n = data.Length / elementSize;
        var output = new byte[data.Length];
        for (int b = 0; b < elementSize; b++)
        {
            int src = b * n;
            for (int i = 0; i < n; i++) output[i * elementSize + b] = data[src + i];
        }
        Array.Copy(data, n * elementSize, output, n * elementSize, data.Length - n * elementSize);
        return output;
    }

    private static byte[] CheckFletcher(byte[] data, Hdf5File file, string path)
    {
        if (data.Length < 4) throw file.Error(path, "fletcher32 chunk is shorter than its checksum.");
        int n = data.Length - 4;
        uint sum = Fletcher32Checksum(data.AsSpan(0, n));
        uint stored = BitConverter.ToUInt32(data, n);
        uint swapped = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(stored);
        if (sum != stored && sum != swapped) throw file.Error(path, $"fletcher32 checksum mismatch (stored {stored:x8}, computed {sum:x8}).");
        return data[..n];
    }

    internal static uint Fletcher32Checksum(ReadOnlySpan<byte> data)
    {
        uint sum1 = 0, sum2 = 0;
        int words = data.Length / 2, i = 0;
        while (words > 0)
        {
            int block = Math.Min(words, 360);
            words -= block;
            for (int k = 0; k < block; k++, i += 2)
            {
                sum1 += (uint)((data[i] << 8) | data[i + 1]);
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        }
        if ((data.Length & 1) != 0)
        {
            sum1 += (uint)(data[^1] << 8);
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
        return (sum2 << 16) | sum1;
    }
}

/// <summary>Decoder for LZF (liblzf's format as used by h5py's filter 32000).</summary>
internal static class LzfDecoder
{
    public static byte[] Decode(byte[] input, int expected, Hdf5File file, string path)
    {
        if (expected > (long)input.Length * 88 + 64)
            throw file.Error(path, $"an LZF chunk of {input.Length} bytes cannot decode to the {expected} bytes its layout implies.");
        var output = new byte[expected];
        int ip = 0, op = 0;
        while (ip < input.Length)
        {
            int ctrl = input[ip++];
            if (ctrl < 32)
            {
                int len = ctrl + 1;
                if (op + len > output.Length || ip + len > input.Length) throw file.Error(path, "LZF literal run overruns its buffer.");
                Buffer.BlockCopy(input, ip, output, op, len);
                ip += len;
                op += len;
            }
            else
            {
                int len = ctrl >> 5;
                if (len == 7)
                {
                    if (ip >= input.Length) throw file.Error(path, "LZF stream truncated.");
                    len += input[ip++];
                }
                if (ip >= input.Length) throw file.Error(path, "LZF stream truncated.");
                int reference = op - ((ctrl & 0x1f) << 8) - input[ip++] - 1;
                len += 2;
                if (reference < 0 || op + len > output.Length) throw file.Error(path, "LZF back-reference is out of range.");
                for (int k = 0; k < len; k++) output[op++] = output[reference++];
            }
        }
        if (op != expected) throw file.Error(path, $"LZF chunk decoded to {op} bytes; {expected} were expected.");
        return output;
    }
}
