namespace SingleCell.Models.Data.Formats;

/// <summary>A 10x Genomics matrix read from an MTX folder: cells × genes counts with their names.</summary>
/// <param name="Counts">Cells × genes counts (the file stores genes × cells; this is transposed).</param>
/// <param name="Barcodes">Cell barcodes, one per row.</param>
/// <param name="GeneIds">Gene (feature) ids, one per column.</param>
/// <param name="GeneNames">Gene symbols (equal to the ids when the file has one column).</param>
/// <param name="FeatureTypes">Feature types (e.g. <c>Gene Expression</c>); <c>Gene Expression</c> for old <c>genes.tsv</c> files.</param>
public sealed record TenXMatrix(CellMatrix Counts, IReadOnlyList<string> Barcodes, IReadOnlyList<string> GeneIds,
    IReadOnlyList<string> GeneNames, IReadOnlyList<string> FeatureTypes);

/// <summary>Reads Cell Ranger MTX folders (<c>matrix.mtx[.gz]</c>, <c>features.tsv[.gz]</c> or <c>genes.tsv</c>, <c>barcodes.tsv[.gz]</c>).</summary>
public static class TenXMtx
{
    /// <summary>Reads a 10x MTX folder.</summary>
    /// <param name="folder">The folder holding the three files.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed or its gzip data damaged (see <see cref="MatrixMarket"/>), or the files disagree in size; the message names the file.</exception>
    public static TenXMatrix ReadFolder(string folder, CancellationToken cancellationToken = default)
    {
        string matrixPath = Find(folder, "matrix.mtx");
        string featuresPath = TryFind(folder, "features.tsv") ?? Find(folder, "genes.tsv");
        string barcodesPath = Find(folder, "barcodes.tsv");
        var genesByCells = MatrixMarket.Read(matrixPath, cancellationToken);
        var features = ReadLines(featuresPath);
        var barcodes = ReadLines(barcodesPath);
        if (features.Count != genesByCells.Rows)
            throw new DataFormatException(featuresPath, 0, $"{features.Count} lines, but {Path.GetFileName(matrixPath)} has {genesByCells.Rows} rows (features).");
        if (barcodes.Count != genesByCells.Columns)
            throw new DataFormatException(barcodesPath, 0, $"{barcodes.Count} lines, but {Path.GetFileName(matrixPath)} has {genesByCells.Columns} columns (barcodes).");
        var ids = new string[features.Count];
        var names = new string[features.Count];
        var types = new string[features.Count];
        for (int i = 0; i < features.Count; i++)
        {
            var f = features[i].Split('\t');
            ids[i] = f[0];
            names[i] = f.Length > 1 ? f[1] : f[0];
            types[i] = f.Length > 2 ? f[2] : "Gene Expression";
        }
        return new TenXMatrix(genesByCells.Transpose(), barcodes, ids, names, types);
    }

    /// <summary>Reads the non-empty lines of a text file (gzip, detected by its magic bytes, is decompressed and its CRC-32 verified).</summary>
    /// <param name="path">The file path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The gzip data is damaged or truncated.</exception>
    public static List<string> ReadLines(string path)
    {
        using var stream = CompressedInput.Open(path, CompressedInput.DataError(path));
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) != null) if (line.Length > 0) lines.Add(line);
        return lines;
    }

    private static string? TryFind(string folder, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            string p = Path.Combine(folder, candidate);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    private static string Find(string folder, string name) =>
        TryFind(folder, name) ?? throw new FileNotFoundException($"Neither {name} nor {name}.gz is in '{folder}'.", Path.Combine(folder, name));
}
