using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace SingleCell.Models.Data;

/// <summary>A table read from an Arrow IPC file: the data frame and the schema's metadata.</summary>
/// <param name="Frame">The columns; the index is the column named in the metadata (<see cref="AnnDataArrow.IndexKey"/>) or the first string column.</param>
/// <param name="Metadata">The schema's key/value metadata, as written.</param>
public sealed record ArrowFrame(DataFrame Frame, IReadOnlyDictionary<string, string> Metadata);

/// <summary>An <c>obsm</c> matrix read from an Arrow IPC file.</summary>
/// <param name="Key">The obsm key it was written from.</param>
/// <param name="Index">The cell names, one per row.</param>
/// <param name="Matrix">Cells × dimensions.</param>
/// <param name="Metadata">The schema's key/value metadata, as written.</param>
public sealed record ArrowMatrix(string Key, string[] Index, DenseMatrix Matrix, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Exports and imports <c>obs</c>, <c>var</c> and <c>obsm</c> as Arrow IPC files (the Feather v2
/// format, <c>.arrow</c>), which pandas (<c>pd.read_feather</c>), polars (<c>pl.read_ipc</c>), R
/// (<c>arrow::read_feather</c>) and JavaScript (<c>apache-arrow</c>) read.
/// </summary>
/// <remarks>
/// The index is the first column (a string column named as the data frame's index). Categorical
/// columns become dictionary-encoded columns (int32 codes over a string dictionary, the ordered
/// flag kept, a missing code as null); floats stay float32 or float64 (NaN as NaN), integers
/// int64, booleans bool, and nullable integers and booleans carry nulls. An obsm matrix becomes
/// one float32 column per dimension, <c>{key}_0</c>, <c>{key}_1</c>, …. The schema metadata names
/// the index column and what was written (<see cref="IndexKey"/>, <see cref="KindKey"/>,
/// <see cref="ObsmKey"/>); metadata you pass is stored beside it and read back unchanged.
/// </remarks>
public static class AnnDataArrow
{
    /// <summary>Schema metadata key naming the index column.</summary>
    public const string IndexKey = "singlecell.models.index";

    /// <summary>Schema metadata key saying what the file holds: <c>obs</c>, <c>var</c>, <c>obsm</c> or <c>frame</c>.</summary>
    public const string KindKey = "singlecell.models.kind";

    /// <summary>Schema metadata key of the obsm key of an obsm file.</summary>
    public const string ObsmKey = "singlecell.models.obsm";

    /// <summary>Writes <c>obs</c> (the index and every column) to an Arrow IPC file.</summary>
    /// <param name="data">The AnnData object.</param>
    /// <param name="path">The file to write (replaced if present).</param>
    /// <param name="metadata">Extra schema metadata to store.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteObs(AnnData data, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        WriteFrame(data.Obs, path, metadata, "obs");
    }

    /// <summary>Writes <c>var</c> (the index and every column) to an Arrow IPC file.</summary>
    /// <param name="data">The AnnData object.</param>
    /// <param name="path">The file to write (replaced if present).</param>
    /// <param name="metadata">Extra schema metadata to store.</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteVar(AnnData data, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        WriteFrame(data.Var, path, metadata, "var");
    }

    /// <summary>Writes a data frame (its index first) to an Arrow IPC file.</summary>
    /// <param name="frame">The table.</param>
    /// <param name="path">The file to write (replaced if present).</param>
    /// <param name="metadata">Extra schema metadata to store.</param>
    /// <param name="kind">The value stored under <see cref="KindKey"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="frame"/> or <paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException">A column has the index's name.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteFrame(DataFrame frame, string path, IReadOnlyDictionary<string, string>? metadata = null, string kind = "frame")
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(path);
        string indexName = string.IsNullOrEmpty(frame.IndexName) ? "_index" : frame.IndexName;
        if (frame.Contains(indexName))
            throw new ArgumentException($"A column is named like the index ('{indexName}'); rename one before exporting.", nameof(frame));
        var fields = new List<Field> { new(indexName, StringType.Default, nullable: false) };
        var arrays = new List<IArrowArray> { Strings(frame.Index) };
        foreach (var column in frame.Columns)
        {
            var (field, array) = Encode(column);
            fields.Add(field);
            arrays.Add(array);
        }
        var meta = Metadata(metadata, (IndexKey, indexName), (KindKey, kind));
        Write(path, new Schema(fields, meta), arrays, frame.RowCount);
    }

    /// <summary>Writes <c>obsm[key]</c> with the cell names as an Arrow IPC file: one float32 column per dimension.</summary>
    /// <param name="data">The AnnData object.</param>
    /// <param name="key">The obsm key (e.g. <c>X_svae</c>).</param>
    /// <param name="path">The file to write (replaced if present).</param>
    /// <param name="metadata">Extra schema metadata to store.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="KeyNotFoundException">obsm has no such key.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void WriteObsm(AnnData data, string key, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(path);
        if (!data.Obsm.TryGetValue(key, out var m))
            throw new KeyNotFoundException($"obsm has no '{key}' (it has {(data.Obsm.Count == 0 ? "nothing" : string.Join(", ", data.Obsm.Keys))}).");
        string indexName = string.IsNullOrEmpty(data.Obs.IndexName) ? "_index" : data.Obs.IndexName;
        var fields = new List<Field> { new(indexName, StringType.Default, nullable: false) };
        var arrays = new List<IArrowArray> { Strings(data.ObsNames) };
        for (int j = 0; j < m.Columns; j++)
        {
            var b = new FloatArray.Builder().Reserve(m.Rows);
            for (int r = 0; r < m.Rows; r++) b.Append(m[r, j]);
            fields.Add(new Field($"{key}_{j}", FloatType.Default, nullable: false));
            arrays.Add(b.Build());
        }
        var meta = Metadata(metadata, (IndexKey, indexName), (KindKey, "obsm"), (ObsmKey, key));
        Write(path, new Schema(fields, meta), arrays, m.Rows);
    }

    /// <summary>Reads a table written by <see cref="WriteFrame"/> (or any Arrow IPC file of supported column types).</summary>
    /// <param name="path">The Arrow IPC file.</param>
    /// <returns>The frame and the schema metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file has no string index column, or a column type is not supported.</exception>
    public static ArrowFrame ReadFrame(string path)
    {
        var (schema, columns, rows) = ReadAll(path);
        var meta = schema.Metadata is { } md ? new Dictionary<string, string>(md, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        int indexAt = meta.TryGetValue(IndexKey, out var indexName) ? schema.GetFieldIndex(indexName)
            : FirstString(schema);
        if (indexAt < 0 || schema.FieldsList[indexAt].DataType is not StringType)
            throw new InvalidDataException($"'{path}' has no string index column{(indexName is null ? "" : $" '{indexName}'")}.");
        var frame = new DataFrame(ArrowColumns.StringsOf(columns[indexAt], rows).Select(s => s ?? "").ToArray(), schema.FieldsList[indexAt].Name);
        for (int i = 0; i < columns.Count; i++)
            if (i != indexAt) frame.Add(ArrowColumns.Decode(schema.FieldsList[i], columns[i], rows, path));
        return new ArrowFrame(frame, meta);
    }

    /// <summary>Reads an obsm file written by <see cref="WriteObsm"/>: the index, then float columns.</summary>
    /// <param name="path">The Arrow IPC file.</param>
    /// <returns>The key, cell names, matrix and metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A column other than the index is not numeric.</exception>
    public static ArrowMatrix ReadObsm(string path)
    {
        var table = ReadFrame(path);
        var f = table.Frame;
        var values = new float[(long)f.RowCount * f.Columns.Count];
        for (int j = 0; j < f.Columns.Count; j++)
        {
            if (f.Columns[j] is not NumericColumn n)
                throw new InvalidDataException($"'{path}': column '{f.Columns[j].Name}' is not a float column, so the file is not an embedding.");
            for (int r = 0; r < f.RowCount; r++) values[(long)r * f.Columns.Count + j] = (float)n.Values[r];
        }
        string key = table.Metadata.TryGetValue(ObsmKey, out var k) ? k : Path.GetFileNameWithoutExtension(path);
        return new ArrowMatrix(key, f.Index, new DenseMatrix(f.RowCount, f.Columns.Count, values), table.Metadata);
    }

    /// <summary>
    /// Adds the columns of an Arrow obs file to <paramref name="data"/>'s obs, matching rows by cell
    /// name (columns of the same name are replaced).
    /// </summary>
    /// <param name="data">The AnnData object to extend.</param>
    /// <param name="path">An Arrow IPC file with a string index of cell names.</param>
    /// <returns>The metadata of the file.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidDataException">The file's cells differ from <paramref name="data"/>'s.</exception>
    public static IReadOnlyDictionary<string, string> ImportObs(AnnData data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        var table = ReadFrame(path);
        var order = Align(data.ObsNames, table.Frame.Index, path, "cell");
        foreach (var c in table.Frame.Columns) data.Obs.Add(ArrowColumns.Reorder(c, order));
        return table.Metadata;
    }

    /// <summary>Reads an obsm file into <paramref name="data"/>.Obsm (under the key it was written from), matching rows by cell name.</summary>
    /// <param name="data">The AnnData object to extend.</param>
    /// <param name="path">An Arrow IPC file written by <see cref="WriteObsm"/>.</param>
    /// <returns>The obsm key.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidDataException">The file's cells differ from <paramref name="data"/>'s.</exception>
    public static string ImportObsm(AnnData data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        var m = ReadObsm(path);
        var order = Align(data.ObsNames, m.Index, path, "cell");
        int d = m.Matrix.Columns;
        var values = new float[(long)data.NObs * d];
        for (int r = 0; r < data.NObs; r++) System.Array.Copy(m.Matrix.Values, (long)order[r] * d, values, (long)r * d, d);
        data.Obsm[m.Key] = new DenseMatrix(data.NObs, d, values);
        return m.Key;
    }

    private static int FirstString(Schema schema)
    {
        for (int i = 0; i < schema.FieldsList.Count; i++)
            if (schema.FieldsList[i].DataType is StringType) return i;
        return -1;
    }

    private static int[] Align(string[] wanted, string[] have, string path, string what)
    {
        if (wanted.Length != have.Length)
            throw new InvalidDataException($"'{path}' has {have.Length} {what}s; the AnnData has {wanted.Length}.");
        var at = new Dictionary<string, int>(have.Length, StringComparer.Ordinal);
        for (int i = 0; i < have.Length; i++) at.TryAdd(have[i], i);
        var order = new int[wanted.Length];
        for (int i = 0; i < wanted.Length; i++)
            order[i] = at.TryGetValue(wanted[i], out int j) ? j : throw new InvalidDataException($"'{path}' has no {what} '{wanted[i]}'.");
        return order;
    }

    private static (Field, IArrowArray) Encode(DataColumn column) => column switch
    {
        CategoricalColumn c => ArrowColumns.Categorical(c),
        StringColumn s => (new Field(s.Name, StringType.Default, true), Strings(s.Values)),
        NumericColumn n when n.IsSingle => (new Field(n.Name, FloatType.Default, false), new FloatArray.Builder().AppendRange(n.Values.Select(v => (float)v)).Build()),
        NumericColumn n => (new Field(n.Name, DoubleType.Default, false), new DoubleArray.Builder().AppendRange(n.Values).Build()),
        IntegerColumn i => (new Field(i.Name, Int64Type.Default, false), new Int64Array.Builder().AppendRange(i.Values).Build()),
        BooleanColumn b => (new Field(b.Name, BooleanType.Default, false), new BooleanArray.Builder().AppendRange(b.Values).Build()),
        NullableIntegerColumn ni => (new Field(ni.Name, Int64Type.Default, true), ArrowColumns.NullableInt64(ni)),
        NullableBooleanColumn nb => (new Field(nb.Name, BooleanType.Default, true), ArrowColumns.NullableBool(nb)),
        _ => throw new NotSupportedException($"Column '{column.Name}' of type {column.GetType().Name} has no Arrow form."),
    };

    private static StringArray Strings(IReadOnlyList<string?> values)
    {
        var b = new StringArray.Builder();
        foreach (var v in values)
        {
            if (v is null) b.AppendNull();
            else b.Append(v);
        }
        return b.Build();
    }

    private static List<KeyValuePair<string, string>> Metadata(IReadOnlyDictionary<string, string>? user, params (string Key, string Value)[] ours)
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (user is not null) foreach (var kv in user) all[kv.Key] = kv.Value;
        foreach (var (k, v) in ours) all[k] = v;
        return all.ToList();
    }

    private static void Write(string path, Schema schema, List<IArrowArray> arrays, int rows)
    {
        string full = Path.GetFullPath(path);
        string tmp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = File.Create(tmp))
            using (var writer = new ArrowFileWriter(stream, schema))
            {
                writer.WriteRecordBatch(new RecordBatch(schema, arrays, rows));
                writer.WriteEnd();
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static (Schema Schema, List<List<IArrowArray>> Columns, int Rows) ReadAll(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Arrow file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        using var reader = new ArrowFileReader(stream);
        var schema = reader.Schema;
        var columns = schema.FieldsList.Select(_ => new List<IArrowArray>()).ToList();
        int rows = 0;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            for (int i = 0; i < columns.Count; i++) columns[i].Add(batch.Column(i));
            rows += batch.Length;
        }
        return (schema, columns, rows);
    }
}
