using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SingleCell.Models.Data.Hdf5;

/// <summary>Converts raw element bytes of a datatype into .NET arrays.</summary>
internal static class Hdf5Values
{
    public static double[] ToDoubles(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count)
    {
        Check(file, path, type, raw, count);
        if (IsLittle(type, Hdf5TypeClass.FloatingPoint, 8)) return MemoryMarshal.Cast<byte, double>(raw[..(int)(count * 8)]).ToArray();
        var result = new double[count];
        if (IsLittle(type, Hdf5TypeClass.FloatingPoint, 4))
        {
            var f = MemoryMarshal.Cast<byte, float>(raw[..(int)(count * 4)]);
            for (int i = 0; i < f.Length; i++) result[i] = f[i];
            return result;
        }
        int size = type.Size;
        for (long i = 0; i < count; i++) result[i] = ToDouble(file, path, type, raw.Slice((int)(i * size), size));
        return result;
    }

    /// <summary>Elements as float32, with fast paths for little-endian float and integer storage.</summary>
    public static float[] ToSingles(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count)
    {
        Check(file, path, type, raw, count);
        if (IsLittle(type, Hdf5TypeClass.FloatingPoint, 4)) return MemoryMarshal.Cast<byte, float>(raw[..(int)(count * 4)]).ToArray();
        var result = new float[count];
        if (IsLittle(type, Hdf5TypeClass.FloatingPoint, 8))
        {
            var d = MemoryMarshal.Cast<byte, double>(raw[..(int)(count * 8)]);
            for (int i = 0; i < d.Length; i++) result[i] = (float)d[i];
            return result;
        }
        if (IsLittle(type, Hdf5TypeClass.FixedPoint, 4) && type.Signed)
        {
            var v = MemoryMarshal.Cast<byte, int>(raw[..(int)(count * 4)]);
            for (int i = 0; i < v.Length; i++) result[i] = v[i];
            return result;
        }
        int size = type.Size;
        for (long i = 0; i < count; i++) result[i] = (float)ToDouble(file, path, type, raw.Slice((int)(i * size), size));
        return result;
    }

    public static long[] ToInt64(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count)
    {
        Check(file, path, type, raw, count);
        if (IsLittle(type, Hdf5TypeClass.FixedPoint, 8) && type.Signed) return MemoryMarshal.Cast<byte, long>(raw[..(int)(count * 8)]).ToArray();
        var result = new long[count];
        if (IsLittle(type, Hdf5TypeClass.FixedPoint, 4) && type.Signed)
        {
            var v = MemoryMarshal.Cast<byte, int>(raw[..(int)(count * 4)]);
            for (int i = 0; i < v.Length; i++) result[i] = v[i];
            return result;
        }
        int size = type.Size;
        if (type.Class == Hdf5TypeClass.FloatingPoint)
        {
            // Integers stored as floats must be whole and within range (1.5 or NaN is not an index).
            for (long i = 0; i < count; i++)
            {
                double v = ToDouble(file, path, type, raw.Slice((int)(i * size), size));
                if (!(v == Math.Floor(v) && v >= -9.2233720368547758e18 && v < 9.2233720368547758e18))
                    throw file.Error(path, $"value {v} at position {i} is not an integer, as this dataset's use requires.");
                result[i] = (long)v;
            }
            return result;
        }
        for (long i = 0; i < count; i++) result[i] = ToInteger(file, path, type, raw.Slice((int)(i * size), size));
        return result;
    }

    public static string?[] ToStrings(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count)
    {
        Check(file, path, type, raw, count);
        var result = new string?[count];
        int size = type.Size;
        for (long i = 0; i < count; i++) result[i] = ToString(file, path, type, raw.Slice((int)(i * size), size));
        return result;
    }

