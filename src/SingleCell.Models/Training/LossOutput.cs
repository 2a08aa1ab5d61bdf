using SingleCell.Models.Tensors;

namespace SingleCell.Models.Training;

/// <summary>
/// What a training plan's loss returns for one mini-batch (as scvi-tools' <c>LossOutput</c>): the
/// scalar to differentiate and its named parts, which the trainer averages per epoch into the history.
/// </summary>
/// <param name="Total">The scalar objective that <c>Backward()</c> is called on (recorded as <c>loss</c>).</param>
/// <param name="Terms">Named parts and metrics of the batch, as per-item means (e.g. <c>reconstruction_loss</c>,
/// <c>kl_local</c> for a VAE; <c>mse</c> for a regression); null for none. The name <c>loss</c> is reserved.</param>
public sealed record LossOutput(Tensor Total, IReadOnlyDictionary<string, double>? Terms = null)
{
    /// <summary>The name under which <see cref="Total"/> is recorded.</summary>
    public const string TotalName = "loss";

    /// <summary>Every term by name, <c>loss</c> first, as the history records them.</summary>
    public IEnumerable<KeyValuePair<string, double>> AllTerms()
    {
        yield return new(TotalName, Total.Item());
        if (Terms == null) yield break;
        foreach (var kv in Terms)
            if (kv.Key != TotalName) yield return kv;
    }
}

/// <summary>Where in training a loss is computed.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Step">Zero-based step within the epoch.</param>
/// <param name="GlobalStep">Zero-based optimisation step since the start of training.</param>
/// <param name="MaxEpochs">The epoch limit of this run (for schedules such as KL warm-up).</param>
/// <param name="IsTraining">True for optimisation steps, false for validation.</param>
/// <param name="TrainItemCount">Number of training items (scvi-tools' <c>n_obs</c>).</param>
public readonly record struct LossContext(int Epoch, int Step, long GlobalStep, int MaxEpochs, bool IsTraining, int TrainItemCount);
