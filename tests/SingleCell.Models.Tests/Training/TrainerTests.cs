using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Training;

public class TrainerTests
{
    /// <summary>y = 3x − 1 + noise: a one-feature linear regression behind BatchNorm, with a "warm-up" value recorded per epoch.</summary>
    private sealed class Regression : TrainingPlan
    {
        private readonly float[] _x, _y;
        private readonly Net _net = new();
        public float PoisonAtStep = -1;
        public string PoisonTerm = "mse";
        public List<double> Warmups { get; } = [];
        public int Calls, AfterSteps;
        private double _warmup;
        public TrainerOptions PlanDefaults = new();

        public Regression(int n)
        {
            var g = new Generator(11);
            _x = new float[n]; _y = new float[n];
            for (int i = 0; i < n; i++) { _x[i] = (float)g.NextNormal(); _y[i] = 3 * _x[i] - 1 + 0.01f * (float)g.NextNormal(); }
        }

        public sealed class Net : Module
        {
            public Net()
            {
                Norm = RegisterModule("norm", new BatchNorm1d(1));
                Layer = RegisterModule("layer", new Linear(1, 1, new Generator(5)));
            }

            public BatchNorm1d Norm { get; }

            public Linear Layer { get; }
        }

        public Net Network => _net;
        public override Module Module => _net;
        public override int ItemCount => _x.Length;
        public override TrainerOptions Defaults => PlanDefaults;
        public override MonitoredMetric Monitor => new("mse_validation");

        public override IReadOnlyDictionary<string, double> OnEpochStart(int epoch, int maxEpochs)
        {
            _warmup = Math.Min(1.0, epoch / 4.0);
            Warmups.Add(_warmup);
            return new Dictionary<string, double> { ["warmup"] = _warmup };
        }

        public override void AfterStep() => AfterSteps++;

        public override IReadOnlyDictionary<string, double> ValidationMetrics(int[] validationItems, LossContext context) =>
            new Dictionary<string, double> { ["items"] = validationItems.Length };

        public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
        {
            Calls++;
            var xb = new float[batch.Length]; var yb = new float[batch.Length];
            for (int i = 0; i < batch.Length; i++) { xb[i] = _x[batch[i]]; yb[i] = _y[batch[i]]; }
            bool poison = context.IsTraining && context.Epoch * 1000 + context.Step == PoisonAtStep;
            if (poison && PoisonTerm == "input") xb[0] = float.NaN;
            var pred = _net.Layer.Forward(_net.Norm.Forward(Tensor.FromArray(xb, batch.Length, 1)));
            var mse = (pred - Tensor.FromArray(yb, batch.Length, 1)).Square().Mean();
            double extra = poison && PoisonTerm == "extra" ? double.PositiveInfinity : _warmup;
            return new LossOutput(mse, new Dictionary<string, double> { ["mse"] = mse.Item(), ["extra"] = extra });
        }
    }

    [Test]
    public void Loss_falls_and_history_records_every_term_for_train_and_validation()
    {
        var plan = new Regression(400);
        var h = new Trainer(new TrainerOptions { MaxEpochs = 30, BatchSize = 32, LearningRate = 0.05, Seed = 3 }).Fit(plan);
        Assert.That(h.Epochs, Is.EqualTo(30));
        // BatchNorm's batch statistics add noise to the training loss; validation runs on the running statistics.
        Assert.That(h.Series("loss_train")[^1], Is.LessThan(h.Series("loss_train")[0] / 5));
        Assert.That(h.Last("mse_validation"), Is.LessThan(h.Series("mse_validation")[0] / 20));
        foreach (var key in new[] { "loss_train", "mse_train", "extra_train", "mse_validation", "items_validation", "warmup", "learning_rate", "seconds" })
            Assert.That(h.Series(key), Has.Count.EqualTo(30), key);
        Assert.That(h.Last("items_validation"), Is.EqualTo(40), "the plan's whole-set metric sees every validation item");
        Assert.That(h.TrainIndices.Length, Is.EqualTo(360));
        Assert.That(h.TrainIndices.Intersect(h.ValidationIndices), Is.Empty);
        Assert.That(h.Steps, Is.EqualTo(30 * 12));
        Assert.That(plan.AfterSteps, Is.EqualTo(30 * 12));
        Assert.That(plan.Module.IsTraining, Is.False, "the module is left in eval mode");
        Assert.That(plan.Warmups.Take(6), Is.EqualTo(new[] { 0.0, 0.25, 0.5, 0.75, 1.0, 1.0 }));
    }

