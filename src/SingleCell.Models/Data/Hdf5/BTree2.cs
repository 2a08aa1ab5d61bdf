namespace SingleCell.Models.Data.Hdf5;

/// <summary>Version-2 B-tree: walks every record (depth-first) of a tree given its header address.</summary>
internal static class BTree2
{
    public static int RecordSize(Hdf5File file, ulong address, string path) => ReadHeader(file, address, path).RecordSize;

    public static void Walk(Hdf5File file, ulong address, string path, Action<int, byte[]> record)
    {
        var h = ReadHeader(file, address, path);
        void typed(byte[] rec) => record(h.Type, rec);
        if (h.Root == ulong.MaxValue || h.RootRecords == 0) return;
        var visited = new HashSet<ulong>();
        long budget = file.Length / Math.Max(1, h.RecordSize) + 1;
        WalkNode(file, h, h.Root, h.Depth, h.RootRecords, path, typed, visited, ref budget);
    }

    private sealed record Header(int Type, int NodeSize, int RecordSize, int Depth, ulong Root, int RootRecords, int[] MaxNrec, int[] CumSize, int NrecSize);

    private static Header ReadHeader(Hdf5File file, ulong address, string path)
    {
        var b = file.Read(address, 4 + 2 + 4 + 2 + 2 + 2 + file.OffsetSize + 2 + file.LengthSize + 4, path);
        if (b[0] != 'B' || b[1] != 'T' || b[2] != 'H' || b[3] != 'D') throw file.Error(path, $"v2 B-tree header signature missing at {address}.");
        var r = new ByteReader(b, file, path) { Position = 5 };
        int type = r.U8();
        uint nodeSize = r.U32();
        int recordSize = r.U16();
        int depth = r.U16();
        r.Skip(2);
        ulong root = r.Offset();
        int rootRecords = r.U16();
        if (nodeSize < 16 || nodeSize > (1 << 24) || recordSize == 0 || recordSize > nodeSize || depth > 32)
            throw file.Error(path, $"v2 B-tree header has implausible node size {nodeSize}, record size {recordSize} or depth {depth}.");
        var maxNrec = new int[depth + 1];
        var cum = new long[depth + 1];
        var cumSize = new int[depth + 1];
        maxNrec[0] = ((int)nodeSize - 10) / recordSize;
        cum[0] = maxNrec[0];
        int nrecSize = EncSize(maxNrec[0]);
        for (int d = 1; d <= depth; d++)
        {
            int pointer = file.OffsetSize + nrecSize + (d > 1 ? cumSize[d - 1] : 0);
            maxNrec[d] = ((int)nodeSize - 10) / (recordSize + pointer);
            cum[d] = Math.Min(long.MaxValue / 4, (maxNrec[d] + 1L) * cum[d - 1] + maxNrec[d]);
            cumSize[d] = EncSize(cum[d]);
        }
        return new Header(type, (int)nodeSize, recordSize, depth, root, rootRecords, maxNrec, cumSize, nrecSize);
    }

    private static int EncSize(long value)
    {
        int bits = 0;
        while (value > 0) { bits++; value >>= 1; }
        return Math.Max(bits - 1, 0) / 8 + 1;
    }

    private static void WalkNode(Hdf5File file, Header h, ulong address, int depth, int nrec, string path, Action<byte[]> record, HashSet<ulong> visited, ref long budget)
    {
        if (!visited.Add(address)) throw file.Error(path, "v2 B-tree contains a cycle.");
        if (nrec < 0 || nrec > h.MaxNrec[depth]) throw file.Error(path, $"v2 B-tree node holds {nrec} records; at most {h.MaxNrec[depth]} fit.");
        if ((budget -= nrec + 1) < 0) throw file.Error(path, "v2 B-tree has more records than the file can hold.");
        var b = file.Read(address, h.NodeSize, path);
        bool leaf = depth == 0;
        if (b[0] != 'B' || b[1] != 'T' || b[2] != (leaf ? 'L' : 'I') || b[3] != (leaf ? 'F' : 'N'))
            throw file.Error(path, $"v2 B-tree {(leaf ? "leaf" : "internal")} node signature missing at {address}.");
        var r = new ByteReader(b, file, path) { Position = 6 };
        var records = new byte[nrec][];
        for (int i = 0; i < nrec; i++) records[i] = r.Bytes(h.RecordSize).ToArray();
        if (leaf)
        {
            foreach (var rec in records) record(rec);
            return;
        }
        var children = new (ulong Address, int Nrec)[nrec + 1];
        for (int i = 0; i <= nrec; i++)
        {
            ulong child = r.Offset();
            int childN = (int)Math.Min(r.UVar(h.NrecSize), int.MaxValue);
            if (depth > 1) r.UVar(h.CumSize[depth - 1]);
            children[i] = (child, childN);
        }
        for (int i = 0; i <= nrec; i++)
        {
            WalkNode(file, h, children[i].Address, depth - 1, children[i].Nrec, path, record, visited, ref budget);
            if (i < nrec) record(records[i]);
        }
    }
}
