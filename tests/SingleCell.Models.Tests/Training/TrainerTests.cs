using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Training;

public class TrainerTests
{
    /// <summary>y = 3x − 1 + noise; the task is a one-feature linear regression with a "KL" term that records the weight.</summary>
    private sealed class Regression : ITrainingTask
    {
        private readonly float[] _x, _y;
        public readonly Linear Layer = new(1, 1, new Generator(5));
        public float PoisonAtStep = -1;
        public List<double> KlWeights { get; } = [];
        public int Calls;

        public Regression(int n)
        {
            var g = new Generator(11);
            _x = new float[n]; _y = new float[n];
            for (int i = 0; i < n; i++) { _x[i] = (float)g.NextNormal(); _y[i] = 3 * _x[i] - 1 + 0.01f * (float)g.NextNormal(); }
        }

        public Module Module => Layer;
        public int ItemCount => _x.Length;

        public LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
        {
            Calls++;
            var xb = new float[batch.Length]; var yb = new float[batch.Length];
            for (int i = 0; i < batch.Length; i++) { xb[i] = _x[batch[i]]; yb[i] = _y[batch[i]]; }
            var pred = Layer.Forward(Tensor.FromArray(xb, batch.Length, 1));
            var mse = (pred - Tensor.FromArray(yb, batch.Length, 1)).Square().Mean();
            if (context.IsTraining && context.Step == 0) KlWeights.Add(context.KlWeight);
            if (context.IsTraining && context.Epoch * 1000 + context.Step == PoisonAtStep) mse = mse * float.NaN;
            return new LossOutput(mse, Reconstruction: mse.Item(), KlLocal: context.KlWeight);
        }
    }

    [Test]
    public void Loss_falls_and_history_records_every_term_for_train_and_validation()
    {
        var task = new Regression(400);
        var h = new Trainer(new TrainerOptions { MaxEpochs = 30, BatchSize = 32, LearningRate = 0.05, KlWarmupEpochs = 10, Seed = 3 }).Fit(task);
        Assert.That(h.Epochs, Is.EqualTo(30));
        Assert.That(h.Series("loss_train")[^1], Is.LessThan(h.Series("loss_train")[0] / 100));
        Assert.That(h.Last("reconstruction_loss_validation"), Is.LessThan(1e-2));
        foreach (var key in new[] { "loss_train", "elbo_train", "kl_local_train", "elbo_validation", "kl_weight", "learning_rate", "seconds" })
            Assert.That(h.Series(key), Has.Count.EqualTo(30), key);
        Assert.That(h.TrainIndices.Length + h.ValidationIndices.Length, Is.EqualTo(400));
        Assert.That(h.TrainIndices.Length, Is.EqualTo(360));
        Assert.That(h.TrainIndices.Intersect(h.ValidationIndices), Is.Empty);
        Assert.That(task.Module.IsTraining, Is.False, "the module is left in eval mode");
        Assert.That(task.Layer.Weight.Value.ToArray()[0], Is.EqualTo(3f).Within(0.05));
    }

    [Test]
    public void Kl_warmup_is_linear_in_the_epoch_from_zero()
    {
        var task = new Regression(64);
        new Trainer(new TrainerOptions { MaxEpochs = 6, BatchSize = 16, KlWarmupEpochs = 4 }).Fit(task);
        Assert.That(task.KlWeights, Is.EqualTo(new[] { 0.0, 0.25, 0.5, 0.75, 1.0, 1.0 }));
    }

    [Test]
    public void Split_is_seeded_and_partial_last_batch_below_minimum_is_dropped()
    {
        var (a, b) = Trainer.Split(100, 0.9, 7);
        var (c, d) = Trainer.Split(100, 0.9, 7);
        Assert.That(a, Is.EqualTo(c)); Assert.That(b, Is.EqualTo(d));
        Assert.That(Trainer.Split(100, 0.9, 8).Train, Is.Not.EqualTo(a));
        // 66 training items, batch 32: batches of 32, 32 and 2; the last (2 < 3) is dropped.
        var task = new Regression(66);
        new Trainer(new TrainerOptions { MaxEpochs = 1, BatchSize = 32, TrainSize = 1 }).Fit(task);
        Assert.That(task.Calls, Is.EqualTo(2));
    }

    [Test]
    public void Early_stopping_stops_when_validation_stops_improving()
    {
        var task = new Regression(200);
        var h = new Trainer(new TrainerOptions
        {
            MaxEpochs = 500, BatchSize = 20, LearningRate = 0.05, EarlyStopping = true,
            EarlyStoppingMonitor = "reconstruction_loss_validation", EarlyStoppingPatience = 5, EarlyStoppingMinDelta = 1e-4,
        }).Fit(task);
        Assert.That(h.StopReason, Is.EqualTo("early_stopping"));
        Assert.That(h.Epochs, Is.LessThan(500));
        Assert.That(h.BestEpoch, Is.EqualTo(h.Epochs - 1 - 5));
    }

    [Test]
    public void Non_finite_loss_stops_with_epoch_step_and_term()
    {
        var task = new Regression(100) { PoisonAtStep = 2 * 1000 + 1 };
        var ex = Assert.Throws<NonFiniteLossException>(() =>
            new Trainer(new TrainerOptions { MaxEpochs = 5, BatchSize = 10, TrainSize = 1 }).Fit(task));
        Assert.That(ex!.Epoch, Is.EqualTo(2));
        Assert.That(ex.Step, Is.EqualTo(1));
        Assert.That(ex.Term, Is.EqualTo("loss"));
        Assert.That(ex.Message, Does.Contain("epoch 2").And.Contain("step 1"));
    }

    [Test]
    public void Progress_is_reported_every_step_and_cancellation_is_honoured()
    {
        var task = new Regression(100);
        var reports = new List<TrainingProgress>();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { reports.Add(p); if (p.Epoch == 1 && p.Step == 2) cts.Cancel(); });
        var h = new Trainer(new TrainerOptions { MaxEpochs = 10, BatchSize = 10, TrainSize = 1 }).Fit(task, progress, cts.Token);
        Assert.That(h.StopReason, Is.EqualTo("cancelled"));
        Assert.That(h.Epochs, Is.EqualTo(1));
        // Epoch 0: 10 steps + 1 end-of-epoch report; epoch 1: steps 0, 1, 2.
        Assert.That(reports, Has.Count.EqualTo(14));
        Assert.That(reports[10].EndOfEpoch, Is.True);
        Assert.That(reports[3].Losses.ContainsKey("loss"), Is.True);
        Assert.That(reports[^1].Fraction, Is.EqualTo(0.13).Within(1e-9)); // (1 + 3/10) / 10 epochs
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
