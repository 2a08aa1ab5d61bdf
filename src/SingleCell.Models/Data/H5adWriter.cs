using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

/// <summary>Builds the HDF5 tree of an <see cref="AnnData"/> in the current anndata encoding (0.8+).</summary>
internal static class H5adWriter
{
    public static void Write(AnnData a, string path)
    {
        var root = new WriteGroup();
        Tag(root, "anndata", "0.1.0");
        if (a.X is { } x)
        {
            if (a.XWasDense) Dense(root, "X", x.ToDense(), x.Rows, x.Columns);
            else Csr(root, "X", x);
        }
        Frame(root, "obs", a.Obs);
        Frame(root, "var", a.Var);
        var layers = Dict(root, "layers");
        foreach (var (k, m) in a.Layers) Csr(layers, k, m);
        var obsm = Dict(root, "obsm");
        foreach (var (k, m) in a.Obsm) Dense(obsm, k, m.Values, m.Rows, m.Columns);
        var varm = Dict(root, "varm");
        foreach (var (k, m) in a.Varm) Dense(varm, k, m.Values, m.Rows, m.Columns);
        var obsp = Dict(root, "obsp");
        foreach (var (k, m) in a.Obsp) Csr(obsp, k, m);
        var varp = Dict(root, "varp");
        foreach (var (k, m) in a.Varp) Csr(varp, k, m);
        UnsDict(Dict(root, "uns"), a.Uns, 0);
        if (a.Raw is { } raw)
        {
            var g = root.Group("raw");
            Tag(g, "raw", "0.1.0");
            Csr(g, "X", raw.X);
            Frame(g, "var", raw.Var);
            var rv = Dict(g, "varm");
            foreach (var (k, m) in raw.Varm) Dense(rv, k, m.Values, m.Rows, m.Columns);
        }
        Hdf5Writer.Write(path, root);
    }

    private static void Tag(WriteNode n, string type, string version)
    {
        n.Attr("encoding-type", type);
        n.Attr("encoding-version", version);
    }

    private static WriteGroup Dict(WriteGroup parent, string name)
    {
        var g = parent.Group(name);
        Tag(g, "dict", "0.1.0");
        return g;
    }

    private static void Csr(WriteGroup parent, string name, CellMatrix m)
    {
        var g = parent.Group(name);
        Tag(g, "csr_matrix", "0.1.0");
        g.Attr(WriteAttribute.Int64Array("shape", [m.Rows, m.Columns]));
        g.Dataset("data", m.Values);
        g.Dataset("indices", m.Indices);
        var indptr = new long[m.IndPtr.Length];
        for (int i = 0; i < indptr.Length; i++) indptr[i] = m.IndPtr[i];
        g.Dataset("indptr", indptr);
    }

    private static void Dense(WriteGroup parent, string name, float[] values, int rows, int cols) =>
        Tag(parent.Dataset(name, values, [rows, cols]), "array", "0.2.0");

    private static void Frame(WriteGroup parent, string name, DataFrame f)
    {
        var g = parent.Group(name);
        Tag(g, "dataframe", "0.2.0");
        g.Attr("_index", f.IndexName);
        g.Attr(WriteAttribute.StringArray("column-order", f.Columns.Select(c => c.Name).ToArray()));
        Tag(g.Strings(f.IndexName, f.Index), "string-array", "0.2.0");
        foreach (var c in f.Columns) Column(g, c);
    }

    private static void Column(WriteGroup g, DataColumn c)
    {
        switch (c)
        {
            case StringColumn s:
                Tag(g.Strings(c.Name, s.Values), "string-array", "0.2.0");
                break;
            case CategoricalColumn cat:
            {
                var cg = g.Group(c.Name);
                Tag(cg, "categorical", "0.2.0");
                cg.Attr(WriteAttribute.Bool("ordered", cat.Ordered));
                Tag(cg.Dataset("codes", cat.Codes), "array", "0.2.0");
                Tag(cg.Strings("categories", cat.Categories), "string-array", "0.2.0");
                break;
            }
            case NumericColumn n when n.IsSingle:
                Tag(g.Dataset(c.Name, Array.ConvertAll(n.Values, v => (float)v)), "array", "0.2.0");
                break;
            case NumericColumn n:
                Tag(g.Dataset(c.Name, n.Values), "array", "0.2.0");
                break;
            case IntegerColumn i:
                Tag(g.Dataset(c.Name, i.Values), "array", "0.2.0");
                break;
            case BooleanColumn b:
                Tag(g.Dataset(c.Name, b.Values), "array", "0.2.0");
                break;
            case NullableIntegerColumn ni:
            {
                var ng = g.Group(c.Name);
                Tag(ng, "nullable-integer", "0.1.0");
                ng.Dataset("values", ni.Values);
                ng.Dataset("mask", ni.Mask);
                break;
            }
            case NullableBooleanColumn nb:
            {
                var ng = g.Group(c.Name);
                Tag(ng, "nullable-boolean", "0.1.0");
                ng.Dataset("values", nb.Values);
                ng.Dataset("mask", nb.Mask);
                break;
            }
            default:
                throw new NotSupportedException($"Column '{c.Name}' of type {c.GetType().Name} cannot be written.");
        }
    }

    private static void UnsDict(WriteGroup g, Dictionary<string, object?> d, int depth)
    {
        if (depth > 32) throw new InvalidOperationException("uns is nested more than 32 levels deep (a cycle?).");
        foreach (var (k, v) in d)
        {
            switch (v)
            {
                case null: break;
                case string s: Tag(g.ScalarString(k, s), "string", "0.2.0"); break;
                case bool b: Tag(g.Scalar(k, b), "numeric-scalar", "0.2.0"); break;
                case long l: Tag(g.Scalar(k, l), "numeric-scalar", "0.2.0"); break;
                case int i: Tag(g.Scalar(k, (long)i), "numeric-scalar", "0.2.0"); break;
                case double x: Tag(g.Scalar(k, x), "numeric-scalar", "0.2.0"); break;
                case float f: Tag(g.Scalar(k, (double)f), "numeric-scalar", "0.2.0"); break;
                case string?[] sa: Tag(g.Strings(k, sa), "string-array", "0.2.0"); break;
                case long[] la: Tag(g.Dataset(k, la), "array", "0.2.0"); break;
                case int[] ia: Tag(g.Dataset(k, ia), "array", "0.2.0"); break;
                case double[] da: Tag(g.Dataset(k, da), "array", "0.2.0"); break;
                case float[] fa: Tag(g.Dataset(k, fa), "array", "0.2.0"); break;
                case bool[] ba: Tag(g.Dataset(k, ba), "array", "0.2.0"); break;
                case DenseMatrix m: Dense(g, k, m.Values, m.Rows, m.Columns); break;
                case CellMatrix m: Csr(g, k, m); break;
                case DataFrame f: Frame(g, k, f); break;
                case Dictionary<string, object?> sub: UnsDict(Dict(g, k), sub, depth + 1); break;
                default: throw new NotSupportedException($"uns['{k}'] of type {v.GetType().Name} cannot be written.");
            }
        }
    }
}
