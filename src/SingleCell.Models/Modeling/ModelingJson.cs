using System.Text.Json;
using System.Text.Json.Serialization;

namespace SingleCell.Models.Modeling;

/// <summary>Source-generated JSON for the platform's own records (no reflection: trimming and AOT stay clean).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DataSchema))]
internal sealed partial class ModelingJson : JsonSerializerContext;

internal static class SchemaJson
{
    internal static string Serialize(DataSchema schema) => JsonSerializer.Serialize(schema, ModelingJson.Default.DataSchema);

    /// <summary>Parses and checks a schema: every list present, no null names, gene names unique.</summary>
    internal static DataSchema Deserialize(string json, string path)
    {
        DataSchema? schema;
        try { schema = JsonSerializer.Deserialize(json, ModelingJson.Default.DataSchema); }
        catch (JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': the data schema is not valid JSON of a schema ({e.Message}).", e); }
        if (schema == null || schema.Genes == null || schema.Categoricals == null || schema.Numerics == null)
            throw new CheckpointFormatException($"Checkpoint '{path}': the data schema lacks genes, categoricals or numerics.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in schema.Genes)
            if (g == null || !seen.Add(g)) throw new CheckpointFormatException($"Checkpoint '{path}': the data schema's genes contain {(g == null ? "a null name" : $"'{g}' twice")}.");
        foreach (var c in schema.Categoricals)
            if (c == null || c.Key == null || c.Categories == null || c.Categories.Any(x => x == null))
                throw new CheckpointFormatException($"Checkpoint '{path}': a categorical field of the data schema is incomplete.");
        if (schema.Numerics.Any(n => n == null)) throw new CheckpointFormatException($"Checkpoint '{path}': the data schema has a null numeric field.");
        if (!Enum.IsDefined(schema.Values)) throw new CheckpointFormatException($"Checkpoint '{path}': the data schema has an unknown value kind {(int)schema.Values}.");
        return schema;
    }
}
