using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>
/// The relaxed Bernoulli (binary Concrete / Gumbel-sigmoid) with logits and a temperature:
/// s = σ((logits + log u − log(1 − u)) / τ), u ~ U(0, 1). <see cref="RSample(Generator, bool)"/>
/// can return straight-through hard samples: the forward value is 1[s &gt; ½] and the gradient is that
/// of the soft sample s (as <c>hard − s.detach() + s</c>, but with exact 0/1 values).
/// </summary>
public sealed class RelaxedBernoulli
{
    /// <summary>Creates a relaxed Bernoulli.</summary>
    /// <param name="logits">Log-odds.</param>
    /// <param name="temperature">Temperature τ &gt; 0 (sVAE uses 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not positive.</exception>
    public RelaxedBernoulli(Tensor logits, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (!(temperature > 0) || float.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"RelaxedBernoulli: temperature must be positive and finite; got {temperature}.");
        Logits = logits;
        Temperature = temperature;
    }

    /// <summary>The log-odds.</summary>
    public Tensor Logits { get; }

    /// <summary>The temperature τ.</summary>
    public float Temperature { get; }

    /// <summary>The probability σ(logits) of the underlying Bernoulli.</summary>
    public Tensor Probs => Logits.Sigmoid();

    /// <summary>
    /// A reparameterised draw. Soft: s = σ((logits + L)/τ) with logistic noise L. Hard
    /// (<paramref name="hard"/> = true): the forward value is 1[s &gt; ½] exactly and the gradient with
    /// respect to the logits is that of s, i.e. g · s(1 − s)/τ (straight-through).
    /// </summary>
    /// <param name="generator">The random source (one uniform per element, drawn in row-major order).</param>
    /// <param name="hard">Whether to return straight-through hard 0/1 samples.</param>
    public Tensor RSample(Generator generator, bool hard = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var noise = new float[Logits.Size];
        for (int i = 0; i < noise.Length; i++)
        {
            double u;
            do u = generator.NextDouble(); while (u <= 0.0);
            noise[i] = (float)(Math.Log(u) - Math.Log(1.0 - u));
        }
        return RSampleWithNoise(CustomOperation.Wrap(noise, Logits.Shape), hard);
    }

    /// <summary>
    /// As <see cref="RSample(Generator, bool)"/> with given logistic noise L (log u − log(1 − u)), so
    /// callers and tests can reproduce a draw.
    /// </summary>
    /// <param name="logisticNoise">Noise of the logits' shape.</param>
    /// <param name="hard">Whether to return straight-through hard 0/1 samples.</param>
    public Tensor RSampleWithNoise(Tensor logisticNoise, bool hard)
    {
        ArgumentNullException.ThrowIfNull(logisticNoise);
        if (logisticNoise.Shape != Logits.Shape)
            throw new ArgumentException($"RelaxedBernoulli: noise shape {logisticNoise.Shape} differs from logits shape {Logits.Shape}.", nameof(logisticNoise));
        if (!hard) return ((Logits + logisticNoise) / Temperature).Sigmoid();
        var logits = Logits;
        var l = logits.AsReadOnlySpan(); var n = logisticNoise.AsReadOnlySpan();
        var soft = new float[l.Length];
        var y = new float[l.Length];
        float invT = 1f / Temperature;
        for (int i = 0; i < y.Length; i++)
        {
            soft[i] = (float)CountKernels.Sigmoid(((double)l[i] + n[i]) * invT);
            y[i] = soft[i] > 0.5f ? 1f : 0f;
        }
        var result = CustomOperation.Wrap(y, logits.Shape);
        if (!CustomOperation.NeedsGradient(logits)) return result;
        return CustomOperation.Record(result, "relaxed_bernoulli_straight_through", [logits], g =>
        {
            var gs = g.AsReadOnlySpan();
            var d = new float[gs.Length];
            for (int i = 0; i < d.Length; i++) d[i] = gs[i] * soft[i] * (1f - soft[i]) * invT;
            CustomOperation.AccumulateGradient(logits, d, logits.Shape);
        });
    }
}
