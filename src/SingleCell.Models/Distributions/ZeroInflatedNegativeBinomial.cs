using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>
/// The zero-inflated negative binomial of scvi-tools: with probability σ(π) a structural zero,
/// otherwise NB(μ, θ). <see cref="LogProb"/> is scvi-tools' <c>log_zinb_positive</c> (ε = 1e-8),
/// fused and differentiable in μ, θ and the logits π.
/// </summary>
public sealed class ZeroInflatedNegativeBinomial
{
    /// <summary>Creates ZINB(μ, θ, π).</summary>
    /// <param name="mu">Mean of the NB component, positive.</param>
    /// <param name="theta">Inverse dispersion, positive; may be per gene ([G]).</param>
    /// <param name="zeroInflationLogits">Logits π of the zero-inflation probability.</param>
    /// <param name="eps">Stabiliser inside the logarithms (scvi-tools: 1e-8).</param>
    public ZeroInflatedNegativeBinomial(Tensor mu, Tensor theta, Tensor zeroInflationLogits, double eps = NegativeBinomial.DefaultEps)
    {
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(theta);
        ArgumentNullException.ThrowIfNull(zeroInflationLogits);
        Mu = mu;
        Theta = theta;
        ZeroInflationLogits = zeroInflationLogits;
        Eps = eps;
        BatchShape = TensorShape.Broadcast(TensorShape.Broadcast(mu.Shape, theta.Shape, "ZeroInflatedNegativeBinomial"), zeroInflationLogits.Shape, "ZeroInflatedNegativeBinomial");
    }

    /// <summary>The NB mean μ.</summary>
    public Tensor Mu { get; }

    /// <summary>The inverse dispersion θ.</summary>
    public Tensor Theta { get; }

    /// <summary>The zero-inflation logits π.</summary>
    public Tensor ZeroInflationLogits { get; }

    /// <summary>The ε used inside the logarithms.</summary>
    public double Eps { get; }

    /// <summary>The broadcast shape of the parameters.</summary>
    public TensorShape BatchShape { get; }

    /// <summary>The zero-inflation probability σ(π).</summary>
    public Tensor ZeroProbability => ZeroInflationLogits.Sigmoid();

    /// <summary>The mean (1 − σ(π)) μ.</summary>
    public Tensor Mean => (1f - ZeroProbability) * Mu;

    /// <summary>
    /// log ZINB(x) as scvi-tools' <c>log_zinb_positive</c>: for x &lt; ε, softplus(−π + θ(log(θ+ε) − log(θ+μ+ε))) − softplus(−π);
    /// for x &gt; ε, −softplus(−π) − π + log NB(x; μ, θ).
    /// </summary>
    /// <param name="x">Counts (non-negative).</param>
    public Tensor LogProb(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return CountKernels.ZinbLogProb(x, Mu, Theta, ZeroInflationLogits, Eps);
    }

    /// <summary>Draws counts: a structural zero with probability σ(π), else a Gamma–Poisson NB draw. No gradient.</summary>
    /// <param name="generator">The random source.</param>
    public Tensor Sample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var so = BatchShape;
        var mu = CustomOperation.BroadcastStorage(Mu, so);
        var th = CustomOperation.BroadcastStorage(Theta, so);
        var pi = CustomOperation.BroadcastStorage(ZeroInflationLogits, so);
        var d = new float[so.Size];
        for (int i = 0; i < d.Length; i++)
        {
            double zeroP = CountKernels.Sigmoid(pi[i]);
            bool zero = generator.NextDouble() < zeroP;
            double m = mu[i], t = th[i];
            if (zero || !(m > 0)) { d[i] = 0; continue; }
            d[i] = (float)generator.NextPoisson(generator.NextGamma(t) * (m / t));
        }
        return CustomOperation.Wrap(d, so);
    }
}
