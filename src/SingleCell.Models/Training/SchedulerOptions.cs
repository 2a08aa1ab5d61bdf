using SingleCell.Models.Optim;

namespace SingleCell.Models.Training;

/// <summary>When a learning-rate schedule advances.</summary>
public enum SchedulerInterval
{
    /// <summary>Once per epoch, after validation.</summary>
    Epoch,

    /// <summary>Once per optimisation step.</summary>
    Step,
}

/// <summary>
/// A learning-rate schedule the trainer builds for a run, chosen in options rather than code:
/// <see cref="Step"/> (GEARS halves the rate every epoch), <see cref="WarmupThenConstant"/>
/// (Exceiver), <see cref="Cosine"/> and <see cref="Plateau"/>.
/// </summary>
public abstract record SchedulerOptions
{
    private protected SchedulerOptions() { }

    /// <summary>Multiply the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs (<c>torch.optim.lr_scheduler.StepLR</c>).</summary>
    /// <param name="stepSize">Epochs between decays (≥ 1).</param>
    /// <param name="gamma">Factor (0, 1].</param>
    public static SchedulerOptions Step(int stepSize, double gamma) => new StepSchedule(stepSize, gamma);

    /// <summary>Rise linearly from <paramref name="startFactor"/> × rate to the rate over <paramref name="warmupSteps"/> optimisation steps, then stay constant.</summary>
    /// <param name="warmupSteps">Steps of warm-up (≥ 1).</param>
    /// <param name="startFactor">Factor at step 0, in (0, 1].</param>
    public static SchedulerOptions WarmupThenConstant(int warmupSteps, double startFactor = 1e-3) => new WarmupSchedule(warmupSteps, startFactor);

    /// <summary>Cosine annealing from the rate to <paramref name="minRate"/> over <paramref name="periodEpochs"/> epochs.</summary>
    /// <param name="periodEpochs">Epochs of the half period (≥ 1).</param>
    /// <param name="minRate">Final learning rate (≥ 0).</param>
    public static SchedulerOptions Cosine(int periodEpochs, double minRate = 0) => new CosineSchedule(periodEpochs, minRate);

    /// <summary>Multiply the rate by <paramref name="factor"/> when the monitored metric has not improved for <paramref name="patience"/> epochs.</summary>
    /// <param name="factor">Factor (0, 1).</param>
    /// <param name="patience">Epochs without improvement.</param>
    public static SchedulerOptions Plateau(double factor = 0.6, int patience = 30) => new PlateauSchedule(factor, patience);

    internal abstract void Validate();

    internal sealed record StepSchedule(int StepSize, double Gamma) : SchedulerOptions
    {
        internal override void Validate()
        {
            if (StepSize < 1) throw new ArgumentOutOfRangeException(nameof(StepSize), $"Step schedule: step size is {StepSize}; it must be ≥ 1.");
            if (!(Gamma > 0 && Gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(Gamma), $"Step schedule: gamma is {Gamma}; it must be in (0, 1].");
        }
    }

    internal sealed record WarmupSchedule(int WarmupSteps, double StartFactor) : SchedulerOptions
    {
        internal override void Validate()
        {
            if (WarmupSteps < 1) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), $"Warm-up schedule: {WarmupSteps} steps; it must be ≥ 1.");
            if (!(StartFactor > 0 && StartFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(StartFactor), $"Warm-up schedule: start factor {StartFactor}; it must be in (0, 1].");
        }
    }

    internal sealed record CosineSchedule(int PeriodEpochs, double MinRate) : SchedulerOptions
    {
        internal override void Validate()
        {
            if (PeriodEpochs < 1) throw new ArgumentOutOfRangeException(nameof(PeriodEpochs), $"Cosine schedule: period {PeriodEpochs}; it must be ≥ 1.");
            if (!(MinRate >= 0)) throw new ArgumentOutOfRangeException(nameof(MinRate), $"Cosine schedule: minimum rate {MinRate}; it must be ≥ 0.");
        }
    }

    internal sealed record PlateauSchedule(double Factor, int Patience) : SchedulerOptions
    {
        internal override void Validate()
        {
            if (!(Factor > 0 && Factor < 1)) throw new ArgumentOutOfRangeException(nameof(Factor), $"Plateau schedule: factor {Factor}; it must be in (0, 1).");
            if (Patience < 0) throw new ArgumentOutOfRangeException(nameof(Patience), $"Plateau schedule: patience {Patience}; it must be ≥ 0.");
        }
    }

    /// <summary>The running schedule: its interval and how to advance it.</summary>
    internal sealed class Runner
    {
        private readonly LrScheduler? _scheduler;
        private readonly ReduceLROnPlateau? _plateau;

        internal Runner(SchedulerOptions? options, Optimizer optimizer, bool minimize)
        {
            switch (options)
            {
                case StepSchedule s: _scheduler = new StepLR(optimizer, s.StepSize, s.Gamma); break;
                case WarmupSchedule w:
                    _scheduler = new LinearWarmup(optimizer, w.WarmupSteps, w.StartFactor, 1.0);
                    Interval = SchedulerInterval.Step;
                    break;
                case CosineSchedule c: _scheduler = new CosineAnnealingLR(optimizer, c.PeriodEpochs, c.MinRate); break;
                case PlateauSchedule p: _plateau = new ReduceLROnPlateau(optimizer, minimize ? PlateauMode.Min : PlateauMode.Max, p.Factor, p.Patience); break;
            }
        }

        internal SchedulerInterval Interval { get; } = SchedulerInterval.Epoch;

        internal bool NeedsMetric => _plateau != null;

        internal void AfterStep()
        {
            if (Interval == SchedulerInterval.Step) _scheduler?.Step();
        }

        internal void AfterEpoch(double? metric)
        {
            if (Interval == SchedulerInterval.Epoch) _scheduler?.Step();
            if (_plateau != null && metric is double m) _plateau.Step(m);
        }
    }
}
