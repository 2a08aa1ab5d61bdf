using System.Runtime.InteropServices;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>Element types the writer can store.</summary>
internal enum WriteType { Int8, Int32, Int64, UInt8, Float32, Float64, Bool, VlenString }

/// <summary>An attribute to write: a scalar or a 1-D array.</summary>
internal sealed class WriteAttribute
{
    public required string Name { get; init; }

    public required WriteType Type { get; init; }

    public long[]? Dims { get; init; }

    public byte[] Data { get; init; } = [];

    public string[]? Strings { get; init; }

    public static WriteAttribute String(string name, string value) => new() { Name = name, Type = WriteType.VlenString, Strings = [value] };

    public static WriteAttribute StringArray(string name, string[] values) =>
        new() { Name = name, Type = WriteType.VlenString, Strings = values, Dims = [values.Length] };

    public static WriteAttribute Int64Array(string name, long[] values) =>
        new() { Name = name, Type = WriteType.Int64, Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), Dims = [values.Length] };

    public static WriteAttribute Bool(string name, bool value) => new() { Name = name, Type = WriteType.Bool, Data = [value ? (byte)1 : (byte)0] };
}

/// <summary>A node of the tree the writer serialises.</summary>
internal abstract class WriteNode
{
    public List<WriteAttribute> Attributes { get; } = new();

    public WriteNode Attr(WriteAttribute a)
    {
        Attributes.RemoveAll(x => x.Name == a.Name);
        Attributes.Add(a);
        return this;
    }

    public WriteNode Attr(string name, string value) => Attr(WriteAttribute.String(name, value));
}

/// <summary>A group to write: ordered named children.</summary>
internal sealed class WriteGroup : WriteNode
{
    public List<(string Name, WriteNode Node)> Children { get; } = new();

    public WriteGroup Group(string name)
    {
        foreach (var (n, node) in Children) if (n == name && node is WriteGroup g) return g;
        var group = new WriteGroup();
        Add(name, group);
        return group;
    }

    public void Add(string name, WriteNode node)
    {
        if (name.Length == 0 || name.Contains('/')) throw new ArgumentException($"'{name}' is not a valid HDF5 link name.", nameof(name));
        Children.RemoveAll(c => c.Name == name);
        Children.Add((name, node));
    }

    public WriteDataset Dataset<T>(string name, T[] values, long[]? dims = null, bool compress = true) where T : unmanaged
    {
        var type = typeof(T) == typeof(float) ? WriteType.Float32 : typeof(T) == typeof(double) ? WriteType.Float64
            : typeof(T) == typeof(long) ? WriteType.Int64 : typeof(T) == typeof(int) ? WriteType.Int32
            : typeof(T) == typeof(sbyte) ? WriteType.Int8 : typeof(T) == typeof(byte) ? WriteType.UInt8
            : typeof(T) == typeof(bool) ? WriteType.Bool : throw new ArgumentException($"Element type {typeof(T)} cannot be written.");
        var ds = new WriteDataset
        {
            Type = type,
            Dims = dims ?? [values.Length],
            Data = MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
            Compress = compress,
        };
        Add(name, ds);
        return ds;
    }

    public WriteDataset Strings(string name, string?[] values, long[]? dims = null)
    {
        var ds = new WriteDataset { Type = WriteType.VlenString, Dims = dims ?? [values.Length], Strings = values };
        Add(name, ds);
        return ds;
    }

    public WriteDataset ScalarString(string name, string value)
    {
        var ds = new WriteDataset { Type = WriteType.VlenString, Dims = [], Strings = [value] };
        Add(name, ds);
        return ds;
    }

    public WriteDataset Scalar<T>(string name, T value) where T : unmanaged
    {
        var ds = Dataset(name, [value], []);
        ds.Compress = false;
        return ds;
    }
}

/// <summary>A dataset to write.</summary>
internal sealed class WriteDataset : WriteNode
{
    public required WriteType Type { get; init; }

    public required long[] Dims { get; init; }

    public byte[] Data { get; init; } = [];

    public string?[]? Strings { get; init; }

    public bool Compress { get; set; }
}
