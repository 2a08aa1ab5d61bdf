using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>
/// A fixed, seeded set of damaged versions of a safetensors checkpoint: bit flips (header and data),
/// truncations, zeroed ranges, a header length out of range, edited option values (huge, negative,
/// NaN, wrong type, removed), edited schema entries, and tensor shapes/offsets rewritten.
/// </summary>
internal static class CheckpointMutations
{
    internal static IEnumerable<(string Kind, byte[] Bytes)> Generate(byte[] file, ulong seed)
    {
        var rng = new Random((int)(seed % int.MaxValue));
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        int headerEnd = 8 + (int)headerLength;
        for (int i = 0; i < 40; i++)
        {
            var b = (byte[])file.Clone();
            int at = rng.Next(0, headerEnd);
            b[at] ^= (byte)(1 << rng.Next(8));
            yield return ("bit flip (header)", b);
        }
        for (int i = 0; i < 10 && headerEnd < file.Length; i++)
        {
            var b = (byte[])file.Clone();
            int at = rng.Next(headerEnd, file.Length);
            b[at] ^= (byte)(1 << rng.Next(8));
            yield return ("bit flip (data)", b);
        }
        foreach (int cut in new[] { 0, 4, 8, 9, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1, (headerEnd + file.Length) / 2, file.Length - 1 })
            if (cut < file.Length) yield return ("truncation", file[..cut]);
        for (int i = 0; i < 8; i++)
        {
            var b = (byte[])file.Clone();
            int at = rng.Next(0, b.Length), len = Math.Min(b.Length - at, rng.Next(1, 64));
            Array.Clear(b, at, len);
            yield return ("zeroed range", b);
        }
        foreach (ulong declared in new ulong[] { 0, 1, (ulong)headerLength + 1, (ulong)file.Length, 1UL << 40, ulong.MaxValue })
        {
            var b = (byte[])file.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(b, declared);
            yield return ("header length", b);
        }

        var header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength))!.AsObject();
        var data = file[headerEnd..];
        var meta = header["__metadata__"]!.AsObject();
        // Option values: every numeric or string field set to hostile values, and removed.
        var options = JsonNode.Parse(meta["options"]!.GetValue<string>())!.AsObject();
        JsonNode?[] hostile = [JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(20000), JsonValue.Create(1000000), JsonValue.Create(int.MaxValue),
            JsonValue.Create(1e300), JsonValue.Create("NaN"), JsonValue.Create("x"), null];
        foreach (var key in options.Select(kv => kv.Key).ToArray())
        {
            foreach (var value in hostile)
            {
                var o = JsonNode.Parse(options.ToJsonString())!.AsObject();
                o[key] = value?.DeepClone();
                yield return ($"options.{key}", Rebuild(header, meta, "options", o.ToJsonString(), data));
            }
            var removed = JsonNode.Parse(options.ToJsonString())!.AsObject();
            removed.Remove(key);
            yield return ($"options.{key}", Rebuild(header, meta, "options", removed.ToJsonString(), data));
        }
        // Metadata entries: schema and others replaced with invalid JSON, empty, or removed.
        foreach (var key in meta.Select(kv => kv.Key).ToArray())
        {
            foreach (var replacement in new[] { "", "{", "null", "[]", "{\"genes\": null}" })
                yield return ($"metadata.{key}", Rebuild(header, meta, key, replacement, data));
            var m = JsonNode.Parse(meta.ToJsonString())!.AsObject();
            m.Remove(key);
            var h = JsonNode.Parse(header.ToJsonString())!.AsObject();
            h["__metadata__"] = m;
            yield return ($"metadata.{key}", Serialize(h, data));
        }
        // Schema: a duplicated gene, a dropped gene.
        var schema = JsonNode.Parse(meta["schema"]!.GetValue<string>())!.AsObject();
        var genes = schema["genes"]!.AsArray();
        if (genes.Count > 1)
        {
            var dup = JsonNode.Parse(schema.ToJsonString())!.AsObject();
            dup["genes"]![1] = genes[0]!.DeepClone();
            yield return ("schema.genes", Rebuild(header, meta, "schema", dup.ToJsonString(), data));
            var drop = JsonNode.Parse(schema.ToJsonString())!.AsObject();
            drop["genes"]!.AsArray().RemoveAt(0);
            yield return ("schema.genes", Rebuild(header, meta, "schema", drop.ToJsonString(), data));
        }
        // Tensor entries: shapes enlarged, offsets moved, dtype changed, an entry removed.
        foreach (var name in header.Where(kv => kv.Key != "__metadata__").Select(kv => kv.Key).Take(6).ToArray())
        {
            foreach (var edit in new Action<JsonObject>[]
            {
                t => t["shape"] = new JsonArray(JsonValue.Create(1000000), JsonValue.Create(1000000)),
                t => t["shape"] = new JsonArray(JsonValue.Create(t["shape"]!.AsArray().Count == 0 ? 2 : t["shape"]![0]!.GetValue<long>() + 1)),
                t => t["data_offsets"] = new JsonArray(JsonValue.Create(0), JsonValue.Create((long)data.Length * 4)),
                t => t["dtype"] = "F64",
            })
            {
                var h = JsonNode.Parse(header.ToJsonString())!.AsObject();
                edit(h[name]!.AsObject());
                yield return ("tensor entry", Serialize(h, data));
            }
            var removedTensor = JsonNode.Parse(header.ToJsonString())!.AsObject();
            removedTensor.Remove(name);
            yield return ("tensor entry", Serialize(removedTensor, data));
        }
    }

    private static byte[] Rebuild(JsonObject header, JsonObject meta, string key, string value, byte[] data)
    {
        var m = JsonNode.Parse(meta.ToJsonString())!.AsObject();
        m[key] = value;
        var h = JsonNode.Parse(header.ToJsonString())!.AsObject();
        h["__metadata__"] = m;
        return Serialize(h, data);
    }

    private static byte[] Serialize(JsonObject header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        var result = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        data.CopyTo(result, 8 + json.Length);
        return result;
    }
}
