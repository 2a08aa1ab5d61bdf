namespace SingleCell.Models.Data.Hdf5;

/// <summary>HDF5 datatype classes.</summary>
internal enum Hdf5TypeClass
{
    FixedPoint = 0, FloatingPoint = 1, Time = 2, String = 3, BitField = 4, Opaque = 5, Compound = 6,
    Reference = 7, Enumerated = 8, VariableLength = 9, Array = 10,
}

/// <summary>A compound member: its name, byte offset within the record and type.</summary>
internal sealed record CompoundMember(string Name, int Offset, Hdf5Datatype Type);

/// <summary>A parsed datatype message.</summary>
internal sealed class Hdf5Datatype
{
    public Hdf5TypeClass Class { get; private init; }

    public int Size { get; private init; }

    public bool BigEndian { get; private init; }

    public bool Signed { get; private init; }

    /// <summary>For strings: true for UTF-8, false for ASCII.</summary>
    public bool Utf8 { get; private init; }

    /// <summary>For variable-length types: true for strings, false for sequences.</summary>
    public bool IsVlenString { get; private init; }

    /// <summary>Base type of enums, variable-length sequences and arrays.</summary>
    public Hdf5Datatype? Base { get; private init; }

    public IReadOnlyList<CompoundMember> Members { get; private init; } = [];

    public IReadOnlyList<(string Name, long Value)> EnumMembers { get; private init; } = [];

    public int[] ArrayDims { get; private init; } = [];

    public bool IsString => Class == Hdf5TypeClass.String || (Class == Hdf5TypeClass.VariableLength && IsVlenString);

    public bool IsInteger => Class is Hdf5TypeClass.FixedPoint || (Class == Hdf5TypeClass.Enumerated && Base?.Class == Hdf5TypeClass.FixedPoint);

    /// <summary>An enum with exactly the members FALSE/TRUE, as h5py stores numpy booleans.</summary>
    public bool IsBoolean => Class == Hdf5TypeClass.Enumerated && EnumMembers.Count == 2
        && EnumMembers.Any(m => m.Name.Equals("FALSE", StringComparison.OrdinalIgnoreCase))
        && EnumMembers.Any(m => m.Name.Equals("TRUE", StringComparison.OrdinalIgnoreCase));

    public static Hdf5Datatype Parse(byte[] body, Hdf5File file, string path)
    {
        var r = new ByteReader(body, file, path);
        return Parse(ref r, file, path, 0);
    }

    public static Hdf5Datatype Parse(ref ByteReader r, Hdf5File file, string path, int depth)
    {
        if (depth > 16) throw file.Error(path, "datatype nesting is too deep.");
        byte cv = r.U8();
        int cls = cv & 0x0f, version = cv >> 4;
        byte b0 = r.U8(), b1 = r.U8(), b2 = r.U8();
        uint size = r.U32();
        if (size > int.MaxValue / 4 || (size == 0 && cls != (int)Hdf5TypeClass.VariableLength && cls != (int)Hdf5TypeClass.Compound))
            throw file.Error(path, $"datatype size {size} is not plausible.");
        switch ((Hdf5TypeClass)cls)
        {
            case Hdf5TypeClass.FixedPoint:
                r.Skip(4);
                return new Hdf5Datatype { Class = Hdf5TypeClass.FixedPoint, Size = (int)size, BigEndian = (b0 & 1) != 0, Signed = (b0 & 8) != 0 };
            case Hdf5TypeClass.FloatingPoint:
                r.Skip(12);
                if (size is not (4 or 8 or 2)) throw file.Error(path, $"floating-point size {size} is not supported.");
                return new Hdf5Datatype { Class = Hdf5TypeClass.FloatingPoint, Size = (int)size, BigEndian = (b0 & 1) != 0, Signed = true };
            case Hdf5TypeClass.String:
                return new Hdf5Datatype { Class = Hdf5TypeClass.String, Size = (int)size, Utf8 = (b0 >> 4) == 1 };
            case Hdf5TypeClass.BitField:
                r.Skip(4);
                return new Hdf5Datatype { Class = Hdf5TypeClass.BitField, Size = (int)size };
            case Hdf5TypeClass.Opaque:
                r.NullTerminated();
                return new Hdf5Datatype { Class = Hdf5TypeClass.Opaque, Size = (int)size };
            case Hdf5TypeClass.Time:
            case Hdf5TypeClass.Reference:
                return new Hdf5Datatype { Class = (Hdf5TypeClass)cls, Size = (int)size };
            case Hdf5TypeClass.Compound:
                return ParseCompound(ref r, file, path, depth, version, b0 | (b1 << 8), (int)size);
            case Hdf5TypeClass.Enumerated:
            {
                int n = b0 | (b1 << 8);
                var baseType = Parse(ref r, file, path, depth + 1);
                var names = new string[n];
                for (int i = 0; i < n; i++)
                {
                    int nameStart = r.Position;
                    names[i] = r.NullTerminated();
                    if (version < 3) r.Align(8, nameStart);
                }
                var members = new (string, long)[n];
                for (int i = 0; i < n; i++) members[i] = (names[i], (long)r.UVar(Math.Min(baseType.Size, 8)));
                return new Hdf5Datatype { Class = Hdf5TypeClass.Enumerated, Size = (int)size, Base = baseType, EnumMembers = members, BigEndian = baseType.BigEndian, Signed = baseType.Signed };
            }
            case Hdf5TypeClass.VariableLength:
            {
                var baseType = Parse(ref r, file, path, depth + 1);
                return new Hdf5Datatype { Class = Hdf5TypeClass.VariableLength, Size = (int)size, IsVlenString = (b0 & 0x0f) == 1, Utf8 = (b1 & 0x0f) == 1, Base = baseType };
            }
            case Hdf5TypeClass.Array:
            {
                int rank = r.U8();
                if (version < 3) r.Skip(3);
                var dims = new int[rank];
                for (int i = 0; i < rank; i++) dims[i] = (int)r.U32();
                if (version < 3) r.Skip(4 * rank);
                var baseType = Parse(ref r, file, path, depth + 1);
                return new Hdf5Datatype { Class = Hdf5TypeClass.Array, Size = (int)size, ArrayDims = dims, Base = baseType };
            }
            default:
                throw file.Error(path, $"datatype class {cls} is not supported.");
        }
    }

