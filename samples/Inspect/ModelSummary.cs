using System.Globalization;
using System.Text.Json;
using SingleCell.Models.Modeling;

namespace Inspect;

/// <summary>Summarises a model checkpoint (any family) without building the model: type, layout version, sizes, options.</summary>
internal static class ModelSummary
{
    /// <summary>True for files Inspect treats as model checkpoints.</summary>
    public static bool IsCheckpoint(string path) => path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);

    /// <summary>Prints the summary (or one JSON object); a damaged checkpoint gives one line on stderr and exit code 1.</summary>
    public static int Run(string path, bool json)
    {
        ModelCheckpointInfo info;
        try { info = ModelCheckpoint.ReadInfo(path); }
        catch (Exception e) when (e is CheckpointFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        JsonElement options;
        try { options = JsonDocument.Parse(info.OptionsJson).RootElement; }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"error: checkpoint '{path}': the options are not valid JSON ({e.Message}).");
            return 1;
        }
        if (json)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms))
            {
                w.WriteStartObject();
                w.WriteString("kind", "model");
                w.WriteString("model_type", info.ModelType);
                w.WriteNumber("format_version", info.FormatVersion);
                w.WriteNumber("parameter_count", info.ParameterCount);
                w.WriteNumber("genes", info.Schema.GeneCount);
                w.WriteBoolean("is_trained", info.IsTrained);
                w.WriteString("values", info.Schema.Values.ToString());
                w.WritePropertyName("options");
                options.WriteTo(w);
                w.WriteEndObject();
            }
            Console.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
            return 0;
        }
        Console.WriteLine($"{path}: {info.ModelType} model checkpoint, layout version {info.FormatVersion}");
        Console.WriteLine($"  {info.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} stored values (parameters and buffers) in {info.Tensors.Count} tensors; {(info.IsTrained ? "trained" : "not trained")}");
        Console.WriteLine($"  {info.Schema.GeneCount} genes ({info.Schema.Values}, {(info.Schema.Layer == null ? "X" : $"layer '{info.Schema.Layer}'")})" +
            string.Concat(info.Schema.Categoricals.Select(c => $"; {c.Key}: {c.Categories.Count} categories")));
        Console.WriteLine("  options:");
        foreach (var p in options.EnumerateObject()) Console.WriteLine($"    {p.Name} = {p.Value.GetRawText()}");
        return 0;
    }
}
