using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// The Exceiver (Connell, Khan and Keiser, LMRL @ NeurIPS 2022; spec Part 2): a Perceiver-IO
/// masked-value transformer over genes. It owns a gene vocabulary (genes matched by name; pretraining
/// on several files uses the union of their genes), preprocesses raw counts or log-normalised values
/// (never twice), learns by predicting the standardised values of masked detected genes, and yields
/// cell embeddings (the flattened processed latents, or their mean), gene embeddings and, for the
/// classifier variant, class probabilities.
/// </summary>
/// <remarks>
/// The scaler (per-gene mean and deviation of the training cells) and n_mask are fitted by the first
/// <c>Fit</c> and stored as buffers, so a loaded or fine-tuned model preprocesses new data
/// exactly as it was trained. Cells with fewer than 2·n_mask detected genes are left out of training
/// (<see cref="ExcludedCells"/>).
/// </remarks>
public sealed partial class ExceiverModel : Model<ExceiverOptions>, IModel<ExceiverModel>, ILatentModel, IClassifier
{
    internal const string Type = "exceiver";
    private const string SetupKey = "exceiver.setup";

    private ExceiverModel(ExceiverOptions options, ExceiverModule module, DataSchema schema, ExceiverSetup setup, AlignedData? data)
        : base(options, module, schema, data)
    {
        Setup = setup;
        Classes = setup.LabelKey == null ? [] : schema.Categorical(setup.LabelKey).Categories;
        if (Classes.Count != module.Classes) throw new ArgumentException($"Exceiver: the schema has {Classes.Count} classes; the network was built for {module.Classes}.");
        if (schema.GeneCount != module.Genes) throw new ArgumentException($"Exceiver: the schema has {schema.GeneCount} genes; the network was built for {module.Genes}.");
    }

    internal ExceiverModule Module => (ExceiverModule)Network;

    /// <summary>How the data is read (layer, class column).</summary>
    public ExceiverSetup Setup { get; }

    /// <summary>The gene vocabulary (<see cref="DataSchema.Genes"/>), in embedding-row order.</summary>
    public IReadOnlyList<string> GeneNames => Schema.Genes;

    /// <summary>The classes of the classifier variant (empty for a pretraining model).</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>What each data set given to <c>Create</c> held, and how many of its genes matched.</summary>
    public IReadOnlyList<ExceiverInput> Inputs { get; private set; } = [];

    /// <summary>Cells (rows of the training data) left out of the last <c>Fit</c> for having fewer than 2·n_mask detected genes.</summary>
    public IReadOnlyList<int> ExcludedCells { get; private set; } = [];

    /// <summary>Genes masked per cell (n_mask); 0 before the first <c>Fit</c>.</summary>
    public int MaskCount => Module.MaskCount;

    /// <summary>Receives notes on detected input scales, unmatched genes and excluded cells; silent when null.</summary>
    public ILogger? Logger { get; set; }

    /// <inheritdoc />
    public override string Name => Classes.Count > 0 ? "Exceiver classifier" : "Exceiver";

    /// <summary>Width of the default cell embedding: N_q · d_q (512 in the released configuration).</summary>
    public int LatentDimension => Options.Latents * Options.LatentDim;

    /// <inheritdoc />
    protected override string ModelType => Type;

    /// <inheritdoc />
    protected override JsonTypeInfo<ExceiverOptions> OptionsJsonType => ExceiverJson.Default.ExceiverOptions;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> CheckpointExtra =>
        new Dictionary<string, string> { [SetupKey] = JsonSerializer.Serialize(Setup, ExceiverJson.Default.ExceiverSetup) };

    /// <summary>Default training settings (spec §2.5); see <see cref="ExceiverTrainingPlan"/>.</summary>
    public static TrainerOptions DefaultTrainerOptions => ExceiverTrainingPlan.DefaultOptions;

    /// <summary>Sets up a model on one data set.</summary>
    /// <param name="data">Cells × genes: raw counts or log-normalised values.</param>
    /// <param name="setup">Layer and, for the classifier, the class column; null for X and pretraining.</param>
    /// <param name="options">Options; null for the defaults (the released configuration).</param>
    /// <exception cref="DataSchemaException">Missing layer or column, or values that are neither counts nor log-normalised.</exception>
    public static ExceiverModel Create(AnnData data, ExceiverSetup? setup = null, ExceiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create([data], setup, options);
    }

