using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Svae;

/// <summary>Settings of the out-of-distribution protocol (spec §1.7).</summary>
public sealed record TransferOptions
{
    /// <summary>Epochs of step 3, retraining on the training cells with the mask frozen (300 in the simulation).</summary>
    public int RetrainEpochs { get; init; } = 300;

    /// <summary>Epochs of step 4, fitting the held-out means μ_a (300 in the simulation).</summary>
    public int FineTuneEpochs { get; init; } = 300;

    /// <summary>Learning rate of step 4 (0.005 in the code).</summary>
    public double FineTuneLearningRate { get; init; } = 0.005;

    /// <summary>Importance-sampling particles of the I-NLL (1,000 in the code; 5,000 in the paper).</summary>
    public int Particles { get; init; } = 1000;

    /// <summary>Seed of the retraining and fine-tuning splits and shuffles.</summary>
    public ulong Seed { get; init; }

    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; } = 128;
}

/// <summary>The outcome of the out-of-distribution protocol.</summary>
/// <param name="InterventionalNll">I-NLL: minus the mean over held-out labels of the per-label mean IWELBO.</param>
/// <param name="PerCellLogLikelihood">IWELBO of each held-out cell.</param>
/// <param name="HeldOutCells">The held-out cells, in the order of <paramref name="PerCellLogLikelihood"/>.</param>
/// <param name="Retrain">History of step 3 (null when skipped, as for the VAE and β-VAE).</param>
/// <param name="FineTune">History of step 4 (null when skipped).</param>
public sealed record TransferResult(double InterventionalNll, double[] PerCellLogLikelihood, int[] HeldOutCells, TrainingHistory? Retrain, TrainingHistory? FineTune);

public sealed partial class SvaeModel
{
    /// <summary>
    /// The cells whose label is in <paramref name="labels"/> (by name).
    /// </summary>
    /// <param name="labels">Label names.</param>
    public int[] CellsWithLabels(IEnumerable<string> labels)
    {
        var set = new HashSet<int>(labels.Select(l =>
        {
            int i = LabelNames.ToList().IndexOf(l);
            return i >= 0 ? i : throw new ArgumentException($"sVAE: unknown label '{l}'.");
        }));
        var cellLabels = LabelsOf(RequireTrainingData());
        return Enumerable.Range(0, cellLabels.Length).Where(c => set.Contains(cellLabels[c])).ToArray();
    }

    /// <summary>
    /// Runs the transfer protocol of spec §1.7 on a model trained on the other labels: binarise and
    /// freeze the mask (held-out labels: μ = 0, λ = 5, hence mask 1), retrain on the training cells,
    /// fine-tune only the held-out intervention means with everything else frozen, then compute the
    /// interventional NLL of the held-out cells. The VAE and β-VAE skip steps 2–4, as in the paper.
    /// </summary>
    /// <param name="heldOutLabels">The held-out intervention labels.</param>
    /// <param name="options">Epochs, learning rate, particles.</param>
    /// <param name="progress">Training progress of steps 3 and 4.</param>
    /// <param name="cancellationToken">Stops the current step.</param>
    public TransferResult TransferToHeldOut(IReadOnlyCollection<string> heldOutLabels, TransferOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heldOutLabels);
        options ??= new TransferOptions();
        var heldOutCells = CellsWithLabels(heldOutLabels);
        var heldSet = new HashSet<string>(heldOutLabels, StringComparer.Ordinal);
        var cellLabels = LabelsOf(RequireTrainingData());
        var trainCells = Enumerable.Range(0, cellLabels.Length)
            .Where(c => cellLabels[c] < 0 || !heldSet.Contains(LabelNames[cellLabels[c]])).ToArray();
        TrainingHistory? retrain = null, fineTune = null;
        if (Options.UsesLabelPrior)
        {
            // Step 2: μ_A[test] = 0, λ[test] = 5, mask := 1[σ(λ) > 0.5] for all labels.
            int p = Options.LatentDim;
            var mu = ((Tensor)Module.PriorMean);
            var lam = ((Tensor)Module.MaskLogits);
            using (Tensor.NoGrad())
            {
                var muData = mu.ToArray(); var lamData = lam.ToArray();
                foreach (var label in heldOutLabels)
                {
                    int a = LabelNames.ToList().IndexOf(label);
                    for (int i = 0; i < p; i++) { muData[a * p + i] = 0f; lamData[a * p + i] = 5f; }
                }
                mu.CopyFrom(Tensor.FromArray(muData, mu.Shape.ToArray()));
                lam.CopyFrom(Tensor.FromArray(lamData, lam.Shape.ToArray()));
            }
            Module.FreezeMask();

            // Step 3: retrain on training cells, KL warm-up of one epoch, early stopping on.
            retrain = FitCore(trainCells, new TrainerOptions
            {
                MaxEpochs = options.RetrainEpochs, EarlyStopping = true, Seed = options.Seed, BatchSize = options.BatchSize,
            }, klWarmupEpochs: 1, useGlobalKl: false, warmup: false, progress, cancellationToken);

            // Step 4: only μ_A learns; BatchNorm statistics frozen (momentum 0) in the decoder (and encoder for sVAE+).
            var saved = new List<(Parameter P, bool Requires)>();
            foreach (var prm in Module.Parameters()) saved.Add((prm, prm.RequiresGrad));
            var bns = new List<(BatchNorm1d Bn, float? Momentum)>();
            try
            {
                foreach (var prm in Module.Parameters()) prm.RequiresGrad = ReferenceEquals(prm, Module.PriorMean);
                foreach (var bn in BatchNorms(Options.Variant == SvaeVariant.SvaePlus)) { bns.Add((bn, bn.Momentum)); bn.Momentum = 0f; }
                fineTune = FitCore(heldOutCells, new TrainerOptions
                {
                    MaxEpochs = options.FineTuneEpochs, TrainSize = 1, EarlyStopping = false,
                    LearningRate = options.FineTuneLearningRate, Seed = options.Seed + 1, BatchSize = options.BatchSize,
                }, klWarmupEpochs: 1, useGlobalKl: false, warmup: false, progress, cancellationToken);
            }
            finally
            {
                foreach (var (prm, requires) in saved) prm.RequiresGrad = requires;
                foreach (var (bn, momentum) in bns) bn.Momentum = momentum;
            }
        }

        // Step 5: IWELBO of the held-out cells; mean within label, then across labels; negated.
        var ll = GetMarginalLogLikelihood(null, heldOutCells, options.Particles, cancellationToken);
        double inll = -AggregateOverLabels(ll, Pick(cellLabels, heldOutCells), minCells: 0);
        return new TransferResult(inll, ll, heldOutCells, retrain, fineTune);
    }

    private IEnumerable<BatchNorm1d> BatchNorms(bool includeEncoder)
    {
        IEnumerable<Module> seqs = includeEncoder ? [Module.Decoder, Module.Encoder] : [Module.Decoder];
        foreach (var seq in seqs)
            foreach (var (_, child) in seq.NamedChildren())
                if (child is BatchNorm1d bn) yield return bn;
    }
}
