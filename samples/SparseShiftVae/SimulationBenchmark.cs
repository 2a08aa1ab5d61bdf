using SingleCell.Models.Data;
using System.Globalization;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SparseShiftVae;

/// <summary>The metrics of Table 1 for one variant.</summary>
internal sealed record VariantResult(
    string Variant, double MccPearson, double MccSpearman, double R2,
    double? Precision, double? Recall, double? F1, double Inll, double SecondsPerEpoch, int Epochs, string StopReason)
{
    /// <summary>Posterior means of the training cells (for --out), in the order of the simulation's TrainCells.</summary>
    public DenseMatrix? Latent { get; init; }

    /// <summary>The training history (for --out).</summary>
    public TrainingHistory? History { get; init; }
}

/// <summary>Table 1 of the paper (mean ± sd over 5 seeds), for printing beside ours.</summary>
internal static class PaperTable1
{
    public static readonly Dictionary<SvaeVariant, string[]> Rows = new()
    {
        [SvaeVariant.Vae] = ["0.46±0.02", "0.40±0.02", "0.82±0.00", "–", "–", "–", "327.10±2.81"],
        [SvaeVariant.BetaVae] = ["0.48±0.02", "0.42±0.02", "0.83±0.00", "–", "–", "–", "392.68±4.58"],
        [SvaeVariant.IVae] = ["0.47±0.01", "0.39±0.00", "0.85±0.00", "0.16±0.02", "0.18±0.03", "0.17±0.08", "323.26±2.88"],
        [SvaeVariant.Svae] = ["0.72±0.14", "0.63±0.13", "0.84±0.01", "0.43±0.19", "0.39±0.37", "0.31±0.13", "318.26±3.86"],
        [SvaeVariant.SvaePlus] = ["0.88±0.04", "0.79±0.04", "0.86±0.01", "0.54±0.10", "0.47±0.09", "0.51±0.09", "315.43±2.46"],
    };
}

/// <summary>The simulation benchmark of spec §1.8–1.9 for one variant.</summary>
internal static class SimulationBenchmark
{
    public static VariantResult Run(SparseShiftSimulation sim, SvaeVariant variant, Options o, Action<string, double>? report)
    {
        var model = SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey), new SvaeOptions
        {
            Variant = variant,
            LatentDim = o.Latent,
            Beta = variant == SvaeVariant.BetaVae ? o.Beta : 1.0,
            SparsityPenalty = variant == SvaeVariant.Svae ? o.SvaeAlpha : variant == SvaeVariant.SvaePlus ? o.PlusAlpha : null,
            Seed = o.Seed,
            KlWarmupEpochs = o.KlWarmup,
        });
        var trainer = new TrainerOptions
        {
            MaxEpochs = o.Epochs, EarlyStopping = true, EarlyStoppingPatience = 45, Seed = o.Seed,
        };
        var history = model.Fit(sim.TrainCells, trainer, new Progress("train", o.Epochs, report));

        // Metrics on the training cells: posterior means against the true latents.
        var latent = model.GetLatentRepresentation(cells: sim.TrainCells);
        var zHat = RowMajor.ToMatrix(latent.Values, o.Latent);
        var z = RowMajor.SelectRows(sim.Latents, sim.TrainCells);
        double mccP = LatentMetrics.Mcc(z, zHat, CorrelationMethod.Pearson);
        double mccS = LatentMetrics.Mcc(z, zHat, CorrelationMethod.Spearman);
        double r2 = LatentMetrics.LinearR2(zHat, z);
        GraphScores? graph = null;
        var learned = model.GetInterventionGraph();
        if (variant is SvaeVariant.Svae or SvaeVariant.SvaePlus)
            graph = GraphMetrics.Score(GraphMetrics.AdjacencyFromProbabilities(learned.InclusionProbabilities), zHat, z, sim.PriorMean);
        else if (variant == SvaeVariant.IVae)
            graph = GraphMetrics.Score(GraphMetrics.AdjacencyFromTopMeans(learned.Shifts), zHat, z, sim.PriorMean);

        // Out-of-distribution protocol and I-NLL on the held-out interventions.
        var held = sim.HeldOutInterventions.Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var transfer = model.TransferToHeldOut(held, new TransferOptions
        {
            RetrainEpochs = o.Epochs, FineTuneEpochs = o.Epochs, Particles = o.Particles, Seed = o.Seed,
        }, new Progress("transfer", 2 * o.Epochs, report));

        var seconds = history.SecondsPerEpoch.Order().ToArray();
        return new VariantResult(Options.Key(variant), mccP, mccS, r2, graph?.Precision, graph?.Recall, graph?.F1,
            transfer.InterventionalNll, seconds.Length == 0 ? double.NaN : seconds[seconds.Length / 2], history.Epochs, history.StopReason)
        {
            Latent = latent, History = history,
        };
    }

    /// <summary>Forwards end-of-epoch reports as "stage, fraction".</summary>
    private sealed class Progress(string stage, int epochs, Action<string, double>? report) : IProgress<TrainingProgress>
    {
        private int _done;

        public void Report(TrainingProgress value)
        {
            if (!value.EndOfEpoch || report == null) return;
            _done++;
            report(stage, Math.Min(1.0, (double)_done / epochs));
        }
    }
}
