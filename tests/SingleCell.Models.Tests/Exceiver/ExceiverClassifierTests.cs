using SingleCell.Models.Exceiver;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Exceiver;

/// <summary>
/// The classifier variant trained from scratch (as the released <c>CLASS-organ-balanced-loss</c>) with the
/// training plan's defaults (early stopping and best-weight restoration included) learns its classes on held-out
/// cells: a head that only learns the class prior — the cross-entropy gradient not reaching the class token,
/// labels misaligned with the cells of a batch, a rate stuck in warm-up, restoration of an untrained epoch —
/// scores 0.5 here.
/// </summary>
public class ExceiverClassifierTests
{
    [TestCase(3)]
    [TestCase(4)]
    public void Classifier_from_scratch_with_the_default_plan_classifies_held_out_cells(int seed)
    {
        var model = ExceiverModel.Create(ExceiverTestData.Counts(120, 24, seed: seed), new ExceiverSetup(LabelKey: ExceiverTestData.TypeKey), ExceiverModelTests.Tiny with { MaskedValueWeight = 0 });
        var h = model.Fit(new TrainerOptions { MaxEpochs = 20, BatchSize = 8, LearningRate = 3e-3, Scheduler = SchedulerOptions.WarmupThenConstant(5, 0.2) });
        var ce = h.Series("cross_entropy_train");
        TestContext.Out.WriteLine($"CE train {string.Join(" ", ce.Select(v => v.ToString("F3")))}; best epoch {h.BestEpoch}, restored {h.RestoredEpoch}");
        // Two balanced classes: chance and the class prior give accuracy 0.5 and cross-entropy ln 2 = 0.693.
        Assert.That(model.Evaluate(ExceiverTestData.Counts(60, 24, seed: 11))["accuracy"], Is.GreaterThan(0.9), "held-out cells");
        Assert.That(ce.Min(), Is.LessThan(0.5 * Math.Log(2)), "training cross-entropy well below the class prior's");
    }
}
