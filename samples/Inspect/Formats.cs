using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace Inspect;

/// <summary>A file format Inspect reads, with what its rows and columns are.</summary>
internal sealed record Format(string Name, string Pattern, Func<string, bool> Matches, Func<string, bool, AnnData> Load,
    string Rows = "cells", string Columns = "genes", bool CanTranspose = false);

/// <summary>The file formats Inspect understands. Adding a format is one line here.</summary>
internal static class Formats
{
    public static readonly Format[] All =
    [
        new("AnnData h5ad", "*.h5ad", p => p.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase), (p, _) => AnnData.Read(p)),
        new("10x Cell Ranger HDF5", "*.h5", p => p.EndsWith(".h5", StringComparison.OrdinalIgnoreCase), (p, _) => TenX.ReadH5(p)),
        new("10x MTX folder", "a folder with matrix.mtx[.gz], features.tsv[.gz] or genes.tsv, barcodes.tsv[.gz]", Directory.Exists, (p, _) => LoadTenXFolder(p)),
        new("MatrixMarket", "*.mtx, *.mtx.gz (rows are cells unless --transpose)", p => p.EndsWith(".mtx", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".mtx.gz", StringComparison.OrdinalIgnoreCase),
            LoadMtx, CanTranspose: true),
        new("PLINK 1 binary", "*.bed or the prefix of .bed/.bim/.fam", p => p.EndsWith(".bed", StringComparison.OrdinalIgnoreCase) || File.Exists(p + ".bed"),
            (p, _) => LoadPlink(p), Rows: "samples", Columns: "SNPs"),
        new("CSV/TSV", "*.csv, *.tsv (a header of gene names, one row per cell, unless --transpose)",
            p => p.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase), LoadDelimited, CanTranspose: true),
    ];

    public static Format? Find(string path) => Array.Find(All, f => f.Matches(path));

    private static AnnData LoadTenXFolder(string dir)
    {
        // The same var columns as the Cell Ranger .h5 reader: gene_ids and feature_types beside the symbols.
        var m = TenXMtx.ReadFolder(dir);
        var a = new AnnData(m.Counts, [.. m.Barcodes], [.. m.GeneNames]);
        a.Var.Add(new StringColumn("gene_ids", [.. m.GeneIds]));
        a.Var.Add(CategoricalColumn.FromValues("feature_types", [.. m.FeatureTypes]));
        return a;
    }

    private static AnnData LoadMtx(string path, bool transpose)
    {
        // A bare MatrixMarket file carries no names: rows are cells, columns genes (or the reverse with --transpose), named by index.
        var m = MatrixMarket.Read(path);
        if (transpose) m = m.Transpose();
        return new AnnData(m, Names("cell", m.Rows), Names("gene", m.Columns));
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

    private static AnnData LoadDelimited(string path, bool transpose)
    {
        var m = DelimitedMatrix.Read(path, genesByCells: transpose);
        // One field per line is only the name column: a matrix with no values is a mistake worth naming.
        if (m.GeneNames.Count == 0 || m.CellNames.Count == 0)
            throw new InvalidDataException($"{Path.GetFileName(path)}: no values: a delimited matrix needs a name column and at least one value column, separated by commas or tabs.");
        return new AnnData(m.Matrix, [.. m.CellNames], [.. m.GeneNames]);
    }

    private static string[] Names(string prefix, int n) => Enumerable.Range(0, n).Select(i => prefix + i).ToArray();
}
