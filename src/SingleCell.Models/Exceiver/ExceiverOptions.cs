namespace SingleCell.Models.Exceiver;

/// <summary>How the encoder treats the keys of zero-count genes (spec §2.4, "mask semantics").</summary>
public enum KeyPadding
{
    /// <summary>
    /// Zero-count genes are not keys: each cell attends only over its detected genes, stored packed
    /// (the presumable intent of the reference code, and about ten times fewer keys on typical data).
    /// </summary>
    Exclude,

    /// <summary>
    /// The reference code's behaviour: every gene is a key and the float key-padding mask adds +1 to
    /// the logits of zero-count genes (PyTorch adds float masks; only boolean masks exclude).
    /// </summary>
    Additive,
}

/// <summary>What the input matrix holds; <see cref="Auto"/> detects it per data set and never normalises twice.</summary>
public enum InputScale
{
    /// <summary>Raw counts when every stored value is a non-negative integer, otherwise log-normalised values.</summary>
    Auto,

    /// <summary>Raw counts: normalised to <see cref="ExceiverOptions.TargetSum"/> per cell, then log1p.</summary>
    Counts,

    /// <summary>Already log1p(normalised) values, used as they are.</summary>
    LogNormalized,
}

/// <summary>
/// Options of the Exceiver (Connell, Khan and Keiser 2022; spec Part 2). Defaults are the released
/// pretrained model <c>FULL-REPRO</c>: gene embeddings of dimension 4, 128 latents of dimension 4,
/// 4 heads (head dimension 1), 8 self-attention layers with feed-forward 2048, no dropout; masking of
/// ⌊0.15 × median detected genes⌋ per cell; seed 2299. The reference CLI's smaller configurations are
/// e.g. <c>Latents = 64, Heads = 1</c> and the README's <c>Layers = 1</c>.
/// </summary>
public sealed record ExceiverOptions
{
    /// <summary>Gene embedding dimension d_g (keys, values and decoder queries).</summary>
    public int GeneDim { get; init; } = 4;

    /// <summary>Number of latent queries N_q.</summary>
    public int Latents { get; init; } = 128;

    /// <summary>Latent dimension d_q.</summary>
    public int LatentDim { get; init; } = 4;

    /// <summary>Attention heads (must divide <see cref="GeneDim"/> and <see cref="LatentDim"/>).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Self-attention layers L on the latents.</summary>
    public int Layers { get; init; } = 8;

    /// <summary>Hidden width of each self-attention layer's feed-forward block.</summary>
    public int FeedForward { get; init; } = 2048;

    /// <summary>How zero-count genes enter the encoder (default <see cref="KeyPadding.Exclude"/>).</summary>
    public KeyPadding KeyPadding { get; init; } = KeyPadding.Exclude;

    /// <summary>Fraction of the training cells' median detected-gene count masked per cell (spec: 0.15).</summary>
    public double MaskFraction { get; init; } = 0.15;

    /// <summary>What the input matrix holds (default: detect).</summary>
    public InputScale Input { get; init; } = InputScale.Auto;

    /// <summary>Per-cell total after normalisation of raw counts.</summary>
    public double TargetSum { get; init; } = 1e4;

    /// <summary>Standardised values above this are clipped (before the +1 shift).</summary>
    public float Clip { get; init; } = 10f;

    /// <summary>
    /// Standardise validation cells with a scaler fitted on the validation cells themselves (the
    /// reference code's behaviour, spec §2.9 item 3). Off by default: the training scaler is used for
    /// every cell, as it is for new data.
    /// </summary>
    public bool ValidationScaler { get; init; }

    /// <summary>
    /// Require every vocabulary gene to be present in data given to queries (a missing gene then throws
    /// <see cref="Modeling.DataSchemaException"/>). Off by default: missing genes count as not detected, so a
    /// pretrained model embeds data whose genes only overlap its vocabulary.
    /// </summary>
    public bool RequireAllGenes { get; init; }

