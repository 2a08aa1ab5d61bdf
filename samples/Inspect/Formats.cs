using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace Inspect;

/// <summary>The file formats Inspect understands. Adding a format is one line here.</summary>
internal static class Formats
{
    public static readonly (string Name, Func<string, bool> Matches, Func<string, AnnData> Load)[] All =
    [
        ("AnnData h5ad", p => p.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase), p => AnnData.Read(p)),
        ("10x Cell Ranger HDF5", p => p.EndsWith(".h5", StringComparison.OrdinalIgnoreCase), TenX.ReadH5),
        ("10x MTX folder", Directory.Exists, LoadTenXFolder),
        ("MatrixMarket", p => p.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".mtx.gz", StringComparison.OrdinalIgnoreCase), LoadMtx),
        ("PLINK 1 binary", p => p.EndsWith(".bed", StringComparison.OrdinalIgnoreCase) || File.Exists(p + ".bed"), LoadPlink),
        ("CSV/TSV", p => p.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase), LoadDelimited),
    ];

    private static AnnData LoadTenXFolder(string dir)
    {
        var m = TenXMtx.ReadFolder(dir);
        return new AnnData(m.Counts, [.. m.Barcodes], [.. m.GeneNames]);
    }

    private static AnnData LoadMtx(string path)
    {
        // A bare MatrixMarket file carries no names: rows are cells, columns genes, named by index.
        var m = MatrixMarket.Read(path);
        return new AnnData(m, Names("row", m.Rows), Names("col", m.Columns));
    }

    private static AnnData LoadPlink(string path)
    {
        string prefix = path.EndsWith(".bed", StringComparison.OrdinalIgnoreCase) ? path[..^4] : path;
        var g = Plink.Read(prefix);
        // Allele counts 0/1/2 as the matrix; missing calls are left out (stored as zero).
        var values = g.ToFloat();
        for (int i = 0; i < values.Length; i++) if (float.IsNaN(values[i])) values[i] = 0f;
        var x = CellMatrix.FromDense(values, g.Samples.Count, g.Variants.Count);
        return new AnnData(x, [.. g.Samples.Select(s => s.IndividualId)], [.. g.Variants.Select(v => v.Id)]);
    }

    private static AnnData LoadDelimited(string path)
    {
        var m = DelimitedMatrix.Read(path);
        return new AnnData(m.Matrix, [.. m.CellNames], [.. m.GeneNames]);
    }

    private static string[] Names(string prefix, int n) => Enumerable.Range(0, n).Select(i => prefix + i).ToArray();

    public static (string Name, AnnData Data) Load(string path)
    {
        foreach (var (name, matches, load) in All)
            if (matches(path)) return (name, load(path));
        throw new NotSupportedException($"No reader for '{path}'. Supported: {string.Join(", ", All.Select(f => f.Name))}.");
    }
}
