using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Inverted dropout, as <c>torch.nn.Dropout</c>: in training each element is zeroed with probability
/// p and the survivors are scaled by 1/(1 − p), so the expectation is unchanged; in evaluation mode
/// (or with p = 0) the input is returned as is. Masks come from the module's own seeded generator.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    private readonly Generator _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1].</param>
    /// <param name="generator">Random source of the masks (the module keeps it).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1].</exception>
    public Dropout(float p, Generator generator)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p = {p} is not in [0, 1].");
        ArgumentNullException.ThrowIfNull(generator);
        P = p;
        _generator = generator;
    }

    /// <summary>Creates the layer with a generator seeded by <paramref name="seed"/>.</summary>
    /// <param name="p">Probability of zeroing an element.</param>
    /// <param name="seed">Seed of the masks.</param>
    public Dropout(float p, int seed) : this(p, new Generator(seed)) { }

    /// <summary>Probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc />
    protected override string Describe() => $"Dropout(p={P})";

    /// <summary>Applies dropout in training mode; identity in evaluation mode.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!IsTraining || P == 0f) return input;
        var mask = Tensor.Full(0f, input.Shape.ToArray());
        if (P < 1f)
        {
            float scale = 1f / (1f - P);
            // Keep where u ≥ P for u = NextDouble() (53 random bits), compared as integers.
            ulong threshold = (ulong)Math.Ceiling(P * (double)(1UL << 53));
            _generator.FillKeepMask(mask.Span, threshold, scale);
        }
        var output = input * mask;
        // The mask never leaves this method: the tape returns it to the pool once the product's backward has run.
        mask.ReleaseIntermediate();
        return output;
    }
}