    [Test]
    public void Unset_options_take_the_plans_defaults_and_set_ones_override_them()
    {
        var plan = new Regression(64) { PlanDefaults = new TrainerOptions { MaxEpochs = 3, BatchSize = 16, LearningRate = 0.02, TrainSize = 1 } };
        var h = new Trainer(new TrainerOptions { MaxEpochs = 2 }).Fit(plan);
        Assert.That(h.Epochs, Is.EqualTo(2));
        Assert.That(h.Steps, Is.EqualTo(2 * 4), "batch 16 of 64 from the plan");
        Assert.That(h.Last("learning_rate"), Is.EqualTo(0.02));
    }

    [Test]
    public void Step_schedule_halves_the_rate_every_epoch_and_warmup_rises_per_step()
    {
        var h = new Trainer(new TrainerOptions { MaxEpochs = 4, BatchSize = 16, TrainSize = 1, LearningRate = 0.01, Scheduler = SchedulerOptions.Step(1, 0.5) })
            .Fit(new Regression(64));
        // The rate recorded for an epoch is the one it trained with, before the epoch's scheduler step.
        Assert.That(h.Series("learning_rate"), Is.EqualTo(new[] { 0.01, 0.005, 0.0025, 0.00125 }).Within(1e-15));

        var w = new Trainer(new TrainerOptions { MaxEpochs = 3, BatchSize = 16, TrainSize = 1, LearningRate = 0.01, Scheduler = SchedulerOptions.WarmupThenConstant(6, 0.1) })
            .Fit(new Regression(64));
        // 4 steps per epoch: after epoch 0 the schedule has taken 4 of 6 warm-up steps: 0.01 × (0.1 + 0.9 × 4/6).
        Assert.That(w.Series("learning_rate")[0], Is.EqualTo(0.01 * (0.1 + 0.9 * 4 / 6.0)).Within(1e-12));
        Assert.That(w.Series("learning_rate")[1], Is.EqualTo(0.01).Within(1e-12));

        var c = new Trainer(new TrainerOptions { MaxEpochs = 3, BatchSize = 16, TrainSize = 1, LearningRate = 0.01, Scheduler = SchedulerOptions.Cosine(2) })
            .Fit(new Regression(64));
        Assert.That(c.Series("learning_rate")[1], Is.EqualTo(0.005).Within(1e-12), "half way down the cosine");
    }

    [Test]
    public void Split_is_seeded_partial_last_batch_below_minimum_is_dropped_and_drop_last_drops_any()
    {
        var (a, b) = Trainer.Split(100, 0.9, 7);
        var (c, d) = Trainer.Split(100, 0.9, 7);
        Assert.That(a, Is.EqualTo(c)); Assert.That(b, Is.EqualTo(d));
        Assert.That(Trainer.Split(100, 0.9, 8).Train, Is.Not.EqualTo(a));
        var plan = new Regression(66); // batches of 32, 32 and 2; the last (2 < 3) is dropped
        new Trainer(new TrainerOptions { MaxEpochs = 1, BatchSize = 32, TrainSize = 1 }).Fit(plan);
        Assert.That(plan.Calls, Is.EqualTo(2));
        var drop = new Regression(70); // 32, 32, 6: drop-last drops the 6
        new Trainer(new TrainerOptions { MaxEpochs = 1, BatchSize = 32, TrainSize = 1, DropLast = true }).Fit(drop);
        Assert.That(drop.Calls, Is.EqualTo(2));
    }

    [Test]
    public void Early_stopping_stops_when_validation_stops_improving_and_best_weights_come_back()
    {
        var plan = new Regression(200);
        var h = new Trainer(new TrainerOptions
        {
            MaxEpochs = 500, BatchSize = 20, LearningRate = 0.05, EarlyStopping = true, RestoreBestWeights = true,
            EarlyStoppingPatience = 5, EarlyStoppingMinDelta = 1e-4,
        }).Fit(plan);
        Assert.That(h.StopReason, Is.EqualTo("early_stopping"));
        Assert.That(h.Epochs, Is.LessThan(500));
        Assert.That(h.BestEpoch, Is.EqualTo(h.Epochs - 1 - 5));
        Assert.That(h.RestoredEpoch, Is.EqualTo(h.BestEpoch));
        // The restored weights reproduce the best epoch's validation value.
        var again = Trainer.Evaluate(plan, h.ValidationIndices, new LossContext(0, 0, 0, 1, false, h.TrainIndices.Length), 20);
        Assert.That(again["mse"], Is.EqualTo(h.Series("mse_validation")[h.BestEpoch!.Value]).Within(1e-12));
    }

