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
    /// <summary>Reads a CSV/TSV file (gzip when the name ends in <c>.gz</c>); the delimiter is guessed from the header (tab, else comma).</summary>
    /// <param name="path">The file path.</param>
    /// <param name="genesByCells">True when rows are genes and columns cells (the result is transposed to cells × genes).</param>
    /// <exception cref="FormatException">A row has the wrong number of fields or a value is not a number.</exception>
    public static NamedMatrix Read(string path, bool genesByCells = false)
    {
        using var stream = MatrixMarket.OpenMaybeGzip(path);
        using var reader = new StreamReader(stream);
        string header = reader.ReadLine() ?? throw new FormatException("Empty file.");
        char sep = header.Contains('\t') ? '\t' : ',';
        var columns = header.Split(sep).Skip(1).Select(Unquote).ToArray();
        var rowNames = new List<string>();
        var dense = new List<float>();
        string? line;
        int lineNumber = 1;
        while ((line = reader.ReadLine()) != null)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var f = line.Split(sep);
            if (f.Length != columns.Length + 1) throw new FormatException($"Line {lineNumber} has {f.Length} fields; expected {columns.Length + 1}.");
            rowNames.Add(Unquote(f[0]));
            for (int j = 1; j < f.Length; j++)
            {
                if (!float.TryParse(f[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                    throw new FormatException($"Line {lineNumber}, column '{columns[j - 1]}': '{f[j]}' is not a number.");
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
