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
    /// <summary>Reads a MatrixMarket file; a name ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FormatException">The file is not a valid coordinate MatrixMarket file.</exception>
    public static CellMatrix Read(string path, CancellationToken cancellationToken = default) => Read(path, out _, cancellationToken);

    /// <summary>Reads a MatrixMarket file and its header; a name ending in <c>.gz</c> is decompressed.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="header">Receives the banner fields and comments.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FormatException">The file is not a valid coordinate MatrixMarket file.</exception>
    public static CellMatrix Read(string path, out MatrixMarketHeader header, CancellationToken cancellationToken = default)
    {
        using var stream = OpenMaybeGzip(path);
        return Read(stream, out header, null, cancellationToken);
    }

    /// <summary>Reads a MatrixMarket coordinate matrix from an uncompressed stream.</summary>
    /// <param name="stream">The stream, positioned at the banner.</param>
    /// <param name="header">Receives the banner fields and comments.</param>
    /// <param name="progress">Reports the number of entries read (every 65,536 entries).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FormatException">The stream is not a valid coordinate MatrixMarket file.</exception>
    public static CellMatrix Read(Stream stream, out MatrixMarketHeader header, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        string banner = reader.ReadLine() ?? throw new FormatException("Empty MatrixMarket file.");
        var parts = banner.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || !parts[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase) || !parts[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"Not a MatrixMarket banner: '{banner}'.");
        if (!parts[2].Equals("coordinate", StringComparison.OrdinalIgnoreCase))
            throw new FormatException($"Only coordinate MatrixMarket files are supported, not '{parts[2]}'.");
        string field = parts[3].ToLowerInvariant(), symmetry = parts[4].ToLowerInvariant();
        if (field is not ("integer" or "real" or "pattern" or "double"))
            throw new FormatException($"Unsupported MatrixMarket field '{field}'.");
        if (symmetry is not ("general" or "symmetric"))
            throw new FormatException($"Unsupported MatrixMarket symmetry '{symmetry}'.");
        var comments = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) != null && (line.Length == 0 || line[0] == '%'))
            if (line.Length > 0) comments.Add(line[1..]);
        if (line == null) throw new FormatException("MatrixMarket file has no size line.");
        var size = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (size.Length != 3) throw new FormatException($"Bad MatrixMarket size line '{line}'.");
        if (!int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rows)
            || !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int columns)
            || !long.TryParse(size[2], NumberStyles.None, CultureInfo.InvariantCulture, out long declared))
            throw new FormatException($"Bad MatrixMarket size line '{line}': expected three non-negative integers (rows, columns, entries).");
        bool symmetric = symmetry == "symmetric", pattern = field == "pattern";
        // The declared count only sizes the first allocation; the lists grow with what is actually read.
        int capacity = (int)Math.Min(declared * (symmetric ? 2 : 1), 1 << 20);
        var ri = new List<int>(capacity);
        var ci = new List<int>(capacity);
        var vs = new List<float>(capacity);
        long read = 0, lineNumber = 0;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '%') continue;
            if ((read & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(read);
            }
            var span = line.AsSpan();
            int r = (int)NextNumber(ref span, lineNumber) - 1;
            int c = (int)NextNumber(ref span, lineNumber) - 1;
            float v = pattern ? 1f : (float)NextNumber(ref span, lineNumber);
            if ((uint)r >= (uint)rows || (uint)c >= (uint)columns)
                throw new FormatException($"Entry {read + 1} at ({r + 1}, {c + 1}) is outside the declared {rows} × {columns} matrix.");
            ri.Add(r); ci.Add(c); vs.Add(v);
            if (symmetric && r != c) { ri.Add(c); ci.Add(r); vs.Add(v); }
            read++;
        }
        if (read != declared) throw new FormatException($"MatrixMarket file declares {declared} entries but holds {read}.");
        header = new MatrixMarketHeader(field, symmetry, comments);
        return CellMatrixOperations.FromCoordinates(rows, columns,
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ri),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ci),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(vs));
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

    internal static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static double NextNumber(ref ReadOnlySpan<char> span, long lineNumber)
    {
        span = span.TrimStart();
        int end = span.IndexOfAny(' ', '\t');
        var token = end < 0 ? span : span[..end];
        span = end < 0 ? ReadOnlySpan<char>.Empty : span[end..];
        if (token.IsEmpty || !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
            throw new FormatException($"Bad number '{token.ToString()}' on data line {lineNumber}.");
        return x;
    }
}
