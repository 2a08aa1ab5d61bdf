using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// Diet Networks (Romero et al., ICLR 2017) on the model platform: a population classifier for genotypes
/// whose fat first layer is predicted from per-SNP embeddings by an auxiliary network. Set up on one fold
/// (<see cref="FoldSplit"/>): standardisation and embedding come from its training and validation samples;
/// <c>Fit</c> trains on its training samples with early stopping on validation accuracy.
/// </summary>
public sealed partial class DietNetworkModel : Model<DietNetworkOptions>, IModel<DietNetworkModel>, IClassifier
{
    internal const string Type = "diet_network";
    private readonly GenotypeMatrix? _genotypes;
    private readonly int[]? _labels;
    private readonly FoldSplit? _split;

    private DietNetworkModel(DietNetworkOptions options, DietNetworkModule module, DataSchema schema, DietNetworkSetup setup, IReadOnlyList<string> classes,
        GenotypeMatrix? genotypes, int[]? labels, FoldSplit? split) : base(options, module, schema, null)
    {
        Setup = setup; Classes = classes; _genotypes = genotypes; _labels = labels; _split = split;
    }

    internal DietNetworkModule Module => (DietNetworkModule)Network;

    /// <summary>How the model was set up (label column, embedding width).</summary>
    public DietNetworkSetup Setup { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The SNPs, in model order.</summary>
    public IReadOnlyList<string> Snps => Schema.Genes;

    /// <inheritdoc />
    public override string Name => (Options.Embedding switch
    {
        DietEmbedding.Histogram => "histogram",
        DietEmbedding.RandomProjection => "random",
        DietEmbedding.Raw => "raw",
        DietEmbedding.Snp2Vec => "snp2vec",
        _ => "basic",
    }) + (Options.Reconstructs ? "+rec" : "");

    /// <inheritdoc />
    protected override string ModelType => Type;

    /// <inheritdoc />
    protected override JsonTypeInfo<DietNetworkOptions> OptionsJsonType => DietJson.Default.DietNetworkOptions;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> CheckpointExtra => new Dictionary<string, string>
    {
        ["diet.setup"] = JsonSerializer.Serialize(Setup, DietJson.Default.DietNetworkSetup),
        ["diet.classes"] = JsonSerializer.Serialize(Classes.ToArray(), DietJson.Default.StringArray),
    };

    /// <summary>The paper's schedule (spec §4.4): Adam lr 3e-5 ×0.999 per epoch, up to 3,000 epochs, patience 500 on validation accuracy, batch 128.</summary>
    public static TrainerOptions PaperTrainerOptions { get; } = DietTrainingPlan.FastDefaults with { LearningRate = 3e-5, MaxEpochs = 3000, EarlyStoppingPatience = 500 };

    /// <summary>Our faster default (the plan's): lr 1e-3 ×0.999 per epoch, up to 200 epochs, patience 50.</summary>
    public static TrainerOptions DefaultTrainerOptions => DietTrainingPlan.FastDefaults;

    /// <summary>Sets up a model on one fold of labelled genotypes.</summary>
    /// <param name="data">Samples × SNPs allele counts (0, 1, 2, NaN) with labels in obs column <paramref name="labelKey"/>; every sample of the fold must be labelled.</param>
    /// <param name="labelKey">The label column (see <see cref="PopulationLabels.Join"/>).</param>
    /// <param name="split">Rows of the fold (e.g. from <see cref="CrossValidationFolds.Split"/>).</param>
    /// <param name="options">Options; null for the defaults (per-class histograms, no reconstruction).</param>
    /// <param name="cancellationToken">Stops the SNP2Vec pre-training early.</param>
    /// <exception cref="DataSchemaException">The matrix holds values other than 0, 1, 2, NaN, or the label column is missing.</exception>
    /// <exception cref="ArgumentException">A sample of the fold has no label.</exception>
    public static DietNetworkModel Create(AnnData data, string labelKey, FoldSplit split, DietNetworkOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(split);
        var schema = DataSchema.FromData(data, MatrixValues.Genotypes);
        var aligned = schema.Align(data);
        var col = data.Obs.Find(labelKey) ?? throw new DataSchemaException($"obs has no label column '{labelKey}'.");
        var names = new string[data.NObs];
        for (int i = 0; i < names.Length; i++) names[i] = col.GetString(i);
        var classes = names.Where(s => s.Length > 0).Distinct().Order(StringComparer.Ordinal).ToArray();
        var labels = names.Select(s => s.Length == 0 ? -1 : Array.BinarySearch(classes, s, StringComparer.Ordinal)).ToArray();
        return Create(GenotypeMatrix.FromCellMatrix(aligned.Matrix), schema.Genes.ToArray(), classes, labels, split, options, labelKey, cancellationToken);
    }

    /// <summary>Sets up a model from a byte matrix (the route for data too large for a float <see cref="AnnData"/>).</summary>
    /// <param name="genotypes">Samples × SNPs.</param>
    /// <param name="snpNames">SNP names (unique).</param>
    /// <param name="classes">Class names, in code order.</param>
    /// <param name="labels">Each row's class code (−1 for none; rows of the fold must have one).</param>
    /// <param name="split">Rows of the fold.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="labelKey">The label column name recorded in the setup.</param>
    /// <param name="cancellationToken">Stops the SNP2Vec pre-training early.</param>
    public static DietNetworkModel Create(GenotypeMatrix genotypes, string[] snpNames, IReadOnlyList<string> classes, int[] labels, FoldSplit split,
        DietNetworkOptions? options = null, string labelKey = "population", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(genotypes);
        ArgumentNullException.ThrowIfNull(snpNames);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(split);
        options ??= new DietNetworkOptions();
        options.Validate();
        if (snpNames.Length != genotypes.Snps) throw new ArgumentException($"{snpNames.Length} SNP names for {genotypes.Snps} SNPs.", nameof(snpNames));
        if (labels.Length != genotypes.Samples) throw new ArgumentException($"{labels.Length} labels for {genotypes.Samples} samples.", nameof(labels));
        if (classes.Count < 2) throw new ArgumentException($"Diet Networks need ≥ 2 classes; the data has {classes.Count}.", nameof(classes));
        var fit = split.TrainAndValidation;
        foreach (int r in fit)
            if ((uint)labels[r] >= (uint)classes.Count) throw new ArgumentException($"Sample row {r} of the fold has no valid label ({labels[r]}).", nameof(labels));
        var schema = new DataSchema(null, MatrixValues.Genotypes, snpNames, [], []);

        float[]? embedding = null;
        int inputs = 0;
        switch (options.Embedding)
        {
            case DietEmbedding.Histogram:
                inputs = 3 * classes.Count;
                embedding = FeatureEmbeddings.Histogram(genotypes, fit, labels, classes.Count);
                break;
            case DietEmbedding.Raw or DietEmbedding.RandomProjection:
                inputs = split.Train.Length;
                embedding = FeatureEmbeddings.Transposed(genotypes, split.Train);
                break;
            case DietEmbedding.Snp2Vec:
                inputs = options.EmbeddingUnits;
                embedding = Snp2Vec.Embed(genotypes, fit, options.EmbeddingUnits, options.Snp2VecEpochs, options.Seed, null, cancellationToken);
                break;
        }
        if (embedding != null) FeatureEmbeddings.NormalizeColumns(embedding, inputs);
        var module = new DietNetworkModule(genotypes.Snps, classes.Count, inputs, options);
        embedding?.CopyTo(module.Embedding!.Span);
        var (mean, inv) = Standardization.Fit(genotypes, fit);
        mean.CopyTo(module.InputMean.Span);
        inv.CopyTo(module.InputScale.Span);
        return new DietNetworkModel(options, module, schema, new DietNetworkSetup(labelKey, inputs), classes.ToArray(), genotypes, labels, split);
    }

    /// <inheritdoc />
    public override TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_genotypes == null || _labels == null || _split == null)
            throw new InvalidOperationException($"{Name}: this model was loaded without data; set it up again with Create to train.");
        var rows = _split.TrainAndValidation;
        var plan = new DietTrainingPlan(Module, _genotypes, _labels, rows);
        var train = Enumerable.Range(0, _split.Train.Length).ToArray();
        var validation = Enumerable.Range(_split.Train.Length, _split.Validation.Length).ToArray();
        return Train(plan, trainer, (train, validation), progress, cancellationToken);
    }

    /// <summary>Loads a model saved by <see cref="IModel.Save"/> (without data; queries take data).</summary>
    /// <param name="path">The checkpoint.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid Diet Network checkpoint.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    public static DietNetworkModel Load(string path)
    {
        DietNetworkSetup? setup = null;
        string[]? classes = null;
        var loaded = ModelCheckpoint.Load(path, Type, DietJson.Default.DietNetworkOptions, o => o.Validate(), (o, info) =>
        {
            setup = Read(path, info, "diet.setup", DietJson.Default.DietNetworkSetup);
            classes = Read(path, info, "diet.classes", DietJson.Default.StringArray);
            if (setup.LabelKey == null || classes.Length < 2 || classes.Any(c => c == null) || setup.EmbeddingInputs < 0 || (o.Embedding != DietEmbedding.None) != (setup.EmbeddingInputs > 0))
                throw new CheckpointFormatException($"Checkpoint '{path}': the Diet Network setup is incomplete or does not fit the options.");
            if (info.Schema.Values != MatrixValues.Genotypes) throw new CheckpointFormatException($"Checkpoint '{path}': the schema is not of genotypes.");
            return new DietNetworkModule(info.Schema.GeneCount, classes.Length, setup.EmbeddingInputs, o);
        });
        return new DietNetworkModel(loaded.Options, loaded.Module, loaded.Info.Schema, setup!, classes!, null, null, null) { IsTrained = loaded.Info.IsTrained };
    }

    private static T Read<T>(string path, ModelCheckpointInfo info, string key, JsonTypeInfo<T> type)
    {
        if (!info.Extra.TryGetValue(key, out var json)) throw new CheckpointFormatException($"Checkpoint '{path}' lacks '{key}'.");
        try { return JsonSerializer.Deserialize(json, type) ?? throw new CheckpointFormatException($"Checkpoint '{path}': '{key}' is null."); }
        catch (JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': '{key}' is not valid ({e.Message}).", e); }
    }
}
