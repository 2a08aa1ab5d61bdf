using System.Text.Json;
using Microsoft.Extensions.Logging;
using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Gears;

/// <summary>Conditions of a GEARS split: training, validation and the test subgroups of the simulation split.</summary>
/// <param name="Train">Training conditions (control included).</param>
/// <param name="Validation">Validation conditions.</param>
/// <param name="Test">Test conditions by subgroup: unseen_single, combo_seen0, combo_seen1, combo_seen2.</param>
public sealed record GearsSplit(IReadOnlyList<string> Train, IReadOnlyList<string> Validation, IReadOnlyDictionary<string, IReadOnlyList<string>> Test)
{
    /// <summary>
    /// The simulation split (spec §2.1): 75 % of perturbed genes seen; 75 % of seen-seen pairs in train; test =
    /// unseen singles and pairs with 0, 1 or 2 seen genes; validation from the same split applied to the train set.
    /// </summary>
    /// <param name="conditions">Canonical conditions (<c>A+ctrl</c>, <c>A+B</c>, <c>ctrl</c>).</param>
    /// <param name="seed">Seed.</param>
    public static GearsSplit Simulation(IEnumerable<string> conditions, int seed)
    {
        var all = conditions.Distinct(StringComparer.Ordinal).ToArray();
        var outer = PerturbationSplits.Simulation(all.Where(c => c != "ctrl"), 0.75, 0.25, seed);
        var inner = PerturbationSplits.Simulation(outer.Train, 0.9, 0.1, seed);
        var train = inner.Train.Concat(all.Contains("ctrl") ? ["ctrl"] : []).ToArray();
        return new GearsSplit(train, inner.Test.ToArray(), new Dictionary<string, IReadOnlyList<string>>
        {
            ["unseen_single"] = outer.TestUnseenSingles, ["combo_seen0"] = outer.TestCombo0Seen,
            ["combo_seen1"] = outer.TestCombo1Seen, ["combo_seen2"] = outer.TestCombo2Seen,
        });
    }

    /// <summary>
    /// A custom split from lists, as JSON: <c>{"train": [...], "validation": [...], "unseen_single": [...],
    /// "combo_seen0": [...], "combo_seen1": [...], "combo_seen2": [...]}</c> (any key but <c>train</c> may be
    /// left out; GEARS' <c>test</c> key is taken as one test group). Conditions may be written <c>A</c>, <c>A+ctrl</c>,
    /// <c>ctrl+A</c> or <c>A+B</c> in either order; <c>ctrl</c> is added to training when absent.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="FormatException">Not an object of string lists, no <c>train</c> list, an unknown key, or a condition in two groups.</exception>
    public static GearsSplit FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Dictionary<string, string[]>? lists;
        try { lists = System.Text.Json.JsonSerializer.Deserialize(json, GearsJson.Default.DictionaryStringStringArray); }
        catch (System.Text.Json.JsonException e) { throw new FormatException($"GEARS split: not a JSON object of string lists ({e.Message})", e); }
        if (lists is null || !lists.TryGetValue("train", out var trainList)) throw new FormatException("GEARS split: the JSON has no \"train\" list.");
        string[] known = ["train", "validation", "test", "unseen_single", "combo_seen0", "combo_seen1", "combo_seen2"];
        foreach (var key in lists.Keys)
            if (!known.Contains(key, StringComparer.Ordinal)) throw new FormatException($"GEARS split: unknown key \"{key}\"; expected {string.Join(", ", known)}.");
        var parser = new ConditionParser();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] Canon(string key)
        {
            if (!lists.TryGetValue(key, out var raw)) return [];
            var result = new List<string>();
            foreach (var c in raw ?? [])
            {
                var name = ConditionParser.Canonical(parser.Parse(c ?? ""));
                if (owner.TryGetValue(name, out var other) && other != key) throw new FormatException($"GEARS split: '{c}' is in both \"{other}\" and \"{key}\".");
                if (owner.TryAdd(name, key)) result.Add(name);
            }
            return [.. result];
        }
        var train = Canon("train");
        if (!train.Contains("ctrl")) train = [.. train, "ctrl"];
        var test = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var key in new[] { "unseen_single", "combo_seen0", "combo_seen1", "combo_seen2", "test" })
            if (key != "test" || lists.ContainsKey("test")) test[key] = Canon(key);
        return new GearsSplit(train, Canon("validation"), test);
    }
}