    public static double ToDouble(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> e)
    {
        switch (type.Class)
        {
            case Hdf5TypeClass.FloatingPoint:
                return type.Size switch
                {
                    8 => type.BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(e) : BinaryPrimitives.ReadDoubleLittleEndian(e),
                    4 => type.BigEndian ? BinaryPrimitives.ReadSingleBigEndian(e) : BinaryPrimitives.ReadSingleLittleEndian(e),
                    _ => (double)(type.BigEndian ? BinaryPrimitives.ReadHalfBigEndian(e) : BinaryPrimitives.ReadHalfLittleEndian(e)),
                };
            case Hdf5TypeClass.FixedPoint:
            case Hdf5TypeClass.Enumerated:
            case Hdf5TypeClass.BitField:
                if (type.Class == Hdf5TypeClass.FixedPoint && !type.Signed && type.Size == 8)
                    return type.BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(e) : BinaryPrimitives.ReadUInt64LittleEndian(e);
                return ToInteger(file, path, type, e);
            default:
                throw file.Error(path, $"datatype class {type.Class} cannot be read as numbers.");
        }
    }

    public static long ToInteger(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> e)
    {
        var t = type.Class == Hdf5TypeClass.Enumerated ? type.Base! : type;
        if (t.Class == Hdf5TypeClass.FloatingPoint) return (long)ToDouble(file, path, t, e);
        if (t.Class is not (Hdf5TypeClass.FixedPoint or Hdf5TypeClass.BitField))
            throw file.Error(path, $"datatype class {t.Class} cannot be read as integers.");
        int size = t.Size;
        if (size is not (1 or 2 or 4 or 8)) throw file.Error(path, $"integer size {size} is not supported.");
        ulong v = 0;
        if (t.BigEndian) for (int i = 0; i < size; i++) v = (v << 8) | e[i];
        else for (int i = size - 1; i >= 0; i--) v = (v << 8) | e[i];
        if (t.Signed && size < 8)
        {
            int shift = 64 - 8 * size;
            return (long)(v << shift) >> shift;
        }
        return (long)v;
    }

    public static string? ToString(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> e)
    {
        if (type.Class == Hdf5TypeClass.String)
        {
            int end = e.IndexOf((byte)0);
            var s = end >= 0 ? e[..end] : e;
            return (type.Utf8 ? Encoding.UTF8 : Encoding.Latin1).GetString(s).TrimEnd(' ');
        }
        if (type.Class == Hdf5TypeClass.VariableLength && type.IsVlenString)
        {
            var r = new ByteReader(e, file, path);
            uint length = r.U32();
            ulong collection = r.Offset();
            uint index = r.U32();
            if (collection == 0 || collection == ulong.MaxValue) return length == 0 ? "" : null;
            var bytes = file.GlobalHeapObject(collection, index, path);
            if (length > bytes.Length) throw file.Error(path, $"variable-length string of {length} bytes is longer than its heap object ({bytes.Length}).");
            bytes = bytes[..(int)length];
            file.ChargeStrings(length, path);
            int nul = bytes.IndexOf((byte)0);
            if (nul >= 0) bytes = bytes[..nul];
            return Encoding.UTF8.GetString(bytes);
        }
        if (type.Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint or Hdf5TypeClass.Enumerated)
        {
            if (type.Class == Hdf5TypeClass.Enumerated)
            {
                long v = ToInteger(file, path, type, e);
                foreach (var m in type.EnumMembers) if (m.Value == v) return m.Name;
            }
            return ToDouble(file, path, type, e).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        throw file.Error(path, $"datatype class {type.Class} cannot be read as strings.");
    }

    private static bool IsLittle(Hdf5Datatype t, Hdf5TypeClass cls, int size) =>
        t.Class == cls && t.Size == size && !t.BigEndian && BitConverter.IsLittleEndian;

    private static void Check(Hdf5File file, string path, Hdf5Datatype type, ReadOnlySpan<byte> raw, long count)
    {
        if (count < 0 || type.Size <= 0 || count > raw.Length / type.Size)
            throw file.Error(path, $"{count} elements of {type.Size} bytes do not fit in the {raw.Length} bytes read.");
    }
}