    /// <summary>
    /// Weight λ of the masked-value MSE in the classifier's loss, λ·MSE + CE (spec §2.6: 1, an unweighted sum;
    /// a pretraining model's loss is the MSE whatever λ). The MSE can be lowered from gene identity alone and
    /// its gradient dominates the shared layers' Adam steps, so with λ = 1 the class token's cross-entropy
    /// can stay at the class prior for hundreds of steps; λ = 0 fine-tunes on the classification alone
    /// (the MSE is still recorded). See docs/models/exceiver.md.
    /// </summary>
    public double MaskedValueWeight { get; init; } = 1;

    /// <summary>Seed of the initialisation and of the masking draws.</summary>
    public ulong Seed { get; init; } = 2299;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (GeneDim < 1) throw new ArgumentOutOfRangeException(nameof(GeneDim), "GeneDim must be ≥ 1.");
        if (Latents < 1) throw new ArgumentOutOfRangeException(nameof(Latents), "Latents must be ≥ 1.");
        if (LatentDim < 1) throw new ArgumentOutOfRangeException(nameof(LatentDim), "LatentDim must be ≥ 1.");
        if (Heads < 1 || GeneDim % Heads != 0 || LatentDim % Heads != 0)
            throw new ArgumentOutOfRangeException(nameof(Heads), $"Heads ({Heads}) must be ≥ 1 and divide GeneDim ({GeneDim}) and LatentDim ({LatentDim}).");
        if (Layers < 0) throw new ArgumentOutOfRangeException(nameof(Layers), "Layers must be ≥ 0.");
        if (FeedForward < 1) throw new ArgumentOutOfRangeException(nameof(FeedForward), "FeedForward must be ≥ 1.");
        if (!Enum.IsDefined(KeyPadding)) throw new ArgumentOutOfRangeException(nameof(KeyPadding), $"KeyPadding {(int)KeyPadding} is not defined.");
        if (!Enum.IsDefined(Input)) throw new ArgumentOutOfRangeException(nameof(Input), $"Input {(int)Input} is not defined.");
        if (!(MaskFraction > 0 && MaskFraction < 0.5)) throw new ArgumentOutOfRangeException(nameof(MaskFraction), "MaskFraction must be in (0, 0.5).");
        if (!(TargetSum > 0 && double.IsFinite(TargetSum))) throw new ArgumentOutOfRangeException(nameof(TargetSum), "TargetSum must be finite and > 0.");
        if (!(MaskedValueWeight >= 0 && double.IsFinite(MaskedValueWeight))) throw new ArgumentOutOfRangeException(nameof(MaskedValueWeight), "MaskedValueWeight must be finite and ≥ 0.");
        if (!(Clip > 0 && float.IsFinite(Clip))) throw new ArgumentOutOfRangeException(nameof(Clip), "Clip must be finite and > 0.");
        // Sizes that would overflow the network's tensors.
        if ((long)Latents * LatentDim > 1 << 24) throw new ArgumentOutOfRangeException(nameof(Latents), "Latents × LatentDim must be ≤ 2^24.");
        if ((long)FeedForward * LatentDim > 1 << 26) throw new ArgumentOutOfRangeException(nameof(FeedForward), "FeedForward × LatentDim must be ≤ 2^26.");
        if (GeneDim > 1 << 16) throw new ArgumentOutOfRangeException(nameof(GeneDim), "GeneDim must be ≤ 65536.");
        if (Layers > 256) throw new ArgumentOutOfRangeException(nameof(Layers), "Layers must be ≤ 256.");
    }
}

/// <summary>How an <see cref="Data.AnnData"/> is read by the Exceiver.</summary>
/// <param name="Layer">The layer with counts or log-normalised values; null for X.</param>
/// <param name="LabelKey">For the classifier variant: the obs column of the classes; null for pretraining.</param>
public sealed record ExceiverSetup(string? Layer = null, string? LabelKey = null);

/// <summary>Source-generated JSON of the Exceiver's records (checkpoints).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[System.Text.Json.Serialization.JsonSerializable(typeof(ExceiverOptions))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ExceiverSetup))]
internal sealed partial class ExceiverJson : System.Text.Json.Serialization.JsonSerializerContext;
