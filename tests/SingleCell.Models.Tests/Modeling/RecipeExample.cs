// The worked example of docs/concepts/models.md ("Adding a model family"): a complete family in one
// file, written against the public platform only. Keep the two in step.
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.NN;
using SingleCell.Models.Svae;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling.Recipe;

/// <summary>1. Options: a validated record (saved as JSON in every checkpoint).</summary>
public sealed record LabelProfileOptions
{
    public int Hidden { get; init; } = 16;
    public ulong Seed { get; init; } = 1;

    public void Validate()
    {
        if (Hidden is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(Hidden), $"Hidden is {Hidden}; it must be in 1 … 4096.");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LabelProfileOptions))]
internal sealed partial class LabelProfileJson : JsonSerializerContext;

/// <summary>2. Module: the network, tensors in and out. Everything it needs later is registered.</summary>
internal sealed class LabelProfileModule : Module
{
    public LabelProfileModule(int labels, int genes, LabelProfileOptions o)
    {
        var g = new Generator(o.Seed);
        Embedding = RegisterModule("embedding", new Embedding(labels, o.Hidden, g));
        Decoder = RegisterModule("decoder", new Linear(o.Hidden, genes, g));
    }

    public Embedding Embedding { get; }
    public Linear Decoder { get; }

    public Tensor Forward(int[] labels) => Decoder.Forward(Embedding.Forward(labels).Relu());
}

/// <summary>3. Training plan: the loss with named terms, the defaults, what to monitor.</summary>
internal sealed class LabelProfilePlan(LabelProfileModule module, AlignedData data, int[] codes) : TrainingPlan
{
    public override Module Module => module;
    public override int ItemCount => data.CellCount;
    public override TrainerOptions Defaults => new() { MaxEpochs = 20, BatchSize = 64, LearningRate = 1e-2, EarlyStopping = true, RestoreBestWeights = true, EarlyStoppingPatience = 5 };
    public override MonitoredMetric Monitor => new("mse_validation");

    public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
    {
        var rows = batch.ToArray();
        var labels = rows.Select(r => codes[r]).ToArray();
        var target = Batches.Dense(data.Matrix, rows).Log1p();
        var mse = (module.Forward(labels) - target).Square().Mean();
        return new LossOutput(mse, new Dictionary<string, double> { ["mse"] = mse.Item() });
    }
}

/// <summary>4. Model: what users touch, on the shared base.</summary>
public sealed class LabelProfileModel : Model<LabelProfileOptions>, IModel<LabelProfileModel>
{
    private const string Type = "label_profile";

    private LabelProfileModel(LabelProfileOptions options, LabelProfileModule module, DataSchema schema, AlignedData? data)
        : base(options, module, schema, data) { }

    private LabelProfileModule Module => (LabelProfileModule)Network;
    public override string Name => "label profile";
    protected override string ModelType => Type;
    protected override JsonTypeInfo<LabelProfileOptions> OptionsJsonType => LabelProfileJson.Default.LabelProfileOptions;

    /// <summary>Sets up the model: the schema fixes the genes, the value check and the label codes.</summary>
    public static LabelProfileModel Create(AnnData data, string labelKey, LabelProfileOptions? options = null)
    {
        options ??= new LabelProfileOptions();
        options.Validate();
        var schema = DataSchema.FromData(data, MatrixValues.Counts, categoricals: [(labelKey, UnknownCategoryPolicy.Error)]);
        var module = new LabelProfileModule(schema.Categoricals[0].Categories.Count, schema.GeneCount, options);
        return new LabelProfileModel(options, module, schema, schema.Align(data));
    }

    public override TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var data = RequireTrainingData();
        return Train(new LabelProfilePlan(Module, data, data.Codes(Schema.Categoricals[0].Key)), trainer, null, progress, cancellationToken);
    }

    /// <summary>Predicted log1p expression per cell of <paramref name="data"/> (cells × genes).</summary>
    public DenseMatrix Predict(AnnData data) => Query(() =>
    {
        var aligned = Schema.Align(data);
        var y = Module.Forward(aligned.Codes(Schema.Categoricals[0].Key));
        return new DenseMatrix(aligned.CellCount, Schema.GeneCount, y.ToArray());
    });

    public override IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        var aligned = Schema.Align(data);
        var predicted = Predict(data);
        var observed = Batches.Dense(aligned.Matrix, Enumerable.Range(0, aligned.CellCount).ToArray()).Log1p().ToArray();
        double sum = 0;
        for (int i = 0; i < observed.Length; i++) sum += (predicted.Values[i] - observed[i]) * (double)(predicted.Values[i] - observed[i]);
        return new Dictionary<string, double> { ["mse"] = sum / observed.Length };
    }

    public static LabelProfileModel Load(string path)
    {
        var loaded = ModelCheckpoint.Load(path, Type, LabelProfileJson.Default.LabelProfileOptions, o => o.Validate(), (o, info) =>
        {
            if (info.Schema.Categoricals.Count != 1) throw new ArgumentException("the schema must have one categorical field.");
            return new LabelProfileModule(info.Schema.Categoricals[0].Categories.Count, info.Schema.GeneCount, o);
        });
        return new LabelProfileModel(loaded.Options, loaded.Module, loaded.Info.Schema, null) { IsTrained = loaded.Info.IsTrained };
    }
}

/// <summary>5. The contract-test case (one line in <see cref="ModelContractCases.All"/> registers it).</summary>
public sealed class LabelProfileContractCase : ModelContractCase
{
    private static readonly Lazy<SparseShiftSimulation> s_sim = new(() => SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
    {
        Interventions = 5, CellsPerIntervention = 10, LatentDimensions = 2, Genes = 12, FirstHeldOutIntervention = 4, Seed = 4,
    }));

    public override string Name => "recipe/label_profile";
    public override AnnData Data => s_sim.Value.Data;
    public override IModel Create(ulong seed) => LabelProfileModel.Create(Data, SparseShiftSimulation.LabelKey, new LabelProfileOptions { Seed = seed });
    public override IModel Load(string path) => LabelProfileModel.Load(path);
    public override float[] Outputs(IModel model, AnnData data) => ((LabelProfileModel)model).Predict(data).Values;

    public override AnnData? WithUnknownCategory()
    {
        var d = Data;
        var copy = new AnnData(d.X!, d.ObsNames, d.VarNames);
        copy.Obs.Add(CategoricalColumn.FromValues(SparseShiftSimulation.LabelKey, Enumerable.Range(0, d.NObs).Select(i => i == 0 ? "new" : d.Obs[SparseShiftSimulation.LabelKey].GetString(i)).ToArray()));
        return copy;
    }
}
