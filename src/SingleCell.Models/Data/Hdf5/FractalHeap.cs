namespace SingleCell.Models.Data.Hdf5;

/// <summary>
/// Fractal heap (dense link and attribute storage): maps heap IDs from a v2 B-tree index to the
/// objects stored in the heap's direct blocks (found by walking its doubling table).
/// </summary>
internal sealed class FractalHeap
{
    private readonly Hdf5File _file;
    private readonly string _path;
    private readonly List<(long Offset, byte[] Block)> _blocks = new();
    private int _offsetBytes, _lengthBytes;

    private FractalHeap(Hdf5File file, string path)
    {
        _file = file;
        _path = path;
    }

    /// <summary>Every object indexed by the name-index B-tree, in name-hash order.</summary>
    public static List<byte[]> ReadAllObjects(Hdf5File file, ulong heapAddress, ulong nameIndexAddress, string path)
    {
        var result = new List<byte[]>();
        if (heapAddress == ulong.MaxValue || nameIndexAddress == ulong.MaxValue) return result;
        var heap = new FractalHeap(file, path);
        heap.Load(heapAddress);
        BTree2.Walk(file, nameIndexAddress, path, (type, rec) =>
        {
            // Link name records (type 5) are hash + ID, link order records (6) order + ID;
            // attribute records (8, 9) start with the ID.
            int idStart = type switch { 5 => 4, 6 => 8, 8 or 9 => 0, _ => throw file.Error(path, $"v2 B-tree of type {type} is not a link or attribute index.") };
            if (rec.Length <= idStart) throw file.Error(path, "v2 B-tree record is too short.");
            result.Add(heap.Get(rec.AsSpan(idStart)));
        });
        return result;
    }

    private void Load(ulong address)
    {
        int o = _file.OffsetSize, l = _file.LengthSize;
        var b = _file.Read(address, 4 + 1 + 2 + 2 + 1 + 4 + l + o + l + o + 8 * l + 2 + l + l + 2 + 2 + o + 2, _path);
        if (b[0] != 'F' || b[1] != 'R' || b[2] != 'H' || b[3] != 'P') throw _file.Error(_path, $"fractal heap signature missing at {address}.");
        var r = new ByteReader(b, _file, _path) { Position = 5 };
        r.U16(); // heap ID length
        int filterLength = r.U16();
        r.U8(); // flags
        uint maxManaged = r.U32();
        r.LengthField(); r.Offset(); r.LengthField(); r.Offset();
        r.LengthField(); r.LengthField(); r.LengthField(); r.LengthField();
        r.LengthField(); r.LengthField(); r.LengthField(); r.LengthField();
        int width = r.U16();
        ulong startSize = r.LengthField();
        ulong maxDirect = r.LengthField();
        int maxHeapBits = r.U16();
        r.U16(); // starting rows
        ulong root = r.Offset();
        int rows = r.U16();
        if (filterLength != 0) throw _file.Error(_path, "filtered (compressed) fractal heaps are not supported.");
        if (width is 0 or > 65536 || (width & (width - 1)) != 0 || startSize == 0 || (startSize & (startSize - 1)) != 0
            || maxDirect < startSize || maxDirect > (ulong)_file.Length * 2 + 65536 || maxHeapBits is 0 or > 64 || rows > 64)
            throw _file.Error(_path, "fractal heap header has implausible table parameters.");
        _offsetBytes = (maxHeapBits + 7) / 8;
        _lengthBytes = Math.Min(EncSize(maxDirect), EncSize(maxManaged));
        int maxDirectRows = Log2(maxDirect) - Log2(startSize) + 2;
        var visited = new HashSet<ulong>();
        if (root == ulong.MaxValue) return;
        if (rows == 0) ReadDirect(root, (long)startSize, visited);
        else ReadIndirect(root, rows, width, (long)startSize, maxDirectRows, visited, 0);
    }

    private void ReadIndirect(ulong address, int rows, int width, long startSize, int maxDirectRows, HashSet<ulong> visited, int depth)
    {
        if (!visited.Add(address) || depth > 16) throw _file.Error(_path, "fractal heap indirect blocks form a cycle.");
        int directRows = Math.Min(rows, maxDirectRows);
        int entries = rows * width;
        var b = _file.Read(address, 4 + 1 + _file.OffsetSize + _offsetBytes + (long)entries * _file.OffsetSize, _path);
        if (b[0] != 'F' || b[1] != 'H' || b[2] != 'I' || b[3] != 'B') throw _file.Error(_path, $"fractal heap indirect block signature missing at {address}.");
        var r = new ByteReader(b, _file, _path) { Position = 5 + _file.OffsetSize + _offsetBytes };
        int log2Width = Log2((ulong)width);
        for (int row = 0; row < rows; row++)
        {
            long size = row < 2 ? startSize : startSize << (row - 1);
            for (int c = 0; c < width; c++)
            {
                ulong child = r.Offset();
                if (child == ulong.MaxValue) continue;
                if (row < directRows) ReadDirect(child, size, visited);
                else ReadIndirect(child, row - log2Width, width, startSize, maxDirectRows, visited, depth + 1);
            }
        }
    }

    private void ReadDirect(ulong address, long size, HashSet<ulong> visited)
    {
        if (!visited.Add(address)) throw _file.Error(_path, "fractal heap direct block is referenced twice.");
        var b = _file.Read(address, size, _path);
        if (b.Length < 5 + _file.OffsetSize + _offsetBytes || b[0] != 'F' || b[1] != 'H' || b[2] != 'D' || b[3] != 'B')
            throw _file.Error(_path, $"fractal heap direct block signature missing at {address}.");
        var r = new ByteReader(b, _file, _path) { Position = 5 + _file.OffsetSize };
        long offset = (long)r.UVar(_offsetBytes);
        _blocks.Add((offset, b));
    }

    private byte[] Get(ReadOnlySpan<byte> id)
    {
        if (id.Length < 1) throw _file.Error(_path, "empty fractal heap ID.");
        int type = (id[0] >> 4) & 3;
        if (type == 2)
        {
            int length = (id[0] & 0x0f) + 1;
            if (1 + length > id.Length) throw _file.Error(_path, "tiny heap object overruns its ID.");
            return id.Slice(1, length).ToArray();
        }
        if (type != 0) throw _file.Error(_path, "huge fractal heap objects are not supported.");
        var r = new ByteReader(id, _file, _path) { Position = 1 };
        long offset = (long)r.UVar(_offsetBytes);
        long len = (long)r.UVar(_lengthBytes);
        foreach (var (start, block) in _blocks)
        {
            if (offset < start || offset >= start + block.Length) continue;
            long at = offset - start;
            if (at + len > block.Length) throw _file.Error(_path, "fractal heap object overruns its block.");
            return block.AsSpan((int)at, (int)len).ToArray();
        }
        throw _file.Error(_path, $"fractal heap object at offset {offset} is not in any direct block.");
    }

    private static int Log2(ulong v)
    {
        int n = 0;
        while (v > 1) { v >>= 1; n++; }
        return n;
    }

    private static int EncSize(ulong value) => Log2(Math.Max(value, 1)) / 8 + 1;
}
