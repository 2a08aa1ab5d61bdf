namespace SingleCell.Models.Data.Hdf5;

/// <summary>A group: named links to child objects, from a symbol table or link messages.</summary>
internal sealed class Hdf5Group : Hdf5Object
{
    private Dictionary<string, ulong>? _links;
    private List<string>? _order;
    private readonly Dictionary<string, Hdf5Object> _children = new(StringComparer.Ordinal);

    public Hdf5Group(Hdf5File file, string path, List<HeaderMessage> messages) : base(file, path, messages)
    {
    }

    /// <summary>Child names in storage order (name order for symbol tables).</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            EnsureLinks();
            return _order!;
        }
    }

    public bool Contains(string name)
    {
        EnsureLinks();
        return _links!.ContainsKey(name);
    }

    public Hdf5Object? TryGet(string name)
    {
        EnsureLinks();
        if (_children.TryGetValue(name, out var o)) return o;
        if (!_links!.TryGetValue(name, out var address)) return null;
        string childPath = Path == "/" ? "/" + name : Path + "/" + name;
        var messages = ObjectHeader.Read(File, address, childPath);
        bool isDataset = messages.Exists(m => m.Type == ObjectHeader.Layout);
        o = isDataset ? new Hdf5Dataset(File, childPath, messages) : new Hdf5Group(File, childPath, messages);
        _children[name] = o;
        return o;
    }

    public Hdf5Object Get(string name) => TryGet(name) ?? throw Error($"has no member '{name}'.");

    public Hdf5Group? Group(string name) => TryGet(name) as Hdf5Group;

    public Hdf5Dataset? Dataset(string name) => TryGet(name) as Hdf5Dataset;

    private void EnsureLinks()
    {
        if (_links is not null) return;
        var links = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var order = new List<string>();
        void add(string n, ulong a)
        {
            if (links.TryAdd(n, a)) order.Add(n);
        }
        foreach (var m in Messages)
        {
            if (m.Type == ObjectHeader.SymbolTable)
            {
                var r = new ByteReader(m.Body, File, Path);
                ulong btree = r.Offset();
                ulong heap = r.Offset();
                SymbolTable.Read(File, btree, heap, Path, add);
            }
            else if (m.Type == ObjectHeader.Link)
            {
                var (n, a) = ParseLink(m.Body);
                if (n is not null) add(n, a);
            }
            else if (m.Type == ObjectHeader.LinkInfo)
            {
                var r = new ByteReader(m.Body, File, Path);
                r.Skip(1);
                int flags = r.U8();
                if ((flags & 1) != 0) r.Skip(8);
                ulong heap = r.Offset();
                ulong nameIndex = r.Offset();
                if (heap != ulong.MaxValue)
                    foreach (var body in FractalHeap.ReadAllObjects(File, heap, nameIndex, Path))
                    {
                        var (n, a) = ParseLink(body);
                        if (n is not null) add(n, a);
                    }
            }
        }
        _links = links;
        _order = order;
    }

    private (string? Name, ulong Address) ParseLink(byte[] body)
    {
        var r = new ByteReader(body, File, Path);
        int version = r.U8();
        if (version != 1) throw Error($"link message version {version} is not supported.");
        int flags = r.U8();
        int linkType = (flags & 0x08) != 0 ? r.U8() : 0;
        if ((flags & 0x04) != 0) r.Skip(8);
        if ((flags & 0x10) != 0) r.Skip(1);
        int nameLength = (int)r.UVar(1 << (flags & 3));
        string name = System.Text.Encoding.UTF8.GetString(r.Bytes(nameLength));
        if (linkType != 0) return (null, 0); // soft and external links are not followed
        return (name, r.Offset());
    }
}
