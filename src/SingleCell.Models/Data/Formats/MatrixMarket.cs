using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SingleCell.Models.Data.Formats;

/// <summary>The header of a MatrixMarket coordinate file.</summary>
/// <param name="Field">The field: <c>integer</c>, <c>real</c> or <c>pattern</c>.</param>
/// <param name="Symmetry">The symmetry: <c>general</c> or <c>symmetric</c>.</param>
/// <param name="Comments">The <c>%</c> comment lines after the banner, without the leading <c>%</c>.</param>
public sealed record MatrixMarketHeader(string Field, string Symmetry, IReadOnlyList<string> Comments);

/// <summary>Reads and writes MatrixMarket coordinate files (<c>.mtx</c>, optionally gzip-compressed).</summary>
/// <remarks>
/// Supports the <c>integer</c>, <c>real</c> and <c>pattern</c> fields and the <c>general</c> and
/// <c>symmetric</c> symmetries. Lines starting with <c>%</c> (including <c>%%metadata</c> lines
/// written by Cell Ranger) are comments. The matrix is returned as stored: file rows are matrix rows.
/// </remarks>
public static class MatrixMarket
{
    /// <summary>Reads a MatrixMarket file; gzip input (detected by its magic bytes) is decompressed and its CRC-32 verified.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a valid coordinate MatrixMarket file, or its gzip data is damaged; the message names the file and line.</exception>
    public static CellMatrix Read(string path, CancellationToken cancellationToken = default) => Read(path, out _, cancellationToken);

    /// <summary>Reads a MatrixMarket file and its header; gzip input is decompressed and its CRC-32 verified.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="header">Receives the banner fields and comments.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a valid coordinate MatrixMarket file, or its gzip data is damaged; the message names the file and line.</exception>
    public static CellMatrix Read(string path, out MatrixMarketHeader header, CancellationToken cancellationToken = default)
    {
        using var stream = CompressedInput.Open(path, CompressedInput.DataError(path));
        return MatrixMarketReader.Read(stream, path, new FileInfo(path).Length, out header, null, cancellationToken);
    }

    /// <summary>Reads a MatrixMarket coordinate matrix from an uncompressed stream.</summary>
    /// <param name="stream">The stream, positioned at the banner.</param>
    /// <param name="header">Receives the banner fields and comments.</param>
    /// <param name="progress">Reports the number of entries read (every 65,536 entries).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="DataFormatException">The stream is not a valid coordinate MatrixMarket file (the file name in the message is <c>(stream)</c>).</exception>
    /// <remarks>
    /// Indices must be integers within the declared size; <c>integer</c> values must be integers;
    /// <c>real</c> values must be finite (<c>nan</c>, <c>inf</c> and numbers beyond the float32 range are
    /// errors); a <c>symmetric</c> matrix must be square with entries on or below the diagonal. The
    /// declared rows plus columns may be at most 2^24 + 256 × the input's size in bytes (a file that
    /// declares more is almost all empty rows; a stream that cannot seek counts as size 0), so a damaged
    /// size line cannot allocate gigabytes.
    /// </remarks>
    public static CellMatrix Read(Stream stream, out MatrixMarketHeader header, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long size = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;
        return MatrixMarketReader.Read(stream, "(stream)", size, out header, progress, cancellationToken);
    }

    /// <summary>Writes <paramref name="matrix"/> as a MatrixMarket coordinate file; a name ending in <c>.gz</c> is compressed.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="matrix">The matrix; rows become file rows.</param>
    /// <param name="field"><c>integer</c> (values must be whole numbers) or <c>real</c>; null picks <c>integer</c> when all values are whole.</param>
    /// <param name="comments">Optional comment lines (written after <c>%</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="field"/> is invalid, or <c>integer</c> with a non-integral value.</exception>
    public static void Write(string path, CellMatrix matrix, string? field = null, IEnumerable<string>? comments = null)
    {
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file;
        Write(stream, matrix, field, comments);
    }

    /// <summary>Writes <paramref name="matrix"/> as a MatrixMarket coordinate file to a stream.</summary>
    /// <param name="stream">The destination stream (left open).</param>
    /// <param name="matrix">The matrix; rows become file rows.</param>
    /// <param name="field"><c>integer</c> or <c>real</c>; null picks <c>integer</c> when all values are whole.</param>
    /// <param name="comments">Optional comment lines.</param>
    /// <exception cref="ArgumentException"><paramref name="field"/> is invalid, or <c>integer</c> with a non-integral value.</exception>
    public static void Write(Stream stream, CellMatrix matrix, string? field = null, IEnumerable<string>? comments = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(matrix);
        bool allWhole = true;
        foreach (float v in matrix.Values) if (v != MathF.Round(v)) { allWhole = false; break; }
        field ??= allWhole ? "integer" : "real";
        if (field is not ("integer" or "real")) throw new ArgumentException($"Field must be 'integer' or 'real', not '{field}'.", nameof(field));
        if (field == "integer" && !allWhole) throw new ArgumentException("The matrix has non-integral values; write it as 'real'.", nameof(field));
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        w.WriteLine($"%%MatrixMarket matrix coordinate {field} general");
        if (comments != null) foreach (var c in comments) w.WriteLine("%" + c);
        w.WriteLine($"{matrix.Rows} {matrix.Columns} {matrix.NonZeroCount}");
        var ci = CultureInfo.InvariantCulture;
        for (int r = 0; r < matrix.Rows; r++)
        {
            var idx = matrix.RowIndices(r);
            var val = matrix.RowValues(r);
            for (int k = 0; k < idx.Length; k++)
            {
                w.Write(r + 1); w.Write(' '); w.Write(idx[k] + 1); w.Write(' ');
                w.WriteLine(field == "integer" ? ((long)val[k]).ToString(ci) : val[k].ToString("R", ci));
            }
        }
    }
}
