namespace SingleCell.Models.Data.Hdf5;

/// <summary>Storage of a dataset's elements: compact, contiguous or chunked with one of the chunk indexes.</summary>
internal sealed class DataLayout
{
    private enum Kind { Compact, Contiguous, Chunked }

    private enum Index { BTreeV1, SingleChunk, Implicit, FixedArray, ExtensibleArray, BTreeV2 }

    private Kind _kind;
    private Index _index;
    private byte[] _compact = [];
    private ulong _address;
    private long[] _chunkDims = [];
    private long _singleSize;
    private uint _singleMask;
    private List<ChunkEntry>? _chunks;
    private ulong _lastChunkAddress = ulong.MaxValue;
    private byte[]? _lastChunk;

    public static DataLayout Parse(byte[] body, Hdf5Dataset ds)
    {
        var file = ds.File;
        var r = new ByteReader(body, file, ds.Path);
        var layout = new DataLayout();
        int version = r.U8();
        int rank = ds.Dims.Length;
        if (version is 1 or 2)
        {
            int dimensionality = r.U8();
            int cls = r.U8();
            r.Skip(5);
            if (cls != 0) layout._address = r.Offset();
            var dims = new long[dimensionality];
            for (int i = 0; i < dimensionality; i++) dims[i] = r.U32();
            if (cls > 2) throw ds.Error($"layout class {cls} is not defined for layout message version {version}.");
            layout._kind = (Kind)cls;
            if (cls == 2)
            {
                r.U32();
                layout._chunkDims = dims[..Math.Max(0, dimensionality - 1)];
            }
            if (cls == 0) layout._compact = r.Bytes((int)r.U32()).ToArray();
        }
        else if (version is 3 or 4)
        {
            int cls = r.U8();
            if (cls > 2) throw ds.Error($"layout class {cls} (virtual) is not supported.");
            layout._kind = (Kind)cls;
            switch (layout._kind)
            {
                case Kind.Compact:
                    layout._compact = r.Bytes(r.U16()).ToArray();
                    break;
                case Kind.Contiguous:
                    layout._address = r.Offset();
                    r.LengthField();
                    break;
                default:
                    if (version == 3)
                    {
                        int dimensionality = r.U8();
                        layout._address = r.Offset();
                        var dims = new long[dimensionality];
                        for (int i = 0; i < dimensionality; i++) dims[i] = r.U32();
                        layout._chunkDims = dims[..Math.Max(0, dimensionality - 1)];
                        layout._index = Index.BTreeV1;
                    }
                    else
                    {
                        int flags = r.U8();
                        int dimensionality = r.U8();
                        int encoded = r.U8();
                        if (encoded is < 1 or > 8) throw ds.Error($"chunk dimension size {encoded} is invalid.");
                        var dims = new long[dimensionality];
                        for (int i = 0; i < dimensionality; i++) dims[i] = (long)r.UVar(encoded);
                        layout._chunkDims = dims[..Math.Max(0, dimensionality - 1)];
                        int indexType = r.U8();
                        switch (indexType)
                        {
                            case 1:
                                layout._index = Index.SingleChunk;
                                if ((flags & 2) != 0)
                                {
                                    layout._singleSize = (long)r.LengthField();
                                    layout._singleMask = r.U32();
                                }
                                else layout._singleSize = -1;
                                break;
                            case 2: layout._index = Index.Implicit; break;
                            case 3: layout._index = Index.FixedArray; r.Skip(1); break;
                            case 4: layout._index = Index.ExtensibleArray; r.Skip(5); break;
                            case 5: layout._index = Index.BTreeV2; r.Skip(6); break;
                            default: throw ds.Error($"chunk index type {indexType} is not supported.");
                        }
                        layout._address = r.Offset();
                    }
                    break;
            }
        }
        else throw ds.Error($"layout message version {version} is not supported.");
        if (layout._kind == Kind.Chunked)
        {
            if (rank == 0) throw ds.Error("a scalar dataset cannot be chunked.");
            if (layout._chunkDims.Length != rank) throw ds.Error($"chunk rank {layout._chunkDims.Length} differs from dataset rank {rank}.");
            long chunkBytes = ds.Type.Size;
            foreach (var c in layout._chunkDims)
            {
                if (c <= 0 || c > int.MaxValue) throw ds.Error($"chunk dimension {c} is invalid.");
                chunkBytes *= c;
                if (chunkBytes > int.MaxValue) throw ds.Error("chunk is larger than 2 GB.");
            }
        }
        return layout;
    }

