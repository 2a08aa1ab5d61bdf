using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

/// <summary>Readers of 10x Genomics Cell Ranger output.</summary>
public static partial class TenX
{
    /// <summary>
    /// Reads a Cell Ranger ≥ 3 feature-barcode matrix HDF5 file (<c>filtered_feature_bc_matrix.h5</c>)
    /// into cells × features form: obs are barcodes, var are features (index = gene names, with
    /// <c>gene_ids</c> and <c>feature_types</c> columns, and <c>genome</c> when present).
    /// </summary>
    /// <param name="path">Path of the <c>.h5</c> file.</param>
    /// <returns>The matrix with its barcodes and features; X holds the UMI counts.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Hdf5FormatException">The file is not a Cell Ranger 3 matrix file.</exception>
    public static AnnData ReadH5(string path)
    {
        using var file = Hdf5File.Open(path);
        try
        {
            return ReadH5(file);
        }
        catch (Exception e) when (e is ArgumentException or OverflowException or InvalidCastException or KeyNotFoundException)
        {
            throw file.Error("/matrix", $"inconsistent Cell Ranger content: {e.Message}", e);
        }
    }

    private static AnnData ReadH5(Hdf5File file)
    {
        var m = file.Root.Group("matrix") ?? throw file.Error("/matrix", "no 'matrix' group; Cell Ranger 2 files (one group per genome) are not supported.");
        Hdf5Dataset need(Hdf5Group g, string n) => g.Dataset(n) ?? throw file.Error(g.Path + "/" + n, "dataset is missing.");
        var shape = need(m, "shape").ReadInt64();
        if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > int.MaxValue || shape[1] > int.MaxValue)
            throw file.Error("/matrix/shape", "shape must hold two sizes (features, barcodes).");
        int features = (int)shape[0], barcodes = (int)shape[1];
        // Every per-feature or per-barcode column must have one entry per feature or barcode.
        string?[] strings(Hdf5Dataset d, int expected, string what) => d.ElementCount == expected
            ? d.ReadStrings()
            : throw file.Error(d.Path, $"{d.ElementCount} entries; shape {features} × {barcodes} implies {expected} {what}.");
        var data = need(m, "data").ReadFloats();
        var indices = H5adReader.ToInt32(need(m, "indices"));
        var indptr = H5adReader.ToInt32(need(m, "indptr"));
        // Stored compressed by barcode (column), which is CSC of features × barcodes = CSR of barcodes × features.
        H5adReader.ValidateCompressed(m, barcodes, features, indptr, indices, data.Length);
        var x = H5adReader.SortedCsr(barcodes, features, indptr, indices, data);
        var bc = strings(need(m, "barcodes"), barcodes, "barcodes");
        var f = m.Group("features") ?? throw file.Error("/matrix/features", "group is missing.");
        var names = strings(need(f, "name"), features, "features");
        var obs = new DataFrame(Array.ConvertAll(bc, s => s ?? ""));
        var var = new DataFrame(Array.ConvertAll(names, s => s ?? ""));
        var.Add(new StringColumn("gene_ids", strings(need(f, "id"), features, "features")));
        if (f.Dataset("feature_type") is { } ft) var.Add(CategoricalColumn.FromValues("feature_types", strings(ft, features, "features")));
        if (f.Dataset("genome") is { } gn) var.Add(CategoricalColumn.FromValues("genome", strings(gn, features, "features")));
        return new AnnData(x, obs, var);
    }
}
