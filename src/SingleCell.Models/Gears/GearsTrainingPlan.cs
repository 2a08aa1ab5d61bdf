using SingleCell.Models.Modeling;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Gears;

/// <summary>
/// How GEARS trains (spec §2.4–2.5): the autofocus loss |ŷ − y|^(2+γ) over each condition's non-zero
/// genes plus the direction term, averaged per distinct condition in the batch; Adam lr 1e-3, weight
/// decay 5e-4, the rate halved every epoch, gradients clipped at 1.0 by value, batch 32 with drop-last,
/// 20 epochs, keeping the epoch with the lowest validation <c>mse_de</c> (from per-condition means).
/// </summary>
internal sealed class GearsTrainingPlan(GearsModel model, GearsModule module, GearsData data) : TrainingPlan
{
    public override Module Module => module;

    public override int ItemCount => data.Aligned.CellCount;

    public override TrainerOptions Defaults { get; } = new()
    {
        MaxEpochs = 20, BatchSize = 32, DropLast = true, Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, WeightDecay = 5e-4,
        Scheduler = SchedulerOptions.Step(1, 0.5), GradientClipValue = 1.0, RestoreBestWeights = true, EarlyStopping = false,
    };

    public override MonitoredMetric Monitor { get; } = new("mse_de_validation");

    public override LossOutput Loss(ReadOnlySpan<int> batch, LossContext context)
    {
        int b = batch.Length, g = module.Genes;
        var cells = batch.ToArray();
        var control = Batches.Dense(data.Aligned.Matrix, cells.Select(c => data.PairedControl[c]).ToArray());
        var target = Batches.Dense(data.Aligned.Matrix, cells);
        var (pred, _, logVar) = module.Forward(control, model.PerturbationIndices(cells.Select(c => data.Dataset.Perturbations[c]).ToArray()));
        // Per-condition weights 1 / (n_p · |R_p| · D) on the loss genes R_p.
        var weights = new float[b * g];
        var groups = Enumerable.Range(0, b).GroupBy(i => data.Dataset.Conditions[cells[i]], StringComparer.Ordinal).ToArray();
        var y = target.AsReadOnlySpan();
        var yHat = pred.AsReadOnlySpan();
        var cbar = data.ControlMean;
        double direction = 0;
        foreach (var grp in groups)
        {
            var genes = data.LossGenes(grp.Key) ?? Enumerable.Range(0, g).ToArray();
            if (genes.Length == 0) continue;
            float w = 1f / (grp.Count() * genes.Length * groups.Length);
            foreach (int i in grp)
                foreach (int j in genes)
                {
                    weights[i * g + j] = w;
                    double diff = Math.Sign(y[i * g + j] - cbar[j]) - Math.Sign(yHat[i * g + j] - cbar[j]);
                    direction += w * diff * diff;
                }
        }
        var wt = Tensor.FromArray(weights, b, g);
        var err = (pred - target).Abs().Pow((float)(2 + module.Options.Gamma));
        var total = logVar is null
            ? (err * wt).Sum()
            : (err * wt * ((logVar.Neg().Exp() * (float)module.Options.UncertaintyReg) + 1f)).Sum();
        double dirTerm = module.Options.DirectionLambda * direction;
        double focus = total.Item();
        // sign() has no gradient, so the direction term shifts the loss value only (as in the reference code).
        total = total + (float)dirTerm;
        var mse = (pred - target).Square().Mean().Item();
        return new LossOutput(total, new Dictionary<string, double> { ["autofocus"] = focus, ["direction"] = dirTerm, ["mse"] = mse });
    }

    public override IReadOnlyDictionary<string, double> ValidationMetrics(int[] validationItems, LossContext context)
    {
        // mse_de from per-condition means of predictions and truths (conditions other than control).
        var byCondition = validationItems.GroupBy(c => data.Dataset.Conditions[c], StringComparer.Ordinal).Where(gr => gr.Key != "ctrl").ToArray();
        if (byCondition.Length == 0) return new Dictionary<string, double>();
        double sumDe = 0, sum = 0;
        foreach (var grp in byCondition)
        {
            var cells = grp.ToArray();
            var (predMean, truthMean) = model.MeansOnTraining(cells);
            var de = data.De[grp.Key].TopGenes;
            double s = 0;
            foreach (int j in de) s += (predMean[j] - truthMean[j]) * (double)(predMean[j] - truthMean[j]);
            sumDe += s / de.Length;
            double a = 0;
            for (int j = 0; j < predMean.Length; j++) a += (predMean[j] - truthMean[j]) * (double)(predMean[j] - truthMean[j]);
            sum += a / predMean.Length;
        }
        return new Dictionary<string, double> { ["mse_de"] = sumDe / byCondition.Length, ["mse"] = sum / byCondition.Length };
    }
}
