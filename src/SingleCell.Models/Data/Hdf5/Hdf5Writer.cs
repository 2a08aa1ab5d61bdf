using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>
/// Serialises a <see cref="WriteGroup"/> tree as an HDF5 file that the HDF5 library (h5py) opens:
/// superblock version 0, version-1 object headers, compact link-message groups, contiguous or
/// single-chunk deflated datasets, variable-length UTF-8 strings in global heap collections.
/// </summary>
internal sealed class Hdf5Writer
{
    private const ulong Undefined = ulong.MaxValue;
    private const int SuperblockSize = 96;
    private const int HeapMinSize = 4096;
    private const int BTreeWidth = 64;
    private const long ChunkBytes = 1 << 18;
    private readonly FileStream _out;
    private long _heapStart = -1, _heapUsed, _heapSize;
    private byte[] _heap = [];
    private long _end;
    private int _heapNextIndex;

    private Hdf5Writer(FileStream output) => _out = output;

    /// <summary>
    /// Writes the tree to <paramref name="path"/>: the file is streamed to a temporary file beside it
    /// (so its size is not limited by one in-memory buffer), flushed, then renamed over the target;
    /// on failure the temporary file is deleted and an existing target is left as it was.
    /// </summary>
    public static void Write(string path, WriteGroup root)
    {
        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                var w = new Hdf5Writer(stream);
                w._out.Write(new byte[SuperblockSize]);
                w._end = SuperblockSize;
                ulong rootAddress = w.WriteGroupNode(root);
                w.CloseHeap();
                w.WriteSuperblock(rootAddress);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private void WriteSuperblock(ulong root)
    {
        var b = new byte[SuperblockSize];
        var s = b.AsSpan();
        ReadOnlySpan<byte> sig = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
        sig.CopyTo(s);
        // versions (superblock, free space, root symbol table, reserved, shared header) are all 0
        s[13] = 8; // size of offsets
        s[14] = 8; // size of lengths
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 4); // group leaf K
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 16); // group internal K
        BinaryPrimitives.WriteUInt64LittleEndian(s[24..], 0); // base address
        BinaryPrimitives.WriteUInt64LittleEndian(s[32..], Undefined); // free space
        BinaryPrimitives.WriteUInt64LittleEndian(s[40..], (ulong)_end); // end of file
        BinaryPrimitives.WriteUInt64LittleEndian(s[48..], Undefined); // driver info
        BinaryPrimitives.WriteUInt64LittleEndian(s[56..], 0); // root link name offset
        BinaryPrimitives.WriteUInt64LittleEndian(s[64..], root); // root object header
        _out.Position = 0;
        _out.Write(b);
    }

    private ulong WriteGroupNode(WriteGroup g)
    {
        var addresses = new List<(string, ulong)>();
        foreach (var (name, node) in g.Children)
            addresses.Add((name, node is WriteGroup cg ? WriteGroupNode(cg) : WriteDatasetNode((WriteDataset)node)));
        var messages = new List<(ushort, byte[])>
        {
            (0x02, [0, 0, .. U64(Undefined), .. U64(Undefined)]), // link info: no creation order, no dense storage
            (0x0A, [0, 0]), // group info
        };
        foreach (var (name, address) in addresses)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            bool wide = nameBytes.Length > 255;
            var body = new List<byte> { 1, (byte)(0x10 | (wide ? 1 : 0)), 1 };
            if (wide) body.AddRange(BitConverter.GetBytes((ushort)nameBytes.Length));
            else body.Add((byte)nameBytes.Length);
            body.AddRange(nameBytes);
            body.AddRange(U64(address));
            messages.Add((0x06, body.ToArray()));
        }
        AddAttributes(g, messages);
        return WriteHeader(messages);
    }

    private ulong WriteDatasetNode(WriteDataset d)
    {
        long count = 1;
        foreach (var x in d.Dims) count *= x;
        int size = ElementSize(d.Type);
        byte[] data = d.Type == WriteType.VlenString ? VlenElements(d.Strings!) : d.Data;
        if (data.Length != count * size) throw new ArgumentException($"Dataset holds {data.Length} bytes; its shape needs {count * size}.");
        var messages = new List<(ushort, byte[])>
        {
            (0x01, Dataspace(d.Dims)),
            (0x03, Datatype(d.Type)),
            (0x05, [3, 0x0A]), // fill value v3: late allocation, write fill if set, none defined
        };
        bool chunk = d.Compress && d.Dims.Length > 0 && count > 0 && d.Type != WriteType.VlenString && data.Length < int.MaxValue / 2;
        if (chunk)
        {
            messages.Add((0x08, WriteChunked(d.Dims, size, data)));
            messages.Add((0x0B, [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0]));
        }
        else
        {
            ulong at = data.Length == 0 ? Undefined : Append(data);
            messages.Add((0x08, [3, 1, .. U64(at), .. U64((ulong)data.Length)]));
        }
        AddAttributes(d, messages);
        return WriteHeader(messages);
    }

    /// <summary>Splits the data into deflated chunks along the first dimension, indexed by a version-1 B-tree; returns the layout message.</summary>
    private byte[] WriteChunked(long[] dims, int elementSize, byte[] data)
    {
        long rowBytes = elementSize;
        for (int i = 1; i < dims.Length; i++) rowBytes *= dims[i];
        long chunkRows = Math.Clamp(ChunkBytes / Math.Max(rowBytes, 1), 1, Math.Max(dims[0], 1));
        int rank = dims.Length;
        var entries = new List<(long Row, ulong Address, uint Size)>();
        for (long row = 0; row < dims[0]; row += chunkRows)
        {
            // Every chunk is stored full size; the last one is padded with zeros.
            var chunk = new byte[chunkRows * rowBytes];
            long n = Math.Min(chunkRows, dims[0] - row) * rowBytes;
            Array.Copy(data, row * rowBytes, chunk, 0, n);
            var packed = Deflate(chunk);
            entries.Add((row, Append(packed), (uint)packed.Length));
        }
        long endRow = (dims[0] + chunkRows - 1) / chunkRows * chunkRows;
        // Leaf level, then internal levels until one root remains.
        var level = new List<(long FirstRow, ulong Address)>();
        for (int i = 0; i < entries.Count; i += BTreeWidth)
        {
            var slice = entries.GetRange(i, Math.Min(BTreeWidth, entries.Count - i));
            long last = i + BTreeWidth < entries.Count ? entries[i + BTreeWidth].Row : endRow;
            level.Add((slice[0].Row, WriteBTreeNode(0, rank, slice.ConvertAll(e => (e.Row, e.Address, e.Size)), last)));
        }
        int height = 0;
        while (level.Count > 1)
        {
            height++;
            var next = new List<(long, ulong)>();
            for (int i = 0; i < level.Count; i += BTreeWidth)
            {
                var slice = level.GetRange(i, Math.Min(BTreeWidth, level.Count - i));
                long last = i + BTreeWidth < level.Count ? level[i + BTreeWidth].FirstRow : endRow;
                next.Add((slice[0].FirstRow, WriteBTreeNode(height, rank, slice.ConvertAll(e => (e.FirstRow, e.Address, 0u)), last)));
            }
            level = next;
        }
        var layout = new List<byte> { 3, 2, (byte)(rank + 1) };
        layout.AddRange(U64(level[0].Address));
        layout.AddRange(BitConverter.GetBytes((uint)chunkRows));
        for (int i = 1; i < rank; i++) layout.AddRange(BitConverter.GetBytes((uint)dims[i]));
        layout.AddRange(BitConverter.GetBytes((uint)elementSize));
        return layout.ToArray();
    }

    private ulong WriteBTreeNode(int level, int rank, List<(long Row, ulong Address, uint Size)> children, long lastRow)
    {
        int keySize = 8 + 8 * (rank + 1);
        // The HDF5 library reads a node at its full capacity (2K children), so the node is padded to it.
        var node = new byte[24 + BTreeWidth * 8 + (BTreeWidth + 1) * keySize];
        var s = node.AsSpan();
        "TREE"u8.CopyTo(s);
        s[4] = 1;
        s[5] = (byte)level;
        BinaryPrimitives.WriteUInt16LittleEndian(s[6..], (ushort)children.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], Undefined);
        BinaryPrimitives.WriteUInt64LittleEndian(s[16..], Undefined);
        int p = 24;
        void key(uint size, long row)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(node.AsSpan(p), size);
            BinaryPrimitives.WriteUInt64LittleEndian(node.AsSpan(p + 8), (ulong)row);
            p += keySize;
        }
        foreach (var (row, address, size) in children)
        {
            key(size, row);
            BinaryPrimitives.WriteUInt64LittleEndian(s[p..], address);
            p += 8;
        }
        key(0, lastRow);
        return Append(node);
    }

    private void AddAttributes(WriteNode node, List<(ushort, byte[])> messages)
    {
        foreach (var a in node.Attributes)
        {
            var dims = a.Dims ?? [];
            byte[] value = a.Type == WriteType.VlenString ? VlenElements(a.Strings!) : a.Data;
            var name = Encoding.UTF8.GetBytes(a.Name + "\0");
            var type = Datatype(a.Type);
            var space = Dataspace(dims);
            var body = new List<byte> { 1, 0 };
            body.AddRange(BitConverter.GetBytes((ushort)name.Length));
            body.AddRange(BitConverter.GetBytes((ushort)type.Length));
            body.AddRange(BitConverter.GetBytes((ushort)space.Length));
            body.AddRange(Pad8(name));
            body.AddRange(Pad8(type));
            body.AddRange(Pad8(space));
            body.AddRange(value);
            messages.Add((0x0C, body.ToArray()));
        }
    }

    private ulong WriteHeader(List<(ushort Type, byte[] Body)> messages)
    {
        int total = 0;
        foreach (var (_, body) in messages) total += 8 + ((body.Length + 7) & ~7);
        var header = new byte[16 + total];
        var s = header.AsSpan();
        s[0] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(s[2..], (ushort)messages.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)total);
        int p = 16;
        foreach (var (type, body) in messages)
        {
            int padded = (body.Length + 7) & ~7;
            if (padded > ushort.MaxValue) throw new InvalidOperationException($"A header message of {padded} bytes is too large; store large values as datasets.");
            BinaryPrimitives.WriteUInt16LittleEndian(s[p..], type);
            BinaryPrimitives.WriteUInt16LittleEndian(s[(p + 2)..], (ushort)padded);
            s[p + 4] = type == 0x03 ? (byte)1 : (byte)0; // datatype messages are constant
            body.CopyTo(s[(p + 8)..]);
            p += 8 + padded;
        }
        return Append(header);
    }

    /// <summary>Writes <paramref name="bytes"/> at the end of the file, aligned to 8 bytes; returns its address.</summary>
    private ulong Append(byte[] bytes)
    {
        long at = (_end + 7) & ~7L;
        if (_out.Position != _end) _out.Position = _end;
        if (at > _end) _out.Write(stackalloc byte[(int)(at - _end)]);
        _out.Write(bytes);
        _end = at + bytes.Length;
        return (ulong)at;
    }

    // ---------- global heap ----------

    private byte[] VlenElements(string?[] strings)
    {
        var result = new byte[strings.Length * 16];
        for (int i = 0; i < strings.Length; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(strings[i] ?? "");
            var (collection, index) = HeapAdd(bytes);
            var s = result.AsSpan(i * 16);
            BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)bytes.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(s[4..], collection);
            BinaryPrimitives.WriteUInt32LittleEndian(s[12..], (uint)index);
        }
        return result;
    }

    private (ulong Collection, int Index) HeapAdd(byte[] bytes)
    {
        long need = 16 + ((bytes.Length + 7) & ~7);
        if (_heapStart < 0 || _heapUsed + need + 16 > _heapSize || _heapNextIndex >= ushort.MaxValue)
        {
            CloseHeap();
            _heapSize = Math.Max(HeapMinSize, (16 + need + 16 + 4095) & ~4095L);
            // The collection is reserved in the file now and filled in memory; CloseHeap writes it once.
            _heap = new byte[_heapSize];
            _heapStart = (long)Append(_heap);
            _heapUsed = 16;
            _heapNextIndex = 1;
            "GCOL"u8.CopyTo(_heap);
            _heap[4] = 1;
            BinaryPrimitives.WriteUInt64LittleEndian(_heap.AsSpan(8), (ulong)_heapSize);
        }
        var obj = _heap.AsSpan((int)_heapUsed, (int)need);
        BinaryPrimitives.WriteUInt16LittleEndian(obj, (ushort)_heapNextIndex);
        BinaryPrimitives.WriteUInt16LittleEndian(obj[2..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(obj[8..], (ulong)bytes.Length);
        bytes.CopyTo(obj[16..]);
        _heapUsed += need;
        return ((ulong)_heapStart, _heapNextIndex++);
    }

    private void CloseHeap()
    {
        if (_heapStart < 0) return;
        long free = _heapSize - _heapUsed;
        if (free >= 16) BinaryPrimitives.WriteUInt64LittleEndian(_heap.AsSpan((int)_heapUsed + 8), (ulong)free);
        WriteAt(_heapStart, _heap);
        _heapStart = -1;
        _heap = [];
    }

    private void WriteAt(long position, byte[] bytes)
    {
        _out.Position = position;
        _out.Write(bytes);
        _end = Math.Max(_end, _out.Position);
        _out.Position = _end;
    }

    // ---------- encodings ----------

    private static byte[] Deflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    private static int ElementSize(WriteType t) => t switch
    {
        WriteType.Int8 or WriteType.UInt8 or WriteType.Bool => 1,
        WriteType.Int32 or WriteType.Float32 => 4,
        WriteType.Int64 or WriteType.Float64 => 8,
        _ => 16,
    };

    private static byte[] Dataspace(long[] dims)
    {
        var b = new List<byte> { 1, (byte)dims.Length, 0, 0, 0, 0, 0, 0 };
        foreach (var d in dims) b.AddRange(U64((ulong)d));
        return b.ToArray();
    }

    private static byte[] Datatype(WriteType t) => t switch
    {
        WriteType.Int8 => Integer(1, true),
        WriteType.UInt8 => Integer(1, false),
        WriteType.Int32 => Integer(4, true),
        WriteType.Int64 => Integer(8, true),
        WriteType.Float32 => [0x11, 0x20, 31, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0],
        WriteType.Float64 => [0x11, 0x20, 63, 0, 8, 0, 0, 0, 0, 0, 64, 0, 52, 11, 0, 52, 0xff, 0x03, 0, 0],
        WriteType.Bool => [0x18, 2, 0, 0, 1, 0, 0, 0, .. Integer(1, true), .. Pad8("FALSE\0"u8.ToArray()), .. Pad8("TRUE\0"u8.ToArray()), 0, 1],
        _ => [0x19, 0x01, 0x01, 0, 16, 0, 0, 0, .. Integer(1, false)],
    };

    private static byte[] Integer(int size, bool signed) =>
        [0x10, (byte)(signed ? 0x08 : 0), 0, 0, (byte)size, 0, 0, 0, 0, 0, (byte)(8 * size), 0];

    private static byte[] Pad8(byte[] b)
    {
        var r = new byte[(b.Length + 7) & ~7];
        b.CopyTo(r, 0);
        return r;
    }

    private static byte[] U64(ulong v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return b;
    }
}
