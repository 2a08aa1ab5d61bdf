using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Affine map y = x·Wᵀ + b over the last axis, as <c>torch.nn.Linear</c>. Weight [out, in] is
/// Kaiming-uniform with a = √5 (i.e. U(±1/√in)); bias [out] is U(±1/√in).
/// </summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer and initialises it from <paramref name="generator"/> (weight first, then bias, as PyTorch).</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="generator">Random source for the initialisation.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <exception cref="ArgumentOutOfRangeException">A feature count is negative.</exception>
    public Linear(int inFeatures, int outFeatures, Generator generator, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(outFeatures);
        ArgumentNullException.ThrowIfNull(generator);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var w = Tensor.Zeros(outFeatures, inFeatures);
        Init.KaimingUniform(w, generator, Math.Sqrt(5.0));
        Weight = RegisterParameter("weight", w);
        if (bias)
        {
            var b = Tensor.Zeros(outFeatures);
            double bound = inFeatures > 0 ? 1.0 / Math.Sqrt(inFeatures) : 0.0;
            Init.Uniform(b, generator, -bound, bound);
            Bias = RegisterParameter("bias", b);
        }
    }

    /// <summary>Creates the layer with a generator seeded by <paramref name="seed"/>.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    public Linear(int inFeatures, int outFeatures, int seed, bool bias = true) : this(inFeatures, outFeatures, new Generator(seed), bias) { }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>Weight [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>Bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override string Describe() => $"Linear({InFeatures} → {OutFeatures}{(Bias == null ? ", no bias" : "")})";

    /// <summary>Applies the layer to <paramref name="input"/> [..., in] giving [..., out].</summary>
    /// <param name="input">Input whose last axis has <see cref="InFeatures"/> elements.</param>
    /// <exception cref="ArgumentException">The last axis does not match; the message names the layer and both shapes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0 || input.Shape[-1] != InFeatures)
            throw new ArgumentException($"{Label}: input of shape {input.Shape} does not end in {InFeatures} features (weight shape {Weight.Shape}).", nameof(input));
        return Tensor.Linear(input, Weight, Bias?.Value);
    }
}