    /// <summary>Sets up a model on several data sets at once: the vocabulary is the union of their genes, the cells are stacked.</summary>
    /// <param name="data">The data sets (each detected as counts or log-normalised on its own).</param>
    /// <param name="setup">Layer and class column (which each data set must then have).</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="DataSchemaException">A data set does not fit (see the single-set overload).</exception>
    public static ExceiverModel Create(IReadOnlyList<AnnData> data, ExceiverSetup? setup = null, ExceiverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("Exceiver: no data sets.", nameof(data));
        setup ??= new ExceiverSetup();
        options ??= new ExceiverOptions();
        options.Validate();
        var vocabulary = ExceiverPreprocessing.Vocabulary(data);
        var fields = new List<CategoricalField>();
        if (setup.LabelKey != null)
        {
            var present = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var d in data)
            {
                var col = DataSchema.Column(d, setup.LabelKey);
                for (int i = 0; i < col.Length; i++) present.Add(col.GetString(i));
            }
            fields.Add(new CategoricalField(setup.LabelKey, present.ToArray()));
        }
        var schema = new DataSchema(setup.Layer, MatrixValues.NonNegative, vocabulary, fields, []);
        var module = new ExceiverModule(vocabulary.Length, fields.Count == 0 ? 0 : fields[0].Categories.Count, options);
        var model = new ExceiverModel(options, module, schema, setup, null);
        model.Attach(data);
        return model;
    }

    /// <summary>
    /// A classifier fine-tuned from <paramref name="pretrained"/>: the same vocabulary, scaler, n_mask and
    /// weights, with a new class query token and classification head for <paramref name="labelKey"/>.
    /// </summary>
    /// <param name="pretrained">A pretrained (or classifier) model.</param>
    /// <param name="data">The labelled data to fine-tune on (genes matched by name).</param>
    /// <param name="labelKey">The obs column of the classes.</param>
    /// <param name="maskedValueWeight">
    /// λ in the loss λ·MSE + CE (<see cref="ExceiverOptions.MaskedValueWeight"/>); null keeps the pretrained model's (1 by default, the spec's sum).
    /// </param>
    /// <exception cref="DataSchemaException">The data does not fit the vocabulary or lacks the column.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maskedValueWeight"/> is negative or not finite.</exception>
    public static ExceiverModel FineTune(ExceiverModel pretrained, AnnData data, string labelKey, double? maskedValueWeight = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(labelKey);
        var col = DataSchema.Column(data, labelKey);
        var present = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < col.Length; i++) present.Add(col.GetString(i));
        var schema = new DataSchema(pretrained.Setup.Layer, MatrixValues.NonNegative, pretrained.Schema.Genes.ToArray(),
            [new CategoricalField(labelKey, present.ToArray())], []);
        var options = maskedValueWeight is double w ? pretrained.Options with { MaskedValueWeight = w } : pretrained.Options;
        options.Validate();
        var module = new ExceiverModule(schema.GeneCount, present.Count, options);
        // Copy every shared tensor; the embedding keeps its rows 0 … G (the class token row G+1 is new).
        var source = pretrained.Module.StateDict();
        foreach (var kv in module.StateDict())
        {
            if (!source.TryGetValue(kv.Key, out var src)) continue;
            var dst = kv.Value.Span;
            var s = src.AsReadOnlySpan();
            if (s.Length == dst.Length) s.CopyTo(dst);
            else if (kv.Key == "gene_embedding.weight" && s.Length < dst.Length) s.CopyTo(dst);
        }
        var model = new ExceiverModel(options, module, schema, pretrained.Setup with { LabelKey = labelKey }, null) { Logger = pretrained.Logger };
        model.Attach([data]);
        return model;
    }

    /// <summary>Reads and stacks <paramref name="data"/> onto the vocabulary as the training data.</summary>
    private void Attach(IReadOnlyList<AnnData> data)
    {
        var inputs = new List<ExceiverInput>();
        var codes = new List<int>();
        foreach (var d in data)
        {
            var input = ExceiverPreprocessing.Prepare(d, Schema.Genes, Setup.Layer, Options);
            Logger?.LogInformation("Exceiver: {Cells} cells read as {Scale}; {Unknown} genes outside the vocabulary ignored, {Missing} vocabulary genes absent.",
                d.NObs, input.Detected, input.UnknownGenes, input.MissingGenes);
            inputs.Add(input);
            if (Setup.LabelKey != null) codes.AddRange(LabelCodes(d));
        }
        var matrix = ExceiverPreprocessing.StackRows(inputs.Select(i => i.Values).ToArray());
        var names = data.SelectMany(d => d.ObsNames).ToArray();
        var codeMap = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (Setup.LabelKey != null) codeMap[Setup.LabelKey] = codes.ToArray();
        TrainingData = new AlignedData(Schema, matrix, names, codeMap, [], inputs.Sum(i => i.UnknownGenes));
        Inputs = inputs;
    }

    /// <summary>Class codes of <paramref name="data"/>'s label column.</summary>
    /// <exception cref="DataSchemaException">The column is missing or holds a class the model does not know.</exception>
    private int[] LabelCodes(AnnData data)
    {
        var field = Schema.Categorical(Setup.LabelKey!);
        var col = DataSchema.Column(data, field.Key);
        var codes = new int[col.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            codes[i] = field.CodeOf(col.GetString(i));
            if (codes[i] < 0)
                throw new DataSchemaException($"Cell '{data.ObsNames[i]}' (row {i}) has {field.Key} '{col.GetString(i)}', which is not among the model's {field.Categories.Count} classes.");
        }
        return codes;
    }

    /// <inheritdoc />
    public override TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(null, trainer, progress, cancellationToken);

    /// <summary>
    /// Trains on a subset of the cells (e.g. the training part of a downstream split), split seeded into
    /// training and validation cells by <see cref="TrainerOptions.TrainSize"/> (default 0.7, as the reference).
    /// The first fit also fits the scaler and n_mask on the training cells.
    /// </summary>
    /// <param name="cells">Rows of the training data to use; null for all.</param>
    /// <param name="trainer">Training settings; unset values from <see cref="DefaultTrainerOptions"/>.</param>
    /// <param name="progress">Receives progress after every step and epoch.</param>
    /// <param name="cancellationToken">Stops training before the next step; the model stays usable.</param>
    /// <exception cref="InvalidOperationException">The model was loaded without data, or no cell has enough detected genes.</exception>
    public TrainingHistory Fit(int[]? cells, TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var data = RequireTrainingData();
        var o = (trainer ?? new TrainerOptions()).Over(DefaultTrainerOptions);
        o.Validate();
        cells ??= Enumerable.Range(0, data.CellCount).ToArray();
        var (trainPos, validationPos) = Trainer.Split(cells.Length, o.TrainSize ?? 0.7, o.Seed);
        var train = trainPos.Select(i => cells[i]).ToArray();
        var validation = validationPos.Select(i => cells[i]).ToArray();
        if (Module.MaskCount == 0) FitPreprocessing(data, train);
        int minGenes = 2 * Module.MaskCount;
        bool Keep(int cell) => data.Matrix.RowIndices(cell).Length >= minGenes;
        var excluded = cells.Where(c => !Keep(c)).ToArray();
        ExcludedCells = excluded;
        if (excluded.Length > 0)
            Logger?.LogWarning("Exceiver: {Excluded} of {Cells} cells have fewer than 2·n_mask = {Min} detected genes and are left out.", excluded.Length, cells.Length, minGenes);
        var keptTrain = train.Where(Keep).ToArray();
        var keptValidation = validation.Where(Keep).ToArray();
        if (keptTrain.Length == 0) throw new InvalidOperationException($"Exceiver: no training cell has the {minGenes} detected genes needed (2·n_mask).");
        var items = keptTrain.Concat(keptValidation).ToArray();
        var trainItems = Enumerable.Range(0, keptTrain.Length).ToArray();
        var validationItems = Enumerable.Range(keptTrain.Length, keptValidation.Length).ToArray();
        int[]? labels = Setup.LabelKey != null ? data.Codes(Setup.LabelKey) : null;
        var plan = new ExceiverTrainingPlan(Module, data.Matrix, items, labels, Options.ValidationScaler ? validationItems : null, trainItems);
        return Train(plan, trainer, (trainItems, validationItems), progress, cancellationToken);
    }

    /// <summary>
    /// Fits the scaler and n_mask on <paramref name="cells"/> of the training data without training, as the first
    /// <c>Fit</c> does on its training split (e.g. to embed cells with an untrained encoder as a control).
    /// Does nothing when they are already fitted.
    /// </summary>
    /// <param name="cells">Rows of the training data; null for all.</param>
    /// <exception cref="InvalidOperationException">The model was loaded without data, or the cells' median detected-gene count gives n_mask = 0.</exception>
    public void FitPreprocessing(int[]? cells = null)
    {
        var data = RequireTrainingData();
        if (Module.MaskCount == 0) FitPreprocessing(data, cells ?? Enumerable.Range(0, data.CellCount).ToArray());
    }

    private void FitPreprocessing(AlignedData data, int[] train)
    {
        var (mean, scale) = ExceiverPreprocessing.FitScaler(data.Matrix, train);
        int nMask = ExceiverPreprocessing.MaskCount(data.Matrix, train, Options.MaskFraction);
        if (nMask < 1)
            throw new InvalidOperationException($"Exceiver: the training cells' median detected-gene count gives n_mask = {nMask}; at least one gene must be masked.");
        mean.CopyTo(Module.ScalerMean.Span);
        scale.CopyTo(Module.ScalerScale.Span);
        Module.MaskCount = nMask;
    }

    /// <summary>Loads a model saved by <see cref="IModel.Save"/>, without data (queries take data).</summary>
    /// <param name="path">The checkpoint.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid Exceiver checkpoint; the message says why.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static ExceiverModel Load(string path)
    {
        ExceiverSetup? setup = null;
        var loaded = ModelCheckpoint.Load(path, Type, ExceiverJson.Default.ExceiverOptions, o => o.Validate(), (o, info) =>
        {
            setup = ReadSetup(path, info);
            int classes = setup.LabelKey == null ? 0 : info.Schema.Categorical(setup.LabelKey).Categories.Count;
            if (info.Schema.GeneCount == 0) throw new CheckpointFormatException($"Checkpoint '{path}': the vocabulary is empty.");
            return new ExceiverModule(info.Schema.GeneCount, classes, o);
        });
        if (loaded.Module.MaskCount < 0 || loaded.Module.MaskCount > loaded.Info.Schema.GeneCount)
            throw new CheckpointFormatException($"Checkpoint '{path}': n_mask {loaded.Module.MaskCount} is out of range.");
        foreach (var s in loaded.Module.ScalerScale.AsReadOnlySpan())
            if (!(s > 0 && float.IsFinite(s))) throw new CheckpointFormatException($"Checkpoint '{path}': a scaler deviation is {s}; deviations must be finite and > 0.");
        try
        {
            return new ExceiverModel(loaded.Options, loaded.Module, loaded.Info.Schema, setup!, null) { IsTrained = loaded.Info.IsTrained };
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new CheckpointFormatException($"Checkpoint '{path}': the Exceiver setup does not fit the schema: {e.Message}", e);
        }
    }

    /// <summary>Loads a model and attaches <paramref name="data"/> (matched to the vocabulary) for further training or queries.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="data">The data to attach.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid Exceiver checkpoint.</exception>
    /// <exception cref="DataSchemaException">The data does not fit the vocabulary.</exception>
    public static ExceiverModel Load(string path, AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = Load(path);
        model.Attach([data]);
        return model;
    }

    private static ExceiverSetup ReadSetup(string path, ModelCheckpointInfo info)
    {
        if (!info.Extra.TryGetValue(SetupKey, out var json)) throw new CheckpointFormatException($"Checkpoint '{path}' lacks the Exceiver setup ('{SetupKey}').");
        ExceiverSetup? setup;
        try { setup = JsonSerializer.Deserialize(json, ExceiverJson.Default.ExceiverSetup); }
        catch (JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': the Exceiver setup is not valid ({e.Message}).", e); }
        if (setup == null || setup.Layer != info.Schema.Layer || (setup.LabelKey == null ? info.Schema.Categoricals.Count != 0
                : info.Schema.Categoricals.Count != 1 || info.Schema.Categoricals[0].Key != setup.LabelKey))
            throw new CheckpointFormatException($"Checkpoint '{path}': the Exceiver setup does not match the schema.");
        return setup;
    }
}
