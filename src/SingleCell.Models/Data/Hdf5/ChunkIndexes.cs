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

    /// <summary>Number of chunks in the grid (saturating).</summary>
    public static long GridCount(long[] dims, long[] chunkDims)
    {
        long total = 1;
        for (int d = 0; d < dims.Length; d++)
        {
            long n = (dims[d] + chunkDims[d] - 1) / chunkDims[d];
            total = n == 0 ? 0 : total > long.MaxValue / n ? long.MaxValue : total * n;
        }
        return total;
    }

    public static void ReadFixedArray(Hdf5Dataset ds, ulong address, bool filtered, long[] chunkDims, long chunkBytes, Action<ChunkEntry> add)
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
        long expected = GridCount(ds.Dims, chunkDims);
        if (n != expected) throw ds.Error($"fixed array holds {n} chunks; the dataset has {expected}.");
        if (entrySize < o || entrySize > o + 12) throw ds.Error($"fixed array entry size {entrySize} is invalid.");
        if (n > file.Length / entrySize) throw ds.Error($"fixed array of {n} entries is larger than the file.");
        var grid = Grid(ds.Dims, chunkDims).ToList();
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

    /// <summary>Extensible array chunk index (one unlimited dimension, the first): elements in chunk-grid order.</summary>
    public static void ReadExtensibleArray(Hdf5Dataset ds, ulong address, bool filtered, long[] chunkDims, long chunkBytes, Action<ChunkEntry> add)
    {
        var file = ds.File;
        int o = file.OffsetSize, l = file.LengthSize;
        var grid = Grid(ds.Dims, chunkDims).GetEnumerator();
        var head = file.Read(address, 12 + 6 * l + o + 4, ds.Path);
        if (head[0] != 'E' || head[1] != 'A' || head[2] != 'H' || head[3] != 'D') throw ds.Error("extensible array header signature missing.");
        var r = new ByteReader(head, file, ds.Path) { Position = 6 };
        int elementSize = r.U8(), maxBits = r.U8(), indexElements = r.U8(), minDataElements = r.U8(), minPointers = r.U8(), pageBits = r.U8();
        r.Skip(6 * l);
        ulong indexBlock = r.Offset();
        if (elementSize < o || elementSize > o + 12 || maxBits is 0 or > 64 || minDataElements == 0 || minPointers == 0
            || (minDataElements & (minDataElements - 1)) != 0 || (minPointers & (minPointers - 1)) != 0 || pageBits > 40)
            throw ds.Error("extensible array header has implausible parameters.");
        if (indexBlock == ulong.MaxValue) return;
        int superBlocks = 1 + maxBits - Log2(minDataElements);
        int directSuper = 2 * Log2(minPointers);
        int dataAddrs = 2 * (minPointers - 1);
        int superAddrs = Math.Max(0, superBlocks - directSuper);
        int offSize = (maxBits + 7) / 8;
        var ib = file.Read(indexBlock, 6 + o + (long)indexElements * elementSize + (long)(dataAddrs + superAddrs) * o + 4, ds.Path);
        if (ib[0] != 'E' || ib[1] != 'A' || ib[2] != 'I' || ib[3] != 'B') throw ds.Error("extensible array index block signature missing.");
        var br = new ByteReader(ib, file, ds.Path) { Position = 6 + o };
        bool more = true;
        void element(ref ByteReader er)
        {
            ulong addr = er.Offset();
            long size = chunkBytes;
            uint mask = 0;
            if (filtered)
            {
                size = (long)er.UVar(elementSize - o - 4);
                mask = er.U32();
            }
            else er.Skip(elementSize - o);
            if (!more) return;
            if (!grid.MoveNext()) { more = false; return; }
            if (addr != ulong.MaxValue) add(new ChunkEntry(grid.Current, addr, size, mask));
        }
        for (int i = 0; i < indexElements; i++) element(ref br);
        var dataBlocks = new List<(ulong Address, long Elements)>();
        int sb = 0;
        for (int k = 0; k < dataAddrs;)
        {
            long n = (1L << ((sb + 1) / 2)) * minDataElements;
            for (int j = 0; j < 1 << (sb / 2) && k < dataAddrs; j++, k++) dataBlocks.Add((br.Offset(), n));
            sb++;
        }
        var secondary = new List<(ulong Address, int Super)>();
        for (int k = 0; k < superAddrs; k++) secondary.Add((br.Offset(), directSuper + k));
        long pageElements = 1L << pageBits;
        void readData(ulong addr, long n)
        {
            if (!more) return;
            if (addr == ulong.MaxValue)
            {
                for (long i = 0; i < n && more; i++) more = grid.MoveNext();
                return;
            }
            bool paged = n > pageElements;
            int prefix = 6 + o + offSize;
            long bytes = paged ? prefix + 4 + (n / pageElements) * (pageElements * elementSize + 4) : prefix + n * elementSize + 4;
            var db = file.Read(addr, bytes, ds.Path);
            if (db[0] != 'E' || db[1] != 'A' || db[2] != 'D' || db[3] != 'B') throw ds.Error("extensible array data block signature missing.");
            var dr = new ByteReader(db, file, ds.Path) { Position = prefix + (paged ? 4 : 0) };
            for (long i = 0; i < n && more; i++)
            {
                if (paged && i > 0 && i % pageElements == 0) dr.Skip(4);
                element(ref dr);
            }
        }
        foreach (var (addr, n) in dataBlocks) readData(addr, n);
        foreach (var (addr, super) in secondary)
        {
            if (!more) break;
            long blocks = 1L << (super / 2), n = (1L << ((super + 1) / 2)) * minDataElements;
            if (addr == ulong.MaxValue)
            {
                for (long i = 0; i < blocks * n && more; i++) more = grid.MoveNext();
                continue;
            }
            if (blocks > file.Length) throw ds.Error("extensible array secondary block is implausibly large.");
            bool paged = n > pageElements;
            long bitmap = paged ? (blocks * (n / pageElements) + 7) / 8 : 0;
            var sbb = file.Read(addr, 6 + o + offSize + bitmap + blocks * o + 4, ds.Path);
            if (sbb[0] != 'E' || sbb[1] != 'A' || sbb[2] != 'S' || sbb[3] != 'B') throw ds.Error("extensible array secondary block signature missing.");
            var sr = new ByteReader(sbb, file, ds.Path) { Position = 6 + o + offSize + (int)bitmap };
            var addrs = new ulong[blocks];
            for (long j = 0; j < blocks; j++) addrs[j] = sr.Offset();
            foreach (var a in addrs) readData(a, n);
        }
    }

    private static int Log2(long v)
    {
        int n = 0;
        while (v > 1) { v >>= 1; n++; }
        return n;
    }
}
