using System.Text.Json.Serialization;

namespace SingleCell.Models.Gears;

/// <summary>
/// Options of the GEARS-style perturbation-outcome model (Roohani, Huang and Leskovec, Nat. Biotechnol.
/// 2024; defaults from the authors' code as read in spec §2): hidden 64, one SGConv layer on each graph,
/// autofocus exponent 2 + γ with γ = 2, direction term λ = 0.1.
/// </summary>
public sealed record GearsOptions
{
    /// <summary>Hidden size H (embeddings and MLPs).</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>SGConv layers on the co-expression graph (<c>num_gene_gnn_layers</c>).</summary>
    public int CoexpressionLayers { get; init; } = 1;

    /// <summary>SGConv layers on the GO graph (<c>num_go_gnn_layers</c>).</summary>
    public int GoLayers { get; init; } = 1;

    /// <summary>γ of the autofocus loss: errors enter as |ŷ − y|^(2 + γ).</summary>
    public double Gamma { get; init; } = 2;

    /// <summary>λ of the direction term (the value <c>model_initialize</c> passes; the docstring's 1 never runs).</summary>
    public double DirectionLambda { get; init; } = 0.1;

    /// <summary>Learn a per-gene log-variance head and train with the uncertainty loss.</summary>
    public bool Uncertainty { get; init; }

    /// <summary>Weight of the uncertainty term (<c>uncertainty_reg</c>).</summary>
    public double UncertaintyReg { get; init; } = 1;

    /// <summary>
    /// Reproduce PyTorch Geometric's batching of the co-expression convolution (only the first cell's copy
    /// of the positional embedding aggregates neighbours; spec §2.3) instead of the intended semantics
    /// (every cell sees the propagated embedding). For bit-for-bit comparisons with the reference code only.
    /// </summary>
    public bool PygBatchingQuirk { get; init; }

    /// <summary>Control cells kept with the model to predict from (GEARS samples 300).</summary>
    public int ControlCellsKept { get; init; } = 300;

    /// <summary>
    /// The fewest validation conditions with which the epoch of lowest validation <c>mse_de</c> is kept (GEARS'
    /// model selection). With fewer, an average over so few perturbations is too noisy to choose an epoch by
    /// (on the shared Norman subset, seed 1's split leaves one validation condition, and it chose the first,
    /// barely trained epoch), so the last epoch is kept, as the PyTorch reference does, and a warning is
    /// logged. An explicit <see cref="Training.TrainerOptions.RestoreBestWeights"/> overrides this rule.
    /// </summary>
    public int MinValidationConditions { get; init; } = 5;

    /// <summary>Seed of initialisation, the control pairing and the kept control cells.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Hidden is < 1 or > 4096) throw new ArgumentOutOfRangeException(nameof(Hidden), $"Hidden is {Hidden}; it must be in 1 … 4096.");
        if (CoexpressionLayers is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(CoexpressionLayers), $"CoexpressionLayers is {CoexpressionLayers}; it must be in 1 … 16.");
        if (GoLayers is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(GoLayers), $"GoLayers is {GoLayers}; it must be in 1 … 16.");
        if (!(Gamma >= 0 && Gamma <= 8)) throw new ArgumentOutOfRangeException(nameof(Gamma), $"Gamma is {Gamma}; it must be in [0, 8].");
        if (!(DirectionLambda >= 0 && double.IsFinite(DirectionLambda))) throw new ArgumentOutOfRangeException(nameof(DirectionLambda), $"DirectionLambda is {DirectionLambda}; it must be finite and ≥ 0.");
        if (!(UncertaintyReg >= 0 && double.IsFinite(UncertaintyReg))) throw new ArgumentOutOfRangeException(nameof(UncertaintyReg), $"UncertaintyReg is {UncertaintyReg}; it must be finite and ≥ 0.");
        if (MinValidationConditions is < 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(MinValidationConditions), $"MinValidationConditions is {MinValidationConditions}; it must be in 1 … 100,000.");
        if (ControlCellsKept is < 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(ControlCellsKept), $"ControlCellsKept is {ControlCellsKept}; it must be in 1 … 100,000.");
    }
}

/// <summary>How an <see cref="Data.AnnData"/> is read by GEARS.</summary>
/// <param name="PerturbationKey">The obs column with each cell's condition (<c>A</c>, <c>A+B</c>, <c>A+ctrl</c>, or a control label).</param>
/// <param name="ControlLabels">Labels of control cells (default: ctrl, control, non-targeting, NegCtrl).</param>
/// <param name="Layer">The layer with log-normalised expression; null for X.</param>
public sealed record GearsSetup(string PerturbationKey, IReadOnlyList<string>? ControlLabels = null, string? Layer = null);

/// <summary>What a GEARS checkpoint stores besides options and schema: the graphs' sizes and the perturbation-graph genes.</summary>
/// <param name="Setup">How the data is read.</param>
/// <param name="PerturbationGenes">Nodes of the GO perturbation graph, in embedding order.</param>
/// <param name="CoexpressionEdges">Edges of the co-expression graph.</param>
/// <param name="GoEdges">Edges of the GO graph.</param>
/// <param name="ControlCells">Control cells kept for prediction.</param>
public sealed record GearsLayout(GearsSetup Setup, IReadOnlyList<string> PerturbationGenes, int CoexpressionEdges, int GoEdges, int ControlCells);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(GearsOptions))]
[JsonSerializable(typeof(GearsLayout))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
internal sealed partial class GearsJson : JsonSerializerContext;
