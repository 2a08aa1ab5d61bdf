using Microsoft.Extensions.Logging;

namespace SingleCell.Models.Training;

/// <summary>Which optimiser the trainer builds.</summary>
public enum OptimizerKind
{
    /// <summary>Adam with coupled L2 weight decay (<c>torch.optim.Adam</c>; scvi-tools' and GEARS' choice).</summary>
    Adam,

    /// <summary>AdamW with decoupled weight decay (<c>torch.optim.AdamW</c>).</summary>
    AdamW,

    /// <summary>SGD with optional momentum.</summary>
    Sgd,
}

/// <summary>
/// Settings of a training run. Every nullable setting left null takes the value of the model's
/// training plan (<see cref="TrainingPlan.Defaults"/>), so <c>new TrainerOptions { MaxEpochs = 5 }</c>
/// changes only the epoch count and keeps, say, GEARS' step schedule or the sVAE's Adam ε.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Upper bound on epochs (library fallback 400).</summary>
    public int? MaxEpochs { get; init; }

    /// <summary>Mini-batch size (fallback 128).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Drop the last training batch when it is incomplete (GEARS' <c>drop_last</c>); otherwise it is kept unless smaller than <see cref="MinLastBatchSize"/>. Fallback false.</summary>
    public bool? DropLast { get; init; }

    /// <summary>A final training batch smaller than this is dropped (scvi-tools drops batches of fewer than 3 cells, which BatchNorm cannot use). Fallback 3.</summary>
    public int? MinLastBatchSize { get; init; }

    /// <summary>Fraction of items used for training when the model does not give its own split; the rest validate. 1 trains on everything. Fallback 0.9.</summary>
    public double? TrainSize { get; init; }

    /// <summary>Seed of the train/validation split and of the shuffling.</summary>
    public ulong Seed { get; init; }

    /// <summary>Optimiser (fallback Adam).</summary>
    public OptimizerKind? Optimizer { get; init; }

    /// <summary>Learning rate (fallback 1e-3).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Adam's ε (fallback 1e-8, PyTorch's; the sVAE plan uses scvi-tools' 0.01).</summary>
    public double? Eps { get; init; }

    /// <summary>Weight decay: coupled L2 for Adam and SGD, decoupled for AdamW (fallback 0).</summary>
    public double? WeightDecay { get; init; }

    /// <summary>SGD momentum (fallback 0).</summary>
    public double? Momentum { get; init; }

    /// <summary>The learning-rate schedule; null for the plan's (which may be none).</summary>
    public SchedulerOptions? Scheduler { get; init; }

    /// <summary>Clip the global L2 norm of the gradients to this value.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Clip every gradient element to [−v, v] (GEARS: 1.0).</summary>
    public double? GradientClipValue { get; init; }

    /// <summary>Stop when the monitored metric has not improved for <see cref="EarlyStoppingPatience"/> epochs (fallback false).</summary>
    public bool? EarlyStopping { get; init; }

    /// <summary>The history series early stopping, best-weight restoration and the plateau schedule watch; null for the plan's <see cref="TrainingPlan.Monitor"/>.</summary>
    public MonitoredMetric? Monitor { get; init; }

    /// <summary>Epochs without improvement before stopping (fallback 45).</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>The smallest change that counts as an improvement (fallback 0).</summary>
    public double? EarlyStoppingMinDelta { get; init; }

    /// <summary>At the end of training, put back the parameters and buffers of the epoch with the best monitored value (GEARS, Exceiver, Diet Networks). Fallback false.</summary>
    public bool? RestoreBestWeights { get; init; }

    /// <summary>Check every loss term and every gradient for NaN/∞ each step; on failure restore the last good state and throw <see cref="NonFiniteLossException"/>.</summary>
    public bool NonFiniteGuard { get; init; } = true;

    /// <summary>Where to log epoch summaries; silent when null.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>These settings with every null taken from <paramref name="defaults"/>.</summary>
    /// <param name="defaults">The fallback values (typically a plan's <see cref="TrainingPlan.Defaults"/>).</param>
    public TrainerOptions Over(TrainerOptions? defaults)
    {
        if (defaults == null) return this;
        return this with
        {
            MaxEpochs = MaxEpochs ?? defaults.MaxEpochs,
            BatchSize = BatchSize ?? defaults.BatchSize,
            DropLast = DropLast ?? defaults.DropLast,
            MinLastBatchSize = MinLastBatchSize ?? defaults.MinLastBatchSize,
            TrainSize = TrainSize ?? defaults.TrainSize,
            Optimizer = Optimizer ?? defaults.Optimizer,
            LearningRate = LearningRate ?? defaults.LearningRate,
            Eps = Eps ?? defaults.Eps,
            WeightDecay = WeightDecay ?? defaults.WeightDecay,
            Momentum = Momentum ?? defaults.Momentum,
            Scheduler = Scheduler ?? defaults.Scheduler,
            GradientClipNorm = GradientClipNorm ?? defaults.GradientClipNorm,
            GradientClipValue = GradientClipValue ?? defaults.GradientClipValue,
            EarlyStopping = EarlyStopping ?? defaults.EarlyStopping,
            Monitor = Monitor ?? defaults.Monitor,
            EarlyStoppingPatience = EarlyStoppingPatience ?? defaults.EarlyStoppingPatience,
            EarlyStoppingMinDelta = EarlyStoppingMinDelta ?? defaults.EarlyStoppingMinDelta,
            RestoreBestWeights = RestoreBestWeights ?? defaults.RestoreBestWeights,
            Logger = Logger ?? defaults.Logger,
        };
    }

    /// <summary>Checks every set value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxEpochs is < 0) throw new ArgumentOutOfRangeException(nameof(MaxEpochs), $"MaxEpochs is {MaxEpochs}; it must be ≥ 0.");
        if (BatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize is {BatchSize}; it must be ≥ 1.");
        if (MinLastBatchSize is < 1) throw new ArgumentOutOfRangeException(nameof(MinLastBatchSize), $"MinLastBatchSize is {MinLastBatchSize}; it must be ≥ 1.");
        if (TrainSize is double t && !(t > 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(TrainSize), $"TrainSize is {t}; it must be in (0, 1].");
        if (LearningRate is double lr && !(lr > 0 && double.IsFinite(lr))) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate is {lr}; it must be > 0.");
        if (Eps is double e && !(e > 0)) throw new ArgumentOutOfRangeException(nameof(Eps), $"Eps is {e}; it must be > 0.");
        if (WeightDecay is double wd && !(wd >= 0)) throw new ArgumentOutOfRangeException(nameof(WeightDecay), $"WeightDecay is {wd}; it must be ≥ 0.");
        if (Momentum is double m && !(m >= 0 && m < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), $"Momentum is {m}; it must be in [0, 1).");
        if (GradientClipNorm is double cn && !(cn > 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipNorm), $"GradientClipNorm is {cn}; it must be > 0.");
        if (GradientClipValue is double cv && !(cv > 0)) throw new ArgumentOutOfRangeException(nameof(GradientClipValue), $"GradientClipValue is {cv}; it must be > 0.");
        if (EarlyStoppingPatience is < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), $"EarlyStoppingPatience is {EarlyStoppingPatience}; it must be ≥ 1.");
        if (EarlyStoppingMinDelta is double d && !(d >= 0)) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingMinDelta), $"EarlyStoppingMinDelta is {d}; it must be ≥ 0.");
        Scheduler?.Validate();
    }
}
