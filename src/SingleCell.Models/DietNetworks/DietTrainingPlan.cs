using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.DietNetworks;

/// <summary>
/// How a Diet Network trains (spec §4.4): items are genotype rows kept as bytes and standardised per
/// mini-batch with the stored μ and 1/σ; loss CE + γ·MSE with the batch accuracy recorded; Adam, lr ×0.999
/// per epoch, batch 128 of full batches, early stopping on <c>accuracy_validation</c> (maximised) with the best
/// weights restored, and the max-norm constraint after every update.
/// </summary>
internal sealed class DietTrainingPlan(DietNetworkModule module, GenotypeMatrix genotypes, int[] labels, int[] rows) : TrainingPlan
{
    /// <summary>Our default: lr 1e-3 for up to 200 epochs, patience 50 (reaches the paper schedule's error on HapMap3 in a fraction of the time).</summary>
    internal static readonly TrainerOptions FastDefaults = new()
    {
        MaxEpochs = 200, BatchSize = 128, DropLast = true, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3,
        Scheduler = SchedulerOptions.Step(1, 0.999), EarlyStopping = true, EarlyStoppingPatience = 50, RestoreBestWeights = true,
    };

    public override Module Module => module;

    public override int ItemCount => rows.Length;

    public override TrainerOptions Defaults => FastDefaults;

    public override MonitoredMetric Monitor { get; } = new("accuracy_validation", Minimize: false);

    // One standardised-batch buffer per batch length, reused step after step: a batch tensor lives only
    // until its step's backward pass (or its evaluation) ends, and steps never overlap. A fresh 128 × M
    // array per step cost more in page faults (the large-object heap hands back zeroed pages) than the
    // standardisation itself.
    private readonly Dictionary<int, float[]> _batchBuffers = [];

    public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
    {
        var ids = new int[batch.Length];
        var y = new int[batch.Length];
        for (int i = 0; i < ids.Length; i++) { ids[i] = rows[batch[i]]; y[i] = labels[ids[i]]; }
        int size = batch.Length * genotypes.Snps;
        if (!_batchBuffers.TryGetValue(size, out var buffer)) _batchBuffers[size] = buffer = new float[size];
        Standardization.Apply(genotypes, ids, module.InputMean.AsReadOnlySpan(), module.InputScale.AsReadOnlySpan(), buffer);
        return module.Loss(Tensor.FromArray(buffer, batch.Length, genotypes.Snps), y);
    }

    public override void AfterStep()
    {
        if (module.Options.MaxNorm > 0) MaxNorm.Apply(module, (float)module.Options.MaxNorm);
    }

    /// <summary>Rows <paramref name="ids"/> standardised with the module's stored statistics, as [B, M].</summary>
    internal static Tensor StandardizedBatch(DietNetworkModule module, GenotypeMatrix genotypes, ReadOnlySpan<int> ids)
    {
        var x = new float[(long)ids.Length * genotypes.Snps];
        Standardization.Apply(genotypes, ids, module.InputMean.AsReadOnlySpan(), module.InputScale.AsReadOnlySpan(), x);
        return Tensor.FromArray(x, ids.Length, genotypes.Snps);
    }
}
