using Microsoft.Extensions.Logging;
using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

/// <summary>Reads the anndata on-disk layouts (current encoding, 0.7 with <c>__categories</c>, legacy 0.6) from an HDF5 file.</summary>
internal sealed partial class H5adReader
{
    private readonly Hdf5File _file;
    private readonly ILogger _logger;

    public H5adReader(Hdf5File file, ILogger? logger)
    {
        _file = file;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    public AnnData Read()
    {
        var root = _file.Root;
        var uns = root.Group("uns");
        var obs = ReadFrame(root.TryGet("obs"), uns) ?? throw _file.Error("/obs", "the file has no obs table.");
        var var = ReadFrame(root.TryGet("var"), uns) ?? throw _file.Error("/var", "the file has no var table.");
        var adata = new AnnData(null, obs, var);
        if (root.TryGet("X") is { } x)
        {
            adata.XWasDense = x is Hdf5Dataset;
            adata.X = ReadMatrix(x) ?? throw _file.Error("/X", "X has an unsupported encoding.");
        }
        if (root.Group("layers") is { } layers)
            foreach (var name in layers.Names)
                if (ReadMatrix(layers.Get(name)) is { } m) adata.Layers[name] = m;
        ReadEmbeddings(root.TryGet("obsm"), adata.Obsm, adata.NObs);
        ReadEmbeddings(root.TryGet("varm"), adata.Varm, adata.NVars);
        ReadPairwise(root.Group("obsp"), adata.Obsp);
        ReadPairwise(root.Group("varp"), adata.Varp);
        if (uns is not null) ReadDict(uns, adata.Uns, 0);
        if (root.Group("raw") is { } raw && raw.TryGet("X") is { } rawX)
        {
            var rx = ReadMatrix(rawX);
            var rv = ReadFrame(raw.TryGet("var"), uns);
            if (rx is not null && rv is not null)
            {
                adata.Raw = new AnnDataRaw(rx, rv);
                ReadEmbeddings(raw.TryGet("varm"), adata.Raw.Varm, rv.RowCount);
            }
            else Skip("/raw", "raw X or raw var could not be read");
        }
        return adata;
    }

    private void Skip(string path, string why) =>
        _logger.LogWarning("{File}: skipping '{Path}': {Reason}.", _file.FilePath, path, why);

    private static string? Encoding(Hdf5Object o) => o.GetStringAttribute("encoding-type");

    // ---------- matrices ----------

    /// <summary>A sparse group (csr/csc, current or h5sparse legacy) or a 2-D dense dataset, as CSR float32.</summary>
    public CellMatrix? ReadMatrix(Hdf5Object o)
    {
        if (o is Hdf5Dataset d)
        {
            if (d.Dims.Length != 2 || d.Type.IsString || d.Type.Class == Hdf5TypeClass.Compound) { Skip(d.Path, "not a 2-D numeric array"); return null; }
            int rows = checked((int)d.Dims[0]), cols = checked((int)d.Dims[1]);
            return CellMatrix.FromDense(d.ReadFloats(), rows, cols);
        }
        var g = (Hdf5Group)o;
        string? enc = Encoding(g) ?? g.GetStringAttribute("h5sparse_format") switch { "csr" => "csr_matrix", "csc" => "csc_matrix", _ => null };
        if (enc is not ("csr_matrix" or "csc_matrix")) { Skip(g.Path, $"encoding '{enc ?? "none"}' is not a matrix"); return null; }
        var shape = g.GetIntegerAttribute("shape");
        if (shape.Length != 2) shape = g.GetIntegerAttribute("h5sparse_shape");
        if (shape.Length != 2 || shape[0] < 0 || shape[1] < 0 || shape[0] > int.MaxValue || shape[1] > int.MaxValue)
            throw g.Error("sparse matrix has no valid 'shape' attribute.");
        var data = Required(g, "data").ReadFloats();
        var indices = ToInt32(Required(g, "indices"));
        var indptr = ToInt32(Required(g, "indptr"));
        bool csr = enc == "csr_matrix";
        int major = (int)(csr ? shape[0] : shape[1]), minor = (int)(csr ? shape[1] : shape[0]);
        ValidateCompressed(g, major, minor, indptr, indices, data.Length);
        if (csr) return SortedCsr(major, minor, indptr, indices, data);
        return Transpose(major, minor, indptr, indices, data);
    }

    private static Hdf5Dataset Required(Hdf5Group g, string name) =>
        g.Dataset(name) ?? throw g.Error($"sparse matrix has no '{name}' dataset.");

    internal static int[] ToInt32(Hdf5Dataset d)
    {
        var v = d.ReadInt64();
        var r = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] < 0 || v[i] > int.MaxValue) throw d.Error($"index {v[i]} at position {i} is out of range.");
            r[i] = (int)v[i];
        }
        return r;
    }

    internal static void ValidateCompressed(Hdf5Object g, int major, int minor, int[] indptr, int[] indices, int nnz)
    {
        if (indptr.Length != major + 1) throw g.Error($"indptr has {indptr.Length} entries; expected {major + 1}.");
        if (indices.Length != nnz) throw g.Error($"indices ({indices.Length}) and data ({nnz}) differ in length.");
        if (indptr[0] != 0 || indptr[major] != nnz) throw g.Error("indptr does not span the stored entries.");
        for (int i = 0; i < major; i++) if (indptr[i + 1] < indptr[i]) throw g.Error($"indptr decreases at {i}.");
        foreach (int j in indices) if (j >= minor) throw g.Error($"index {j} is outside 0..{minor - 1}.");
    }

    /// <summary>
    /// Sorts the column indices of every row in O(nnz + rows + cols): a counting transpose to CSC
    /// (visiting rows in order) and back (visiting columns in order) leaves each row's entries in
    /// column order. Much faster than a comparison sort per row for the short rows of count data.
    /// </summary>
    private static void SortRowsByDoubleTranspose(int rows, int cols, int[] indptr, int[] indices, float[] data)
    {
        // Two counting transposes (O(nnz)) leave every row sorted; the row pointers do not change.
        var (colPtr, rowIdx, colVal) = Tensors.Kernels.Csr.Transpose(rows, cols, indptr, indices, data);
        var (_, sortedIdx, sortedVal) = Tensors.Kernels.Csr.Transpose(cols, rows, colPtr, rowIdx, colVal);
        sortedIdx.CopyTo(indices, 0);
        sortedVal.CopyTo(data, 0);
    }

    internal static CellMatrix SortedCsr(int rows, int cols, int[] indptr, int[] indices, float[] data)
    {
        bool sorted = true;
        for (int r = 0; r < rows && sorted; r++)
            for (int k = indptr[r] + 1; k < indptr[r + 1]; k++)
                if (indices[k] <= indices[k - 1]) { sorted = false; break; }
        if (!sorted) SortRowsByDoubleTranspose(rows, cols, indptr, indices, data);
        try
        {
            return new CellMatrix(rows, cols, indptr, indices, data);
        }
        catch (ArgumentException)
        {
            return SumDuplicates(rows, cols, indptr, indices, data);
        }
    }

    private static CellMatrix SumDuplicates(int rows, int cols, int[] indptr, int[] indices, float[] data)
    {
        var p = new int[rows + 1];
        var ni = new List<int>(indices.Length);
        var nv = new List<float>(indices.Length);
        for (int r = 0; r < rows; r++)
        {
            for (int k = indptr[r]; k < indptr[r + 1]; k++)
            {
                if (ni.Count > p[r] && ni[^1] == indices[k]) nv[^1] += data[k];
                else { ni.Add(indices[k]); nv.Add(data[k]); }
            }
            p[r + 1] = ni.Count;
        }
        return new CellMatrix(rows, cols, p, ni.ToArray(), nv.ToArray());
    }

    /// <summary>Converts a compressed-column matrix (major = columns) to CSR.</summary>
    internal static CellMatrix Transpose(int cols, int rows, int[] colPtr, int[] rowIdx, float[] data)
    {
        var (counts, indices, values) = Tensors.Kernels.Csr.Transpose(cols, rows, colPtr, rowIdx, data);
        return SortedCsr(rows, cols, counts, indices, values);
    }

    private void ReadEmbeddings(Hdf5Object? o, Dictionary<string, DenseMatrix> target, int rows)
    {
        if (o is Hdf5Dataset legacy && legacy.Type.Class == Hdf5TypeClass.Compound)
        {
            var raw = legacy.ReadRaw();
            foreach (var m in legacy.Type.Members)
            {
                var t = m.Type;
                long width = t.Class == Hdf5TypeClass.Array ? t.ArrayDims.Aggregate(1L, (a, b) => b < 0 || a > int.MaxValue ? long.MaxValue / 2 : a * b) : 1;
                var elem = t.Class == Hdf5TypeClass.Array ? t.Base! : t;
                if (elem.Class is not (Hdf5TypeClass.FloatingPoint or Hdf5TypeClass.FixedPoint) || (long)width * elem.Size > t.Size)
                {
                    Skip(legacy.Path + "/" + m.Name, "not a numeric field");
                    continue;
                }
                var values = new float[(long)legacy.ElementCount * width];
                for (long i = 0; i < legacy.ElementCount; i++)
                    for (int k = 0; k < width; k++)
                        values[i * width + k] = (float)Hdf5Values.ToDouble(_file, legacy.Path, elem,
                            raw.AsSpan((int)(i * legacy.Type.Size + m.Offset + k * elem.Size), elem.Size));
                target[m.Name] = new DenseMatrix((int)legacy.ElementCount, (int)width, values);
            }
            return;
        }
        if (o is not Hdf5Group g) return;
        foreach (var name in g.Names)
        {
            var child = g.Get(name);
            if (child is Hdf5Dataset d && !d.Type.IsString && d.Type.Class != Hdf5TypeClass.Compound && d.Dims.Length is 1 or 2 && d.Dims[0] == rows)
            {
                int cols = d.Dims.Length == 2 ? checked((int)d.Dims[1]) : 1;
                target[name] = new DenseMatrix(rows, cols, d.ReadFloats());
            }
            else if (child is Hdf5Group sg && Encoding(sg) is "csr_matrix" or "csc_matrix" && ReadMatrix(sg) is { } m && m.Rows == rows)
                target[name] = new DenseMatrix(m.Rows, m.Columns, m.ToDense());
            else Skip(child.Path, "only dense or sparse numeric arrays are read into obsm/varm");
        }
    }

    private void ReadPairwise(Hdf5Group? g, Dictionary<string, CellMatrix> target)
    {
        if (g is null) return;
        foreach (var name in g.Names)
            if (ReadMatrix(g.Get(name)) is { } m) target[name] = m;
    }
}
