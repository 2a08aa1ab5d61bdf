using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>The Bernoulli distribution parameterised by logits (numerically stable log-probabilities).</summary>
public sealed class Bernoulli
{
    /// <summary>Creates Bernoulli(σ(<paramref name="logits"/>)).</summary>
    /// <param name="logits">Log-odds of a one.</param>
    public Bernoulli(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        Logits = logits;
    }

    /// <summary>The log-odds.</summary>
    public Tensor Logits { get; }

    /// <summary>The probability of a one, σ(logits).</summary>
    public Tensor Probs => Logits.Sigmoid();

    /// <summary>log P(x) = x · logits − softplus(logits) (the negative of binary cross-entropy with logits).</summary>
    /// <param name="x">Values in {0, 1} (or in [0, 1] for soft targets), broadcast with the logits.</param>
    public Tensor LogProb(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x * Logits - Logits.Softplus();
    }

    /// <summary>The entropy softplus(logits) − σ(logits) · logits, element-wise.</summary>
    public Tensor Entropy() => Logits.Softplus() - Probs * Logits;

    /// <summary>Draws 0/1 values (no gradient).</summary>
    /// <param name="generator">The random source.</param>
    public Tensor Sample(Generator generator)
    {
        using (Tensor.NoGrad()) return Tensor.RandomBernoulli(generator, Probs);
    }
}
