using Microsoft.Win32.SafeHandles;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>
/// A read-only HDF5 file: the superblock, the root group and random access to its bytes. Every
/// read is checked against the file length, so a corrupt address or size becomes an
/// <see cref="Hdf5FormatException"/> instead of an overrun or a huge allocation.
/// </summary>
internal sealed class Hdf5File : IDisposable
{
    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];
    private readonly SafeFileHandle _handle;
    private readonly Dictionary<ulong, GlobalHeapCollection> _globalHeaps = new();
    private ulong _baseAddress;

    private Hdf5File(string path)
    {
        FilePath = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    public string FilePath { get; }

    public long Length { get; }

    public int OffsetSize { get; private set; } = 8;

    public int LengthSize { get; private set; } = 8;

    public int SuperblockVersion { get; private set; }

    public Hdf5Group Root { get; private set; } = null!;

    /// <summary>Floor of the per-file decode budgets, so that small files may still hold small unwritten or highly compressed data.</summary>
    public const long BudgetFloor = 64L << 20;

    /// <summary>
    /// The most dataset bytes one open file may decode in total: what its bytes can hold at deflate's
    /// largest ratio (1032:1, rounded up to 1100) plus <see cref="BudgetFloor"/>.
    /// </summary>
    public long DecodeBudget => BudgetFloor + Math.Min(Length, long.MaxValue / 2200) * 1100;

    /// <summary>The most bytes of data a file may declare without storing them (unallocated storage, read as zeros).</summary>
    public long UnstoredBudget => BudgetFloor / 4 + Length;

    /// <summary>The most variable-length string bytes one open file may decode in total (heap objects are stored uncompressed).</summary>
    public long StringBudget => BudgetFloor / 4 + Math.Min(Length, long.MaxValue / 8) * 4;

    /// <summary>Dataset bytes decoded so far.</summary>
    public long Decoded { get; private set; }

    private long _unstored, _strings;

    /// <summary>Counts <paramref name="bytes"/> of decoded dataset data (<paramref name="unstored"/> of them not backed by file bytes) against the budgets.</summary>
    public void ChargeDecoded(long bytes, long unstored, string objectPath)
    {
        if (unstored > 0 && (_unstored += unstored) > UnstoredBudget)
            throw Error(objectPath, $"the file declares {_unstored} bytes of data it does not store; a {Length}-byte file may leave at most {UnstoredBudget} unwritten.");
        if ((Decoded += bytes) > DecodeBudget)
            throw Error(objectPath, $"reading would decode {Decoded} bytes in total, more than a {Length}-byte file can hold ({DecodeBudget}, at deflate's largest ratio).");
    }

    /// <summary>Counts decoded variable-length string bytes against <see cref="StringBudget"/>.</summary>
    public void ChargeStrings(long bytes, string objectPath)
    {
        if ((_strings += bytes) > StringBudget)
            throw Error(objectPath, $"variable-length strings total {_strings} bytes, more than a {Length}-byte file can hold ({StringBudget}).");
    }

    /// <summary>Opens a file and reads its superblock.</summary>
    public static Hdf5File Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"HDF5 file not found: {path}", path);
        var file = new Hdf5File(path);
        try
        {
            file.ReadSuperblock();
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public Hdf5FormatException Error(string objectPath, string problem, Exception? inner = null) => new(FilePath, objectPath, problem, inner);

    /// <summary>Reads <paramref name="count"/> bytes at a file address (relative to the base address).</summary>
    public byte[] Read(ulong address, long count, string objectPath)
    {
        var buffer = new byte[CheckRange(address, count, objectPath)];
        ReadInto(address, buffer, objectPath);
        return buffer;
    }

    /// <summary>Fills <paramref name="destination"/> from a file address.</summary>
    public void ReadInto(ulong address, Span<byte> destination, string objectPath)
    {
        CheckRange(address, destination.Length, objectPath);
        long pos = (long)(address + _baseAddress);
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(_handle, destination[done..], pos + done);
            if (n <= 0) throw Error(objectPath, $"unexpected end of file at {pos + done}.");
            done += n;
        }
    }

    /// <summary>Reads up to <paramref name="count"/> bytes, fewer at the end of the file.</summary>
    public byte[] ReadUpTo(ulong address, int count, string objectPath)
    {
        if (address == ulong.MaxValue || address + _baseAddress >= (ulong)Length)
            throw Error(objectPath, $"address {address} is beyond the end of the file ({Length} bytes).");
        long available = Length - (long)(address + _baseAddress);
        return Read(address, Math.Min(count, available), objectPath);
    }

    public int CheckRange(ulong address, long count, string objectPath)
    {
        if (address == ulong.MaxValue) throw Error(objectPath, "undefined address where data was expected.");
        if (count < 0 || count > int.MaxValue) throw Error(objectPath, $"block size {count} is not plausible.");
        ulong end = address + _baseAddress + (ulong)count;
        if (end < address || end > (ulong)Length)
            throw Error(objectPath, $"block at {address} of {count} bytes runs past the end of the file ({Length} bytes); the file is truncated or corrupt.");
        return (int)count;
    }

    /// <summary>Finds an object by absolute path (e.g. <c>/obs/_index</c>); null when absent.</summary>
    public Hdf5Object? Get(string path)
    {
        Hdf5Object current = Root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current is not Hdf5Group g) return null;
            var child = g.TryGet(part);
            if (child is null) return null;
            current = child;
        }
        return current;
    }

    /// <summary>The bytes of object <paramref name="index"/> in the global heap collection at <paramref name="collection"/>.</summary>
    public ReadOnlySpan<byte> GlobalHeapObject(ulong collection, uint index, string objectPath)
    {
        if (!_globalHeaps.TryGetValue(collection, out var heap))
        {
            if (_globalHeaps.Count > 100_000) _globalHeaps.Clear();
            heap = new GlobalHeapCollection(this, collection, objectPath);
            _globalHeaps[collection] = heap;
        }
        return heap.Get(index, objectPath);
    }

    public void Dispose() => _handle.Dispose();

    private void ReadSuperblock()
    {
        long sigPos = -1;
        for (long p = 0; p + 8 <= Length; p = p == 0 ? 512 : p * 2)
        {
            var sig = new byte[8];
            RandomAccess.Read(_handle, sig, p);
            if (sig.AsSpan().SequenceEqual(Signature)) { sigPos = p; break; }
        }
        if (sigPos < 0) throw Error("", "no HDF5 signature found; this is not an HDF5 file.");
        _baseAddress = (ulong)sigPos;
        var head = ReadUpTo(0, 256, "superblock");
        var r = new ByteReader(head, this, "superblock");
        r.Skip(8);
        SuperblockVersion = r.U8();
        ulong rootAddress;
        if (SuperblockVersion <= 1)
        {
            r.Skip(3); // free-space, root symbol table and reserved versions
            r.Skip(1); // shared header version
            OffsetSize = r.U8();
            LengthSize = r.U8();
            CheckSizes();
            r.Skip(1);
            r.Skip(4); // group K values
            r.Skip(4); // consistency flags
            if (SuperblockVersion == 1) r.Skip(4);
            ulong baseAddress = r.Offset();
            r.Offset(); // free space
            r.Offset(); // end of file
            r.Offset(); // driver info
            r.Offset(); // root link name offset
            rootAddress = r.Offset();
            if (baseAddress != ulong.MaxValue) _baseAddress = baseAddress;
        }
        else if (SuperblockVersion <= 3)
        {
            OffsetSize = r.U8();
            LengthSize = r.U8();
            CheckSizes();
            r.Skip(1); // flags
            ulong baseAddress = r.Offset();
            r.Offset(); // superblock extension
            r.Offset(); // end of file
            rootAddress = r.Offset();
            if (baseAddress != ulong.MaxValue) _baseAddress = baseAddress;
        }
        else
        {
            throw Error("superblock", $"superblock version {SuperblockVersion} is not supported (0–3 are).");
        }
        Root = new Hdf5Group(this, "/", ObjectHeader.Read(this, rootAddress, "/"));
    }

    private void CheckSizes()
    {
        if (OffsetSize is not (2 or 4 or 8) || LengthSize is not (2 or 4 or 8))
            throw Error("superblock", $"size of offsets {OffsetSize} / lengths {LengthSize} is invalid.");
    }

    private sealed class GlobalHeapCollection
    {
        private readonly Dictionary<uint, (int Start, int Length)> _objects = new();
        private readonly byte[] _data;
        private readonly Hdf5File _file;

        public GlobalHeapCollection(Hdf5File file, ulong address, string objectPath)
        {
            _file = file;
            var head = file.Read(address, 8 + file.LengthSize, objectPath);
            if (head[0] != 'G' || head[1] != 'C' || head[2] != 'O' || head[3] != 'L')
                throw file.Error(objectPath, $"global heap signature missing at {address}.");
            var hr = new ByteReader(head, file, objectPath);
            hr.Skip(8);
            ulong size = hr.LengthField();
            _data = file.Read(address, (long)Math.Min(size, (ulong)int.MaxValue), objectPath);
            var r = new ByteReader(_data, file, objectPath);
            r.Position = 8 + file.LengthSize;
            while (r.Remaining >= 8 + file.LengthSize)
            {
                uint index = r.U16();
                r.Skip(6);
                ulong objSize = r.LengthField();
                if (index == 0) break;
                if (objSize > (ulong)r.Remaining) throw file.Error(objectPath, $"global heap object {index} of {objSize} bytes overruns its collection.");
                _objects[index] = (r.Position, (int)objSize);
                r.Skip((int)objSize);
                r.Align(8);
            }
        }

        public ReadOnlySpan<byte> Get(uint index, string objectPath) =>
            _objects.TryGetValue(index, out var o)
                ? _data.AsSpan(o.Start, o.Length)
                : throw _file.Error(objectPath, $"global heap object {index} does not exist.");
    }
}
