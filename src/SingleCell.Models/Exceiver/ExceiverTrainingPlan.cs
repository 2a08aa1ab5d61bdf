using SingleCell.Models.Data;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Exceiver;

/// <summary>
/// How the Exceiver trains (spec §2.5): masked-value regression (MSE over the masked genes; plus
/// cross-entropy for the classifier), Adam lr 3e-4 with coupled weight decay 1e-5, linear warm-up over
/// 500 steps then constant, batch 64 with the last incomplete batch dropped, early stopping on
/// <c>mse_validation</c> (patience 10, min delta 1e-5) with the best weights restored.
/// Training masks are fresh draws each step; validation masks are fixed per cell (seeded), so the
/// validation MSE of different epochs is measured on the same masked genes. Besides the model's MSE it records
/// <c>mse_gene_mean</c> (predicting each gene's training mean) and <c>mse_detected_mean</c> (predicting each
/// gene's mean over the training cells where it is detected), two baselines that use no cell information.
/// </summary>
internal sealed class ExceiverTrainingPlan : TrainingPlan
{
    private readonly ExceiverModule _module;
    private readonly CellMatrix _values;
    private readonly int[] _cells;
    private readonly int[]? _labels;
    private readonly Generator _masks;
    private readonly float[] _mean, _scale;
    private readonly float[]? _validationMean, _validationScale;
    private readonly HashSet<int>? _validationItems;
    private readonly float[] _detectedMean;

    /// <param name="module">The network (scaler and n_mask already set).</param>
    /// <param name="values">Log-normalised cells × vocabulary genes.</param>
    /// <param name="cells">The cells trained and validated on (items index this).</param>
    /// <param name="labels">Class codes per row of <paramref name="values"/>, or null.</param>
    /// <param name="validationItems">Items standardised with their own scaler (the reference's validation scaler), or null.</param>
    /// <param name="trainItems">The items trained on (the detected-mean baseline is fitted on them).</param>
    internal ExceiverTrainingPlan(ExceiverModule module, CellMatrix values, int[] cells, int[]? labels, int[]? validationItems, int[] trainItems)
    {
        _module = module;
        _values = values;
        _cells = cells;
        _labels = labels;
        _masks = new Generator(module.Options.Seed ^ 0xD1B54A32D192ED03UL);
        _mean = module.ScalerMean.ToArray();
        _scale = module.ScalerScale.ToArray();
        if (validationItems is { Length: > 0 })
        {
            var rows = validationItems.Select(i => cells[i]).ToArray();
            (_validationMean, _validationScale) = ExceiverPreprocessing.FitScaler(values, rows);
            _validationItems = [.. validationItems];
        }
        _detectedMean = DetectedMeans(values, trainItems.Select(i => cells[i]).ToArray(), _mean, _scale, module.Options.Clip);
    }

    /// <summary>
    /// Per gene, the mean standardised value over the training cells where the gene is detected (1, the
    /// gene's overall mean, where it never is): the best constant prediction per gene for masked genes,
    /// which are always detected genes. It needs no cell information.
    /// </summary>
    internal static float[] DetectedMeans(CellMatrix values, int[] rows, float[] mean, float[] scale, float clip)
    {
        var sum = new double[values.Columns]; var count = new int[values.Columns];
        foreach (int r in rows)
        {
            var ri = values.RowIndices(r); var rv = values.RowValues(r);
            for (int k = 0; k < ri.Length; k++) { sum[ri[k]] += ExceiverPreprocessing.Standardize(rv[k], mean[ri[k]], scale[ri[k]], clip); count[ri[k]]++; }
        }
        var result = new float[values.Columns];
        for (int g = 0; g < result.Length; g++) result[g] = count[g] > 0 ? (float)(sum[g] / count[g]) : 1f;
        return result;
    }

    public override Module Module => _module;

    public override int ItemCount => _cells.Length;

    public override TrainerOptions Defaults => DefaultOptions;

    /// <summary>The spec's settings (see the class summary).</summary>
    internal static TrainerOptions DefaultOptions { get; } = new()
    {
        MaxEpochs = 300, BatchSize = 64, DropLast = true, TrainSize = 0.7,
        Optimizer = OptimizerKind.Adam, LearningRate = 3e-4, WeightDecay = 1e-5,
        Scheduler = SchedulerOptions.WarmupThenConstant(500, 1.0 / 500),
        EarlyStopping = true, EarlyStoppingPatience = 10, EarlyStoppingMinDelta = 1e-5, RestoreBestWeights = true,
    };

    /// <summary>
    /// <c>mse_validation</c> (spec §2.6: the classifier too), except for a classifier trained on the
    /// cross-entropy alone (<see cref="ExceiverOptions.MaskedValueWeight"/> = 0), which watches <c>cross_entropy_validation</c>.
    /// </summary>
    public override MonitoredMetric Monitor => _labels != null && _module.Classes > 0 && _module.Options.MaskedValueWeight == 0
        ? new("cross_entropy_validation") : new("mse_validation");

    public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
    {
        var rows = new int[batch.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = _cells[batch[i]];
        bool ownScaler = !context.IsTraining && _validationItems != null && _validationItems.Contains(batch[0]);
        var o = _module.Options;
        var b = ExceiverBatch.Build(_values, rows, ownScaler ? _validationMean! : _mean, ownScaler ? _validationScale! : _scale, o.Clip, o.KeyPadding,
            _module.MaskCount, _masks, context.IsTraining ? null : cell => ExceiverBatch.FixedMaskGenerator(o.Seed, cell));
        int[]? labels = null;
        if (_labels != null)
        {
            labels = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++) labels[i] = _labels[rows[i]];
        }
        var output = _module.Loss(b, labels);
        double se = 0;
        for (int i = 0; i < b.Targets.Length; i++) se += Math.Pow(b.Targets[i] - _detectedMean[b.MaskIds[i]], 2);
        var terms = new Dictionary<string, double>(output.Terms!) { ["mse_detected_mean"] = se / Math.Max(1, b.Targets.Length) };
        return output with { Terms = terms };
    }
}
