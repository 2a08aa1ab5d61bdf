using System.Runtime.InteropServices;
using System.Text;

namespace SingleCell.Models.Data.Formats;

/// <summary>The MatrixMarket coordinate parser behind <see cref="MatrixMarket"/>: every problem is a <see cref="DataFormatException"/> naming the file and line.</summary>
internal static class MatrixMarketReader
{
    /// <summary>Rows plus columns a file may declare beyond 256 per byte of input (see <see cref="MatrixMarket.Read(Stream, out MatrixMarketHeader, IProgress{long}?, CancellationToken)"/>).</summary>
    public const long DimensionFloor = 1 << 24;

    public static CellMatrix Read(Stream stream, string name, long inputBytes, out MatrixMarketHeader header, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        long lineNumber = 1;
        DataFormatException Error(string problem) => new(name, lineNumber, problem);
        string banner = reader.ReadLine() ?? throw new DataFormatException(name, 0, "the file is empty; a MatrixMarket banner was expected.");
        var parts = banner.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 5 || !parts[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase) || !parts[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
            throw Error($"not a MatrixMarket banner: '{TextNumbers.Show(banner)}'.");
        if (!parts[2].Equals("coordinate", StringComparison.OrdinalIgnoreCase))
            throw Error($"only coordinate MatrixMarket files are supported, not '{TextNumbers.Show(parts[2])}'.");
        string field = parts[3].ToLowerInvariant(), symmetry = parts[4].ToLowerInvariant();
        if (field is not ("integer" or "real" or "pattern" or "double"))
            throw Error($"unsupported MatrixMarket field '{TextNumbers.Show(field)}' (integer, real, double and pattern are read).");
        if (symmetry is not ("general" or "symmetric"))
            throw Error($"unsupported MatrixMarket symmetry '{TextNumbers.Show(symmetry)}' (general and symmetric are read).");
        var comments = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) != null && (line.Length == 0 || line[0] == '%'))
        {
            lineNumber++;
            if (line.Length > 0) comments.Add(line[1..]);
        }
        lineNumber++;
        if (line == null) throw new DataFormatException(name, 0, "the file has no size line.");
        var sizeSpan = line.AsSpan();
        var t0 = TextNumbers.NextToken(ref sizeSpan);
        var t1 = TextNumbers.NextToken(ref sizeSpan);
        var t2 = TextNumbers.NextToken(ref sizeSpan);
        if (!TextNumbers.NextToken(ref sizeSpan).IsEmpty || !TextNumbers.TryInteger(t0, out long rows) || !TextNumbers.TryInteger(t1, out long columns)
            || !TextNumbers.TryInteger(t2, out long declared) || rows < 0 || columns < 0 || declared < 0)
            throw Error($"bad size line '{TextNumbers.Show(line)}': expected three non-negative integers (rows, columns, entries).");
        long maxDimensions = DimensionFloor + 256 * Math.Min(inputBytes, long.MaxValue / 1024);
        if (rows + columns > maxDimensions || rows >= Array.MaxLength || columns >= Array.MaxLength)
            throw Error($"the size line declares {rows} × {columns}; an input of {inputBytes} bytes may declare at most {maxDimensions} rows plus columns.");
        bool symmetric = symmetry == "symmetric", pattern = field == "pattern", integer = field == "integer";
        if (symmetric && rows != columns) throw Error($"a symmetric matrix must be square, not {rows} × {columns}.");
        // Lists grow with what is read; the declared count never sizes an allocation.
        int capacity = (int)Math.Min(declared, 4096);
        var ri = new List<int>(capacity);
        var ci = new List<int>(capacity);
        var vs = new List<float>(capacity);
        long read = 0;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '%') continue;
            if ((read & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(read);
            }
            if (read == declared) throw Error($"more entries than the {declared} the size line declares.");
            var span = line.AsSpan();
            var rt = TextNumbers.NextToken(ref span);
            var ct = TextNumbers.NextToken(ref span);
            var vt = pattern ? [] : TextNumbers.NextToken(ref span);
            if (rt.IsEmpty || ct.IsEmpty || (!pattern && vt.IsEmpty) || !TextNumbers.NextToken(ref span).IsEmpty)
                throw Error($"entry '{TextNumbers.Show(line)}' should hold {(pattern ? "two indices" : "two indices and a value")}.");
            if (!TextNumbers.TryInteger(rt, out long r) || !TextNumbers.TryInteger(ct, out long c))
                throw Error($"indices '{TextNumbers.Show(rt)} {TextNumbers.Show(ct)}' are not integers.");
            if (r < 1 || r > rows || c < 1 || c > columns)
                throw Error($"entry ({r}, {c}) is outside the declared {rows} × {columns} matrix (indices are 1-based).");
            if (symmetric && r < c) throw Error($"entry ({r}, {c}) is above the diagonal; a symmetric file stores the lower triangle only.");
            float v = 1f;
            if (integer)
            {
                if (!TextNumbers.TryInteger(vt, out long iv)) throw Error($"value '{TextNumbers.Show(vt)}' is not an integer, as the 'integer' field requires.");
                v = iv;
            }
            else if (!pattern && !TextNumbers.TryFiniteSingle(vt, out v))
                throw Error($"value '{TextNumbers.Show(vt)}' is not a finite number within the float32 range.");
            ri.Add((int)r - 1); ci.Add((int)c - 1); vs.Add(v);
            if (symmetric && r != c) { ri.Add((int)c - 1); ci.Add((int)r - 1); vs.Add(v); }
            read++;
        }
        if (read != declared) throw new DataFormatException(name, 0, $"the size line declares {declared} entries but the file holds {read}.");
        header = new MatrixMarketHeader(field, symmetry, comments);
        return CellMatrixOperations.FromCoordinates((int)rows, (int)columns, CollectionsMarshal.AsSpan(ri), CollectionsMarshal.AsSpan(ci), CollectionsMarshal.AsSpan(vs));
    }
}
