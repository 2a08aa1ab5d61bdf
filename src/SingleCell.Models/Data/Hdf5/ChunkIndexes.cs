namespace SingleCell.Models.Data.Hdf5;

/// <summary>One stored chunk: its element offsets in the dataset, address, stored size and filter mask.</summary>
internal readonly record struct ChunkEntry(long[] Offsets, ulong Address, long Size, uint Mask);

/// <summary>Readers of the chunk indexes: version-1 B-tree (type 1) and the fixed array of layout version 4.</summary>
internal static class ChunkIndexes
{
    public static void WalkBTree(Hdf5Dataset ds, ulong address, int rank, Action<ChunkEntry> add)
    {
        var visited = new HashSet<ulong>();
        Walk(ds, address, rank, add, visited, 0, -1);
    }

    private static void Walk(Hdf5Dataset ds, ulong address, int rank, Action<ChunkEntry> add, HashSet<ulong> visited, int depth, int expectedLevel)
    {
        var file = ds.File;
        if (!visited.Add(address) || depth > 64 || visited.Count > 10_000_000) throw ds.Error("chunk B-tree contains a cycle.");
        int o = file.OffsetSize;
        var head = file.Read(address, 8 + 2 * o, ds.Path);
        if (head[0] != 'T' || head[1] != 'R' || head[2] != 'E' || head[3] != 'E') throw ds.Error($"chunk B-tree signature missing at {address}.");
        if (head[4] != 1) throw ds.Error($"chunk B-tree has node type {head[4]}; expected 1.");
        int level = head[5];
        if (expectedLevel >= 0 && level != expectedLevel) throw ds.Error("chunk B-tree levels are inconsistent.");
        int entries = head[6] | (head[7] << 8);
        int keySize = 8 + 8 * (rank + 1);
        var body = file.Read(address + (ulong)head.Length, (long)entries * (keySize + o) + keySize, ds.Path);
        var r = new ByteReader(body, file, ds.Path);
        for (int i = 0; i < entries; i++)
        {
            uint size = r.U32();
            uint mask = r.U32();
            var offsets = new long[rank];
            for (int d = 0; d < rank; d++) offsets[d] = (long)Math.Min(r.U64(), long.MaxValue);
            r.Skip(8);
            ulong child = r.Offset();
            if (level > 0) Walk(ds, child, rank, add, visited, depth + 1, level - 1);
            else add(new ChunkEntry(offsets, child, size, mask));
        }
    }

    /// <summary>Chunk offsets in row-major order of the chunk grid.</summary>
    public static IEnumerable<long[]> Grid(long[] dims, long[] chunkDims)
    {
        int rank = dims.Length;
        var counts = new long[rank];
        long total = 1;
        for (int d = 0; d < rank; d++)
        {
            counts[d] = (dims[d] + chunkDims[d] - 1) / chunkDims[d];
            total *= counts[d];
        }
        if (total == 0) yield break;
        var idx = new long[rank];
        while (true)
        {
            var offsets = new long[rank];
            for (int d = 0; d < rank; d++) offsets[d] = idx[d] * chunkDims[d];
            yield return offsets;
            int k = rank - 1;
            while (k >= 0)
            {
                if (++idx[k] < counts[k]) break;
                idx[k] = 0;
                k--;
            }
            if (k < 0) yield break;
        }
    }

    public static void ReadFixedArray(Hdf5Dataset ds, ulong address, bool filtered, List<long[]> grid, long chunkBytes, Action<ChunkEntry> add)
    {
        var file = ds.File;
        int o = file.OffsetSize, l = file.LengthSize;
        var head = file.Read(address, 8 + 1 + l + o + 4, ds.Path);
        if (head[0] != 'F' || head[1] != 'A' || head[2] != 'H' || head[3] != 'D') throw ds.Error("fixed array header signature missing.");
        var r = new ByteReader(head, file, ds.Path);
        r.Skip(6);
        int entrySize = r.U8();
        int pageBits = r.U8();
        long n = (long)r.LengthField();
        ulong dataBlock = r.Offset();
        if (n != grid.Count) throw ds.Error($"fixed array holds {n} chunks; the dataset has {grid.Count}.");
        if (entrySize < o || entrySize > o + 12) throw ds.Error($"fixed array entry size {entrySize} is invalid.");
        long pageEntries = pageBits >= 31 ? long.MaxValue : 1L << pageBits;
        bool paged = n > pageEntries;
        long pages = paged ? (n + pageEntries - 1) / pageEntries : 1;
        int prefix = 6 + o + (paged ? (int)((pages + 7) / 8) + 4 : 0);
        long size = prefix + n * entrySize + (paged ? pages * 4 : 4);
        var block = file.Read(dataBlock, size, ds.Path);
        var br = new ByteReader(block, file, ds.Path) { Position = prefix };
        for (long i = 0; i < n; i++)
        {
            if (paged && i > 0 && i % pageEntries == 0) br.Skip(4);
            ulong addr = br.Offset();
            long stored = chunkBytes;
            uint mask = 0;
            if (filtered)
            {
                stored = (long)br.UVar(entrySize - o - 4);
                mask = br.U32();
            }
            if (addr != ulong.MaxValue) add(new ChunkEntry(grid[(int)i], addr, stored, mask));
        }
    }
}
