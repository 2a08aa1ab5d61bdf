namespace SingleCell.Models.Data.Hdf5;

/// <summary>A dataset: type, shape, storage layout and filters, with whole and row-range reads.</summary>
internal sealed class Hdf5Dataset : Hdf5Object
{
    private readonly DataLayout _layout;

    public Hdf5Dataset(Hdf5File file, string path, List<HeaderMessage> messages) : base(file, path, messages)
    {
        Type = Hdf5Datatype.Parse((Find(ObjectHeader.Datatype) ?? throw Error("dataset has no datatype message.")).Body, file, path);
        var space = Find(ObjectHeader.Dataspace);
        Space = space is null ? Hdf5Dataspace.Scalar : Hdf5Dataspace.Parse(space.Value.Body, file, path);
        var filters = Find(ObjectHeader.FilterPipeline);
        Filters = filters is null ? [] : FilterPipeline.Parse(filters.Value.Body, file, path);
        _layout = DataLayout.Parse((Find(ObjectHeader.Layout) ?? throw Error("dataset has no layout message.")).Body, this);
    }

    public Hdf5Datatype Type { get; }

    public Hdf5Dataspace Space { get; }

    public long[] Dims => Space.Dims;

    public long ElementCount => Space.ElementCount;

    internal IReadOnlyList<FilterPipeline.Filter> Filters { get; }

    /// <summary>Total bytes of the dataset when decoded; checked against what the file could hold.</summary>
    public long ByteCount => ElementCount > long.MaxValue / Math.Max(1, Type.Size) ? long.MaxValue : ElementCount * Type.Size;

    /// <summary>The raw bytes of the whole dataset in row-major order.</summary>
    public byte[] ReadRaw() => Space.Dims.Length == 0 ? _layout.ReadRows(this, 0, 1) : Space.IsNull ? [] : _layout.ReadRows(this, 0, Dims[0]);

    /// <summary>The raw bytes of rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>) along the first dimension.</summary>
    public byte[] ReadRawRows(long start, long count)
    {
        if (Dims.Length == 0) throw Error("a scalar dataset has no rows.");
        if (start < 0 || count < 0 || start + count > Dims[0]) throw Error($"rows {start}..{start + count} are outside 0..{Dims[0]}.");
        return _layout.ReadRows(this, start, count);
    }

    public double[] ReadDoubles() => Hdf5Values.ToDoubles(File, Path, Type, ReadRaw(), ElementCount);

    public float[] ReadFloats() => Hdf5Values.ToSingles(File, Path, Type, ReadRaw(), ElementCount);

    public long[] ReadInt64() => Hdf5Values.ToInt64(File, Path, Type, ReadRaw(), ElementCount);

    public string?[] ReadStrings() => Hdf5Values.ToStrings(File, Path, Type, ReadRaw(), ElementCount);

    /// <summary>The stored chunks (file address, size, filter mask) of a chunked dataset; empty otherwise.</summary>
    internal IReadOnlyList<ChunkEntry> StoredChunks() => _layout.StoredChunks(this);

    /// <summary>Elements per row (product of all but the first dimension).</summary>
    public long RowElements
    {
        get
        {
            long n = 1;
            for (int i = 1; i < Dims.Length; i++) n = checked(n * Dims[i]);
            return n;
        }
    }
}