    /// <summary>Raw bytes of rows [start, start+count) of the first dimension (the whole scalar for rank 0).</summary>
    public byte[] ReadRows(Hdf5Dataset ds, long start, long count)
    {
        var file = ds.File;
        int elementSize = ds.Type.Size;
        long rowBytes, total;
        try
        {
            rowBytes = checked(ds.Dims.Length == 0 ? elementSize : ds.RowElements * elementSize);
            total = checked(count * rowBytes);
        }
        catch (OverflowException)
        {
            throw ds.Error("dataset dimensions overflow a 64-bit byte count.");
        }
        long limit = Math.Min(int.MaxValue - 64, file.Length * 1100L + (1 << 20));
        if (total > limit) throw ds.Error($"dataset would decode to {total} bytes, more than the file ({file.Length} bytes) can hold.");
        switch (_kind)
        {
            case Kind.Compact:
                if (start * rowBytes + total > _compact.Length) throw ds.Error("compact data is shorter than the dataspace.");
                file.ChargeDecoded(total, 0, ds.Path);
                return _compact.AsSpan((int)(start * rowBytes), (int)total).ToArray();
            case Kind.Contiguous:
                if (total == 0) return [];
                if (_address == ulong.MaxValue)
                {
                    file.ChargeDecoded(total, total, ds.Path);
                    return new byte[total];
                }
                file.CheckRange(_address + (ulong)(start * rowBytes), total, ds.Path);
                file.ChargeDecoded(total, 0, ds.Path);
                return file.Read(_address + (ulong)(start * rowBytes), total, ds.Path);
            default:
                return ReadChunked(ds, start, count, (int)total);
        }
    }

    private byte[] ReadChunked(Hdf5Dataset ds, long start, long count, int total)
    {
        if (total == 0) return [];
        if (_address == ulong.MaxValue)
        {
            ds.File.ChargeDecoded(total, total, ds.Path);
            return new byte[total];
        }
        var dims = ds.Dims;
        int rank = dims.Length;
        int elementSize = ds.Type.Size;
        long chunkElements = 1;
        foreach (var c in _chunkDims) chunkElements *= c;
        long chunkBytes = chunkElements * elementSize;
        if (chunkBytes > Math.Min(int.MaxValue - 64, ds.File.Length * 1100L + (1 << 20))) throw ds.Error($"chunk of {chunkBytes} bytes is not plausible.");
        // Before anything is allocated: every chunk must be able to hold what its layout implies,
        // and the part of the request that no stored chunk covers is counted as unwritten data.
        var needed = new List<ChunkEntry>();
        long covered = 0;
        foreach (var chunk in EnumerateChunks(ds))
        {
            long c0 = chunk.Offsets[0];
            if (c0 + _chunkDims[0] <= start || c0 >= start + count) continue;
            long inside = (Math.Min(Math.Min(start + count, dims[0]), c0 + _chunkDims[0]) - Math.Max(start, c0)) * elementSize;
            for (int d = 0; d < rank; d++)
            {
                if (chunk.Offsets[d] < 0 || chunk.Offsets[d] >= Math.Max(dims[d], 1) || chunk.Offsets[d] % _chunkDims[d] != 0)
                    throw ds.Error($"chunk offset {chunk.Offsets[d]} in dimension {d} is invalid.");
                if (d > 0) inside *= Math.Min(_chunkDims[d], dims[d] - chunk.Offsets[d]);
            }
            long capacity = ds.Filters.Count == 0 ? chunk.Size : FilterPipeline.MaxDecodedSize(ds.Filters, chunk.Mask, chunk.Size);
            if (capacity < chunkBytes)
                throw ds.Error($"a chunk of {chunk.Size} stored bytes at {chunk.Address} cannot hold the {chunkBytes} bytes its layout implies.");
            covered += inside;
            needed.Add(chunk);
        }
        if (covered > total) throw ds.Error($"chunks cover {covered} bytes of a {total}-byte selection: chunk offsets repeat.");
        ds.File.ChargeDecoded(total, total - covered, ds.Path);
        var output = new byte[total];
        foreach (var chunk in needed)
        {
            byte[] data;
            if (chunk.Address == _lastChunkAddress && _lastChunk is not null) data = _lastChunk;
            else
            {
                var stored = ds.File.Read(chunk.Address, chunk.Size, ds.Path);
                data = ds.Filters.Count == 0 ? stored : FilterPipeline.Decode(ds.Filters, chunk.Mask, stored, (int)chunkBytes, elementSize, ds.File, ds.Path);
                // Keep the last decoded chunk: consecutive row-range reads usually start in it.
                _lastChunkAddress = chunk.Address;
                _lastChunk = data;
            }
            if (data.Length < chunkBytes) throw ds.Error($"chunk holds {data.Length} bytes; {chunkBytes} expected.");
            CopyChunk(data, chunk.Offsets, dims, elementSize, start, count, output);
        }
        return output;
    }

