using SingleCell.Models.NN;

namespace SingleCell.Models.Training;

/// <summary>
/// What a model family tells the <see cref="Trainer"/> (scvi-tools' <c>TrainingPlan</c>, Lightning's
/// <c>LightningModule</c>): the network, how many items it trains on, the loss of a mini-batch with
/// its named terms, whole-validation-set metrics, the default optimiser, schedule, clipping and
/// loop settings, the monitored metric, and hooks for per-epoch schedules (KL warm-up) and
/// per-step constraints (max-norm). The loop itself knows nothing of any model.
/// </summary>
public abstract class TrainingPlan
{
    /// <summary>The network whose trainable parameters are optimised; switched between train and eval mode by the trainer.</summary>
    public abstract Module Module { get; }

    /// <summary>Number of items (cells, examples, samples) available for training and validation (indices 0 … count − 1).</summary>
    public abstract int ItemCount { get; }

    /// <summary>The loss of the items <paramref name="batch"/> (indices into 0 … <see cref="ItemCount"/> − 1).</summary>
    /// <param name="batch">The mini-batch's item indices.</param>
    /// <param name="context">Epoch, step and mode.</param>
    public abstract LossOutput Loss(ReadOnlySpan<int> batch, LossContext context);

    /// <summary>The plan's training settings; a user's <see cref="TrainerOptions"/> overrides each value it sets.</summary>
    public virtual TrainerOptions Defaults => new();

    /// <summary>The series watched by early stopping, best-weight restoration and the plateau schedule (default <c>loss_validation</c>, minimised).</summary>
    public virtual MonitoredMetric Monitor => new("loss_validation");

    /// <summary>
    /// Metrics computed over the whole validation set after each epoch (e.g. GEARS' <c>mse_de</c> from
    /// per-perturbation means), recorded with the suffix <c>_validation</c>. Called in eval mode without
    /// gradients. The default returns none: the trainer always records the batch-averaged loss terms.
    /// </summary>
    /// <param name="validationItems">The validation item indices.</param>
    /// <param name="context">The context of the epoch (IsTraining false).</param>
    public virtual IReadOnlyDictionary<string, double>? ValidationMetrics(int[] validationItems, LossContext context) => null;

    /// <summary>Called before each epoch's first step; returns values to record in the history for the epoch (e.g. <c>kl_weight</c>), or null.</summary>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="maxEpochs">The run's epoch limit.</param>
    public virtual IReadOnlyDictionary<string, double>? OnEpochStart(int epoch, int maxEpochs) => null;

    /// <summary>Called after every optimiser step (e.g. to apply a max-norm constraint).</summary>
    public virtual void AfterStep() { }
}
