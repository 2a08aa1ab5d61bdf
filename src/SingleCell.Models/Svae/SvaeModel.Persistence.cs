using System.Text;
using System.Text.Json;
using SingleCell.Models.Data;
using SingleCell.Models.Serialization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

public sealed partial class SvaeModel
{
    private const string ModelType = "SingleCell.Models.Svae";
    private const int SchemaVersion = 1;
    private const string MetadataKey = "svae";

    /// <inheritdoc />
    public void Save(string path, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!overwrite && File.Exists(path)) throw new IOException($"sVAE.Save: '{path}' exists; pass overwrite: true to replace it.");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in Module.StateDict()) tensors[name] = t;
        if (Module.FixedMask != null)
            tensors["fixed_mask"] = Tensor.FromArray((float[])Module.FixedMask.Clone(), LabelNames.Count, Options.LatentDim);
        Checkpoint.Save(path, tensors, new Dictionary<string, string> { [MetadataKey] = MetadataJson() });
    }

    private string MetadataJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("model_type", ModelType);
            w.WriteNumber("schema_version", SchemaVersion);
            w.WriteBoolean("is_trained", IsTrained);
            w.WriteStartObject("options");
            w.WriteString("variant", Options.Variant.ToString());
            w.WriteNumber("latent_dim", Options.LatentDim);
            w.WriteNumber("hidden_dim", Options.HiddenDim);
            w.WriteNumber("layers", Options.Layers);
            w.WriteNumber("dropout_rate", Options.DropoutRate);
            w.WriteNumber("beta", Options.Beta);
            if (Options.SparsityPenalty is double a) w.WriteNumber("sparsity_penalty", a); else w.WriteNull("sparsity_penalty");
            w.WriteNumber("temperature", Options.Temperature);
            w.WriteNumber("initial_mask_logit", Options.InitialMaskLogit);
            w.WriteNumber("seed", Options.Seed);
            w.WriteEndObject();
            w.WriteStartObject("setup");
            w.WriteString("perturbation_key", Setup.PerturbationKey);
            if (Setup.CountLayer != null) w.WriteString("count_layer", Setup.CountLayer); else w.WriteNull("count_layer");
            w.WriteStartArray("control_labels");
            foreach (var c in Setup.ControlLabels ?? []) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("var_names");
            foreach (var g in GeneNames) w.WriteStringValue(g);
            w.WriteEndArray();
            w.WriteStartArray("labels");
            foreach (var l in LabelNames) w.WriteStringValue(l);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save"/> and sets it up on <paramref name="data"/>, whose genes
    /// (by name) and labels must match the saved schema.
    /// </summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="data">The data to attach (for further training or queries).</param>
    /// <exception cref="FormatException">The file is not an sVAE checkpoint, or its schema version is unknown.</exception>
    /// <exception cref="ArgumentException">The data's genes or labels do not match the schema.</exception>
    public static SvaeModel Load(string path, AnnData data)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(data);
        var checkpoint = Checkpoint.Load(path);
        var tensors = checkpoint.Tensors;
        if (!checkpoint.Metadata.TryGetValue(MetadataKey, out var metadata))
            throw new FormatException($"'{path}' is not an sVAE checkpoint (no '{MetadataKey}' metadata).");
        using var doc = JsonDocument.Parse(metadata);
        var root = doc.RootElement;
        if (!root.TryGetProperty("model_type", out var type) || type.GetString() != ModelType)
            throw new FormatException($"'{path}' is not an sVAE checkpoint (model_type {(root.TryGetProperty("model_type", out var t) ? t.GetString() : "missing")}).");
        int version = root.GetProperty("schema_version").GetInt32();
        if (version != SchemaVersion) throw new FormatException($"'{path}' has sVAE schema version {version}; this library reads version {SchemaVersion}.");
        var o = root.GetProperty("options");
        var options = new SvaeOptions
        {
            Variant = Enum.Parse<SvaeVariant>(o.GetProperty("variant").GetString()!),
            LatentDim = o.GetProperty("latent_dim").GetInt32(),
            HiddenDim = o.GetProperty("hidden_dim").GetInt32(),
            Layers = o.GetProperty("layers").GetInt32(),
            DropoutRate = o.GetProperty("dropout_rate").GetSingle(),
            Beta = o.GetProperty("beta").GetDouble(),
            SparsityPenalty = o.GetProperty("sparsity_penalty").ValueKind == JsonValueKind.Null ? null : o.GetProperty("sparsity_penalty").GetDouble(),
            Temperature = o.GetProperty("temperature").GetSingle(),
            InitialMaskLogit = o.GetProperty("initial_mask_logit").GetSingle(),
            Seed = o.GetProperty("seed").GetUInt64(),
        };
        var s = root.GetProperty("setup");
        var setup = new SvaeSetup(
            s.GetProperty("perturbation_key").GetString()!,
            s.GetProperty("control_labels").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            s.GetProperty("count_layer").ValueKind == JsonValueKind.Null ? null : s.GetProperty("count_layer").GetString());
        var genes = root.GetProperty("var_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();

        var module = new SvaeModule(genes.Length, Math.Max(1, labels.Length), options);
        var shell = new SvaeModel(module, setup, genes, labels, new CellMatrix(0, genes.Length, [0], [], []), []);
        var state = tensors.Where(kv => kv.Key != "fixed_mask").ToDictionary(kv => kv.Key, kv => kv.Value);
        module.LoadStateDict(state, strict: true);
        if (tensors.TryGetValue("fixed_mask", out var fixedMask)) module.SetFixedMask(fixedMask.ToArray());
        var model = shell.On(data);
        model.IsTrained = root.GetProperty("is_trained").GetBoolean();
        return model;
    }
}
