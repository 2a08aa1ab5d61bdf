using System.IO.Compression;

namespace SingleCell.Models.Data.Formats;

/// <summary>
/// Opens a text input that may be gzip-compressed (detected by its magic bytes, whatever its name)
/// and verifies the gzip trailer: the CRC-32 and length (ISIZE) of everything decompressed must
/// match the last eight bytes of the file, so a truncated or damaged <c>.gz</c> never reads as
/// shorter or different text.
/// </summary>
internal static class CompressedInput
{
    /// <summary>Opens <paramref name="path"/>; decompression errors become <paramref name="error"/>(problem).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Stream Open(string path, Func<string, Exception> error)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"File '{path}' does not exist.", path);
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        int b0 = fs.ReadByte(), b1 = fs.ReadByte();
        fs.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new BufferedStream(new VerifiedGzipStream(fs, error), 1 << 16) : fs;
    }

    /// <summary>A <see cref="DataFormatException"/> factory for <paramref name="path"/> (no line).</summary>
    public static Func<string, Exception> DataError(string path) => problem => new DataFormatException(path, 0, problem);
}

/// <summary>Decompresses gzip and checks CRC-32 and ISIZE against the file's trailer at the end of the data.</summary>
internal sealed class VerifiedGzipStream : Stream
{
    // The empty block that ends every BGZF file (bgzip); BGZF is a series of gzip members whose
    // trailers the inflater checks one by one, and a truncation would remove this block.
    private static readonly byte[] s_bgzfEof =
        [0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0, 0x42, 0x43, 0x02, 0, 0x1b, 0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private readonly FileStream _file;
    private readonly GZipStream _gzip;
    private readonly Func<string, Exception> _error;
    private uint _crc;
    private long _length;
    private bool _verified;

    public VerifiedGzipStream(FileStream file, Func<string, Exception> error)
    {
        _file = file;
        _gzip = new GZipStream(file, CompressionMode.Decompress);
        _error = error;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw _error($"the gzip stream is damaged after {_length} decompressed bytes ({e.Message}).");
        }
        if (n > 0)
        {
            _crc = Checksums.Crc32(_crc, buffer[..n]);
            _length += n;
        }
        else if (buffer.Length > 0 && !_verified)
        {
            Verify();
            _verified = true;
        }
        return n;
    }

    private void Verify()
    {
        long fileLength = _file.Length;
        if (fileLength < 18) throw _error($"the gzip file of {fileLength} bytes is truncated.");
        var tail = new byte[Math.Min(28, (int)fileLength)];
        RandomAccess.Read(_file.SafeFileHandle, tail, fileLength - tail.Length);
        uint crc = BitConverter.ToUInt32(tail, tail.Length - 8), size = BitConverter.ToUInt32(tail, tail.Length - 4);
        if (crc == _crc && size == (uint)_length) return;
        if (tail.AsSpan().SequenceEqual(s_bgzfEof)) return;
        throw _error($"gzip trailer mismatch: the file records CRC-32 {crc:x8} and length {size} but {_length} bytes with CRC-32 {_crc:x8} were decompressed; the file is truncated or damaged.");
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _gzip.Dispose();
        base.Dispose(disposing);
    }
}
