using System.Globalization;
using AssemblyInformationalVersionAttribute = System.Reflection.AssemblyInformationalVersionAttribute;
using CustomAttributeExtensions = System.Reflection.CustomAttributeExtensions;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.NN;
using SingleCell.Models.Serialization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Modeling;

/// <summary>What a model checkpoint holds, read without building the model (for tools such as <c>Inspect</c>).</summary>
/// <param name="Path">The file.</param>
/// <param name="ModelType">The model family's type name (e.g. <c>svae</c>).</param>
/// <param name="FormatVersion">The checkpoint layout version.</param>
/// <param name="OptionsJson">The model options as JSON.</param>
/// <param name="Schema">The data schema.</param>
/// <param name="IsTrained">Whether the model had completed at least one optimisation step.</param>
/// <param name="ParameterCount">Elements of all stored tensors (parameters and buffers).</param>
/// <param name="Tensors">The stored tensors' names, types and shapes.</param>
/// <param name="Extra">Further model-specific metadata entries.</param>
public sealed record ModelCheckpointInfo(string Path, string ModelType, int FormatVersion, string OptionsJson, DataSchema Schema,
    bool IsTrained, long ParameterCount, IReadOnlyList<SafeTensorInfo> Tensors, IReadOnlyDictionary<string, string> Extra);

