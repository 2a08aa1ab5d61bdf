using SingleCell.Models.Tensors.Kernels;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Training;

/// <summary>
/// The training loop every model uses: a seeded train/validation split, shuffled mini-batches,
/// KL warm-up, an optimiser with optional clipping and plateau schedule, validation every epoch,
/// early stopping, a per-epoch history of every loss term, a NaN/∞ guard, progress reports and
/// cancellation checked every step.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer with the given settings.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    public Trainer(TrainerOptions? options = null)
    {
        _options = options ?? new TrainerOptions();
        _options.Validate();
    }

    /// <summary>The settings.</summary>
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

    /// <summary>Trains <paramref name="task"/> and returns the history.</summary>
    /// <param name="task">The model's network, data size and loss.</param>
    /// <param name="progress">Receives a report after every step and every epoch.</param>
    /// <param name="cancellationToken">Checked before every step; cancelling ends training after the current step (history kept, <see cref="TrainingHistory.StopReason"/> = "cancelled").</param>
    /// <exception cref="NonFiniteLossException">A loss term or gradient became NaN or ∞.</exception>
    public TrainingHistory Fit(ITrainingTask task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var (train, validation) = Split(task.ItemCount, _options.TrainSize, _options.Seed);
        return Fit(task, train, validation, progress, cancellationToken);
    }

    /// <summary>Trains on explicit training and validation indices.</summary>
    /// <param name="task">The model's network, data size and loss.</param>
    /// <param name="trainIndices">Items to train on.</param>
    /// <param name="validationIndices">Items to validate on (may be empty).</param>
    /// <param name="progress">Receives a report after every step and every epoch.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    public TrainingHistory Fit(ITrainingTask task, int[] trainIndices, int[] validationIndices,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(trainIndices);
        ArgumentNullException.ThrowIfNull(validationIndices);
        if (trainIndices.Length == 0) throw new ArgumentException("Fit: no training items.", nameof(trainIndices));
        var o = _options;
        var history = new TrainingHistory { TrainIndices = trainIndices, ValidationIndices = validationIndices };
        var named = task.Module.NamedParameters().Where(kv => kv.Value.RequiresGrad).ToArray();
        var parameters = named.Select(kv => kv.Value).ToList();
        var optimizer = CreateOptimizer(parameters);
        var stepGradients = new float[]?[parameters.Count];
        var shuffle = new Generator(o.Seed ^ 0x5DEECE66DUL);
        int batchesPerEpoch = CountBatches(trainIndices.Length);
        var clock = Stopwatch.StartNew();
        double best = o.EarlyStoppingMinimize ? double.PositiveInfinity : double.NegativeInfinity;
        int sinceBest = 0;
        var plateau = o.ReduceLrOnPlateau
            ? new ReduceLROnPlateau(optimizer, o.EarlyStoppingMinimize ? PlateauMode.Min : PlateauMode.Max, o.ReduceLrFactor, o.ReduceLrPatience)
            : null;
        var order = (int[])trainIndices.Clone();

        for (int epoch = 0; epoch < o.MaxEpochs; epoch++)
        {
            double klWeight = o.KlWarmupEpochs > 0 ? Math.Min(1.0, (double)epoch / o.KlWarmupEpochs) : 1.0;
            shuffle.Shuffle<int>(order);
            task.Module.Train();
            var epochClock = Stopwatch.StartNew();
            var sums = new Dictionary<string, double>(StringComparer.Ordinal);
            long seen = 0;
            for (int step = 0; step < batchesPerEpoch; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    history.StopReason = "cancelled";
                    return history;
                }
                var batch = order.AsSpan(step * o.BatchSize, Math.Min(o.BatchSize, order.Length - step * o.BatchSize));
                var ctx = new LossContext(epoch, step, klWeight, true, trainIndices.Length);
                var loss = task.Loss(batch, ctx);
                if (o.NonFiniteGuard) CheckFinite(loss, epoch, step);
                RecycleGradients(parameters, stepGradients);
                loss.Total.Backward();
                if (o.NonFiniteGuard) CheckGradients(named, epoch, step);
                if (o.GradientClipNorm is double clip) GradientClipping.ClipGradNorm(parameters, clip);
                optimizer.Step();
                for (int i = 0; i < parameters.Count; i++) stepGradients[i] = parameters[i].Grad?._data;
                var terms = Accumulate(sums, loss, batch.Length);
                seen += batch.Length;
                if (progress != null)
                {
                    var elapsed = clock.Elapsed;
                    double done = epoch + (step + 1.0) / batchesPerEpoch;
                    var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / done * (o.MaxEpochs - done));
                    progress.Report(new TrainingProgress(epoch, o.MaxEpochs, step, batchesPerEpoch, terms, elapsed, eta, false));
                }
            }
            foreach (var kv in sums) history.Record(kv.Key + "_train", kv.Value / Math.Max(1, seen));

            if (validationIndices.Length > 0)
            {
                var vsums = Evaluate(task, validationIndices, epoch, klWeight, trainIndices.Length);
                foreach (var kv in vsums) history.Record(kv.Key + "_validation", kv.Value);
            }
            history.Record("kl_weight", klWeight);
            history.Record("learning_rate", optimizer.ParamGroups[0].LearningRate);
            history.Record("seconds", epochClock.Elapsed.TotalSeconds);
            history.EndEpoch();

            var summary = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var key in history.Keys) summary[key] = history.Last(key);
            o.Logger?.LogInformation("epoch {Epoch}/{MaxEpochs}: {Summary}", epoch + 1, o.MaxEpochs,
                string.Join(", ", summary.Select(kv => $"{kv.Key}={kv.Value:G5}")));
            if (progress != null)
            {
                var elapsed = clock.Elapsed;
                var eta = TimeSpan.FromSeconds(elapsed.TotalSeconds / (epoch + 1) * (o.MaxEpochs - epoch - 1));
                progress.Report(new TrainingProgress(epoch, o.MaxEpochs, batchesPerEpoch - 1, batchesPerEpoch, summary, elapsed, eta, true));
            }

            if (o.EarlyStopping || o.ReduceLrOnPlateau)
            {
                if (!summary.TryGetValue(o.EarlyStoppingMonitor, out double value))
                    throw new InvalidOperationException($"Early stopping monitors '{o.EarlyStoppingMonitor}', which is not recorded. Recorded: {string.Join(", ", summary.Keys)}.");
                bool improved = o.EarlyStoppingMinimize ? value < best - o.EarlyStoppingMinDelta : value > best + o.EarlyStoppingMinDelta;
                if (improved) { best = value; sinceBest = 0; history.BestEpoch = epoch; }
                else sinceBest++;
                plateau?.Step(value);
                if (o.EarlyStopping && sinceBest >= o.EarlyStoppingPatience)
                {
                    history.StopReason = "early_stopping";
                    break;
                }
            }
        }
        task.Module.Eval();
        return history;
    }

    /// <summary>Mean loss terms over <paramref name="indices"/> in eval mode without gradients.</summary>
    /// <param name="task">The task.</param>
    /// <param name="indices">Items to evaluate.</param>
    /// <param name="epoch">Epoch for the loss context.</param>
    /// <param name="klWeight">KL weight for the loss context.</param>
    /// <param name="trainItemCount">Training-set size for the loss context.</param>
    public Dictionary<string, double> Evaluate(ITrainingTask task, int[] indices, int epoch, double klWeight, int trainItemCount)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(indices);
        bool wasTraining = task.Module.IsTraining;
        task.Module.Eval();
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        long seen = 0;
        using (Tensor.NoGrad())
        {
            for (int start = 0, step = 0; start < indices.Length; start += _options.BatchSize, step++)
            {
                var batch = indices.AsSpan(start, Math.Min(_options.BatchSize, indices.Length - start));
                var loss = task.Loss(batch, new LossContext(epoch, step, klWeight, false, trainItemCount));
                Accumulate(sums, loss, batch.Length);
                seen += batch.Length;
            }
        }
        task.Module.Train(wasTraining);
        foreach (var key in sums.Keys.ToArray()) sums[key] /= Math.Max(1, seen);
        return sums;
    }

    private int CountBatches(int n)
    {
        int full = n / _options.BatchSize, rest = n % _options.BatchSize;
        // The last, partial batch is kept unless it is smaller than MinLastBatchSize (and not the only one).
        return full + (rest > 0 && (rest >= _options.MinLastBatchSize || full == 0) ? 1 : 0);
    }

    private static Dictionary<string, double> Accumulate(Dictionary<string, double> sums, LossOutput loss, int batchSize)
    {
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in loss.Terms())
        {
            terms[key] = value;
            sums[key] = sums.GetValueOrDefault(key) + value * batchSize;
        }
        return terms;
    }

    private Optimizer CreateOptimizer(IReadOnlyList<Parameter> parameters)
    {
        var o = _options;
        return o.Optimizer switch
        {
            OptimizerKind.AdamW => new AdamW(parameters, learningRate: o.LearningRate, eps: o.Eps, weightDecay: o.WeightDecay),
            OptimizerKind.Sgd => new Sgd(parameters, learningRate: o.LearningRate, momentum: o.Momentum, weightDecay: o.WeightDecay),
            _ => new Adam(parameters, learningRate: o.LearningRate, eps: o.Eps, weightDecay: o.WeightDecay),
        };
    }

    /// <summary>
    /// Clears the gradients before a backward pass. Buffers this trainer's previous step produced are
    /// dead once the optimiser has used them (no caller has seen them), so they go back to the
    /// engine's buffer pool and the next backward pass reuses them instead of allocating; any other
    /// gradient (set by the caller before <c>Fit</c>) is only dropped.
    /// </summary>
    private static void RecycleGradients(List<Parameter> parameters, float[]?[] stepGradients)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].Grad;
            if (grad != null && ReferenceEquals(grad._data, stepGradients[i])) BufferPool.Return(grad._data);
            stepGradients[i] = null;
            parameters[i].ZeroGrad();
        }
    }

    private static void CheckFinite(LossOutput loss, int epoch, int step)
    {
        foreach (var (key, value) in loss.Terms())
            if (!double.IsFinite(value)) throw new NonFiniteLossException(epoch, step, key, value);
    }

    private static void CheckGradients(KeyValuePair<string, Parameter>[] parameters, int epoch, int step)
    {
        foreach (var (name, p) in parameters)
        {
            var g = p.Grad;
            if (g != null && g.HasNonFinite()) throw new NonFiniteLossException(epoch, step, "gradient of " + name, double.NaN);
        }
    }
}
