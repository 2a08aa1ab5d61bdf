using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Data;

internal sealed partial class H5adReader
{
    private readonly HashSet<string> _consumedUns = new(StringComparer.Ordinal);
    private int _unsNodes;

    private DataFrame? ReadFrame(Hdf5Object? o, Hdf5Group? uns)
    {
        if (o is Hdf5Dataset legacy) return ReadLegacyFrame(legacy, uns);
        if (o is not Hdf5Group g) return null;
        string indexName = g.GetStringAttribute("_index") ?? "_index";
        var indexDs = g.Dataset(indexName) ?? throw g.Error($"data frame index '{indexName}' is missing.");
        var index = indexDs.ReadStrings();
        var frame = new DataFrame(Array.ConvertAll(index, s => s ?? ""), indexName);
        var order = g.GetStringArrayAttribute("column-order");
        var categories = g.Group("__categories");
        foreach (var name in order)
        {
            if (name is null || !g.Contains(name)) continue;
            var col = ReadColumn(g.Get(name), name, frame.RowCount, categories?.TryGet(name) as Hdf5Dataset);
            if (col is not null) frame.Add(col);
        }
        return frame;
    }

    private DataColumn? ReadColumn(Hdf5Object o, string name, int rows, Hdf5Dataset? legacyCategories)
    {
        if (o is Hdf5Group g)
        {
            switch (Encoding(g))
            {
                case "categorical":
                {
                    var cats = Array.ConvertAll((g.Dataset("categories") ?? throw g.Error("categorical has no categories.")).ReadStrings(), s => s ?? "");
                    var codes = Codes(g.Dataset("codes") ?? throw g.Error("categorical has no codes."), cats.Length);
                    bool ordered = g.GetIntegerAttribute("ordered") is [not 0, ..];
                    return CheckLength(new CategoricalColumn(name, cats, codes, ordered), rows, g);
                }
                case "nullable-integer":
                {
                    var values = (g.Dataset("values") ?? throw g.Error("nullable column has no values.")).ReadInt64();
                    var mask = ToBool((g.Dataset("mask") ?? throw g.Error("nullable column has no mask.")).ReadInt64());
                    return CheckLength(new NullableIntegerColumn(name, values, mask), rows, g);
                }
                case "nullable-boolean":
                {
                    var values = ToBool((g.Dataset("values") ?? throw g.Error("nullable column has no values.")).ReadInt64());
                    var mask = ToBool((g.Dataset("mask") ?? throw g.Error("nullable column has no mask.")).ReadInt64());
                    return CheckLength(new NullableBooleanColumn(name, values, mask), rows, g);
                }
                default:
                    Skip(g.Path, $"column encoding '{Encoding(g) ?? "none"}' is not supported");
                    return null;
            }
        }
        var d = (Hdf5Dataset)o;
        if (d.Dims.Length != 1) { Skip(d.Path, "data frame columns must be 1-D"); return null; }
        if (legacyCategories is not null)
        {
            var cats = Array.ConvertAll(legacyCategories.ReadStrings(), s => s ?? "");
            bool ordered = legacyCategories.GetIntegerAttribute("ordered") is [not 0, ..];
            return CheckLength(new CategoricalColumn(name, cats, Codes(d, cats.Length), ordered), rows, d);
        }
        return PlainColumn(name, d.Type, d.ReadRaw(), d.ElementCount, d) is { } plain ? CheckLength(plain, rows, d) : null;
    }

    private DataColumn? PlainColumn(string name, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count, Hdf5Object at)
    {
        if (type.IsString) return new StringColumn(name, Hdf5Values.ToStrings(_file, at.Path, type, raw, count));
        if (type.IsBoolean) return new BooleanColumn(name, ToBool(Hdf5Values.ToInt64(_file, at.Path, type, raw, count)));
        if (type.IsInteger) return new IntegerColumn(name, Hdf5Values.ToInt64(_file, at.Path, type, raw, count));
        if (type.Class == Hdf5TypeClass.FloatingPoint)
            return new NumericColumn(name, Hdf5Values.ToDoubles(_file, at.Path, type, raw, count)) { IsSingle = type.Size == 4 };
        Skip(at.Path + "/" + name, $"datatype {type.Class} is not a supported column type");
        return null;
    }