/// <summary>
/// GEARS on the model platform: predicts the expression outcome of single and combined perturbations,
/// including genes never perturbed in training, from a gene-embedding GNN over a co-expression graph and
/// a perturbation-embedding GNN over the Gene Ontology graph (Roohani et al. 2024; spec §2).
/// </summary>
public sealed partial class GearsModel : Model<GearsOptions>, IModel<GearsModel>, IPerturbationPredictor
{
    internal const string Type = "gears";
    private readonly GearsLayout _layout;
    private readonly Dictionary<string, int> _pertIndex;
    private GearsData? _data;

    private GearsModel(GearsOptions options, GearsModule module, DataSchema schema, GearsLayout layout, GearsData? data)
        : base(options, module, schema, data?.Aligned)
    {
        _layout = layout;
        _pertIndex = layout.PerturbationGenes.Select((g, i) => (g, i)).ToDictionary(t => t.g, t => t.i, StringComparer.Ordinal);
        _data = data;
    }

    internal GearsModule Module => (GearsModule)Network;

    /// <inheritdoc />
    public override string Name => Options.Uncertainty ? "GEARS (uncertainty)" : "GEARS";

    /// <inheritdoc />
    protected override string ModelType => Type;

    /// <inheritdoc />
    protected override JsonTypeInfo<GearsOptions> OptionsJsonType => GearsJson.Default.GearsOptions;

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> CheckpointExtra =>
        new Dictionary<string, string> { ["gears.layout"] = JsonSerializer.Serialize(_layout, GearsJson.Default.GearsLayout) };

    /// <inheritdoc />
    public IReadOnlyList<string> PerturbableGenes => _layout.PerturbationGenes;

    /// <summary>How the data is read.</summary>
    public GearsSetup Setup => _layout.Setup;

    internal GearsData? Data => _data;

    /// <summary>The split the model trains with (set by <see cref="Create"/>; replace it before <c>Fit</c> for another split).</summary>
    public GearsSplit? Split { get; set; }

