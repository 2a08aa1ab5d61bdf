using SingleCell.Models.Data;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
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
/// sVAE), with an scvi-tools-like surface: set up on an <see cref="AnnData"/>, <c>Fit</c>,
/// latent representation, intervention graph, normalised expression, ELBO, marginal likelihood,
/// the out-of-distribution protocol and save/load.
/// </summary>
public sealed partial class SvaeModel : IModel
{
    private readonly CellMatrix _counts;
    private readonly int[] _labels;

    private SvaeModel(SvaeModule module, SvaeSetup setup, string[] genes, string[] labels, CellMatrix counts, int[] cellLabels)
    {
        Module = module;
        Setup = setup;
        GeneNames = genes;
        LabelNames = labels;
        _counts = counts;
        _labels = cellLabels;
    }

    internal SvaeModule Module { get; }

    /// <summary>The options the model was built with.</summary>
    public SvaeOptions Options => Module.Options;

    /// <summary>How the data is read.</summary>
    public SvaeSetup Setup { get; }

    /// <summary>The genes, in the order the model uses (part of the data schema).</summary>
    public IReadOnlyList<string> GeneNames { get; }

    /// <summary>The intervention labels (rows of μ_A and λ), controls excluded (part of the data schema).</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <inheritdoc />
    public string Name => Options.Variant switch
    {
        SvaeVariant.Vae => "VAE",
        SvaeVariant.BetaVae => "β-VAE",
        SvaeVariant.IVae => "iVAE",
        SvaeVariant.Svae => "sVAE",
        _ => "sVAE+",
    };

    /// <inheritdoc />
    public bool IsTrained { get; private set; }

    /// <inheritdoc />
    public long ParameterCount => Module.ParameterCount;

    /// <inheritdoc />
    public TrainingHistory? History { get; private set; }

    /// <summary>Number of cells of the data the model was set up with.</summary>
    public int CellCount => _counts.Rows;

    /// <summary>Each cell's label index into <see cref="LabelNames"/> (−1 for controls).</summary>
    public IReadOnlyList<int> CellLabels => _labels;

    /// <summary>Sets up a model on <paramref name="data"/>: validates the counts, encodes the labels and builds the network.</summary>
    /// <param name="data">Cells × genes raw counts and the perturbation column.</param>
    /// <param name="setup">Which column and layer to read.</param>
    /// <param name="options">Model options; null for the defaults (sVAE+).</param>
    /// <exception cref="ArgumentException">Missing column or layer, or counts that are not non-negative integers (the message names the first offending cell and gene).</exception>
    public static SvaeModel Create(AnnData data, SvaeSetup setup, SvaeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(setup);
        options ??= new SvaeOptions();
        var counts = CountsOf(data, setup);
        var raw = LabelStrings(data, setup.PerturbationKey);
        var controls = new HashSet<string>(setup.ControlLabels ?? [], StringComparer.Ordinal);
        // Label order: the categorical column's category order (as scvi-tools' label codes), else sorted.
        var present = new HashSet<string>(raw, StringComparer.Ordinal);
        var ordered = data.Obs.Find(setup.PerturbationKey) is CategoricalColumn cat
            ? cat.Categories.Where(present.Contains)
            : present.Order(StringComparer.Ordinal);
        var labelNames = ordered.Where(l => !controls.Contains(l)).ToArray();
        var index = labelNames.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var cellLabels = raw.Select(l => controls.Contains(l) ? -1 : index[l]).ToArray();
        var module = new SvaeModule(data.NVars, Math.Max(1, labelNames.Length), options);
        return new SvaeModel(module, setup, data.VarNames.ToArray(), labelNames, counts, cellLabels);
    }

    private static CellMatrix CountsOf(AnnData data, SvaeSetup setup)
    {
        CellMatrix? m = setup.CountLayer == null ? data.X
            : data.Layers.TryGetValue(setup.CountLayer, out var layer) ? layer
            : throw new ArgumentException($"sVAE setup: layer '{setup.CountLayer}' is not in the data (layers: {string.Join(", ", data.Layers.Keys)}).");
        if (m == null) throw new ArgumentException("sVAE setup: the data has no X matrix.");
        for (int r = 0; r < m.Rows; r++)
        {
            var idx = m.RowIndices(r); var val = m.RowValues(r);
            for (int k = 0; k < val.Length; k++)
                if (!(val[k] >= 0) || val[k] != MathF.Floor(val[k]))
                    throw new ArgumentException($"sVAE needs raw counts (non-negative integers): cell '{data.ObsNames[r]}' (row {r}), gene '{data.VarNames[idx[k]]}' has {val[k]}.");
        }
        return m;
    }

    private static string[] LabelStrings(AnnData data, string key)
    {
        var col = data.Obs.Find(key) ?? throw new ArgumentException($"sVAE setup: obs has no column '{key}' (columns: {string.Join(", ", data.Obs.ColumnNames)}).");
        var result = new string[col.Length];
        for (int i = 0; i < result.Length; i++) result[i] = col.GetString(i);
        return result;
    }

    /// <summary>The dense counts of the given cells as a [B, G] tensor.</summary>
    internal Tensor Batch(ReadOnlySpan<int> cells)
    {
        var buffer = new float[cells.Length * _counts.Columns];
        _counts.DensifyRows(cells, buffer);
        return Tensor.FromArray(buffer, cells.Length, _counts.Columns);
    }

    internal int[] LabelsOf(ReadOnlySpan<int> cells)
    {
        var l = new int[cells.Length];
        for (int i = 0; i < l.Length; i++) l[i] = _labels[cells[i]];
        return l;
    }

    /// <summary>Default training settings of the paper's simulation (<c>demo.py</c>): 300 epochs, KL warm-up 50, early stopping off.</summary>
    public static TrainerOptions DefaultTrainerOptions { get; } = new() { MaxEpochs = 300, KlWarmupEpochs = 50 };

    /// <inheritdoc />
    public TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Fit(null, trainer, progress, cancellationToken);

    /// <summary>Trains on a subset of the cells (e.g. the training interventions only).</summary>
    /// <param name="cells">Cells to train and validate on; null for all.</param>
    /// <param name="trainer">Training settings; null for <see cref="DefaultTrainerOptions"/>.</param>
    /// <param name="progress">Receives progress after every step and epoch.</param>
    /// <param name="cancellationToken">Stops training after the current step.</param>
    public TrainingHistory Fit(int[]? cells, TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(cells, trainer ?? DefaultTrainerOptions, useGlobalKl: true, warmup: true, progress, cancellationToken);

    private TrainingHistory FitCore(int[]? cells, TrainerOptions trainer, bool useGlobalKl, bool warmup,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        cells ??= Enumerable.Range(0, _counts.Rows).ToArray();
        var task = new Task(this, cells, useGlobalKl, warmup);
        History = new Trainer(trainer).Fit(task, progress, cancellationToken);
        IsTrained = true;
        return History;
    }

    /// <summary>Adapter from the trainer's item indices to cells.</summary>
    private sealed class Task(SvaeModel model, int[] cells, bool useGlobalKl, bool warmup) : ITrainingTask
    {
        public Module Module => model.Module;

        public int ItemCount => cells.Length;

        public LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
        {
            var ids = new int[batch.Length];
            for (int i = 0; i < ids.Length; i++) ids[i] = cells[batch[i]];
            return model.Module.Loss(model.Batch(ids), model.LabelsOf(ids), context, useGlobalKl, warmup);
        }
    }
}
