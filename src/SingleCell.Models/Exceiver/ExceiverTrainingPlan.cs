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
/// validation MSE of different epochs is measured on the same masked genes.
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

    /// <param name="module">The network (scaler and n_mask already set).</param>
    /// <param name="values">Log-normalised cells × vocabulary genes.</param>
    /// <param name="cells">The cells trained and validated on (items index this).</param>
    /// <param name="labels">Class codes per row of <paramref name="values"/>, or null.</param>
    /// <param name="validationItems">Items standardised with their own scaler (the reference's validation scaler), or null.</param>
    internal ExceiverTrainingPlan(ExceiverModule module, CellMatrix values, int[] cells, int[]? labels, int[]? validationItems)
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

    public override MonitoredMetric Monitor { get; } = new("mse_validation");

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
        return _module.Loss(b, labels);
    }
}
