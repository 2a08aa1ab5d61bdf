using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Layer normalisation over the trailing axes given by the normalised shape, as
/// <c>torch.nn.LayerNorm</c> (eps 1e-5, elementwise affine with weight 1 and bias 0 at start).
/// Uses the fused <see cref="Tensor.LayerNorm"/>.
/// </summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    private readonly int[] _normalizedShape;
    private readonly int _size;

    /// <summary>Creates the layer (deterministic initialisation: no generator needed).</summary>
    /// <param name="normalizedShape">The trailing dimensions to normalise over (usually one: the feature count).</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="elementwiseAffine">Whether to learn a per-element scale and shift.</param>
    /// <exception cref="ArgumentException">The shape is empty or has a non-positive dimension.</exception>
    public LayerNorm(int[] normalizedShape, float eps = 1e-5f, bool elementwiseAffine = true)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: invalid normalized shape {TensorShape.Format(normalizedShape)}.", nameof(normalizedShape));
        _normalizedShape = (int[])normalizedShape.Clone();
        _size = new TensorShape(normalizedShape).Size;
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(normalizedShape));
            Bias = RegisterParameter("bias", Tensor.Zeros(normalizedShape));
        }
    }

    /// <summary>Creates the layer normalising over the last axis of <paramref name="features"/> elements.</summary>
    /// <param name="features">Size of the last axis.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="elementwiseAffine">Whether to learn a per-element scale and shift.</param>
    public LayerNorm(int features, float eps = 1e-5f, bool elementwiseAffine = true) : this([features], eps, elementwiseAffine) { }

    /// <summary>The normalised trailing dimensions.</summary>
    public IReadOnlyList<int> NormalizedShape => _normalizedShape;

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Scale (ones at start), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>Shift (zeros at start), or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    protected override string Describe() => $"LayerNorm({TensorShape.Format(_normalizedShape)}, eps={Eps})";

    /// <summary>Normalises each row of the trailing axes.</summary>
    /// <param name="input">Input whose trailing axes equal the normalised shape.</param>
    /// <exception cref="ArgumentException">The trailing axes differ; the message names the layer and both shapes.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int k = _normalizedShape.Length;
        bool ok = input.Rank >= k;
        for (int i = 0; ok && i < k; i++) ok = input.Shape[input.Rank - k + i] == _normalizedShape[i];
        if (!ok)
            throw new ArgumentException($"{Label}: input of shape {input.Shape} does not end in the normalized shape {TensorShape.Format(_normalizedShape)}.", nameof(input));
        return Tensor.LayerNorm(input, _size, Weight?.Value, Bias?.Value, Eps);
    }
}
