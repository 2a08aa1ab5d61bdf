using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Training;

/// <summary>
/// The training loop every model uses, and nothing model-specific: a seeded train/validation split,
/// shuffled mini-batches, the optimiser, schedule and clipping the plan and the options ask for,
/// validation every epoch (batch-averaged loss terms plus the plan's whole-set metrics), early
/// stopping with optional best-weight restoration, a per-epoch history, a NaN/∞ guard that names the
/// term and restores the last good state, progress reports and cancellation checked every step.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer with the given settings (null: the plan's defaults throughout).</summary>
    /// <param name="options">Settings; unset values come from the plan's <see cref="TrainingPlan.Defaults"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public Trainer(TrainerOptions? options = null)
    {
        _options = options ?? new TrainerOptions();
        _options.Validate();
    }

    /// <summary>The settings as given (before the plan's defaults are applied).</summary>
    public TrainerOptions Options => _options;

    /// <summary>Splits 0 … n − 1 into training and validation indices with a seeded permutation (as scvi-tools' DataSplitter).</summary>
    /// <param name="itemCount">Number of items.</param>
    /// <param name="trainSize">Fraction for training.</param>
    /// <param name="seed">Seed.</param>
    public static (int[] Train, int[] Validation) Split(int itemCount, double trainSize, ulong seed)
    {
        var perm = new Generator(seed).Permutation(itemCount);
        int nTrain = trainSize >= 1 ? itemCount : (int)Math.Ceiling(trainSize * itemCount);
        nTrain = Math.Clamp(nTrain, Math.Min(1, itemCount), itemCount);
        return (perm[..nTrain], perm[nTrain..]);
    }

    /// <summary>Trains <paramref name="plan"/> on a seeded split of its items and returns the history.</summary>
    /// <param name="plan">The model's training plan.</param>
    /// <param name="progress">Receives a report after every step and every epoch.</param>
    /// <param name="cancellationToken">Checked before every step; cancelling ends training with <see cref="TrainingHistory.StopReason"/> "cancelled" and the model as after its last completed step.</param>
    /// <exception cref="NonFiniteLossException">A loss term or gradient became NaN or ∞ (the model is restored to its last good state first).</exception>
    public TrainingHistory Fit(TrainingPlan plan, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var o = _options.Over(plan.Defaults);
        var (train, validation) = Split(plan.ItemCount, o.TrainSize ?? 0.9, o.Seed);
        return Fit(plan, train, validation, progress, cancellationToken);
    }

    /// <summary>Trains on explicit training and validation indices.</summary>
    /// <param name="plan">The model's training plan.</param>
    /// <param name="trainIndices">Items to train on.</param>
    /// <param name="validationIndices">Items to validate on (may be empty).</param>
    /// <param name="progress">Receives a report after every step and every epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <exception cref="NonFiniteLossException">A loss term or gradient became NaN or ∞.</exception>
    public TrainingHistory Fit(TrainingPlan plan, int[] trainIndices, int[] validationIndices,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(trainIndices);
        ArgumentNullException.ThrowIfNull(validationIndices);
        if (trainIndices.Length == 0) throw new ArgumentException("Fit: no training items.", nameof(trainIndices));
        var o = _options.Over(plan.Defaults);
        o.Validate();
        int maxEpochs = o.MaxEpochs ?? 400, batchSize = o.BatchSize ?? 128;
        var monitor = o.Monitor ?? plan.Monitor;
        bool earlyStopping = o.EarlyStopping ?? false, restoreBest = o.RestoreBestWeights ?? false;
        if (validationIndices.Length == 0 && (earlyStopping || restoreBest || o.Scheduler is SchedulerOptions.PlateauSchedule))
        {
            // Nothing to monitor without a validation set (e.g. TrainSize = 1): train for MaxEpochs and keep the last weights.
            o.Logger?.LogWarning("No validation items: early stopping, best-weight restoration and the plateau schedule are off for this run.");
            earlyStopping = restoreBest = false;
            o = o with { Scheduler = o.Scheduler is SchedulerOptions.PlateauSchedule ? null : o.Scheduler };
        }
        var module = plan.Module;
        var history = new TrainingHistory { TrainIndices = trainIndices, ValidationIndices = validationIndices };
        var named = module.NamedParameters().Where(kv => kv.Value.RequiresGrad).ToArray();
        var parameters = named.Select(kv => kv.Value).ToList();
        var optimizer = CreateOptimizer(parameters, o);
        var schedule = new SchedulerOptions.Runner(o.Scheduler, optimizer, monitor.Minimize);
        var gradients = new GradientRecycler(parameters);
        var shuffle = new Generator(o.Seed ^ 0x5DEECE66DUL);
        int batchesPerEpoch = CountBatches(trainIndices.Length, batchSize, o.DropLast ?? false, o.MinLastBatchSize ?? 3);
        var epochStart = o.NonFiniteGuard ? StateSnapshot.OfState(module) : null;
        var buffersBeforeStep = o.NonFiniteGuard ? StateSnapshot.OfBuffers(module) : null;
        var best = restoreBest ? StateSnapshot.OfState(module) : null;
        double bestValue = monitor.Minimize ? double.PositiveInfinity : double.NegativeInfinity;
        int sinceBest = 0;
        long globalStep = 0;
        var clock = Stopwatch.StartNew();
        var order = (int[])trainIndices.Clone();
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);

        try
        {
            for (int epoch = 0; epoch < maxEpochs; epoch++)
            {
                var epochValues = plan.OnEpochStart(epoch, maxEpochs);
                shuffle.Shuffle<int>(order);
                module.Train();
                epochStart?.Capture(optimizer, epoch);
                var epochClock = Stopwatch.StartNew();
                sums.Clear();
                long seen = 0;
                for (int step = 0; step < batchesPerEpoch; step++)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        history.StopReason = "cancelled";
                        return history;
                    }
                    var batch = order.AsSpan(step * batchSize, Math.Min(batchSize, order.Length - step * batchSize));
                    buffersBeforeStep?.Capture();
                    var loss = plan.Loss(batch, new LossContext(epoch, step, globalStep, maxEpochs, true, trainIndices.Length));
                    gradients.ReleaseAndClear();
                    if (o.NonFiniteGuard) CheckFinite(loss, epoch, step, module, optimizer, buffersBeforeStep!, epochStart!);
                    loss.Total.Backward();
                    if (o.NonFiniteGuard) CheckGradients(named, epoch, step, module, optimizer, buffersBeforeStep!, epochStart!);
                    if (o.GradientClipValue is double clipValue) GradientClipping.ClipGradValue(parameters, (float)clipValue);
                    if (o.GradientClipNorm is double clipNorm) GradientClipping.ClipGradNorm(parameters, clipNorm);
                    optimizer.Step();
                    gradients.Remember();
                    plan.AfterStep();
                    schedule.AfterStep();
                    globalStep++;
                    history.Steps++;
                    var terms = Accumulate(sums, loss, batch.Length);
                    seen += batch.Length;
                    if (progress != null)
                    {
                        var elapsed = clock.Elapsed;
                        double done = epoch + (step + 1.0) / batchesPerEpoch;
                        var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (maxEpochs - done));
                        progress.Report(new TrainingProgress(epoch, maxEpochs, step, batchesPerEpoch, terms, elapsed, eta, false));
                    }
                }
                foreach (var kv in sums) history.Record(kv.Key + "_train", kv.Value / Math.Max(1, seen));
                if (validationIndices.Length > 0)
                {
                    var context = new LossContext(epoch, 0, globalStep, maxEpochs, false, trainIndices.Length);
                    foreach (var kv in Evaluate(plan, validationIndices, context, batchSize)) history.Record(kv.Key + "_validation", kv.Value);
                }
                if (epochValues != null) foreach (var kv in epochValues) history.Record(kv.Key, kv.Value);
                history.Record("learning_rate", optimizer.ParamGroups[0].LearningRate);
                history.Record("seconds", epochClock.Elapsed.TotalSeconds);
                history.EndEpoch();

                var summary = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var key in history.Keys) summary[key] = history.Last(key);
                o.Logger?.LogInformation("epoch {Epoch}/{MaxEpochs}: {Summary}", epoch + 1, maxEpochs,
                    string.Join(", ", summary.Select(kv => $"{kv.Key}={kv.Value:G5}")));
                if (progress != null)
                {
                    var elapsed = clock.Elapsed;
                    var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / (epoch + 1) * (maxEpochs - epoch - 1));
                    progress.Report(new TrainingProgress(epoch, maxEpochs, batchesPerEpoch - 1, batchesPerEpoch, summary, elapsed, eta, true));
                }

                double? watched = null;
                if (earlyStopping || restoreBest || schedule.NeedsMetric)
                {
                    if (!summary.TryGetValue(monitor.Name, out double value))
                        throw new InvalidOperationException($"Training monitors '{monitor.Name}', which is not recorded (is there a validation set?). Recorded: {string.Join(", ", summary.Keys)}.");
                    watched = value;
                    double delta = o.EarlyStoppingMinDelta ?? 0;
                    bool improved = monitor.Minimize ? value < bestValue - delta : value > bestValue + delta;
                    if (improved)
                    {
                        bestValue = value; sinceBest = 0; history.BestEpoch = epoch;
                        best?.Capture(null, epoch);
                    }
                    else sinceBest++;
                }
                schedule.AfterEpoch(watched);
                if (earlyStopping && sinceBest >= (o.EarlyStoppingPatience ?? 45))
                {
                    history.StopReason = "early_stopping";
                    break;
                }
            }
            if (best != null && best.Epoch >= 0 && best.Epoch != history.Epochs - 1)
            {
                best.Restore();
                history.RestoredEpoch = best.Epoch;
            }
            return history;
        }
        catch (NonFiniteLossException e)
        {
            e.History = history;
            throw;
        }
        finally
        {
            module.Eval();
        }
    }

    /// <summary>Mean loss terms over <paramref name="indices"/> and the plan's whole-set metrics, in eval mode without gradients.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="indices">Items to evaluate.</param>
    /// <param name="context">The loss context (IsTraining should be false).</param>
    /// <param name="batchSize">Items per batch.</param>
    public static Dictionary<string, double> Evaluate(TrainingPlan plan, int[] indices, LossContext context, int batchSize = 128)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var module = plan.Module;
        bool wasTraining = module.IsTraining;
        module.Eval();
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        long seen = 0;
        try
        {
            using (Tensor.NoGrad())
            {
                for (int start = 0, step = 0; start < indices.Length; start += batchSize, step++)
                {
                    var batch = indices.AsSpan(start, Math.Min(batchSize, indices.Length - start));
                    var loss = plan.Loss(batch, context with { Step = step, IsTraining = false });
                    Accumulate(sums, loss, batch.Length);
                    seen += batch.Length;
                }
                foreach (var key in sums.Keys.ToArray()) sums[key] /= Math.Max(1, seen);
                var extra = plan.ValidationMetrics(indices, context with { IsTraining = false });
                if (extra != null) foreach (var kv in extra) sums[kv.Key] = kv.Value;
            }
        }
        finally { module.Train(wasTraining); }
        return sums;
    }

    private static int CountBatches(int n, int batchSize, bool dropLast, int minLast)
    {
        int full = n / batchSize, rest = n % batchSize;
        if (dropLast) return Math.Max(full, rest > 0 && full == 0 ? 1 : 0);
        // The last, partial batch is kept unless it is smaller than minLast (and not the only one).
        return full + (rest > 0 && (rest >= minLast || full == 0) ? 1 : 0);
    }

    private static Dictionary<string, double> Accumulate(Dictionary<string, double> sums, LossOutput loss, int batchSize)
    {
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in loss.AllTerms())
        {
            terms[key] = value;
            sums[key] = sums.GetValueOrDefault(key) + value * batchSize;
        }
        return terms;
    }

    private static Optimizer CreateOptimizer(IReadOnlyList<Parameter> parameters, TrainerOptions o)
    {
        double lr = o.LearningRate ?? 1e-3, eps = o.Eps ?? 1e-8, wd = o.WeightDecay ?? 0;
        return o.Optimizer switch
        {
            OptimizerKind.AdamW => new AdamW(parameters, learningRate: lr, eps: eps, weightDecay: wd),
            OptimizerKind.Sgd => new Sgd(parameters, learningRate: lr, momentum: o.Momentum ?? 0, weightDecay: wd),
            _ => new Adam(parameters, learningRate: lr, eps: eps, weightDecay: wd),
        };
    }

    /// <summary>
    /// A non-finite term: the optimiser has not stepped, so parameters and optimiser state are those
    /// of the last good step; only the buffers (running statistics) moved in this forward pass.
    /// </summary>
    private static void CheckFinite(LossOutput loss, int epoch, int step, Module module, Optimizer optimizer, StateSnapshot buffers, StateSnapshot epochStart)
    {
        string? bad = null; double badValue = 0;
        if (loss.Terms != null)
            foreach (var (key, value) in loss.Terms)
                if (!double.IsFinite(value)) { bad = key; badValue = value; break; }
        if (bad == null)
        {
            double total = loss.Total.Item();
            if (!double.IsFinite(total)) { bad = LossOutput.TotalName; badValue = total; }
        }
        if (bad == null) return;
        RestoreGood(module, optimizer, buffers, epochStart);
        throw new NonFiniteLossException(epoch, step, bad, badValue);
    }

    private static void CheckGradients(KeyValuePair<string, Parameter>[] parameters, int epoch, int step, Module module, Optimizer optimizer, StateSnapshot buffers, StateSnapshot epochStart)
    {
        foreach (var (name, p) in parameters)
        {
            var g = p.Grad;
            if (g == null || !g.HasNonFinite()) continue;
            RestoreGood(module, optimizer, buffers, epochStart);
            throw new NonFiniteLossException(epoch, step, "gradient of " + name, double.NaN);
        }
    }

    private static void RestoreGood(Module module, Optimizer optimizer, StateSnapshot buffers, StateSnapshot epochStart)
    {
        buffers.Restore();
        // Finite gradients can still step a parameter to ∞ (a huge learning rate); then the last
        // state known to be good is the one this epoch started from.
        if (!StateSnapshot.AllFinite(module)) epochStart.Restore(optimizer);
        module.ZeroGrad();
        module.Eval();
    }
}
