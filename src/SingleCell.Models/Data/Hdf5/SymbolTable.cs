namespace SingleCell.Models.Data.Hdf5;

/// <summary>Reads old-style groups: a version-1 B-tree (type 0) of symbol table nodes naming objects in a local heap.</summary>
internal static class SymbolTable
{
    public static void Read(Hdf5File file, ulong btreeAddress, ulong heapAddress, string path, Action<string, ulong> add)
    {
        var heap = ReadLocalHeap(file, heapAddress, path);
        var visited = new HashSet<ulong>();
        Walk(file, btreeAddress, heap, path, add, visited, 0);
    }

    private static byte[] ReadLocalHeap(Hdf5File file, ulong address, string path)
    {
        var head = file.Read(address, 8 + 2 * file.LengthSize + file.OffsetSize, path);
        if (head[0] != 'H' || head[1] != 'E' || head[2] != 'A' || head[3] != 'P') throw file.Error(path, $"local heap signature missing at {address}.");
        var r = new ByteReader(head, file, path);
        r.Skip(8);
        ulong size = r.LengthField();
        r.LengthField();
        ulong data = r.Offset();
        return file.Read(data, (long)Math.Min(size, (ulong)file.Length + 1), path);
    }

    private static void Walk(Hdf5File file, ulong address, byte[] heap, string path, Action<string, ulong> add, HashSet<ulong> visited, int depth)
    {
        if (!visited.Add(address) || depth > 64) throw file.Error(path, "group B-tree contains a cycle.");
        int o = file.OffsetSize, l = file.LengthSize;
        var head = file.Read(address, 8 + 2 * o, path);
        if (head[0] != 'T' || head[1] != 'R' || head[2] != 'E' || head[3] != 'E') throw file.Error(path, $"B-tree signature missing at {address}.");
        if (head[4] != 0) throw file.Error(path, $"group B-tree has node type {head[4]}; expected 0.");
        int level = head[5];
        int entries = head[6] | (head[7] << 8);
        var body = file.Read(address + (ulong)head.Length, (long)entries * (l + o) + l, path);
        var r = new ByteReader(body, file, path);
        for (int i = 0; i < entries; i++)
        {
            r.Skip(l);
            ulong child = r.Offset();
            if (level > 0) Walk(file, child, heap, path, add, visited, depth + 1);
            else ReadNode(file, child, heap, path, add, visited);
        }
    }

    private static void ReadNode(Hdf5File file, ulong address, byte[] heap, string path, Action<string, ulong> add, HashSet<ulong> visited)
    {
        if (!visited.Add(address)) throw file.Error(path, "symbol table node is referenced twice.");
        var head = file.Read(address, 8, path);
        if (head[0] != 'S' || head[1] != 'N' || head[2] != 'O' || head[3] != 'D') throw file.Error(path, $"symbol table node signature missing at {address}.");
        int count = head[6] | (head[7] << 8);
        int entrySize = 2 * file.OffsetSize + 24;
        var body = file.Read(address + 8, (long)count * entrySize, path);
        var r = new ByteReader(body, file, path);
        for (int i = 0; i < count; i++)
        {
            ulong nameOffset = r.UVar(file.OffsetSize);
            ulong objectAddress = r.Offset();
            r.Skip(24);
            if (nameOffset >= (ulong)heap.Length) throw file.Error(path, $"link name offset {nameOffset} is outside the local heap.");
            int end = heap.AsSpan((int)nameOffset).IndexOf((byte)0);
            if (end < 0) throw file.Error(path, "unterminated link name in the local heap.");
            add(System.Text.Encoding.UTF8.GetString(heap, (int)nameOffset, end), objectAddress);
        }
    }
}
