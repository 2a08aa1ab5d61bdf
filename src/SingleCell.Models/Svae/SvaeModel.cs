using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models.Svae;

/// <summary>How an <see cref="AnnData"/> is read by the sVAE.</summary>
/// <param name="PerturbationKey">The obs column with each cell's intervention label.</param>
/// <param name="ControlLabels">Labels of unperturbed cells (prior N(0, I)); none by default.</param>
/// <param name="CountLayer">The layer with raw counts; null for X.</param>
public sealed record SvaeSetup(string PerturbationKey, IReadOnlyList<string>? ControlLabels = null, string? CountLayer = null);

/// <summary>The learned intervention graph: which latent variables each intervention shifts.</summary>
/// <param name="Labels">Intervention labels (rows).</param>
/// <param name="InclusionProbabilities">π = σ(λ), labels × latents.</param>
/// <param name="Targets">π &gt; threshold.</param>
/// <param name="Shifts">μ_a, the learned prior means, labels × latents.</param>
public sealed record InterventionGraph(IReadOnlyList<string> Labels, double[,] InclusionProbabilities, bool[,] Targets, double[,] Shifts);

/// <summary>
/// The sparse-mechanism-shift VAE of Lopez et al. (CLeaR 2023) and its baselines (VAE, β-VAE, iVAE,
/// sVAE), on the model platform: set up on an <see cref="AnnData"/> (its <see cref="DataSchema"/>
/// fixes genes and label codes), <c>Fit</c> through <see cref="SvaeTrainingPlan"/>, latent
/// representation, intervention graph, normalised expression, ELBO, marginal likelihood, the
/// out-of-distribution protocol, and checkpoints.
/// </summary>
public sealed partial class SvaeModel : Model<SvaeOptions>, IModel<SvaeModel>, ILatentModel
{
    internal const string Type = "svae";
    private readonly int[] _labelOfCode;

    private SvaeModel(SvaeOptions options, SvaeModule module, DataSchema schema, SvaeSetup setup, AlignedData? data)
        : base(options, module, schema, data)
    {
        Setup = setup;
        var field = schema.Categorical(setup.PerturbationKey);
        var controls = new HashSet<string>(setup.ControlLabels ?? [], StringComparer.Ordinal);
        _labelOfCode = new int[field.Categories.Count];
        var labels = new List<string>();
        for (int c = 0; c < _labelOfCode.Length; c++)
        {
            if (controls.Contains(field.Categories[c])) { _labelOfCode[c] = -1; continue; }
            _labelOfCode[c] = labels.Count;
            labels.Add(field.Categories[c]);
        }
        LabelNames = labels;
        if (Math.Max(1, labels.Count) != module.Labels)
            throw new ArgumentException($"sVAE: the schema has {labels.Count} intervention labels; the network was built for {module.Labels}.");
    }

    internal SvaeModule Module => (SvaeModule)Network;

    /// <summary>How the data is read.</summary>
    public SvaeSetup Setup { get; }

    /// <summary>The genes, in the order the model uses (<see cref="DataSchema.Genes"/>).</summary>
    public IReadOnlyList<string> GeneNames => Schema.Genes;

    /// <summary>The intervention labels (rows of μ_A and λ), controls excluded, in the schema's code order.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <inheritdoc />
    public override string Name => Options.Variant switch
    {
        SvaeVariant.Vae => "VAE",
        SvaeVariant.BetaVae => "β-VAE",
        SvaeVariant.IVae => "iVAE",
        SvaeVariant.Svae => "sVAE",
        _ => "sVAE+",
    };

    /// <inheritdoc />
    public int LatentDimension => Options.LatentDim;

    /// <inheritdoc />
    protected override string ModelType => Type;

    /// <inheritdoc />
    protected override JsonTypeInfo<SvaeOptions> OptionsJsonType => SvaeJson.Default.SvaeOptions;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> CheckpointExtra =>
        new Dictionary<string, string> { ["svae.setup"] = System.Text.Json.JsonSerializer.Serialize(Setup, SvaeJson.Default.SvaeSetup) };

    /// <summary>Number of cells of the data the model was set up with (0 when loaded without data).</summary>
    public int CellCount => TrainingData?.CellCount ?? 0;

    /// <summary>Each training cell's label index into <see cref="LabelNames"/> (−1 for controls).</summary>
    public IReadOnlyList<int> CellLabels => TrainingData == null ? [] : LabelsOf(TrainingData);

    /// <summary>Sets up a model on <paramref name="data"/>: builds the data schema (raw counts checked, labels coded) and the network.</summary>
    /// <param name="data">Cells × genes raw counts and the perturbation column.</param>
    /// <param name="setup">Which column and layer to read.</param>
    /// <param name="options">Model options; null for the defaults (sVAE+).</param>
    /// <exception cref="DataSchemaException">Missing column or layer, or counts that are not non-negative integers (the message names the first offending cell and gene).</exception>
    public static SvaeModel Create(AnnData data, SvaeSetup setup, SvaeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new SvaeOptions();
        options.Validate();
        var schema = DataSchema.FromData(data, MatrixValues.Counts, setup.CountLayer, [(setup.PerturbationKey, UnknownCategoryPolicy.Error)]);
        var controls = new HashSet<string>(setup.ControlLabels ?? [], StringComparer.Ordinal);
        int labels = schema.Categorical(setup.PerturbationKey).Categories.Count(c => !controls.Contains(c));
        var module = new SvaeModule(schema.GeneCount, Math.Max(1, labels), options);
        return new SvaeModel(options, module, schema, setup, schema.Align(data));
    }

