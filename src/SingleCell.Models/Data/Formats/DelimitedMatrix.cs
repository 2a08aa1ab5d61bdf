using System.Globalization;

namespace SingleCell.Models.Data.Formats;

/// <summary>A dense table read from CSV/TSV as a cells × genes matrix with names.</summary>
/// <param name="Matrix">Cells × genes values.</param>
/// <param name="CellNames">Row names.</param>
/// <param name="GeneNames">Column names.</param>
public sealed record NamedMatrix(CellMatrix Matrix, IReadOnlyList<string> CellNames, IReadOnlyList<string> GeneNames);

/// <summary>Reads and writes dense delimited matrices (header row of names, first column of names).</summary>
public static class DelimitedMatrix
{
    /// <summary>Reads a CSV/TSV file (gzip, detected by its magic bytes, is decompressed and its CRC-32 verified); the delimiter is guessed from the header (tab, else comma).</summary>
    /// <param name="path">The file path.</param>
    /// <param name="genesByCells">True when rows are genes and columns cells (the result is transposed to cells × genes).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is empty, a row has the wrong number of fields, a value is not a finite
    /// number within the float32 range (<c>nan</c>, <c>inf</c>, <c>1e400</c> are errors), or its gzip data is damaged; the message names the file and line.</exception>
    public static NamedMatrix Read(string path, bool genesByCells = false)
    {
        using var stream = CompressedInput.Open(path, CompressedInput.DataError(path));
        using var reader = new StreamReader(stream);
        string header = reader.ReadLine() ?? throw new DataFormatException(path, 0, "the file is empty; a header row of names was expected.");
        char sep = header.Contains('\t') ? '\t' : ',';
        var columns = header.Split(sep).Skip(1).Select(Unquote).ToArray();
        var rowNames = new List<string>();
        var dense = new List<float>();
        string? line;
        long lineNumber = 1;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var f = line.Split(sep);
            if (f.Length != columns.Length + 1)
                throw new DataFormatException(path, lineNumber, $"{f.Length} fields; the header has {columns.Length + 1}.");
            if ((long)(rowNames.Count + 1) * columns.Length > Array.MaxLength)
                throw new DataFormatException(path, lineNumber, $"the table exceeds {Array.MaxLength} values, the most one matrix holds.");
            rowNames.Add(Unquote(f[0]));
            for (int j = 1; j < f.Length; j++)
            {
                if (!TextNumbers.TryFiniteSingle(f[j], out float v))
                    throw new DataFormatException(path, lineNumber, $"column '{TextNumbers.Show(columns[j - 1])}': '{TextNumbers.Show(f[j])}' is not a finite number within the float32 range.");
                dense.Add(v);
            }
        }
        var m = CellMatrix.FromDense(dense.ToArray(), rowNames.Count, columns.Length);
        return genesByCells ? new NamedMatrix(m.Transpose(), columns, rowNames) : new NamedMatrix(m, rowNames, columns);
    }

    /// <summary>Writes a cells × genes matrix as CSV (or TSV when <paramref name="separator"/> is a tab).</summary>
    /// <param name="path">The file path.</param>
    /// <param name="data">The matrix and names.</param>
    /// <param name="separator">Field separator.</param>
    public static void Write(string path, NamedMatrix data, char separator = ',')
    {
        ArgumentNullException.ThrowIfNull(data);
        using var w = new StreamWriter(path) { NewLine = "\n" };
        w.WriteLine("cell" + separator + string.Join(separator, data.GeneNames));
        var row = new float[data.Matrix.Columns];
        for (int r = 0; r < data.Matrix.Rows; r++)
        {
            data.Matrix.DensifyRows([r], row);
            w.WriteLine(data.CellNames[r] + separator + string.Join(separator, row.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
    }

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;
}
