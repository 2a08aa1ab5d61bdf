using SingleCell.Models.Tensors;

namespace SingleCell.Models.Training;

/// <summary>
/// What a module's loss returns for one mini-batch (as scvi-tools' <c>LossOutput</c>): the total to
/// differentiate, and its named parts for the history.
/// </summary>
/// <param name="Total">The scalar objective that <c>Backward()</c> is called on.</param>
/// <param name="Reconstruction">Mean reconstruction loss per item (e.g. the NB negative log-likelihood).</param>
/// <param name="KlLocal">Mean local (per-item) KL divergence, unweighted.</param>
/// <param name="KlGlobal">Global KL or prior term (e.g. the Beta prior of the sVAE+ mask), unweighted.</param>
public sealed record LossOutput(Tensor Total, double Reconstruction = 0, double KlLocal = 0, double KlGlobal = 0)
{
    /// <summary>Further named metrics to log (e.g. the fraction of active mask entries).</summary>
    public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();

    /// <summary>The evidence lower bound per item, reconstruction + local KL (unweighted: a positive "nELBO", as scvi-tools logs it).</summary>
    public double Elbo => Reconstruction + KlLocal;

    /// <summary>Every term by name, as the history records them.</summary>
    public IEnumerable<KeyValuePair<string, double>> Terms()
    {
        yield return new("loss", Total.Item());
        yield return new("elbo", Elbo);
        yield return new("reconstruction_loss", Reconstruction);
        yield return new("kl_local", KlLocal);
        yield return new("kl_global", KlGlobal);
        foreach (var kv in Extra) yield return kv;
    }
}
