using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Batch normalisation of [N, C] or [N, C, L] input, as <c>torch.nn.BatchNorm1d</c>: batch statistics
/// (biased variance) in training, with running statistics updated in place (unbiased variance;
/// momentum 0.1, or a cumulative average when the momentum is null), and the running statistics in
/// evaluation mode. Buffers <c>running_mean</c>, <c>running_var</c> and <c>num_batches_tracked</c>
/// are saved in the state dict. Uses the fused <see cref="Tensor.BatchNorm"/>.
/// </summary>
public sealed class BatchNorm1d : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer (weight 1, bias 0, running mean 0, running variance 1).</summary>
    /// <param name="numFeatures">Number of channels C.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Weight of the batch statistic in the running update; null for a cumulative moving average.</param>
    /// <param name="affine">Whether to learn a per-channel scale and shift.</param>
    /// <param name="trackRunningStats">Whether to keep running statistics; without them batch statistics are used in both modes.</param>
    /// <exception cref="ArgumentOutOfRangeException">The channel count is not positive.</exception>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros());
        }
    }

    /// <summary>Number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the batch statistic in the running update (null: cumulative average; 0 freezes the running statistics).</summary>
    public float? Momentum { get; set; }

    /// <summary>Scale [C], or null.</summary>
    public Parameter? Weight { get; }

    /// <summary>Shift [C], or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Running mean [C] (buffer), or null.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running (unbiased) variance [C] (buffer), or null.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>Number of training batches seen (a rank-0 buffer), or null.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <inheritdoc />
    protected override string Describe() => $"BatchNorm1d({NumFeatures}, eps={Eps}, momentum={Momentum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"})";

    /// <summary>Normalises each channel.</summary>
    /// <param name="input">[N, C] or [N, C, L].</param>
    /// <exception cref="ArgumentException">Wrong rank or channel count (the message names the layer and shapes), or a single value per channel in training.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// Normalises rows that stand for <paramref name="rowWeights"/>[i] identical rows each (a batch stored with its
    /// duplicates collapsed): training uses, and the running statistics record, the statistics of the full batch.
    /// </summary>
    /// <param name="input">Input [N, C] (or [N, C, L] without weights).</param>
    /// <param name="rowWeights">Multiplicity of each of the N rows (positive); null for plain rows.</param>
    /// <returns>The normalised rows.</returns>
    public Tensor Forward(Tensor input, float[]? rowWeights)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3) || input.Shape[1] != NumFeatures)
            throw new ArgumentException($"{Label}: expected input [N, {NumFeatures}] or [N, {NumFeatures}, L]; got {input.Shape}.", nameof(input));
        bool useBatchStats = IsTraining || RunningMean == null;
        float m = 0f;
        if (IsTraining && NumBatchesTracked != null)
        {
            NumBatchesTracked.Span[0] += 1f;
            m = Momentum ?? 1f / NumBatchesTracked.Span[0];
        }
        return Tensor.BatchNorm(input, RunningMean, RunningVar, Weight?.Value, Bias?.Value, useBatchStats, m, Eps, rowWeights);
    }
}
