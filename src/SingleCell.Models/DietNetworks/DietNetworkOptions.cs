using System.Text.Json.Serialization;

namespace SingleCell.Models.DietNetworks;

/// <summary>The per-SNP feature embedding the auxiliary network reads (spec §4.3), or none for the basic model.</summary>
public enum DietEmbedding
{
    /// <summary>Per-class genotype histograms (3 × classes columns; the paper's <c>histo3x26</c>).</summary>
    Histogram,

    /// <summary>A frozen random Dense(n_train → 100, ReLU) layer over the transposed training genotypes.</summary>
    RandomProjection,

    /// <summary>The same layer, trained end to end (raw end2end).</summary>
    Raw,

    /// <summary>The code of a denoising autoencoder on the transposed data (SNP2Vec).</summary>
    Snp2Vec,

    /// <summary>No embedding: the basic model with a free fat layer (M × 100 parameters).</summary>
    None,
}

/// <summary>
/// Options of a Diet Network (Romero et al., ICLR 2017; spec §4.4). Defaults follow the authors' code: one
/// 100-unit tanh auxiliary layer, fat layer and hidden layer of 100, BatchNorm, dropout 0.5, auxiliary
/// initialisation U(±0.02) (the README commands), γ = 0 (no reconstruction), max-norm 1.0.
/// </summary>
public sealed record DietNetworkOptions
{
    /// <summary>The feature embedding.</summary>
    public DietEmbedding Embedding { get; init; } = DietEmbedding.Histogram;

    /// <summary>Units of the fat layer (the width of W_e).</summary>
    public int FatWidth { get; init; } = 100;

    /// <summary>Units of the second hidden layer.</summary>
    public int HiddenWidth { get; init; } = 100;

    /// <summary>tanh layers of the auxiliary network, each <see cref="FatWidth"/> wide (1 reproduces the paper's parameter counts; the README commands use 2).</summary>
    public int AuxiliaryLayers { get; init; } = 1;

    /// <summary>Width of the projection layer over the transposed data (random projection, raw end2end) and of the SNP2Vec code.</summary>
    public int EmbeddingUnits { get; init; } = 100;

    /// <summary>Dropout after each BatchNorm of the discriminative network (lasagne's default 0.5).</summary>
    public float DropoutRate { get; init; } = 0.5f;

    /// <summary>γ: weight of the reconstruction loss; 0 turns the reconstruction path off (the README's runs with it use 20).</summary>
    public double Gamma { get; init; }

    /// <summary>Auxiliary-network weights start from U(±this) (<c>encoder_net_init</c>).</summary>
    public double AuxiliaryInitScale { get; init; } = 0.02;

    /// <summary>Every 2-D weight's per-output-unit L2 norm is clipped to this after each update (lasagne <c>norm_constraint</c>); 0 turns it off.</summary>
    public double MaxNorm { get; init; } = 1.0;

    /// <summary>SNP2Vec: training epochs of the denoising autoencoder (the authors: 1,000).</summary>
    public int Snp2VecEpochs { get; init; } = 100;

    /// <summary>Seed of initialisation, dropout and the SNP2Vec training.</summary>
    public ulong Seed { get; init; } = 1;

    internal bool Reconstructs => Gamma > 0;

    internal bool ProjectsTransposed => Embedding is DietEmbedding.Raw or DietEmbedding.RandomProjection;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Embedding)) throw new ArgumentOutOfRangeException(nameof(Embedding), $"Embedding {(int)Embedding} is not defined.");
        if (FatWidth is < 1 or > 1 << 16) throw new ArgumentOutOfRangeException(nameof(FatWidth), "FatWidth must be in [1, 65536].");
        if (HiddenWidth is < 1 or > 1 << 16) throw new ArgumentOutOfRangeException(nameof(HiddenWidth), "HiddenWidth must be in [1, 65536].");
        if (AuxiliaryLayers is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(AuxiliaryLayers), "AuxiliaryLayers must be in [1, 16].");
        if (EmbeddingUnits is < 1 or > 1 << 16) throw new ArgumentOutOfRangeException(nameof(EmbeddingUnits), "EmbeddingUnits must be in [1, 65536].");
        if (DropoutRate is < 0 or >= 1 || float.IsNaN(DropoutRate)) throw new ArgumentOutOfRangeException(nameof(DropoutRate), "DropoutRate must be in [0, 1).");
        if (!(Gamma >= 0 && double.IsFinite(Gamma))) throw new ArgumentOutOfRangeException(nameof(Gamma), "Gamma must be finite and ≥ 0.");
        if (!(AuxiliaryInitScale > 0 && double.IsFinite(AuxiliaryInitScale))) throw new ArgumentOutOfRangeException(nameof(AuxiliaryInitScale), "AuxiliaryInitScale must be > 0.");
        if (!(MaxNorm >= 0 && double.IsFinite(MaxNorm))) throw new ArgumentOutOfRangeException(nameof(MaxNorm), "MaxNorm must be finite and ≥ 0.");
        if (Snp2VecEpochs is < 0 or > 100_000) throw new ArgumentOutOfRangeException(nameof(Snp2VecEpochs), "Snp2VecEpochs must be in [0, 100000].");
    }
}

/// <summary>Source-generated JSON of the Diet Networks records (checkpoints).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DietNetworkOptions))]
[JsonSerializable(typeof(DietNetworkSetup))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class DietJson : JsonSerializerContext;

/// <summary>What a Diet Network was set up with besides its options: the label column and the size of the embedding input.</summary>
/// <param name="LabelKey">The obs column with each sample's population.</param>
/// <param name="EmbeddingInputs">Columns of the stored embedding (3 × classes for histograms; training samples for raw and random projection; 0 for the basic model).</param>
public sealed record DietNetworkSetup(string LabelKey, int EmbeddingInputs);