    /// <summary>Default training settings of the paper's simulation (<c>demo.py</c>): 300 epochs, early stopping off; KL warm-up is <see cref="SvaeOptions.KlWarmupEpochs"/>.</summary>
    public static TrainerOptions DefaultTrainerOptions { get; } = new() { MaxEpochs = 300 };

    /// <inheritdoc />
    public override TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(null, trainer, progress, cancellationToken);

    /// <summary>Trains on a subset of the cells (e.g. the training interventions only).</summary>
    /// <param name="cells">Cells to train and validate on; null for all.</param>
    /// <param name="trainer">Training settings; unset values from the plan (<see cref="SvaeTrainingPlan"/>: scvi-tools' defaults, 300 epochs).</param>
    /// <param name="progress">Receives progress after every step and epoch.</param>
    /// <param name="cancellationToken">Stops training before the next step.</param>
    /// <exception cref="InvalidOperationException">The model was loaded without data.</exception>
    public TrainingHistory Fit(int[]? cells, TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(cells, trainer, Options.KlWarmupEpochs, useGlobalKl: true, warmup: true, progress, cancellationToken);

    private TrainingHistory FitCore(int[]? cells, TrainerOptions? trainer, int klWarmupEpochs, bool useGlobalKl, bool warmup,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var data = RequireTrainingData();
        cells ??= Enumerable.Range(0, data.CellCount).ToArray();
        var plan = new SvaeTrainingPlan(Module, data, LabelsOf(data), cells, klWarmupEpochs, useGlobalKl, warmup);
        return Train(plan, trainer, null, progress, cancellationToken);
    }

    /// <summary>Each cell's label index (−1 for controls) from the aligned codes.</summary>
    private int[] LabelsOf(AlignedData data)
    {
        var codes = data.Codes(Setup.PerturbationKey);
        var labels = new int[codes.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = _labelOfCode[codes[i]];
        return labels;
    }

    /// <summary>Loads a model saved by <see cref="IModel.Save"/>, without data (queries take data). Layout-1 checkpoints of the first release are converted.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid sVAE checkpoint; the message says why.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static SvaeModel Load(string path)
    {
        if (SvaeLegacyCheckpoint.TryLoad(path, out var legacy)) return legacy;
        SvaeSetup? setup = null;
        var loaded = ModelCheckpoint.Load(path, Type, SvaeJson.Default.SvaeOptions, o => o.Validate(), (o, info) =>
        {
            setup = ReadSetup(path, info);
            var controls = new HashSet<string>(setup.ControlLabels ?? [], StringComparer.Ordinal);
            return new SvaeModule(info.Schema.GeneCount, Math.Max(1, info.Schema.Categoricals[0].Categories.Count(c => !controls.Contains(c))), o);
        });
        try
        {
            return new SvaeModel(loaded.Options, loaded.Module, loaded.Info.Schema, setup!, null) { IsTrained = loaded.Info.IsTrained };
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            throw new CheckpointFormatException($"Checkpoint '{path}': the sVAE setup does not fit the schema: {e.Message}", e);
        }
    }

    /// <summary>Loads a model and attaches <paramref name="data"/> (aligned to the schema) for further training or queries.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <param name="data">The data to attach.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid sVAE checkpoint.</exception>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    public static SvaeModel Load(string path, AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = Load(path);
        model.TrainingData = model.Schema.Align(data);
        return model;
    }

    internal static SvaeModel FromParts(SvaeOptions options, SvaeModule module, DataSchema schema, SvaeSetup setup, bool isTrained) =>
        new(options, module, schema, setup, null) { IsTrained = isTrained };

    private static SvaeSetup ReadSetup(string path, ModelCheckpointInfo info)
    {
        if (!info.Extra.TryGetValue("svae.setup", out var json)) throw new CheckpointFormatException($"Checkpoint '{path}' lacks the sVAE setup ('svae.setup').");
        SvaeSetup? setup;
        try { setup = System.Text.Json.JsonSerializer.Deserialize(json, SvaeJson.Default.SvaeSetup); }
        catch (System.Text.Json.JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': the sVAE setup is not valid ({e.Message}).", e); }
        if (setup?.PerturbationKey == null || (setup.ControlLabels?.Any(c => c == null) ?? false))
            throw new CheckpointFormatException($"Checkpoint '{path}': the sVAE setup is incomplete.");
        if (info.Schema.Categoricals.Count != 1 || info.Schema.Categoricals[0].Key != setup.PerturbationKey || info.Schema.Layer != setup.CountLayer)
            throw new CheckpointFormatException($"Checkpoint '{path}': the sVAE setup (key '{setup.PerturbationKey}') does not match the schema.");
        return setup;
    }
}
