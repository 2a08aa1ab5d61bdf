using Microsoft.Extensions.Logging;

namespace SingleCell.Models.Training;

/// <summary>Which optimiser the trainer builds.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with coupled L2 weight decay (<c>torch.optim.Adam</c>; scvi-tools' default).</summary>
    Adam,

    /// <summary>AdamW with decoupled weight decay (<c>torch.optim.AdamW</c>).</summary>
    AdamW,

    /// <summary>SGD with optional momentum.</summary>
    Sgd,
}

/// <summary>
/// Settings of a training run. Defaults follow scvi-tools 0.18 (<c>train_size</c> 0.9, batch 128,
/// Adam lr 1e-3, eps 0.01, weight decay 1e-6, KL warm-up 400 epochs, early stopping off with
/// patience 45 on <c>elbo_validation</c>).
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Upper bound on epochs.</summary>
    public int MaxEpochs { get; init; } = 400;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>A final training batch smaller than this is dropped (scvi-tools drops batches of fewer than 3 cells, which BatchNorm cannot use).</summary>
    public int MinLastBatchSize { get; init; } = 3;

    /// <summary>Fraction of items used for training; the rest validate. 1 trains on everything (no validation).</summary>
    public double TrainSize { get; init; } = 0.9;

    /// <summary>Seed of the train/validation split and of the shuffling.</summary>
    public ulong Seed { get; init; }

    /// <summary>Optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam's ε (scvi-tools uses 0.01, not PyTorch's 1e-8).</summary>
    public double Eps { get; init; } = 0.01;

    /// <summary>Weight decay (coupled L2 for Adam and SGD, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; } = 1e-6;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>Epochs of linear KL warm-up: w = epoch / n while epoch &lt; n, else 1. Zero or less means w = 1 throughout.</summary>
    public int KlWarmupEpochs { get; init; } = 400;

    /// <summary>Clip the global L2 norm of the gradients to this value; null for no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Stop when the monitored metric has not improved for <see cref="EarlyStoppingPatience"/> epochs.</summary>
    public bool EarlyStopping { get; init; }

    /// <summary>The history series early stopping watches.</summary>
    public string EarlyStoppingMonitor { get; init; } = "elbo_validation";

    /// <summary>Epochs without improvement before stopping.</summary>
    public int EarlyStoppingPatience { get; init; } = 45;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double EarlyStoppingMinDelta { get; init; }

    /// <summary>True when smaller values of the monitored metric are better.</summary>
    public bool EarlyStoppingMinimize { get; init; } = true;

    /// <summary>Halve (by <see cref="ReduceLrFactor"/>) the learning rate when the monitored metric plateaus.</summary>
    public bool ReduceLrOnPlateau { get; init; }

    /// <summary>Factor of the plateau schedule.</summary>
    public double ReduceLrFactor { get; init; } = 0.6;

    /// <summary>Patience of the plateau schedule, in epochs.</summary>
    public int ReduceLrPatience { get; init; } = 30;

    /// <summary>Check every loss term (and, when the loss is finite, every gradient) for NaN/∞ each step.</summary>
    public bool NonFiniteGuard { get; init; } = true;

    /// <summary>Where to log epoch summaries; silent when null.</summary>
    public ILogger? Logger { get; init; }

    internal void Validate()
    {
        if (MaxEpochs < 0) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), $"MaxEpochs is {MaxEpochs}; it must be ≥ 0.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize is {BatchSize}; it must be ≥ 1.");
        if (!(TrainSize > 0 && TrainSize <= 1)) throw new ArgumentOutOfRangeException(nameof(TrainSize), $"TrainSize is {TrainSize}; it must be in (0, 1].");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate is {LearningRate}; it must be > 0.");
        if (EarlyStoppingPatience < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), "EarlyStoppingPatience must be ≥ 1.");
    }
}
