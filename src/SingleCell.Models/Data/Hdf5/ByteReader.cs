using System.Buffers.Binary;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>Bounds-checked little-endian cursor over a metadata block; overruns throw through the file's error context.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly Hdf5File _file;
    private readonly string _path;

    public ByteReader(ReadOnlySpan<byte> data, Hdf5File file, string path)
    {
        _data = data;
        _file = file;
        _path = path;
        Position = 0;
    }

    public int Position { get; set; }

    public readonly int Length => _data.Length;

    public readonly int Remaining => _data.Length - Position;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > Remaining) throw _file.Error(_path, $"metadata block too short: need {count} bytes at position {Position} of {_data.Length}.");
        var s = _data.Slice(Position, count);
        Position += count;
        return s;
    }

    public void Skip(int count) => Bytes(count);

    public byte U8() => Bytes(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

    /// <summary>An unsigned integer of 1–8 bytes.</summary>
    public ulong UVar(int size)
    {
        var b = Bytes(size);
        ulong v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | b[i];
        return v;
    }

    /// <summary>A file address (size of offsets); the undefined address is returned as <see cref="ulong.MaxValue"/>.</summary>
    public ulong Offset()
    {
        int size = _file.OffsetSize;
        ulong v = UVar(size);
        if (size < 8 && v == (1UL << (size * 8)) - 1) return ulong.MaxValue;
        return v;
    }

    public ulong LengthField() => UVar(_file.LengthSize);

    public string NullTerminated()
    {
        int end = _data[Position..].IndexOf((byte)0);
        if (end < 0) throw _file.Error(_path, "unterminated name in metadata.");
        var s = System.Text.Encoding.UTF8.GetString(_data.Slice(Position, end));
        Position += end + 1;
        return s;
    }

    public void Align(int multiple, int origin = 0)
    {
        int rel = Position - origin;
        int pad = (multiple - rel % multiple) % multiple;
        Skip(Math.Min(pad, Remaining));
    }
}
