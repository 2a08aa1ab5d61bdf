using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>
/// The negative binomial in scvi-tools' mean / inverse-dispersion parameterisation: mean μ,
/// inverse dispersion θ, variance μ + μ²/θ. <see cref="LogProb"/> is scvi-tools'
/// <c>log_nb_positive</c> (ε = 1e-8) as one fused, differentiable operation.
/// </summary>
public sealed class NegativeBinomial
{
    /// <summary>The ε of scvi-tools' <c>log_nb_positive</c>.</summary>
    public const double DefaultEps = 1e-8;

    /// <summary>Creates NB(μ, θ); θ may be per gene (shape [G]) and is broadcast over the rows of μ ([B, G]).</summary>
    /// <param name="mu">Mean, positive.</param>
    /// <param name="theta">Inverse dispersion, positive.</param>
    /// <param name="eps">Stabiliser inside the logarithms (scvi-tools: 1e-8).</param>
    public NegativeBinomial(Tensor mu, Tensor theta, double eps = DefaultEps)
    {
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(theta);
        Mu = mu;
        Theta = theta;
        Eps = eps;
        BatchShape = TensorShape.Broadcast(mu.Shape, theta.Shape, "NegativeBinomial");
    }

    /// <summary>The mean μ.</summary>
    public Tensor Mu { get; }

    /// <summary>The inverse dispersion θ.</summary>
    public Tensor Theta { get; }

    /// <summary>The ε used inside the logarithms.</summary>
    public double Eps { get; }

    /// <summary>The broadcast shape of μ and θ.</summary>
    public TensorShape BatchShape { get; }

    /// <summary>The mean μ.</summary>
    public Tensor Mean => Mu;

    /// <summary>The variance μ + μ²/θ.</summary>
    public Tensor Variance => Mu + Mu * Mu / Theta;

    /// <summary>
    /// log NB(x; μ, θ) = θ(log(θ+ε) − log(θ+μ+ε)) + x(log(μ+ε) − log(θ+μ+ε)) + lgamma(x+θ) − lgamma(θ) − lgamma(x+1),
    /// element-wise; differentiable in μ and θ (not in the counts).
    /// </summary>
    /// <param name="x">Counts (non-negative), broadcast with μ and θ.</param>
    public Tensor LogProb(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return CountKernels.NbLogProb(x, Mu, Theta, Eps);
    }

    /// <summary>
    /// Σ_g log NB(x_ng; l_n · softmax(η_n)_g, θ_g) for every row n: the likelihood of scVI-style decoders
    /// (frequencies from a softmax over genes, scaled by the library size) as one fused operation. It
    /// equals <c>new NegativeBinomial(library * logits.Softmax(-1), theta).LogProb(counts).Sum(1)</c> but
    /// makes one pass over the data forward and one backward, without storing μ or its gradient.
    /// </summary>
    /// <param name="counts">Counts [N, G] (non-negative; no gradient).</param>
    /// <param name="library">Library sizes l, [N] or [N, 1]; differentiable.</param>
    /// <param name="logits">Decoder logits η [N, G]; differentiable.</param>
    /// <param name="theta">Inverse dispersion per gene [G] (or one value); differentiable.</param>
    /// <param name="eps">Stabiliser inside the logarithms (scvi-tools: 1e-8).</param>
    /// <returns>The per-row log-likelihoods, shape [N].</returns>
    /// <exception cref="ArgumentException">The shapes do not fit together; the message names them.</exception>
    /// <example>
    /// <code>
    /// var logLik = NegativeBinomial.LogProbFromLogits(x, x.Sum(1, keepDim: true), decoder.Forward(z), logTheta.Exp());
    /// </code>
    /// </example>
    public static Tensor LogProbFromLogits(Tensor counts, Tensor library, Tensor logits, Tensor theta, double eps = DefaultEps)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(theta);
        return CountKernels.NbSoftmaxLogProb(counts, library, logits, theta, eps);
    }

    /// <summary>Draws counts through the Gamma–Poisson mixture: λ ~ Gamma(θ, μ/θ), x ~ Poisson(λ). No gradient.</summary>
    /// <param name="generator">The random source.</param>
    public Tensor Sample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var so = BatchShape;
        var mu = CustomOperation.BroadcastStorage(Mu, so);
        var th = CustomOperation.BroadcastStorage(Theta, so);
        var d = new float[so.Size];
        for (int i = 0; i < d.Length; i++)
        {
            double m = mu[i], t = th[i];
            if (!(m > 0)) { d[i] = 0; continue; }
            double rate = generator.NextGamma(t) * (m / t);
            d[i] = (float)generator.NextPoisson(rate);
        }
        return CustomOperation.Wrap(d, so);
    }
}