    private DataFrame ReadLegacyFrame(Hdf5Dataset d, Hdf5Group? uns)
    {
        if (d.Type.Class != Hdf5TypeClass.Compound || d.Dims.Length != 1) throw d.Error("legacy data frame is not a 1-D compound dataset.");
        var raw = d.ReadRaw();
        int n = checked((int)d.ElementCount);
        var indexMember = d.Type.Members.FirstOrDefault(m => m.Name == "index") ?? d.Type.Members[0];
        var frame = new DataFrame(Array.ConvertAll(Field(d, raw, indexMember, n, out _), s => s ?? ""), indexMember.Name);
        foreach (var m in d.Type.Members)
        {
            if (m == indexMember) continue;
            var bytes = Extract(raw, n, d.Type.Size, m);
            var catDs = uns?.Dataset(m.Name + "_categories");
            DataColumn? col;
            if (catDs is not null && m.Type.IsInteger)
            {
                var cats = Array.ConvertAll(catDs.ReadStrings(), s => s ?? "");
                _consumedUns.Add(catDs.Name);
                var codes = Hdf5Values.ToInt64(_file, d.Path, m.Type, bytes, n);
                var ic = new int[n];
                for (int i = 0; i < n; i++) ic[i] = codes[i] < 0 || codes[i] >= cats.Length ? -1 : (int)codes[i];
                col = new CategoricalColumn(m.Name, cats, ic);
            }
            else col = PlainColumn(m.Name, m.Type, bytes, n, d);
            if (col is not null) frame.Add(col);
        }
        return frame;
    }

    private string?[] Field(Hdf5Dataset d, byte[] raw, CompoundMember m, int n, out byte[] bytes)
    {
        bytes = Extract(raw, n, d.Type.Size, m);
        return Hdf5Values.ToStrings(_file, d.Path, m.Type, bytes, n);
    }

    private static byte[] Extract(byte[] raw, int n, int recordSize, CompoundMember m)
    {
        var result = new byte[(long)n * m.Type.Size];
        for (int i = 0; i < n; i++) Buffer.BlockCopy(raw, i * recordSize + m.Offset, result, i * m.Type.Size, m.Type.Size);
        return result;
    }

    private static int[] Codes(Hdf5Dataset d, int categories)
    {
        var v = d.ReadInt64();
        var codes = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] < -1 || v[i] >= categories) throw d.Error($"category code {v[i]} at row {i} is outside -1..{categories - 1}.");
            codes[i] = (int)v[i];
        }
        return codes;
    }

    private static bool[] ToBool(long[] v) => Array.ConvertAll(v, x => x != 0);

    private static DataColumn CheckLength(DataColumn c, int rows, Hdf5Object at) =>
        c.Length == rows ? c : throw at.Error($"column '{c.Name}' has {c.Length} rows; the table has {rows}.");

    // ---------- uns ----------

    private void ReadDict(Hdf5Group g, Dictionary<string, object?> target, int depth)
    {
        if (depth > 32) { Skip(g.Path, "nesting deeper than 32 levels"); return; }
        foreach (var name in g.Names)
        {
            // Hard links can make a group reachable many times; bound the work a hostile file can cause.
            if (++_unsNodes > 200_000) throw g.Error("uns holds more than 200,000 elements (or its links form a cycle).");
            if (depth == 0 && _consumedUns.Contains(name)) continue; // legacy 0.6 categories, already in obs/var
            var child = g.Get(name);
            var value = ReadUnsValue(child, depth);
            if (value is not null) target[name] = value;
        }
    }

    private object? ReadUnsValue(Hdf5Object o, int depth)
    {
        if (o is Hdf5Group g)
        {
            switch (Encoding(g))
            {
                case null or "dict":
                    var d = new Dictionary<string, object?>(StringComparer.Ordinal);
                    ReadDict(g, d, depth + 1);
                    return d;
                case "dataframe": return ReadFrame(g, null);
                case "csr_matrix" or "csc_matrix": return ReadMatrix(g);
                case "categorical":
                    var col = ReadColumn(g, g.Name, (int)Math.Min(int.MaxValue, (g.Dataset("codes")?.ElementCount ?? 0)), null) as CategoricalColumn;
                    return col is null ? null : Enumerable.Range(0, col.Length).Select(i => col[i]).ToArray();
                default:
                    Skip(g.Path, $"encoding '{Encoding(g)}' is not supported in uns");
                    return null;
            }
        }
        var ds = (Hdf5Dataset)o;
        var t = ds.Type;
        if (ds.Space.IsNull) return null;
        if (t.Class == Hdf5TypeClass.Compound || t.Class == Hdf5TypeClass.Array || t.Class == Hdf5TypeClass.Reference)
        {
            Skip(ds.Path, $"{t.Class} datasets (record arrays, references) are not read");
            return null;
        }
        if (ds.Dims.Length == 0)
        {
            if (t.IsString) return ds.ReadStrings()[0];
            if (t.IsBoolean) return ds.ReadInt64()[0] != 0;
            if (t.IsInteger) return ds.ReadInt64()[0];
            return ds.ReadDoubles()[0];
        }
        if (ds.Dims.Length == 1)
        {
            if (t.IsString) return ds.ReadStrings();
            if (t.IsBoolean) return ToBool(ds.ReadInt64());
            if (t.IsInteger) return ds.ReadInt64();
            return ds.ReadDoubles();
        }
        if (ds.Dims.Length == 2 && !t.IsString && ds.Dims[0] <= int.MaxValue && ds.Dims[1] <= int.MaxValue)
            return new DenseMatrix((int)ds.Dims[0], (int)ds.Dims[1], ds.ReadFloats());
        Skip(ds.Path, "arrays of strings with more than one dimension, or of rank above 2, are not read");
        return null;
    }
}
