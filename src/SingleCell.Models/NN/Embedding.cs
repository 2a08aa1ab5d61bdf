using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// A lookup table of learned vectors, as <c>torch.nn.Embedding</c>: weight [num, dim] drawn from
/// N(0, 1), with the optional padding row set to zero and excluded from gradients, and optional
/// max-norm renormalisation (rows looked up whose p-norm exceeds the maximum are rescaled in place
/// to norm max/(norm + 1e-7) · norm before the lookup, as PyTorch's <c>embedding_renorm_</c>).
/// </summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    /// <summary>Creates the table.</summary>
    /// <param name="numEmbeddings">Number of rows.</param>
    /// <param name="embeddingDim">Vector length.</param>
    /// <param name="generator">Random source for the initialisation.</param>
    /// <param name="paddingIndex">A row kept at zero that gets no gradient (negative counts from the end), or null.</param>
    /// <param name="maxNorm">Renormalise looked-up rows whose norm exceeds this, or null.</param>
    /// <param name="normType">The p of the p-norm for <paramref name="maxNorm"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or the padding index is out of range.</exception>
    public Embedding(int numEmbeddings, int embeddingDim, Generator generator, int? paddingIndex = null, float? maxNorm = null, float normType = 2f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        ArgumentNullException.ThrowIfNull(generator);
        if (paddingIndex is int pi)
        {
            if (pi < -numEmbeddings || pi >= numEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"Embedding: padding index {pi} is out of range for {numEmbeddings} rows.");
            PaddingIndex = pi < 0 ? pi + numEmbeddings : pi;
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        MaxNorm = maxNorm;
        NormType = normType;
        var w = Tensor.Zeros(numEmbeddings, embeddingDim);
        Init.Normal(w, generator);
        if (PaddingIndex is int p) w.Span.Slice(p * embeddingDim, embeddingDim).Clear();
        Weight = RegisterParameter("weight", w);
    }

    /// <summary>Number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Vector length.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The padding row (non-negative), or null.</summary>
    public int? PaddingIndex { get; }

    /// <summary>Maximum row norm, or null.</summary>
    public float? MaxNorm { get; }

    /// <summary>The p of the max-norm p-norm.</summary>
    public float NormType { get; }

    /// <summary>The table [num, dim].</summary>
    public Parameter Weight { get; }

    /// <inheritdoc />
    protected override string Describe() => $"Embedding({NumEmbeddings}, {EmbeddingDim}{(PaddingIndex is int p ? $", padding_idx={p}" : "")})";

    /// <summary>Looks up the rows named by integer-valued <paramref name="input"/> (rank ≤ 3); the result has one more axis of <see cref="EmbeddingDim"/>.</summary>
    /// <param name="input">Indices stored as floats (exact integers).</param>
    /// <exception cref="ArgumentException">A value is not an integer index in range; the message names the layer.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = input.AsReadOnlySpan();
        var idx = new int[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            float v = s[i];
            if (v != MathF.Floor(v) || v < 0 || v >= NumEmbeddings)
                throw new ArgumentException($"{Label}: index value {v} at position {i} is not an integer in [0, {NumEmbeddings}).", nameof(input));
            idx[i] = (int)v;
        }
        return Forward(idx, input.Shape.ToArray());
    }

    /// <summary>Looks up rows by integer index.</summary>
    /// <param name="indices">Row indices, row-major over <paramref name="shape"/>.</param>
    /// <param name="shape">Shape of the indices (rank ≤ 3); when empty, a rank-1 list.</param>
    /// <exception cref="ArgumentException">An index is out of range; the message names the layer.</exception>
    public Tensor Forward(int[] indices, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (int i in indices)
            if ((uint)i >= (uint)NumEmbeddings)
                throw new ArgumentException($"{Label}: index {i} is out of range for weight shape {Weight.Shape}.", nameof(indices));
        if (MaxNorm is float max) Renormalize(indices, max);
        return Tensor.Embedding(Weight, indices, shape.Length == 0 ? [indices.Length] : shape, PaddingIndex);
    }

    private void Renormalize(int[] indices, float maxNorm)
    {
        var w = Weight.Data;
        var seen = new HashSet<int>();
        foreach (int i in indices)
        {
            if (!seen.Add(i)) continue;
            var row = w.Slice(i * EmbeddingDim, EmbeddingDim);
            double norm = 0;
            if (float.IsPositiveInfinity(NormType)) { foreach (var v in row) norm = Math.Max(norm, Math.Abs(v)); }
            else
            {
                foreach (var v in row) norm += Math.Pow(Math.Abs(v), NormType);
                norm = Math.Pow(norm, 1.0 / NormType);
            }
            if (norm > maxNorm)
            {
                float scale = (float)(maxNorm / (norm + 1e-7));
                for (int k = 0; k < row.Length; k++) row[k] *= scale;
            }
        }
    }
}