    /// <summary>
    /// Sets up GEARS on log-normalised expression: the schema (genes, conditions), the training examples,
    /// the co-expression graph from the training control and single-perturbation cells, and the network
    /// over <paramref name="goGraph"/> (the perturbation graph; every perturbed gene must be a node).
    /// </summary>
    /// <param name="data">Cells × genes, log-normalised, with the condition column.</param>
    /// <param name="setup">Which column, control labels and layer.</param>
    /// <param name="goGraph">The GO perturbation graph (e.g. <see cref="GoGraphBuilder.Build"/> over the data's genes and perturbed genes).</param>
    /// <param name="split">The split; null for the seeded simulation split.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <exception cref="DataSchemaException">The data does not fit (missing column, negative or non-finite values, fewer than two controls).</exception>
    /// <exception cref="ArgumentException">The split names a condition that the data lacks (conditions left out for a gene outside the GO graph are removed from it instead).</exception>
    public static GearsModel Create(AnnData data, GearsSetup setup, GeneGraph goGraph, GearsSplit? split = null, GearsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(goGraph);
        options ??= new GearsOptions();
        options.Validate();
        // As GEARS does, conditions with a gene outside the perturbation graph are left out (reported in DroppedConditions).
        var parser = new ConditionParser(setup.ControlLabels);
        var column = DataSchema.Column(data, setup.PerturbationKey);
        var keep = new List<int>();
        var dropped = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < data.NObs; i++)
        {
            var genes = parser.Parse(column.GetString(i));
            if (genes.All(gn => goGraph.IndexOf(gn) >= 0)) keep.Add(i);
            else dropped.Add(ConditionParser.Canonical(genes));
        }
        if (keep.Count < data.NObs) data = data.SelectObs([.. keep]);
        var schema = DataSchema.FromData(data, MatrixValues.NonNegative, setup.Layer, [(setup.PerturbationKey, UnknownCategoryPolicy.Error)]);
        var aligned = schema.Align(data);
        var prep = new GearsData(aligned, setup, options.Seed);
        split = split is null ? GearsSplit.Simulation(prep.Dataset.Conditions, (int)(options.Seed % int.MaxValue))
            : Reconcile(split, prep.Dataset.Conditions, dropped);
        var trainSingles = prep.CellsOf(split.Train.Where(c => c == "ctrl" || c.EndsWith("+ctrl", StringComparison.Ordinal)));
        var coexp = CoexpressionGraphBuilder.Build(aligned.Matrix, schema.Genes, trainSingles, 20, 0.4);
        var (cs, ct, cw) = coexp.ToEdgeArrays();
        var (gs, gt, gw) = goGraph.ToEdgeArrays();
        var rng = new Generator(options.Seed ^ 0xC0117201UL);
        var kept = prep.Dataset.ControlCells.OrderBy(_ => rng.NextDouble()).Take(options.ControlCellsKept).Order().ToArray();
        var layout = new GearsLayout(setup, goGraph.Genes.ToArray(), cs.Length, gs.Length, kept.Length);
        var module = new GearsModule(schema.GeneCount, goGraph.NodeCount, cs.Length, gs.Length, kept.Length, options);
        GearsModule.SetEdges(module.CoexpressionGraph, cs, ct, cw);
        GearsModule.SetEdges(module.GoGraph, gs, gt, gw);
        using (Tensor.NoGrad())
        {
            module.ControlExpression.CopyFrom(Batches.Dense(aligned.Matrix, kept));
            module.ControlMean.CopyFrom(Tensor.FromArray((float[])prep.ControlMean.Clone(), schema.GeneCount));
        }
        return new GearsModel(options, module, schema, layout, prep) { Split = split, DroppedConditions = [.. dropped] };
    }

    /// <summary>
    /// A given split without the conditions that <see cref="Create"/> left out (a gene outside the GO graph; they are
    /// in <see cref="DroppedConditions"/>); any other condition the data lacks is an error, not a silent gap.
    /// </summary>
    private static GearsSplit Reconcile(GearsSplit split, IEnumerable<string> present, IReadOnlySet<string> dropped)
    {
        var have = new HashSet<string>(present, StringComparer.Ordinal) { "ctrl" };
        IReadOnlyList<string> Keep(IReadOnlyList<string> list, string group)
        {
            foreach (var c in list)
                if (!have.Contains(c) && !dropped.Contains(c))
                    throw new ArgumentException($"GEARS split: condition '{c}' ({group}) is not in the data.", nameof(split));
            return list.Where(have.Contains).ToArray();
        }
        return new GearsSplit(Keep(split.Train, "train"), Keep(split.Validation, "validation"),
            split.Test.ToDictionary(kv => kv.Key, kv => Keep(kv.Value, kv.Key), StringComparer.Ordinal));
    }

    /// <summary>Conditions left out by <see cref="Create"/> because a gene is not in the GO graph (and removed from a given split).</summary>
    public IReadOnlyList<string> DroppedConditions { get; private init; } = [];

    /// <inheritdoc />
    public override TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RequireTrainingData();
        var data = _data!;
        var split = Split ?? throw new InvalidOperationException("GEARS: no split; set Split before Fit.");
        var train = data.CellsOf(split.Train);
        var validation = data.CellsOf(split.Validation);
        if (train.Length == 0) throw new InvalidOperationException("GEARS: the split leaves no training cells.");
        int validationConditions = split.Validation.Count(c => c != "ctrl");
        if (trainer?.RestoreBestWeights is null && validationConditions < Options.MinValidationConditions)
        {
            trainer?.Logger?.LogWarning("GEARS: the validation set has {Conditions} perturbation(s), fewer than {Min}: too few to choose an epoch by, so the last epoch is kept (validation metrics are still recorded).",
                validationConditions, Options.MinValidationConditions);
            trainer = (trainer ?? new TrainerOptions()) with { RestoreBestWeights = false };
        }
        return Train(new GearsTrainingPlan(this, Module, data), trainer, (train, validation), progress, cancellationToken);
    }

    /// <summary>Gene-embedding-graph indices of each cell's perturbed genes.</summary>
    internal int[][] PerturbationIndices(string[][] genes)
    {
        var result = new int[genes.Length][];
        for (int i = 0; i < genes.Length; i++)
        {
            result[i] = new int[genes[i].Length];
            for (int k = 0; k < genes[i].Length; k++)
                result[i][k] = _pertIndex.TryGetValue(genes[i][k], out int p) ? p
                    : throw new ArgumentException($"GEARS: gene '{genes[i][k]}' is not in the model's GO perturbation graph ({_pertIndex.Count} genes).");
        }
        return result;
    }
}
