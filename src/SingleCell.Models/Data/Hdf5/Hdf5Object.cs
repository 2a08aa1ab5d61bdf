namespace SingleCell.Models.Data.Hdf5;

/// <summary>An attribute: name, type, shape and its raw value bytes.</summary>
internal sealed class Hdf5Attribute
{
    public required string Name { get; init; }

    public required Hdf5Datatype Type { get; init; }

    public required Hdf5Dataspace Space { get; init; }

    public required byte[] Raw { get; init; }
}

/// <summary>A group or dataset: an object header with attributes.</summary>
internal abstract class Hdf5Object
{
    private Dictionary<string, Hdf5Attribute>? _attributes;

    protected Hdf5Object(Hdf5File file, string path, List<HeaderMessage> messages)
    {
        File = file;
        Path = path;
        Messages = messages;
    }

    public Hdf5File File { get; }

    public string Path { get; }

    public string Name => Path == "/" ? "/" : Path[(Path.LastIndexOf('/') + 1)..];

    internal List<HeaderMessage> Messages { get; }

    public IReadOnlyDictionary<string, Hdf5Attribute> Attributes => _attributes ??= ReadAttributes();

    public bool HasAttribute(string name) => Attributes.ContainsKey(name);

    /// <summary>A string attribute (scalar, or the first element of an array), or null when absent or not a string.</summary>
    public string? GetStringAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var a) || !a.Type.IsString || a.Space.ElementCount < 1) return null;
        return Hdf5Values.ToStrings(File, Path, a.Type, a.Raw, 1)[0];
    }

    public string?[] GetStringArrayAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var a)) return [];
        return a.Type.IsString ? Hdf5Values.ToStrings(File, Path, a.Type, a.Raw, a.Space.ElementCount) : [];
    }

    public long[] GetIntegerAttribute(string name)
    {
        if (!Attributes.TryGetValue(name, out var a)) return [];
        return Hdf5Values.ToInt64(File, Path, a.Type, a.Raw, a.Space.ElementCount);
    }

    public Hdf5FormatException Error(string problem) => File.Error(Path, problem);

    protected HeaderMessage? Find(ushort type)
    {
        foreach (var m in Messages) if (m.Type == type) return m;
        return null;
    }

    private Dictionary<string, Hdf5Attribute> ReadAttributes()
    {
        var result = new Dictionary<string, Hdf5Attribute>(StringComparer.Ordinal);
        foreach (var m in Messages)
        {
            if (m.Type == ObjectHeader.Attribute)
            {
                var a = ParseAttribute(m.Body);
                result[a.Name] = a;
            }
            else if (m.Type == ObjectHeader.AttributeInfo)
            {
                var r = new ByteReader(m.Body, File, Path);
                r.Skip(1);
                int flags = r.U8();
                if ((flags & 1) != 0) r.Skip(2);
                ulong heap = r.Offset();
                ulong nameIndex = r.Offset();
                if (heap != ulong.MaxValue)
                    foreach (var body in FractalHeap.ReadAllObjects(File, heap, nameIndex, Path))
                    {
                        var a = ParseAttribute(body);
                        result[a.Name] = a;
                    }
            }
        }
        return result;
    }

    private Hdf5Attribute ParseAttribute(byte[] body)
    {
        var r = new ByteReader(body, File, Path);
        int version = r.U8();
        int flags = r.U8();
        int nameSize = r.U16(), typeSize = r.U16(), spaceSize = r.U16();
        if (version >= 3) r.Skip(1);
        if (version is < 1 or > 3) throw Error($"attribute message version {version} is not supported.");
        if ((flags & 3) != 0) throw Error("shared datatypes in attributes are not supported.");
        int pad(int n) => version == 1 ? (n + 7) & ~7 : n;
        var nameBytes = r.Bytes(pad(nameSize));
        int nul = nameBytes[..Math.Min(nameSize, nameBytes.Length)].IndexOf((byte)0);
        string name = System.Text.Encoding.UTF8.GetString(nameBytes[..(nul >= 0 ? nul : nameSize)]);
        var tr = new ByteReader(r.Bytes(pad(typeSize)), File, Path + "@" + name);
        var type = Hdf5Datatype.Parse(ref tr, File, Path + "@" + name, 0);
        var sr = new ByteReader(r.Bytes(pad(spaceSize)), File, Path + "@" + name);
        var space = Hdf5Dataspace.Parse(ref sr, File, Path + "@" + name);
        long bytes = space.ElementCount * (long)type.Size;
        if (bytes > r.Remaining) throw Error($"attribute '{name}' needs {bytes} bytes but its message holds {r.Remaining}.");
        return new Hdf5Attribute { Name = name, Type = type, Space = space, Raw = r.Bytes((int)bytes).ToArray() };
    }
}