    [Test]
    public void Without_a_validation_set_monitoring_is_off_and_training_runs_all_epochs()
    {
        var plan = new Regression(40) { PlanDefaults = new TrainerOptions { EarlyStopping = true, RestoreBestWeights = true, EarlyStoppingPatience = 1 } };
        var h = new Trainer(new TrainerOptions { MaxEpochs = 4, BatchSize = 10, TrainSize = 1, Scheduler = SchedulerOptions.Plateau() }).Fit(plan);
        Assert.That(h.Epochs, Is.EqualTo(4));
        Assert.That(h.StopReason, Is.EqualTo("max_epochs"));
        Assert.That(h.RestoredEpoch, Is.Null);
    }

    [Test]
    public void Gradient_clipping_by_value_bounds_the_first_update()
    {
        // With SGD and no momentum, one step moves each parameter by lr × clipped gradient ≤ lr × 1e-3.
        var plan = new Regression(32);
        var before = plan.Module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
        new Trainer(new TrainerOptions { MaxEpochs = 1, BatchSize = 32, TrainSize = 1, Optimizer = OptimizerKind.Sgd, LearningRate = 1, GradientClipValue = 1e-3 }).Fit(plan);
        foreach (var (name, p) in plan.Module.NamedParameters())
            for (int i = 0; i < p.Size; i++)
                Assert.That(Math.Abs(p.Value.ToArray()[i] - before[name][i]), Is.LessThanOrEqualTo(1e-3 + 1e-7), name);
    }

    [TestCase("extra", "extra")]
    [TestCase("input", "mse")]
    public void Non_finite_term_is_named_and_the_last_good_state_is_restored(string poison, string term)
    {
        var plan = new Regression(100) { PoisonAtStep = 2 * 1000 + 1, PoisonTerm = poison };
        StateSnapshotProbe? probe = null;
        var progress = new SyncProgress(p => { if (p.Epoch == 2 && p.Step == 0 && !p.EndOfEpoch) probe = new StateSnapshotProbe(plan.Module); });
        var ex = Assert.Throws<NonFiniteLossException>(() =>
            new Trainer(new TrainerOptions { MaxEpochs = 5, BatchSize = 10, TrainSize = 1 }).Fit(plan, progress));
        Assert.That(ex!.Epoch, Is.EqualTo(2));
        Assert.That(ex.Step, Is.EqualTo(1));
        Assert.That(ex.Term, Is.EqualTo(term));
        Assert.That(ex.Message, Does.Contain("epoch 2").And.Contain("step 1").And.Contain(term));
        Assert.That(ex.History!.Steps, Is.EqualTo(21));
        // Parameters, and the BatchNorm running statistics the poisoned forward pass touched, are those after step 0 of epoch 2.
        foreach (var (name, t) in plan.Module.StateDict())
        {
            Assert.That(t.HasNonFinite(), Is.False, name);
            Assert.That(t.ToArray(), Is.EqualTo(probe!.Values[name]), name);
        }
    }

    private sealed class StateSnapshotProbe(Module module)
    {
        public Dictionary<string, float[]> Values { get; } = module.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());
    }

    [Test]
    public void Progress_is_reported_every_step_and_cancellation_is_honoured()
    {
        var plan = new Regression(100);
        var reports = new List<TrainingProgress>();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { reports.Add(p); if (p.Epoch == 1 && p.Step == 2) cts.Cancel(); });
        var h = new Trainer(new TrainerOptions { MaxEpochs = 10, BatchSize = 10, TrainSize = 1 }).Fit(plan, progress, cts.Token);
        Assert.That(h.StopReason, Is.EqualTo("cancelled"));
        Assert.That(h.Epochs, Is.EqualTo(1));
        Assert.That(h.Steps, Is.EqualTo(13));
        // Epoch 0: 10 steps + 1 end-of-epoch report; epoch 1: steps 0, 1, 2.
        Assert.That(reports, Has.Count.EqualTo(14));
        Assert.That(reports[10].EndOfEpoch, Is.True);
        Assert.That(reports[3].Losses.ContainsKey("loss"), Is.True);
        Assert.That(reports[^1].Fraction, Is.EqualTo(0.13).Within(1e-9)); // (1 + 3/10) / 10 epochs
    }

    [Test]
    public void Options_out_of_range_are_rejected_naming_the_option()
    {
        Assert.That(() => new Trainer(new TrainerOptions { BatchSize = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("BatchSize"));
        Assert.That(() => new Trainer(new TrainerOptions { GradientClipValue = -1 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("GradientClipValue"));
        Assert.That(() => new Trainer(new TrainerOptions { Scheduler = SchedulerOptions.Step(0, 0.5) }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("step size"));
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
