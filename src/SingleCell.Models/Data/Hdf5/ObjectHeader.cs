namespace SingleCell.Models.Data.Hdf5;

/// <summary>One header message: its type and raw body.</summary>
internal readonly record struct HeaderMessage(ushort Type, byte[] Body);

/// <summary>Parses object headers (versions 1 and 2, following continuation blocks) into their messages.</summary>
internal static class ObjectHeader
{
    public const ushort Dataspace = 0x01, LinkInfo = 0x02, Datatype = 0x03, FillValueOld = 0x04, FillValue = 0x05,
        Link = 0x06, Layout = 0x08, GroupInfo = 0x0A, FilterPipeline = 0x0B, Attribute = 0x0C,
        Continuation = 0x10, SymbolTable = 0x11, AttributeInfo = 0x15;

    private const int MaxBlocks = 10_000;

    public static List<HeaderMessage> Read(Hdf5File file, ulong address, string path)
    {
        var messages = new List<HeaderMessage>();
        var prefix = file.ReadUpTo(address, 16, path);
        if (prefix.Length >= 4 && prefix[0] == 'O' && prefix[1] == 'H' && prefix[2] == 'D' && prefix[3] == 'R')
            ReadV2(file, address, path, messages);
        else
            ReadV1(file, address, prefix, path, messages);
        return messages;
    }

    private static void ReadV1(Hdf5File file, ulong address, byte[] prefix, string path, List<HeaderMessage> messages)
    {
        if (prefix.Length < 16) throw file.Error(path, "object header truncated.");
        var r = new ByteReader(prefix, file, path);
        int version = r.U8();
        if (version != 1) throw file.Error(path, $"object header at {address} has unknown version {version}.");
        r.Skip(1);
        r.Skip(2); // message count (the blocks are walked to their ends instead)
        r.Skip(4);
        uint size = r.U32();
        var pending = new Queue<(ulong Address, ulong Size)>();
        pending.Enqueue((address + 16, size));
        var seen = new HashSet<ulong>();
        while (pending.Count > 0)
        {
            var (addr, len) = pending.Dequeue();
            if (!seen.Add(addr) || seen.Count > MaxBlocks) throw file.Error(path, "object header continuation blocks form a cycle.");
            var block = file.Read(addr, (long)Math.Min(len, (ulong)int.MaxValue + 1UL), path);
            var br = new ByteReader(block, file, path);
            while (br.Remaining >= 8)
            {
                ushort type = br.U16();
                int msgSize = br.U16();
                br.Skip(4); // flags + reserved
                var body = br.Bytes(msgSize).ToArray();
                Add(file, path, type, body, messages, pending);
                br.Align(8);
            }
        }
    }

    private static void ReadV2(Hdf5File file, ulong address, string path, List<HeaderMessage> messages)
    {
        var head = file.ReadUpTo(address, 64, path);
        var r = new ByteReader(head, file, path);
        r.Skip(4);
        int version = r.U8();
        if (version != 2) throw file.Error(path, $"object header at {address} has unknown version {version}.");
        int flags = r.U8();
        if ((flags & 0x20) != 0) r.Skip(16);
        if ((flags & 0x10) != 0) r.Skip(4);
        ulong chunkSize = r.UVar(1 << (flags & 3));
        bool creationOrder = (flags & 0x04) != 0;
        var pending = new Queue<(ulong Address, ulong Size)>();
        var seen = new HashSet<ulong>();
        ReadV2Block(file, address + (ulong)r.Position, chunkSize, false, creationOrder, path, messages, pending);
        seen.Add(address);
        while (pending.Count > 0)
        {
            var (addr, len) = pending.Dequeue();
            if (!seen.Add(addr) || seen.Count > MaxBlocks) throw file.Error(path, "object header continuation blocks form a cycle.");
            ReadV2Block(file, addr, len, true, creationOrder, path, messages, pending);
        }
    }

    private static void ReadV2Block(Hdf5File file, ulong address, ulong length, bool continuation, bool creationOrder, string path,
        List<HeaderMessage> messages, Queue<(ulong, ulong)> pending)
    {
        var block = file.Read(address, (long)Math.Min(length, (ulong)int.MaxValue + 1UL), path);
        var r = new ByteReader(block, file, path);
        if (continuation)
        {
            var sig = r.Bytes(4);
            if (sig[0] != 'O' || sig[1] != 'C' || sig[2] != 'H' || sig[3] != 'K') throw file.Error(path, "continuation block signature OCHK missing.");
        }
        int end = continuation ? block.Length - 4 : block.Length;
        int headerSize = creationOrder ? 6 : 4;
        while (end - r.Position >= headerSize)
        {
            byte type = r.U8();
            int size = r.U16();
            r.Skip(1);
            if (creationOrder) r.Skip(2);
            if (size > end - r.Position) throw file.Error(path, $"header message of {size} bytes overruns its block.");
            var body = r.Bytes(size).ToArray();
            Add(file, path, type, body, messages, pending);
        }
    }

    private static void Add(Hdf5File file, string path, ushort type, byte[] body, List<HeaderMessage> messages, Queue<(ulong, ulong)> pending)
    {
        if (type == Continuation)
        {
            var r = new ByteReader(body, file, path);
            ulong addr = r.Offset();
            ulong len = r.LengthField();
            pending.Enqueue((addr, len));
            return;
        }
        if (messages.Count > 100_000) throw file.Error(path, "object header has too many messages.");
        messages.Add(new HeaderMessage(type, body));
    }
}
