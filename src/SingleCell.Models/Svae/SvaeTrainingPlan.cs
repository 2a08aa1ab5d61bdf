using SingleCell.Models.Modeling;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tensors.Kernels;
using SingleCell.Models.Training;

namespace SingleCell.Models.Svae;

/// <summary>
/// How the sVAE trains (scvi-tools' <c>TrainingPlan</c> for a VAE): the ELBO loss with linear KL
/// warm-up (w recorded as <c>kl_weight</c>), the sVAE+ global KL scaled as the paper's code does,
/// scvi-tools' optimiser defaults (Adam lr 1e-3, ε 0.01, weight decay 1e-6, batch 128, 90 % train),
/// monitoring <c>elbo_validation</c>.
/// </summary>
internal sealed class SvaeTrainingPlan(SvaeModule module, AlignedData data, int[] labelOfCell, int[] cells, int klWarmupEpochs,
    bool useGlobalKl = true, bool warmup = true) : TrainingPlan
{
    private double _klWeight = 1;

    public override Module Module => module;

    public override int ItemCount => cells.Length;

    public override TrainerOptions Defaults { get; } = new()
    {
        MaxEpochs = 300, BatchSize = 128, MinLastBatchSize = 3, TrainSize = 0.9,
        Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Eps = 0.01, WeightDecay = 1e-6,
        EarlyStopping = false, EarlyStoppingPatience = 45,
    };

    public override MonitoredMetric Monitor { get; } = new("elbo_validation");

    public override IReadOnlyDictionary<string, double> OnEpochStart(int epoch, int maxEpochs)
    {
        _klWeight = klWarmupEpochs > 0 ? Math.Min(1.0, (double)epoch / klWarmupEpochs) : 1.0;
        return new Dictionary<string, double> { ["kl_weight"] = _klWeight };
    }

    public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
    {
        var ids = new int[batch.Length];
        var labels = new int[batch.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = cells[batch[i]];
            labels[i] = labelOfCell[ids[i]];
        }
        return module.Loss(context.IsTraining ? PooledBatch(ids) : Batches.Dense(data.Matrix, ids), labels, _klWeight, context.TrainItemCount, useGlobalKl, warmup);
    }

    // The dense counts of the current training batch: read by the likelihood's backward pass, dead once the
    // step is over (nothing outside the module sees them), so the buffer goes back to the pool in AfterStep.
    // A step that never reaches AfterStep (a skipped non-finite step) leaves its buffer to the GC.
    private float[]? _batchBuffer;

    private Tensor PooledBatch(int[] ids)
    {
        int genes = data.Matrix.Columns;
        var buffer = BufferPool.Rent(ids.Length * genes);
        data.Matrix.DensifyRows(ids, buffer);
        _batchBuffer = buffer;
        return Tensor.FromArray(buffer, ids.Length, genes);
    }

    public override void AfterStep()
    {
        if (_batchBuffer != null) BufferPool.Return(_batchBuffer);
        _batchBuffer = null;
    }
}
