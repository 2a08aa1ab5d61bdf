using System.Globalization;

namespace SingleCell.Models.Optim;

/// <summary>
/// Base of epoch-based learning-rate schedulers with PyTorch's <c>step()</c> semantics: constructing
/// the scheduler sets every group's rate to its value at epoch 0 (<see cref="LastEpoch"/> = 0); each
/// <see cref="Step"/> advances the epoch by one and sets the rates to the closed form at that epoch.
/// The base rate of a group is its <see cref="ParamGroup.InitialLearningRate"/>, recorded from the
/// group's rate by the first scheduler attached.
/// </summary>
public abstract class LrScheduler
{
    private readonly double[] _baseRates;

    /// <summary>Attaches the scheduler and applies the epoch-0 rates.</summary>
    /// <param name="optimizer">The optimiser whose group rates are set.</param>
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        var groups = optimizer.ParamGroups;
        _baseRates = new double[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            groups[i].InitialLearningRate ??= groups[i].LearningRate;
            _baseRates[i] = groups[i].InitialLearningRate!.Value;
        }
    }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The current epoch (0 after construction).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The base rate of each group.</summary>
    public IReadOnlyList<double> BaseLearningRates => _baseRates;

    /// <summary>The rates the scheduler set last, one per group.</summary>
    public IReadOnlyList<double> LastLearningRates
    {
        get
        {
            var r = new double[_baseRates.Length];
            for (int i = 0; i < r.Length; i++) r[i] = Optimizer.ParamGroups[i].LearningRate;
            return r;
        }
    }

    /// <summary>Applies the epoch-0 rates; called at the end of each derived constructor.</summary>
    protected void Initialize() => Apply();

    /// <summary>Advances one epoch and updates the rates (call after <see cref="Optimizer.Step"/>).</summary>
    public void Step()
    {
        LastEpoch++;
        Apply();
    }

    private void Apply()
    {
        for (int i = 0; i < _baseRates.Length; i++) Optimizer.ParamGroups[i].LearningRate = LearningRateAt(_baseRates[i], LastEpoch);
    }

    /// <summary>The closed-form rate at <paramref name="epoch"/> for a group with base rate <paramref name="baseRate"/>.</summary>
    /// <param name="baseRate">The group's base rate.</param>
    /// <param name="epoch">The epoch (≥ 0).</param>
    public abstract double LearningRateAt(double baseRate, int epoch);

    /// <summary>The scheduler's state (<c>last_epoch</c>).</summary>
    public OptimizerState GetState()
    {
        var s = new OptimizerState();
        s.Scalars["last_epoch"] = LastEpoch;
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s result and re-applies the rates of that epoch.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentException"><c>last_epoch</c> is missing.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Scalars.TryGetValue("last_epoch", out double e))
            throw new ArgumentException($"{GetType().Name}.LoadState: 'last_epoch' is missing.", nameof(state));
        LastEpoch = (int)e;
        Apply();
    }
}

/// <summary>
/// Linear warm-up, as <c>torch.optim.lr_scheduler.LinearLR</c>: the rate factor goes linearly from
/// <c>startFactor</c> at epoch 0 to <c>endFactor</c> at epoch <c>totalIters</c> and stays there:
/// η_t = η₀ · (s + (e − s) · min(t, T) / T).
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <param name="totalIters">Number of warm-up epochs T.</param>
    /// <param name="startFactor">Factor s at epoch 0 (in (0, 1]; PyTorch's default 1/3).</param>
    /// <param name="endFactor">Factor e from epoch T on.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor outside (0, 1] or T &lt; 1.</exception>
    public LinearWarmup(Optimizer optimizer, int totalIters = 5, double startFactor = 1.0 / 3.0, double endFactor = 1.0) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"Start factor {startFactor} is not in (0, 1].");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(endFactor), $"End factor {endFactor} is not in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalIters);
        TotalIters = totalIters; StartFactor = startFactor; EndFactor = endFactor;
        Initialize();
    }

    /// <summary>T.</summary>
    public int TotalIters { get; }

    /// <summary>s.</summary>
    public double StartFactor { get; }

    /// <summary>e.</summary>
    public double EndFactor { get; }

    /// <inheritdoc />
    public override double LearningRateAt(double baseRate, int epoch) =>
        baseRate * (StartFactor + (EndFactor - StartFactor) * Math.Min(epoch, TotalIters) / TotalIters);
}

/// <summary>Step decay, as <c>torch.optim.lr_scheduler.StepLR</c>: η_t = η₀ · γ^⌊t / stepSize⌋.</summary>
public sealed class StepLR : LrScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <param name="stepSize">Epochs between decays.</param>
    /// <param name="gamma">Decay factor γ.</param>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize; Gamma = gamma;
        Initialize();
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public override double LearningRateAt(double baseRate, int epoch) => baseRate * Math.Pow(Gamma, epoch / StepSize);
}

