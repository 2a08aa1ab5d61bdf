using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SingleCell.Models.Modeling;
using SingleCell.Models.Serialization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

/// <summary>
/// Reads checkpoints of layout version 1 (the first sVAE release: options, setup and schema written
/// field by field under the metadata key <c>svae</c>, the frozen mask as a side tensor) and converts
/// them to the current model. Saving the result writes layout 2.
/// </summary>
internal static class SvaeLegacyCheckpoint
{
    internal static bool TryLoad(string path, [NotNullWhen(true)] out SvaeModel? model)
    {
        model = null;
        if (!File.Exists(path)) return false;
        SafeTensorsFile file;
        try { file = SafeTensors.Read(path); }
        catch (SafeTensorsFormatException) { return false; } // ModelCheckpoint reports it
        if (!file.Metadata.TryGetValue(Checkpoint.FormatVersionKey, out var v) || v != "1") return false;
        if (!file.Metadata.TryGetValue("svae", out var json))
            throw new CheckpointFormatException($"Checkpoint '{path}' has layout version 1 but no 'svae' metadata: it is not an sVAE checkpoint.");
        try
        {
            model = Convert(path, file, json);
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            throw new CheckpointFormatException($"Checkpoint '{path}' (layout 1, sVAE) cannot be converted: {e.Message}", e);
        }
    }

    private static SvaeModel Convert(string path, SafeTensorsFile file, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        if (root.GetProperty("model_type").GetString() != "SingleCell.Models.Svae" || root.GetProperty("schema_version").GetInt32() != 1)
            throw new FormatException("unknown model type or schema version");
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
        options.Validate();
        var s = root.GetProperty("setup");
        var controls = s.GetProperty("control_labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var setup = new SvaeSetup(s.GetProperty("perturbation_key").GetString()!, controls,
            s.GetProperty("count_layer").ValueKind == JsonValueKind.Null ? null : s.GetProperty("count_layer").GetString());
        var genes = root.GetProperty("var_names").EnumerateArray().Select(e => e.GetString()!).ToArray();
        var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetString()!).ToArray();
        // Layout 1 kept the non-control labels only; the schema lists every category (labels, then controls).
        var schema = new DataSchema(setup.CountLayer, MatrixValues.Counts, genes,
            [new CategoricalField(setup.PerturbationKey, [.. labels, .. controls])], []);
        long stored = file.Tensors.Sum(t => t.ElementCount);
        SvaeModule module;
        using (Tensor.LimitAllocations(2 * stored + (1 << 16))) module = new SvaeModule(genes.Length, Math.Max(1, labels.Length), options);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var info in file.Tensors)
            if (info.Name != "fixed_mask") state[info.Name] = file.ToTensor(info.Name);
        var result = module.LoadStateDict(state, strict: false);
        if (result.UnexpectedKeys.Count > 0 || result.MissingKeys.Any(k => k is not ("frozen_mask" or "mask_is_frozen")))
            throw new FormatException($"tensors do not match the network: missing {string.Join(", ", result.MissingKeys)}; unexpected {string.Join(", ", result.UnexpectedKeys)}");
        if (file.Tensors.Any(t => t.Name == "fixed_mask")) module.SetFixedMask(file.ToTensor("fixed_mask").AsReadOnlySpan());
        return SvaeModel.FromParts(options, module, schema, setup, root.GetProperty("is_trained").GetBoolean());
    }
}
