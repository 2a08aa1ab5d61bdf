namespace SingleCell.Models.Svae;

/// <summary>How the simulated decoder turns logits into expected expression.</summary>
public enum SimulationNormalization
{
    /// <summary>
    /// The code's <c>e / e.sum(axis=0)</c>: each <b>gene column</b> sums to 1 over cells, so a
    /// cell's expected library is <see cref="SparseShiftSimulationOptions.CountScale"/>·Σ_g freq
    /// (≈ CountScale·G/N on average).
    /// </summary>
    ColumnNormalization,

    /// <summary>The paper's App. C: a softmax over genes per cell, so every cell's expected library is <see cref="SparseShiftSimulationOptions.CountScale"/>.</summary>
    PerCellSoftmax,
}

/// <summary>
/// Settings of the sparse-mechanism-shift simulation (spec §1.8, <c>svae/simulation.py::sparse_shift</c>).
/// The defaults are the code as <c>entry_points/demo.py</c> calls it; <see cref="Paper"/> gives the
/// variant described in the paper's App. C.
/// </summary>
public sealed record SparseShiftSimulationOptions
{
    /// <summary>Cells simulated per intervention (<c>n_cells_per_chem</c>; 250 in <c>demo.py</c>).</summary>
    public int CellsPerIntervention { get; init; } = 250;

    /// <summary>Number of interventions K (<c>n_chem</c>).</summary>
    public int Interventions { get; init; } = 100;

    /// <summary>Latent dimensions p (<c>n_latent</c>; 15 in <c>demo.py</c>).</summary>
    public int LatentDimensions { get; init; } = 15;

    /// <summary>Genes G (<c>n_genes</c>).</summary>
    public int Genes { get; init; } = 100;

    /// <summary>Hidden units h of the three-layer leaky-ReLU decoder (40). The decoder is injective when p ≤ h ≤ G.</summary>
    public int HiddenUnits { get; init; } = 40;

    /// <summary>Negative slope of the leaky ReLU (0.2).</summary>
    public double NegativeSlope { get; init; } = 0.2;

    /// <summary>Fewest latents drawn as targets per intervention (1).</summary>
    public int MinTargets { get; init; } = 1;

    /// <summary>Most latents drawn as targets per intervention (3).</summary>
    public int MaxTargets { get; init; } = 3;

    /// <summary>
    /// Draw target indices with replacement, as the code's <c>np.random.choice(p, t)</c> does
    /// (duplicates then give fewer than t targets); the paper draws without replacement.
    /// </summary>
    public bool TargetsWithReplacement { get; init; } = true;

    /// <summary>Mean e of the absolute shift of a targeted latent (5).</summary>
    public double EffectSize { get; init; } = 5.0;

    /// <summary>Standard deviation of the absolute shift (0.5; the paper's "N(±e, 0.5)").</summary>
    public double EffectStandardDeviation { get; init; } = 0.5;

    /// <summary>How logits become expression frequencies (the code's column normalisation by default).</summary>
    public SimulationNormalization Normalization { get; init; } = SimulationNormalization.ColumnNormalization;

    /// <summary>
    /// Factor applied to the frequencies to get Poisson means: 1e6 in the code (with column
    /// normalisation), the library size l_n = 1e5 in the paper (with a per-cell softmax).
    /// </summary>
    public double CountScale { get; init; } = 1e6;

    /// <summary>
    /// First held-out intervention: interventions <c>FirstHeldOutIntervention … K−1</c> are held out
    /// (80 → the code's <c>test_range = range(80, 100)</c>); K holds out none.
    /// </summary>
    public int FirstHeldOutIntervention { get; init; } = 80;

    /// <summary>Shuffle the cells at the end, as the code does (otherwise cells come grouped by intervention).</summary>
    public bool ShuffleCells { get; init; } = true;

    /// <summary>Seed of the <see cref="Tensors.Generator"/> that drives every draw (1024 in <c>demo.py</c>).</summary>
    public ulong Seed { get; init; } = 1024;

    /// <summary>
    /// The paper's App. C variant: target indices without replacement, a per-cell softmax and a
    /// library size of 1e5 (other settings as the defaults; the paper's N is ambiguous, 50k or 100k).
    /// </summary>
    public static SparseShiftSimulationOptions Paper { get; } = new()
    {
        TargetsWithReplacement = false,
        Normalization = SimulationNormalization.PerCellSoftmax,
        CountScale = 1e5,
    };

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CellsPerIntervention);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Interventions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LatentDimensions);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Genes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(HiddenUnits);
        ArgumentOutOfRangeException.ThrowIfNegative(MinTargets);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTargets, MinTargets);
        if (!TargetsWithReplacement) ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxTargets, LatentDimensions);
        if (!(EffectStandardDeviation >= 0)) throw new ArgumentOutOfRangeException(nameof(EffectStandardDeviation), EffectStandardDeviation, "Must be non-negative.");
        if (!double.IsFinite(EffectSize)) throw new ArgumentOutOfRangeException(nameof(EffectSize), EffectSize, "Must be finite.");
        if (!(CountScale > 0) || !double.IsFinite(CountScale)) throw new ArgumentOutOfRangeException(nameof(CountScale), CountScale, "Must be positive and finite.");
        if (!double.IsFinite(NegativeSlope)) throw new ArgumentOutOfRangeException(nameof(NegativeSlope), NegativeSlope, "Must be finite.");
        ArgumentOutOfRangeException.ThrowIfNegative(FirstHeldOutIntervention);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FirstHeldOutIntervention, Interventions);
        if ((long)CellsPerIntervention * Interventions > int.MaxValue / Math.Max(Genes, LatentDimensions))
            throw new ArgumentOutOfRangeException(nameof(CellsPerIntervention), "Cells × genes exceeds the array limit.");
    }
}
