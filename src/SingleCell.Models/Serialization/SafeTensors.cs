using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Serialization;

/// <summary>One tensor entry of a safetensors header: name, element type, shape and byte range in the buffer.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions (any rank; empty for a scalar).</param>
/// <param name="Begin">Start of its bytes, relative to the start of the data buffer.</param>
/// <param name="End">End (exclusive) of its bytes.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount
    {
        get { long n = 1; foreach (var d in Shape) n *= d; return n; }
    }
}

/// <summary>A parsed safetensors file: header entries, string metadata and the raw data buffer.</summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    internal SafeTensorsFile(IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, ReadOnlyMemory<byte> data)
    {
        Tensors = tensors;
        Metadata = metadata;
        Data = data;
        _byName = new Dictionary<string, SafeTensorInfo>(StringComparer.Ordinal);
        foreach (var t in tensors) _byName[t.Name] = t;
    }

    /// <summary>The tensor entries in buffer order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The data buffer that follows the header.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The entry called <paramref name="name"/>.</summary>
    /// <param name="name">The tensor's key.</param>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public SafeTensorInfo this[string name] => _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"safetensors: no tensor named '{name}'.");

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    /// <param name="info">An entry of this file.</param>
    public ReadOnlySpan<byte> Bytes(SafeTensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return Data.Span.Slice((int)info.Begin, (int)(info.End - info.Begin));
    }

    /// <summary>
    /// The tensor as float32: F32 as stored; F64, F16, BF16 and the integer and boolean types converted
    /// (integers beyond 2²⁴ lose precision).
    /// </summary>
    /// <param name="name">The tensor's key.</param>
    /// <exception cref="NotSupportedException">The tensor has rank above <see cref="TensorShape.MaxRank"/>.</exception>
    public Tensor ToTensor(string name)
    {
        var info = this[name];
        if (info.Shape.Length > TensorShape.MaxRank)
            throw new NotSupportedException($"safetensors: tensor '{name}' has rank {info.Shape.Length}; tensors have rank at most {TensorShape.MaxRank}.");
        var shape = new int[info.Shape.Length];
        for (int i = 0; i < shape.Length; i++) shape[i] = checked((int)info.Shape[i]);
        int n = checked((int)info.ElementCount);
        var src = Bytes(info);
        var dst = new float[n];
        switch (info.DType)
        {
            case SafeTensorsDType.F32:
                if (BitConverter.IsLittleEndian) src.CopyTo(MemoryMarshal.AsBytes(dst.AsSpan()));
                else for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case SafeTensorsDType.F64: for (int i = 0; i < n; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]); break;
            case SafeTensorsDType.F16: for (int i = 0; i < n; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]); break;
            case SafeTensorsDType.BF16: for (int i = 0; i < n; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16); break;
            case SafeTensorsDType.I64: for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]); break;
            case SafeTensorsDType.I32: for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]); break;
            case SafeTensorsDType.I16: for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]); break;
            case SafeTensorsDType.I8: for (int i = 0; i < n; i++) dst[i] = (sbyte)src[i]; break;
            default: for (int i = 0; i < n; i++) dst[i] = src[i]; break; // U8, BOOL
        }
        // An empty shape is a rank-0 tensor here (FromArray would read it as a vector).
        return shape.Length == 0 ? Tensor.FromSpan(dst) : Tensor.FromArray(dst, shape);
    }

    /// <summary>The values of an I64 (or I32) tensor as 64-bit integers, without going through float.</summary>
    /// <param name="name">The tensor's key.</param>
    /// <exception cref="InvalidOperationException">The tensor is not an integer tensor.</exception>
    public long[] ToInt64Array(string name)
    {
        var info = this[name];
        var src = Bytes(info);
        int n = checked((int)info.ElementCount);
        var dst = new long[n];
        switch (info.DType)
        {
            case SafeTensorsDType.I64: for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]); break;
            case SafeTensorsDType.I32: for (int i = 0; i < n; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]); break;
            default: throw new InvalidOperationException($"safetensors: tensor '{name}' is {SafeTensorsDTypeInfo.Name(info.DType)}, not an integer tensor.");
        }
        return dst;
    }
}

