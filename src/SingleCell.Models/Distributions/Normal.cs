using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>
/// The normal distribution N(loc, scale²), as <c>torch.distributions.Normal</c>: reparameterised
/// sampling, log-density, entropy and the closed-form KL divergence between normals.
/// </summary>
public sealed class Normal
{
    private const float HalfLog2Pi = 0.918938533f;

    /// <summary>Creates N(<paramref name="loc"/>, <paramref name="scale"/>²); the two broadcast together.</summary>
    /// <param name="loc">Mean.</param>
    /// <param name="scale">Standard deviation (positive).</param>
    public Normal(Tensor loc, Tensor scale)
    {
        ArgumentNullException.ThrowIfNull(loc);
        ArgumentNullException.ThrowIfNull(scale);
        Loc = loc;
        Scale = scale;
        BatchShape = TensorShape.Broadcast(loc.Shape, scale.Shape, "Normal");
    }

    /// <summary>Creates a normal from its mean and variance (scale = √variance), as scvi-tools' encoders do.</summary>
    /// <param name="loc">Mean.</param>
    /// <param name="variance">Variance (positive).</param>
    public static Normal FromVariance(Tensor loc, Tensor variance)
    {
        ArgumentNullException.ThrowIfNull(variance);
        return new Normal(loc, variance.Sqrt());
    }

    /// <summary>The mean.</summary>
    public Tensor Loc { get; }

    /// <summary>The standard deviation.</summary>
    public Tensor Scale { get; }

    /// <summary>The broadcast shape of <see cref="Loc"/> and <see cref="Scale"/>.</summary>
    public TensorShape BatchShape { get; }

    /// <summary>The mean (same as <see cref="Loc"/>).</summary>
    public Tensor Mean => Loc;

    /// <summary>The variance, scale².</summary>
    public Tensor Variance => Scale * Scale;

    /// <summary>A reparameterised draw loc + scale · ε, ε ~ N(0, 1): gradients flow to loc and scale.</summary>
    /// <param name="generator">The random source.</param>
    public Tensor RSample(Generator generator)
    {
        var eps = Tensor.RandomNormal(generator, BatchShape.ToArray());
        return Loc + Scale * eps;
    }

    /// <summary>A draw with no gradient.</summary>
    /// <param name="generator">The random source.</param>
    public Tensor Sample(Generator generator)
    {
        using (Tensor.NoGrad()) return RSample(generator).Detach();
    }

    /// <summary>log N(value; loc, scale²) = −(value − loc)² / (2 scale²) − log scale − ½ log 2π.</summary>
    /// <param name="value">Points to evaluate (broadcast with the parameters).</param>
    public Tensor LogProb(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var z = (value - Loc) / Scale;
        return z * z * -0.5f - Scale.Log() - HalfLog2Pi;
    }

    /// <summary>The differential entropy ½ + ½ log 2π + log scale, element-wise.</summary>
    public Tensor Entropy() => (Scale.Log() + (0.5f + HalfLog2Pi)).BroadcastTo(BatchShape.ToArray());

    /// <summary>
    /// KL(p ‖ q) for normals, element-wise: log(σ_q/σ_p) + (σ_p² + (μ_p − μ_q)²) / (2σ_q²) − ½
    /// (as <c>torch.distributions.kl_divergence</c>).
    /// </summary>
    /// <param name="p">The first distribution.</param>
    /// <param name="q">The second distribution.</param>
    public static Tensor KlDivergence(Normal p, Normal q)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        var varRatio = (p.Scale / q.Scale).Square();
        var diff = (p.Loc - q.Loc) / q.Scale;
        var t1 = diff * diff;
        return (varRatio + t1 - 1f - varRatio.Log()) * 0.5f;
    }
}