    private static Hdf5Datatype ParseCompound(ref ByteReader r, Hdf5File file, string path, int depth, int version, int n, int size)
    {
        var members = new List<CompoundMember>(Math.Min(n, 1024));
        int offsetBytes = size < 256 ? 1 : size < 65536 ? 2 : size < (1 << 24) ? 3 : 4;
        for (int i = 0; i < n; i++)
        {
            int nameStart = r.Position;
            string name = r.NullTerminated();
            int offset;
            if (version < 3)
            {
                r.Align(8, nameStart);
                offset = (int)r.U32();
            }
            else
            {
                offset = (int)r.UVar(offsetBytes);
            }
            if (version == 1)
            {
                r.Skip(1 + 3 + 4 + 4 + 16); // dimensionality, reserved, permutation, reserved, dims
            }
            var type = Parse(ref r, file, path, depth + 1);
            if (offset < 0 || offset + type.Size > size) throw file.Error(path, $"compound member '{name}' lies outside its record.");
            members.Add(new CompoundMember(name, offset, type));
        }
        return new Hdf5Datatype { Class = Hdf5TypeClass.Compound, Size = size, Members = members };
    }
}

/// <summary>A parsed dataspace message: scalar (rank 0), simple (dims) or null (no data).</summary>
internal sealed class Hdf5Dataspace
{
    public long[] Dims { get; private init; } = [];

    public bool IsNull { get; private init; }

    public long ElementCount { get; private init; }

    public static readonly Hdf5Dataspace Scalar = new() { ElementCount = 1 };

    public static Hdf5Dataspace Parse(byte[] body, Hdf5File file, string path)
    {
        var r = new ByteReader(body, file, path);
        return Parse(ref r, file, path);
    }

    public static Hdf5Dataspace Parse(ref ByteReader r, Hdf5File file, string path)
    {
        int version = r.U8();
        int rank = r.U8();
        int flags = r.U8();
        bool isNull = false;
        if (version == 1) r.Skip(5);
        else if (version == 2) isNull = r.U8() == 2;
        else throw file.Error(path, $"dataspace version {version} is not supported.");
        if (rank > 32) throw file.Error(path, $"dataspace rank {rank} is not plausible.");
        var dims = new long[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            ulong d = r.LengthField();
            if (d > (ulong)long.MaxValue / 2) throw file.Error(path, $"dimension {d} is not plausible.");
            dims[i] = (long)d;
            count = d == 0 ? 0 : count > long.MaxValue / (long)d ? long.MaxValue : count * (long)d;
        }
        if ((flags & 1) != 0) for (int i = 0; i < rank; i++) r.LengthField();
        if (isNull) count = 0;
        return new Hdf5Dataspace { Dims = dims, IsNull = isNull, ElementCount = count };
    }
}