/// <summary>
/// One checkpoint layout for every model family: a safetensors file whose metadata holds the format
/// name and version, the model type, the options (JSON from a source-generated serializer), the data
/// schema, whether it was trained and any model-specific entries; and whose tensors are the module's
/// complete state dict, buffers included. Saves are atomic; loads validate before they allocate.
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The layout version written (version 1 was the per-model metadata of the first sVAE release).</summary>
    public const int FormatVersion = 2;

    private const string ModelTypeKey = "model_type", OptionsKey = "options", SchemaKey = "schema", TrainedKey = "is_trained", LibraryKey = "library_version";
    private static readonly HashSet<string> s_reserved = [Checkpoint.FormatKey, Checkpoint.FormatVersionKey, ModelTypeKey, OptionsKey, SchemaKey, TrainedKey, LibraryKey];

    /// <summary>Saves a model atomically (temporary file in the same folder, then rename; stale temporaries of earlier killed saves of the same path are removed).</summary>
    /// <typeparam name="TOptions">The options record.</typeparam>
    /// <param name="path">Target file.</param>
    /// <param name="modelType">The family's type name.</param>
    /// <param name="options">The options.</param>
    /// <param name="optionsType">The options' source-generated JSON type information.</param>
    /// <param name="schema">The data schema.</param>
    /// <param name="isTrained">Whether the model has been trained.</param>
    /// <param name="module">The network; its whole state dict is stored.</param>
    /// <param name="overwrite">Replace an existing file.</param>
    /// <param name="extra">Model-specific metadata entries (keys must not collide with the layout's).</param>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public static void Save<TOptions>(string path, string modelType, TOptions options, JsonTypeInfo<TOptions> optionsType, DataSchema schema,
        bool isTrained, Module module, bool overwrite = false, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(modelType);
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(module);
        if (!overwrite && File.Exists(path)) throw new IOException($"'{path}' exists; pass overwrite: true to replace it.");
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelTypeKey] = modelType,
            [OptionsKey] = JsonSerializer.Serialize(options, optionsType),
            [SchemaKey] = SchemaJson.Serialize(schema),
            [TrainedKey] = isTrained ? "true" : "false",
            [LibraryKey] = CustomAttributeExtensions.GetCustomAttribute<AssemblyInformationalVersionAttribute>(typeof(ModelCheckpoint).Assembly)?.InformationalVersion ?? "unknown",
        };
        if (extra != null)
            foreach (var kv in extra)
            {
                if (s_reserved.Contains(kv.Key)) throw new ArgumentException($"Checkpoint metadata key '{kv.Key}' is reserved.", nameof(extra));
                meta[kv.Key] = kv.Value;
            }
        Checkpoint.Save(path, module.StateDict(), meta, FormatVersion);
    }

    /// <summary>Reads a checkpoint's metadata and tensor list, checking the layout.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="CheckpointFormatException">The file is not a model checkpoint of a layout this library reads.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static ModelCheckpointInfo ReadInfo(string path) => Open(path).Info;

    internal static (ModelCheckpointInfo Info, SafeTensorsFile File) Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint at '{path}'.", path);
        SafeTensorsFile file;
        try { file = SafeTensors.Read(path); }
        catch (SafeTensorsFormatException e) { throw new CheckpointFormatException($"Checkpoint '{path}' is not a valid safetensors file: {e.Message}", e); }
        var m = file.Metadata;
        if (!m.TryGetValue(Checkpoint.FormatKey, out var format) || format != Checkpoint.FormatName)
            throw new CheckpointFormatException($"Checkpoint '{path}' is not a SingleCell.Models checkpoint (metadata '{Checkpoint.FormatKey}' is {(format == null ? "missing" : $"'{format}'")}).");
        if (!m.TryGetValue(Checkpoint.FormatVersionKey, out var v) || !int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            throw new CheckpointFormatException($"Checkpoint '{path}' lacks a valid '{Checkpoint.FormatVersionKey}'.");
        if (version == 1)
            throw new CheckpointFormatException($"Checkpoint '{path}' has layout version 1 (the first sVAE release); load it with SvaeModel.Load, which converts it, and save it again to write version {FormatVersion}.");
        if (version != FormatVersion)
            throw new CheckpointFormatException($"Checkpoint '{path}' has layout version {version}; this library reads version {FormatVersion}.");
        string Required(string key) => m.TryGetValue(key, out var s) ? s : throw new CheckpointFormatException($"Checkpoint '{path}' lacks the metadata entry '{key}'.");
        string type = Required(ModelTypeKey), options = Required(OptionsKey), trained = Required(TrainedKey);
        if (trained is not ("true" or "false")) throw new CheckpointFormatException($"Checkpoint '{path}': '{TrainedKey}' is '{trained}', not true or false.");
        var schema = SchemaJson.Deserialize(Required(SchemaKey), path);
        long elements = 0;
        foreach (var t in file.Tensors) elements += t.ElementCount;
        var extra = m.Where(kv => !s_reserved.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return (new ModelCheckpointInfo(path, type, version, options, schema, trained == "true", elements, file.Tensors, extra), file);
    }

    /// <summary>
    /// Loads a checkpoint of <paramref name="modelType"/>: parses and validates the options and schema,
    /// builds the module under an allocation budget implied by the file (so options claiming a huge
    /// network fail before the memory is taken), and copies the state dict after checking every name,
    /// shape and element type.
    /// </summary>
    /// <typeparam name="TOptions">The options record.</typeparam>
    /// <typeparam name="TModule">The network type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="modelType">The expected model type.</param>
    /// <param name="optionsType">The options' source-generated JSON type information.</param>
    /// <param name="validate">Checks the options (throws <see cref="ArgumentException"/> for a value out of range).</param>
    /// <param name="build">Builds the module from the options and the checkpoint's metadata (schema, extra entries); may throw <see cref="ArgumentException"/> or <see cref="CheckpointFormatException"/>.</param>
    /// <exception cref="CheckpointFormatException">Anything about the file is wrong; the message says what.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static LoadedCheckpoint<TOptions, TModule> Load<TOptions, TModule>(string path, string modelType, JsonTypeInfo<TOptions> optionsType,
        Action<TOptions> validate, Func<TOptions, ModelCheckpointInfo, TModule> build) where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(build);
        var (info, file) = Open(path);
        if (info.ModelType != modelType)
            throw new CheckpointFormatException($"Checkpoint '{path}' holds a '{info.ModelType}' model, not '{modelType}'.");
        TOptions? options;
        try { options = JsonSerializer.Deserialize(info.OptionsJson, optionsType); }
        catch (JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': the options are not valid ({e.Message}).", e); }
        if (options == null) throw new CheckpointFormatException($"Checkpoint '{path}': the options are null.");
        try { validate(options); }
        catch (ArgumentException e) { throw new CheckpointFormatException($"Checkpoint '{path}': an option is out of range: {e.Message}", e); }

        foreach (var t in file.Tensors)
            if (t.DType != SafeTensorsDType.F32)
                throw new CheckpointFormatException($"Checkpoint '{path}': tensor '{t.Name}' is {t.DType}; model state is F32.");
        TModule module;
        // Construction may allocate temporaries besides the state (initialisation), hence the slack.
        using (Tensor.LimitAllocations(2 * info.ParameterCount + (1 << 16)))
        {
            try { module = build(options, info); }
            catch (AllocationBudgetExceededException e)
            {
                throw new CheckpointFormatException($"Checkpoint '{path}': the options imply a network larger than the {info.ParameterCount:N0} values the file holds (a tensor of {e.Requested:N0} elements was requested).", e);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
            {
                throw new CheckpointFormatException($"Checkpoint '{path}': the options and schema do not describe a valid network: {e.Message}", e);
            }
        }
        var state = module.StateDict();
        var problems = new List<string>();
        var stored = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var kv in state)
        {
            if (!stored.TryGetValue(kv.Key, out var t)) { problems.Add($"missing tensor '{kv.Key}'"); continue; }
            if (!SameShape(t.Shape, kv.Value.Shape)) problems.Add($"'{kv.Key}' has shape [{string.Join(", ", t.Shape)}], the model needs {kv.Value.Shape}");
        }
        foreach (var name in stored.Keys) if (!state.ContainsKey(name)) problems.Add($"unexpected tensor '{name}'");
        if (problems.Count > 0)
            throw new CheckpointFormatException($"Checkpoint '{path}' does not match the '{modelType}' network its options describe: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : "")}.");
        foreach (var kv in state) file.ToTensor(kv.Key).AsReadOnlySpan().CopyTo(kv.Value.Span);
        return new LoadedCheckpoint<TOptions, TModule>(info, options, module);
    }

    private static bool SameShape(long[] stored, TensorShape shape)
    {
        if (stored.Length != shape.Rank) return false;
        for (int i = 0; i < stored.Length; i++) if (stored[i] != shape[i]) return false;
        return true;
    }
}

/// <summary>A loaded checkpoint: its metadata, options and the module with the stored state.</summary>
/// <typeparam name="TOptions">The options record.</typeparam>
/// <typeparam name="TModule">The network type.</typeparam>
/// <param name="Info">The metadata.</param>
/// <param name="Options">The parsed, validated options.</param>
/// <param name="Module">The network holding the stored parameters and buffers.</param>
public sealed record LoadedCheckpoint<TOptions, TModule>(ModelCheckpointInfo Info, TOptions Options, TModule Module) where TModule : Module;
