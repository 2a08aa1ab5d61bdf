using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>The Poisson distribution with rate λ.</summary>
public sealed class Poisson
{
    /// <summary>Creates Poisson(<paramref name="rate"/>).</summary>
    /// <param name="rate">The mean λ, positive.</param>
    public Poisson(Tensor rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        Rate = rate;
    }

    /// <summary>The rate λ.</summary>
    public Tensor Rate { get; }

    /// <summary>The mean λ.</summary>
    public Tensor Mean => Rate;

    /// <summary>The variance λ.</summary>
    public Tensor Variance => Rate;

    /// <summary>log P(x) = x log λ − λ − lgamma(x + 1), differentiable in λ.</summary>
    /// <param name="x">Counts (non-negative), broadcast with the rate.</param>
    public Tensor LogProb(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var xs = x.AsReadOnlySpan();
        var lf = new float[xs.Length];
        for (int i = 0; i < lf.Length; i++) lf[i] = (float)CountKernels.LogFactorial(xs[i]);
        var logFact = CustomOperation.Wrap(lf, x.Shape);
        return x * Rate.Log() - Rate - logFact;
    }

    /// <summary>Draws counts (no gradient).</summary>
    /// <param name="generator">The random source.</param>
    public Tensor Sample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var r = Rate.AsReadOnlySpan();
        var d = new float[r.Length];
        for (int i = 0; i < d.Length; i++) d[i] = (float)generator.NextPoisson(r[i]);
        return CustomOperation.Wrap(d, Rate.Shape);
    }
}