/// <summary>
/// Cosine annealing, as <c>torch.optim.lr_scheduler.CosineAnnealingLR</c> (its closed form):
/// η_t = η_min + (η₀ − η_min) · (1 + cos(π t / T_max)) / 2.
/// </summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    /// <summary>Creates the scheduler.</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <param name="tMax">Half-period T_max in epochs.</param>
    /// <param name="etaMin">Minimum rate η_min.</param>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        TMax = tMax; EtaMin = etaMin;
        Initialize();
    }

    /// <summary>T_max.</summary>
    public int TMax { get; }

    /// <summary>η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc />
    public override double LearningRateAt(double baseRate, int epoch) =>
        EtaMin + (baseRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}

/// <summary>Whether a monitored metric should fall or rise.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,

    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> compares a metric with the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>Relative: better than best · (1 ∓ threshold).</summary>
    Relative,

    /// <summary>Absolute: better than best ∓ threshold.</summary>
    Absolute,
}

/// <summary>
/// Reduces the rates by <c>factor</c> when a metric has stopped improving for more than
/// <c>patience</c> epochs, exactly as <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c> (threshold,
/// cooldown, minimum rate, and a reduction smaller than <c>eps</c> is skipped).
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly double[] _minRates;

    /// <summary>Creates the scheduler (it does not change the rates until a reduction).</summary>
    /// <param name="optimizer">The optimiser.</param>
    /// <param name="mode">Whether the metric should fall or rise.</param>
    /// <param name="factor">Multiplier of the rate at a reduction, in (0, 1).</param>
    /// <param name="patience">Epochs without improvement tolerated before a reduction.</param>
    /// <param name="threshold">Minimum significant change.</param>
    /// <param name="thresholdMode">Relative or absolute threshold.</param>
    /// <param name="cooldown">Epochs after a reduction during which bad epochs are not counted.</param>
    /// <param name="minLearningRate">Lower bound of the rates.</param>
    /// <param name="eps">Reductions smaller than this are skipped.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is not in (0, 1).</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Relative, int cooldown = 0, double minLearningRate = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), $"Factor {factor} is not in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        Optimizer = optimizer; Mode = mode; Factor = factor; Patience = patience; Threshold = threshold;
        ThresholdMode = thresholdMode; Cooldown = cooldown; Eps = eps;
        _minRates = new double[optimizer.ParamGroups.Count];
        Array.Fill(_minRates, minLearningRate);
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether the metric should fall or rise.</summary>
    public PlateauMode Mode { get; }

    /// <summary>Rate multiplier at a reduction.</summary>
    public double Factor { get; }

    /// <summary>Bad epochs tolerated.</summary>
    public int Patience { get; }

    /// <summary>Minimum significant change.</summary>
    public double Threshold { get; }

    /// <summary>Relative or absolute threshold.</summary>
    public ThresholdMode ThresholdMode { get; }

    /// <summary>Cooldown epochs after a reduction.</summary>
    public int Cooldown { get; }

    /// <summary>Smallest reduction applied.</summary>
    public double Eps { get; }

    /// <summary>The best metric so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Remaining cooldown epochs.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Number of <see cref="Step"/> calls.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Records the metric of one epoch and reduces the rates if it has plateaued.</summary>
    /// <param name="metric">The monitored value (e.g. validation loss).</param>
    public void Step(double metric)
    {
        LastEpoch++;
        if (IsBetter(metric)) { Best = metric; NumBadEpochs = 0; }
        else NumBadEpochs++;
        if (CooldownCounter > 0) { CooldownCounter--; NumBadEpochs = 0; }
        if (NumBadEpochs > Patience)
        {
            for (int i = 0; i < _minRates.Length; i++)
            {
                var g = Optimizer.ParamGroups[i];
                double newLr = Math.Max(g.LearningRate * Factor, _minRates[i]);
                if (g.LearningRate - newLr > Eps) g.LearningRate = newLr;
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
    }

    private bool IsBetter(double a) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Relative) => a < Best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Absolute) => a < Best - Threshold,
        (PlateauMode.Max, ThresholdMode.Relative) => a > Best * (1 + Threshold),
        _ => a > Best + Threshold,
    };

    /// <summary>The scheduler's state: best metric, bad-epoch and cooldown counters, epoch.</summary>
    public OptimizerState GetState()
    {
        var s = new OptimizerState();
        s.Scalars["best"] = Best;
        s.Scalars["num_bad_epochs"] = NumBadEpochs;
        s.Scalars["cooldown_counter"] = CooldownCounter;
        s.Scalars["last_epoch"] = LastEpoch;
        return s;
    }

    /// <summary>Restores <see cref="GetState"/>'s result.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentException">A key is missing.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double Get(string k) => state.Scalars.TryGetValue(k, out double v) ? v
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ReduceLROnPlateau.LoadState: '{k}' is missing."), nameof(state));
        Best = Get("best");
        NumBadEpochs = (int)Get("num_bad_epochs");
        CooldownCounter = (int)Get("cooldown_counter");
        LastEpoch = (int)Get("last_epoch");
    }
}