    private void CopyChunk(byte[] data, long[] offsets, long[] dims, int elementSize, long start, long count, byte[] output)
    {
        int rank = dims.Length;
        if (rank == 1)
        {
            long from = Math.Max(start, offsets[0]), to = Math.Min(Math.Min(start + count, dims[0]), offsets[0] + _chunkDims[0]);
            if (to > from)
                Buffer.BlockCopy(data, (int)((from - offsets[0]) * elementSize), output, (int)((from - start) * elementSize), (int)((to - from) * elementSize));
            return;
        }
        // Iterate over every index of the chunk except the last dimension, copying a run along it.
        var idx = new long[rank];
        long lastRun = Math.Min(_chunkDims[rank - 1], dims[rank - 1] - offsets[rank - 1]);
        if (lastRun <= 0) return;
        while (true)
        {
            long row = offsets[0] + idx[0];
            bool inside = row >= start && row < start + count;
            for (int d = 1; d < rank - 1 && inside; d++) inside = offsets[d] + idx[d] < dims[d];
            if (inside && row < dims[0])
            {
                long src = 0, dst = 0;
                for (int d = 0; d < rank; d++)
                {
                    src = src * _chunkDims[d] + idx[d];
                    long g = d == 0 ? row - start : offsets[d] + idx[d];
                    dst = dst * (d == 0 ? count : dims[d]) + g;
                }
                Buffer.BlockCopy(data, (int)(src * elementSize), output, (int)(dst * elementSize), (int)(lastRun * elementSize));
            }
            int k = rank - 2;
            while (k >= 0)
            {
                if (++idx[k] < _chunkDims[k]) break;
                idx[k] = 0;
                k--;
            }
            if (k < 0) break;
        }
    }

    /// <summary>The stored chunks of a chunked dataset (empty for other layouts): where its checksummed bytes lie.</summary>
    public IReadOnlyList<ChunkEntry> StoredChunks(Hdf5Dataset ds) => _kind == Kind.Chunked && _address != ulong.MaxValue ? EnumerateChunks(ds) : [];

    /// <summary>Stored chunks never share file bytes; an index that says otherwise is corrupt (and could multiply one chunk's data).</summary>
    private static void CheckDisjoint(Hdf5Dataset ds, List<ChunkEntry> chunks)
    {
        if (chunks.Count < 2) return;
        var byAddress = chunks.ToArray();
        Array.Sort(byAddress, (a, b) => a.Address.CompareTo(b.Address));
        for (int i = 1; i < byAddress.Length; i++)
        {
            var prev = byAddress[i - 1];
            if (prev.Size > 0 && prev.Address + (ulong)prev.Size > byAddress[i].Address)
                throw ds.Error($"chunks at {prev.Address} ({prev.Size} bytes) and {byAddress[i].Address} overlap in the file.");
        }
    }

    private List<ChunkEntry> EnumerateChunks(Hdf5Dataset ds)
    {
        if (_chunks is not null) return _chunks;
        var list = new List<ChunkEntry>();
        long chunkBytes = ds.Type.Size;
        foreach (var c in _chunkDims) chunkBytes *= c;
        switch (_index)
        {
            case Index.BTreeV1:
                ChunkIndexes.WalkBTree(ds, _address, _chunkDims.Length, list.Add);
                break;
            case Index.SingleChunk:
                list.Add(new ChunkEntry(new long[_chunkDims.Length], _address, _singleSize < 0 ? chunkBytes : _singleSize, _singleMask));
                break;
            case Index.Implicit:
            {
                long i = 0;
                if (ChunkIndexes.GridCount(ds.Dims, _chunkDims) > ds.File.Length / Math.Max(1, chunkBytes) + 1)
                    throw ds.Error("implicitly indexed chunks would extend past the end of the file.");
                foreach (var offsets in ChunkIndexes.Grid(ds.Dims, _chunkDims))
                    list.Add(new ChunkEntry(offsets, _address + (ulong)(i++ * chunkBytes), chunkBytes, 0));
                break;
            }
            case Index.ExtensibleArray:
                ChunkIndexes.ReadExtensibleArray(ds, _address, ds.Filters.Count > 0, _chunkDims, chunkBytes, list.Add);
                break;
            case Index.BTreeV2:
                BTree2.Walk(ds.File, _address, ds.Path, (type, rec) =>
                {
                    var r = new ByteReader(rec, ds.File, ds.Path);
                    ulong address = r.Offset();
                    long size = chunkBytes;
                    uint mask = 0;
                    int rank = _chunkDims.Length;
                    if (type == 11)
                    {
                        size = (long)r.UVar(rec.Length - ds.File.OffsetSize - 4 - 8 * rank);
                        mask = r.U32();
                    }
                    else if (type != 10) throw ds.Error($"v2 B-tree of type {type} is not a chunk index.");
                    var offsets = new long[rank];
                    for (int d = 0; d < rank; d++)
                    {
                        ulong scaled = r.U64();
                        if (scaled > (ulong)(ds.Dims[d] / _chunkDims[d] + 1)) throw ds.Error($"chunk coordinate {scaled} in dimension {d} is outside the dataset.");
                        offsets[d] = (long)scaled * _chunkDims[d];
                    }
                    if (address != ulong.MaxValue) list.Add(new ChunkEntry(offsets, address, size, mask));
                });
                break;
            case Index.FixedArray:
                ChunkIndexes.ReadFixedArray(ds, _address, ds.Filters.Count > 0, _chunkDims, chunkBytes, list.Add);
                break;
        }
        CheckDisjoint(ds, list);
        _chunks = list;
        return list;
    }

}
