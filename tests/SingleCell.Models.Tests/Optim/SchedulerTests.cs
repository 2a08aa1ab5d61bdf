using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Optim;

public class SchedulerTests
{
    private static Sgd Opt(double lr = 0.1) => new([new Parameter(Tensor.Zeros(1))], lr);

    private static List<double> Run(Optimizer opt, LrScheduler s, int epochs)
    {
        var lrs = new List<double> { opt.ParamGroups[0].LearningRate };
        for (int e = 1; e < epochs; e++) { opt.Step(); s.Step(); lrs.Add(opt.ParamGroups[0].LearningRate); }
        return lrs;
    }

    [Test]
    public void Linear_warmup_sequence()
    {
        var opt = Opt(0.1);
        var lrs = Run(opt, new LinearWarmup(opt, totalIters: 4, startFactor: 0.25), 7);
        // PyTorch LinearLR(start 0.25, end 1, total 4): 0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1
        Assert.That(lrs, Is.EqualTo(new[] { 0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1 }).Within(1e-12));
    }

    [Test]
    public void Step_sequence()
    {
        var opt = Opt(1.0);
        var lrs = Run(opt, new StepLR(opt, stepSize: 2, gamma: 0.5), 7);
        Assert.That(lrs, Is.EqualTo(new[] { 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125 }).Within(1e-12));
    }

    [Test]
    public void Cosine_sequence()
    {
        var opt = Opt(0.1);
        var lrs = Run(opt, new CosineAnnealingLR(opt, tMax: 4, etaMin: 0.01), 5);
        var expected = Enumerable.Range(0, 5).Select(t => 0.01 + 0.09 * (1 + Math.Cos(Math.PI * t / 4)) / 2).ToArray();
        Assert.That(lrs, Is.EqualTo(expected).Within(1e-12));
        Assert.That(lrs[2], Is.EqualTo(0.055).Within(1e-12));
        Assert.That(lrs[4], Is.EqualTo(0.01).Within(1e-12));
    }

    [Test]
    public void Warmup_then_cosine_sequence()
    {
        var opt = Opt(1.0);
        var warm = new LinearWarmup(opt, totalIters: 2, startFactor: 0.5);
        var cos = new CosineAnnealingLR(opt, tMax: 4);
        var lrs = Run(opt, new SequentialLR(opt, [warm, cos], [2]), 7);
        // Epochs 0, 1: warm-up 0.5, 0.75; from epoch 2 cosine restarts at its epoch 0: 1, cos²(π/8)…, 0.
        double C(int t) => (1 + Math.Cos(Math.PI * t / 4)) / 2;
        Assert.That(lrs, Is.EqualTo(new[] { 0.5, 0.75, C(0), C(1), C(2), C(3), C(4) }).Within(1e-12));
        Assert.Throws<ArgumentException>(() => new SequentialLR(opt, [warm, cos], []));
    }

    [Test]
    public void Schedulers_use_initial_lr_and_state_round_trips()
    {
        var opt = Opt(0.2);
        var s = new StepLR(opt, 1, 0.5);
        s.Step(); s.Step();
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.05).Within(1e-12));
        var state = s.GetState();
        var opt2 = Opt(0.2);
        var s2 = new StepLR(opt2, 1, 0.5);
        s2.LoadState(state);
        Assert.That(opt2.ParamGroups[0].LearningRate, Is.EqualTo(0.05).Within(1e-12));
        Assert.That(opt.GetState().Scalars["param_groups.0.initial_lr"], Is.EqualTo(0.2));
    }

    [Test]
    public void Reduce_on_plateau_min_mode_with_patience_cooldown_and_min_lr()
    {
        var opt = Opt(1.0);
        var s = new ReduceLROnPlateau(opt, PlateauMode.Min, factor: 0.5, patience: 1, threshold: 0.1, cooldown: 1, minLearningRate: 0.2);
        // Hand trace (relative threshold: better means < best·0.9):
        // 10 → best 10;  9.5 bad(1);  9.4 bad(2 > 1) → lr 0.5, cooldown 1;  9.3 bad, cooldown → 0 bad;
        // 9.2 bad(1);  9.1 bad(2) → lr 0.25, cooldown 1;  5 better (best 5), cooldown → 0;  6 bad(1);  7 bad(2) → lr max(0.125, 0.2) = 0.2;
        // 8 (cooldown) ; 9 bad(1); 9 bad(2) → 0.2 − 0.2 = 0 ≤ eps: unchanged.
        double[] metrics = [10, 9.5, 9.4, 9.3, 9.2, 9.1, 5, 6, 7, 8, 9, 9];
        double[] expected = [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2];
        for (int i = 0; i < metrics.Length; i++)
        {
            s.Step(metrics[i]);
            Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(expected[i]).Within(1e-12), $"epoch {i}");
        }
        Assert.That(s.Best, Is.EqualTo(5));
    }

    [Test]
    public void Reduce_on_plateau_max_mode_absolute_threshold_and_state()
    {
        var opt = Opt(0.1);
        var s = new ReduceLROnPlateau(opt, PlateauMode.Max, factor: 0.1, patience: 0, threshold: 0.05, thresholdMode: ThresholdMode.Absolute);
        s.Step(0.5);                                        // best 0.5
        s.Step(0.54);                                       // not > 0.55: bad(1) > 0 → 0.01
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.01).Within(1e-12));
        s.Step(0.6);                                        // better
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.01).Within(1e-12));
        var state = s.GetState();
        var s2 = new ReduceLROnPlateau(opt, PlateauMode.Max, factor: 0.1, patience: 0, threshold: 0.05, thresholdMode: ThresholdMode.Absolute);
        s2.LoadState(state);
        Assert.That(s2.Best, Is.EqualTo(0.6));
        s2.Step(0.62);
        Assert.That(opt.ParamGroups[0].LearningRate, Is.EqualTo(0.001).Within(1e-12));
    }
}