/// <summary>
/// Reads and writes the <c>safetensors</c> format: an 8-byte little-endian header length N, N bytes
/// of UTF-8 JSON (<c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}</c>,
/// padded with spaces to a multiple of 8), then the little-endian data buffer. Files written here are
/// laid out as the reference Rust implementation lays them out (tensors sorted by dtype alignment,
/// then by name) and are readable by Python's <c>safetensors</c>.
/// </summary>
/// <remarks>
/// Reading validates everything before allocating the data buffer: header length against the file
/// size and <see cref="MaxHeaderSize"/>, known dtypes, shape × dtype size against the byte range, and
/// that the ranges tile the buffer exactly (no overlaps, holes, or bytes past the end). Every violation
/// is a <see cref="SafeTensorsFormatException"/>.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted (100 MB, as the Rust implementation).</summary>
    public const long MaxHeaderSize = 100_000_000;

    private const string MetadataKey = "__metadata__";

    // ------------------------------------------------------------------ writing

    /// <summary>Writes float32 tensors and string metadata to <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="tensors">Named tensors; names must be unique and not <c>__metadata__</c>.</param>
    /// <param name="metadata">Optional string metadata.</param>
    /// <exception cref="ArgumentException">A duplicate or reserved name.</exception>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<KeyValuePair<string, Tensor>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in tensors)
        {
            ArgumentNullException.ThrowIfNull(kv.Key);
            ArgumentNullException.ThrowIfNull(kv.Value);
            if (kv.Key == MetadataKey) throw new ArgumentException($"safetensors: '{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!seen.Add(kv.Key)) throw new ArgumentException($"safetensors: duplicate tensor name '{kv.Key}'.", nameof(tensors));
            list.Add(kv);
        }
        // All entries are F32: the Rust order (alignment descending, then name) is the ordinal name order.
        list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

        var header = BuildHeader(list, metadata);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        stream.Write(len);
        stream.Write(header);
        foreach (var kv in list)
        {
            var span = kv.Value.AsReadOnlySpan();
            if (BitConverter.IsLittleEndian) stream.Write(MemoryMarshal.AsBytes(span));
            else
            {
                var buf = new byte[span.Length * 4];
                for (int i = 0; i < span.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * i), span[i]);
                stream.Write(buf);
            }
        }
    }

    /// <summary>Serialises to a new byte array (see <see cref="Write(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <param name="tensors">Named tensors.</param>
    /// <param name="metadata">Optional string metadata.</param>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> list, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false }))
        {
            w.WriteStartObject();
            if (metadata != null && metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                var keys = metadata.Keys.ToArray();
                Array.Sort(keys, StringComparer.Ordinal);
                foreach (var k in keys) w.WriteString(k, metadata[k] ?? throw new ArgumentException($"safetensors: metadata value of '{k}' is null.", nameof(metadata)));
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var kv in list)
            {
                w.WriteStartObject(kv.Key);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                var s = kv.Value.Shape;
                for (int i = 0; i < s.Rank; i++) w.WriteNumberValue(s[i]);
                w.WriteEndArray();
                long end = offset + 4L * kv.Value.Size;
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(end);
                w.WriteEndArray();
                w.WriteEndObject();
                offset = end;
            }
            w.WriteEndObject();
        }
        int n = buffer.WrittenCount;
        int padded = (n + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(n).Fill((byte)' ');
        return header;
    }

    // ------------------------------------------------------------------ reading

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafeTensorsFormatException">The file is malformed; the message names the file, the tensor or field, and the problem.</exception>
    /// <exception cref="NotSupportedException">The data buffer exceeds <see cref="Array.MaxLength"/> bytes.</exception>
    /// <remarks>Memory is bounded by the file: the header is at most 100 MB and is read only when the file holds it, and the data buffer is exactly what follows it.</remarks>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            return Read(fs, fs.Length);
        }
        catch (SafeTensorsFormatException e)
        {
            throw new SafeTensorsFormatException($"{path}: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw new SafeTensorsFormatException($"{path}: safetensors: the file ended while it was read (it changed or is truncated).", e);
        }
    }

    /// <summary>Parses and validates safetensors bytes held in memory.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <exception cref="SafeTensorsFormatException">The bytes are malformed.</exception>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        long total = span.Length;
        long n = ReadHeaderLength(span, total);
        var entries = ParseHeader(span.Slice(8, (int)n), out var metadata);
        long bufferLength = total - 8 - n;
        Validate(entries, bufferLength);
        return new SafeTensorsFile(entries, metadata, bytes.Slice(8 + (int)n));
    }

    /// <summary>Reads a safetensors file of known length from a stream positioned at its start.</summary>
    private static SafeTensorsFile Read(Stream stream, long total)
    {
        Span<byte> len = stackalloc byte[8];
        if (total < 8) throw new SafeTensorsFormatException($"safetensors: the file is truncated ({total} bytes; the 8-byte header length is missing).");
        stream.ReadExactly(len);
        long n = ReadHeaderLength(len, total);
        var header = new byte[n];
        stream.ReadExactly(header);
        var entries = ParseHeader(header, out var metadata);
        long bufferLength = total - 8 - n;
        Validate(entries, bufferLength);
        if (bufferLength > Array.MaxLength)
            throw new NotSupportedException($"safetensors: a data buffer of {bufferLength} bytes exceeds the largest array ({Array.MaxLength} bytes).");
        var data = new byte[bufferLength];
        stream.ReadExactly(data);
        return new SafeTensorsFile(entries, metadata, data);
    }

    private static long ReadHeaderLength(ReadOnlySpan<byte> start, long total)
    {
        if (total < 8) throw new SafeTensorsFormatException($"safetensors: the file is truncated ({total} bytes; the 8-byte header length is missing).");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(start);
        if (n > MaxHeaderSize) throw new SafeTensorsFormatException($"safetensors: header length {n} exceeds the limit of {MaxHeaderSize} bytes.");
        if ((long)n > total - 8) throw new SafeTensorsFormatException($"safetensors: header length {n} runs past the end of the file ({total} bytes): the file is truncated or corrupt.");
        if (n < 2) throw new SafeTensorsFormatException($"safetensors: header length {n} is too small for a JSON object.");
        return (long)n;
    }

    private static List<SafeTensorInfo> ParseHeader(ReadOnlySpan<byte> json, out IReadOnlyDictionary<string, string> metadata)
    {
        if (json[0] != (byte)'{') throw new SafeTensorsFormatException("safetensors: the header does not start with '{'.");
        var entries = new List<SafeTensorInfo>();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            Expect(ref reader, JsonTokenType.StartObject, "the header");
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string key = reader.GetString()!;
                if (!names.Add(key)) throw new SafeTensorsFormatException($"safetensors: duplicate header key '{key}'.");
                if (key == MetadataKey)
                {
                    Expect(ref reader, JsonTokenType.StartObject, "__metadata__");
                    while (true)
                    {
                        Next(ref reader);
                        if (reader.TokenType == JsonTokenType.EndObject) break;
                        string mk = reader.GetString()!;
                        Next(ref reader);
                        if (reader.TokenType != JsonTokenType.String) throw new SafeTensorsFormatException($"safetensors: metadata value of '{mk}' is not a string.");
                        meta[mk] = reader.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(ref reader, key));
            }
            // Only padding may follow the object.
            if (reader.Read()) throw new SafeTensorsFormatException("safetensors: unexpected content after the header object.");
        }
        catch (JsonException ex)
        {
            throw new SafeTensorsFormatException($"safetensors: the header is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new SafeTensorsFormatException($"safetensors: the header has an unexpected structure: {ex.Message}", ex);
        }
        metadata = meta;
        return entries;
    }

    private static SafeTensorInfo ParseEntry(ref Utf8JsonReader reader, string name)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"tensor '{name}'");
        string? dtypeName = null;
        List<long>? shape = null;
        List<long>? offsets = null;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype":
                    Next(ref reader);
                    if (reader.TokenType != JsonTokenType.String) throw new SafeTensorsFormatException($"safetensors: tensor '{name}': dtype is not a string.");
                    dtypeName = reader.GetString();
                    break;
                case "shape": shape = ReadIntArray(ref reader, name, "shape"); break;
                case "data_offsets": offsets = ReadIntArray(ref reader, name, "data_offsets"); break;
                default: reader.Skip(); break; // ignore unknown fields
            }
        }
        if (dtypeName == null || shape == null || offsets == null)
            throw new SafeTensorsFormatException($"safetensors: tensor '{name}' lacks {(dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets")}.");
        if (!SafeTensorsDTypeInfo.TryParse(dtypeName, out var dtype))
            throw new SafeTensorsFormatException($"safetensors: tensor '{name}' has unknown or unsupported dtype '{dtypeName}'.");
        if (offsets.Count != 2) throw new SafeTensorsFormatException($"safetensors: tensor '{name}': data_offsets must hold two numbers; got {offsets.Count}.");
        return new SafeTensorInfo(name, dtype, [.. shape], offsets[0], offsets[1]);
    }

    private static List<long> ReadIntArray(ref Utf8JsonReader reader, string name, string field)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"tensor '{name}' {field}");
        var list = new List<long>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return list;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw new SafeTensorsFormatException($"safetensors: tensor '{name}': {field} must hold non-negative integers.");
            if (list.Count >= 64) throw new SafeTensorsFormatException($"safetensors: tensor '{name}': {field} is too long.");
            list.Add(v);
        }
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new SafeTensorsFormatException("safetensors: the header JSON ends unexpectedly.");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        Next(ref reader);
        if (reader.TokenType != type) throw new SafeTensorsFormatException($"safetensors: expected {(type == JsonTokenType.StartObject ? "an object" : "an array")} for {what}; found {reader.TokenType}.");
    }

    /// <summary>Checks sizes against dtypes and that the byte ranges tile the buffer exactly.</summary>
    private static void Validate(List<SafeTensorInfo> entries, long bufferLength)
    {
        foreach (var e in entries)
        {
            long count = 1;
            foreach (var d in e.Shape)
            {
                if (d != 0 && count > long.MaxValue / 8 / d) throw new SafeTensorsFormatException($"safetensors: tensor '{e.Name}' has an impossibly large shape.");
                count *= d;
            }
            if (e.End < e.Begin) throw new SafeTensorsFormatException($"safetensors: tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}] with end before begin.");
            if (e.End > bufferLength) throw new SafeTensorsFormatException($"safetensors: tensor '{e.Name}' has data_offsets [{e.Begin}, {e.End}] past the end of the {bufferLength}-byte data buffer (file truncated?).");
            long expected = count * SafeTensorsDTypeInfo.SizeOf(e.DType);
            if (e.End - e.Begin != expected)
                throw new SafeTensorsFormatException($"safetensors: tensor '{e.Name}' ({SafeTensorsDTypeInfo.Name(e.DType)}, shape [{string.Join(", ", e.Shape)}]) needs {expected} bytes but data_offsets [{e.Begin}, {e.End}] span {e.End - e.Begin}.");
        }
        entries.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long pos = 0;
        foreach (var e in entries)
        {
            if (e.Begin < pos) throw new SafeTensorsFormatException($"safetensors: tensor '{e.Name}' (bytes [{e.Begin}, {e.End}]) overlaps the previous tensor, which ends at {pos}.");
            if (e.Begin > pos) throw new SafeTensorsFormatException($"safetensors: the bytes [{pos}, {e.Begin}) before tensor '{e.Name}' belong to no tensor.");
            pos = e.End;
        }
        if (pos != bufferLength)
            throw new SafeTensorsFormatException($"safetensors: the data buffer has {bufferLength} bytes but the tensors cover {pos}.");
    }
}
