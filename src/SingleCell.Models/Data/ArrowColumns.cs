using Apache.Arrow;
using Apache.Arrow.Types;

namespace SingleCell.Models.Data;

/// <summary>Conversions between <see cref="DataColumn"/>s and Arrow arrays (used by <see cref="AnnDataArrow"/>).</summary>
internal static class ArrowColumns
{
    public static (Field, IArrowArray) Categorical(CategoricalColumn c)
    {
        var type = new DictionaryType(Int32Type.Default, StringType.Default, c.Ordered);
        var codes = new Int32Array.Builder().Reserve(c.Length);
        foreach (int code in c.Codes)
        {
            if (code < 0) codes.AppendNull();
            else codes.Append(code);
        }
        var dictionary = new StringArray.Builder().AppendRange(c.Categories).Build();
        return (new Field(c.Name, type, nullable: true), new DictionaryArray(type, codes.Build(), dictionary));
    }

    public static Int64Array NullableInt64(NullableIntegerColumn c)
    {
        var b = new Int64Array.Builder().Reserve(c.Length);
        for (int i = 0; i < c.Length; i++)
        {
            if (c.Mask[i]) b.AppendNull();
            else b.Append(c.Values[i]);
        }
        return b.Build();
    }

    public static BooleanArray NullableBool(NullableBooleanColumn c)
    {
        var b = new BooleanArray.Builder().Reserve(c.Length);
        for (int i = 0; i < c.Length; i++)
        {
            if (c.Mask[i]) b.AppendNull();
            else b.Append(c.Values[i]);
        }
        return b.Build();
    }

    public static string?[] StringsOf(List<IArrowArray> chunks, int rows)
    {
        var r = new string?[rows];
        int at = 0;
        foreach (var chunk in chunks)
        {
            var s = (StringArray)chunk;
            for (int i = 0; i < s.Length; i++) r[at++] = s.GetString(i);
        }
        return r;
    }

    public static DataColumn Decode(Field field, List<IArrowArray> chunks, int rows, string path)
    {
        string name = field.Name;
        switch (field.DataType)
        {
            case StringType:
                return new StringColumn(name, StringsOf(chunks, rows));
            case DictionaryType dt when dt.ValueType is StringType:
            {
                var categories = new List<string>();
                var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
                var codes = new int[rows];
                int at = 0;
                foreach (DictionaryArray chunk in chunks)
                {
                    var dict = (StringArray)chunk.Dictionary;
                    var map = new int[dict.Length];
                    for (int i = 0; i < dict.Length; i++)
                    {
                        string v = dict.GetString(i) ?? "";
                        if (!lookup.TryGetValue(v, out int code)) { code = categories.Count; categories.Add(v); lookup[v] = code; }
                        map[i] = code;
                    }
                    for (int i = 0; i < chunk.Length; i++)
                        codes[at++] = chunk.IsNull(i) ? -1 : map[Index(chunk.Indices, i)];
                }
                return new CategoricalColumn(name, [.. categories], codes, dt.Ordered);
            }
            case FloatType:
                return new NumericColumn(name, Gather(chunks, rows, (FloatArray a, int i) => a.GetValue(i) is float v ? v : double.NaN)) { IsSingle = true };
            case DoubleType:
                return new NumericColumn(name, Gather(chunks, rows, (DoubleArray a, int i) => a.GetValue(i) ?? double.NaN));
            case BooleanType:
            {
                var mask = Gather(chunks, rows, (BooleanArray a, int i) => a.IsNull(i));
                var values = Gather(chunks, rows, (BooleanArray a, int i) => a.GetValue(i) ?? false);
                return mask.Contains(true) ? new NullableBooleanColumn(name, values, mask) : new BooleanColumn(name, values);
            }
            case Int8Type or Int16Type or Int32Type or Int64Type or UInt8Type or UInt16Type or UInt32Type:
            {
                var mask = Gather(chunks, rows, (IArrowArray a, int i) => a.IsNull(i));
                var values = Gather(chunks, rows, (IArrowArray a, int i) => a.IsNull(i) ? 0L : Index(a, i));
                return mask.Contains(true) ? new NullableIntegerColumn(name, values, mask) : new IntegerColumn(name, values);
            }
            default:
                throw new InvalidDataException($"'{path}': column '{name}' has Arrow type {field.DataType.Name}, which has no data-frame form here (supported: string, dictionary of strings, float, double, bool, integers).");
        }
    }

    public static DataColumn Reorder(DataColumn c, int[] order) => c switch
    {
        StringColumn s => new StringColumn(s.Name, Pick(s.Values, order)),
        CategoricalColumn cat => new CategoricalColumn(cat.Name, cat.Categories, Pick(cat.Codes, order), cat.Ordered),
        NumericColumn n => new NumericColumn(n.Name, Pick(n.Values, order)) { IsSingle = n.IsSingle },
        IntegerColumn i => new IntegerColumn(i.Name, Pick(i.Values, order)),
        BooleanColumn b => new BooleanColumn(b.Name, Pick(b.Values, order)),
        NullableIntegerColumn ni => new NullableIntegerColumn(ni.Name, Pick(ni.Values, order), Pick(ni.Mask, order)),
        NullableBooleanColumn nb => new NullableBooleanColumn(nb.Name, Pick(nb.Values, order), Pick(nb.Mask, order)),
        _ => throw new NotSupportedException($"Column '{c.Name}' of type {c.GetType().Name} cannot be reordered."),
    };

    private static T[] Pick<T>(T[] values, int[] order)
    {
        var r = new T[order.Length];
        for (int i = 0; i < order.Length; i++) r[i] = values[order[i]];
        return r;
    }

    private static long Index(IArrowArray a, int i) => a switch
    {
        Int8Array x => x.GetValue(i) ?? 0,
        Int16Array x => x.GetValue(i) ?? 0,
        Int32Array x => x.GetValue(i) ?? 0,
        Int64Array x => x.GetValue(i) ?? 0,
        UInt8Array x => x.GetValue(i) ?? 0,
        UInt16Array x => x.GetValue(i) ?? 0,
        UInt32Array x => x.GetValue(i) ?? 0,
        _ => throw new InvalidDataException($"Arrow array of type {a.Data.DataType.Name} is not an integer array."),
    };

    private static T[] Gather<TArray, T>(List<IArrowArray> chunks, int rows, Func<TArray, int, T> get) where TArray : IArrowArray
    {
        var r = new T[rows];
        int at = 0;
        foreach (var chunk in chunks)
        {
            var a = (TArray)chunk;
            for (int i = 0; i < a.Length; i++) r[at++] = get(a, i);
        }
        return r;
    }
}
