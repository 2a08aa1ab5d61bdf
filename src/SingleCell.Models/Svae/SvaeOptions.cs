namespace SingleCell.Models.Svae;

/// <summary>The five models of Lopez et al. (2023), all served by one implementation.</summary>
public enum SvaeVariant
{
    /// <summary>Plain VAE: prior N(0, I), labels ignored.</summary>
    Vae,

    /// <summary>β-VAE: the VAE with the local KL weighted by <see cref="SvaeOptions.Beta"/>.</summary>
    BetaVae,

    /// <summary>iVAE: label-dependent prior means μ_a, mask learnable from ≈1 with no sparsity pressure (the code's version).</summary>
    IVae,

    /// <summary>sVAE: label-dependent prior with an L1 penalty α·mean σ(λ) on the mask probabilities.</summary>
    Svae,

    /// <summary>sVAE+: Beta(1, α)–Bernoulli spike-and-slab on the mask, straight-through Gumbel-sigmoid samples.</summary>
    SvaePlus,
}

/// <summary>
/// Options of the sparse-mechanism-shift VAE. Defaults follow the paper's code (Genentech/sVAE on
/// scvi-tools 0.18): 2 hidden layers of 128 with BatchNorm (momentum 0.01, eps 1e-3), ReLU and
/// dropout 0.1 in the encoder; λ initialised at 5; τ = 1.
/// </summary>
public sealed record SvaeOptions
{
    /// <summary>Which model.</summary>
    public SvaeVariant Variant { get; init; } = SvaeVariant.SvaePlus;

    /// <summary>Latent dimension p.</summary>
    public int LatentDim { get; init; } = 15;

    /// <summary>Hidden units per layer.</summary>
    public int HiddenDim { get; init; } = 128;

    /// <summary>Hidden layers in the encoder and in the decoder.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Dropout rate of the encoder's hidden layers (the decoder has none).</summary>
    public float DropoutRate { get; init; } = 0.1f;

    /// <summary>β, the weight of the local KL (1 except for the β-VAE; the paper's grid is {8, 10, 30}).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>
    /// α: for sVAE+, the Beta(1, α) prior on the inclusion probabilities (null: α = K, the number of
    /// labels, as the paper recommends); for sVAE, the L1 penalty weight (null: 1).
    /// </summary>
    public double? SparsityPenalty { get; init; }

    /// <summary>Temperature τ of the Gumbel-sigmoid relaxation.</summary>
    public float Temperature { get; init; } = 1f;

    /// <summary>Initial mask logit λ (σ(5) ≈ 0.993).</summary>
    public float InitialMaskLogit { get; init; } = 5f;

    /// <summary>Seed of the parameter initialisation and of the model's sampling (ε, Gumbel noise, dropout).</summary>
    public ulong Seed { get; init; } = 1024;

    /// <summary>Epochs of linear KL warm-up in <c>Fit</c>: w = epoch / n while epoch &lt; n, else 1 (scvi-tools' <c>n_epochs_kl_warmup</c>; the paper's simulation uses 50). Zero means w = 1 throughout.</summary>
    public int KlWarmupEpochs { get; init; } = 50;

    internal bool UsesLabelPrior => Variant is SvaeVariant.IVae or SvaeVariant.Svae or SvaeVariant.SvaePlus;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Variant)) throw new ArgumentOutOfRangeException(nameof(Variant), $"Variant {(int)Variant} is not defined.");
        if (!(Beta >= 0 && double.IsFinite(Beta))) throw new ArgumentOutOfRangeException(nameof(Beta), "Beta must be finite and ≥ 0.");
        if (!float.IsFinite(InitialMaskLogit)) throw new ArgumentOutOfRangeException(nameof(InitialMaskLogit), "InitialMaskLogit must be finite.");
        if (KlWarmupEpochs < 0) throw new ArgumentOutOfRangeException(nameof(KlWarmupEpochs), "KlWarmupEpochs must be ≥ 0.");
        if (LatentDim < 1) throw new ArgumentOutOfRangeException(nameof(LatentDim), "LatentDim must be ≥ 1.");
        if (HiddenDim < 1) throw new ArgumentOutOfRangeException(nameof(HiddenDim), "HiddenDim must be ≥ 1.");
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), "Layers must be ≥ 1.");
        if (DropoutRate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(DropoutRate), "DropoutRate must be in [0, 1).");
        if (!(Temperature > 0 && float.IsFinite(Temperature))) throw new ArgumentOutOfRangeException(nameof(Temperature), "Temperature must be > 0.");
        if (SparsityPenalty is double sp && !(sp >= 0 && double.IsFinite(sp))) throw new ArgumentOutOfRangeException(nameof(SparsityPenalty), "SparsityPenalty must be finite and ≥ 0.");
    }
}

/// <summary>Source-generated JSON of the sVAE's records (checkpoints).</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[System.Text.Json.Serialization.JsonSerializable(typeof(SvaeOptions))]
[System.Text.Json.Serialization.JsonSerializable(typeof(SvaeSetup))]
internal sealed partial class SvaeJson : System.Text.Json.Serialization.JsonSerializerContext;
