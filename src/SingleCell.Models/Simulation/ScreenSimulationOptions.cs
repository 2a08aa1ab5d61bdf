namespace SingleCell.Models.Simulation;

/// <summary>Settings of <see cref="ScreenSimulator"/> (defaults: a screen of IterPert's size).</summary>
public sealed record ScreenSimulationOptions
{
    /// <summary>Perturbable genes (IterPert's K562 pool: ~2,000).</summary>
    public int PerturbableGenes { get; init; } = 2000;

    /// <summary>Read-out genes (IterPert: the 1,000 most variable genes).</summary>
    public int ReadoutGenes { get; init; } = 1000;

    /// <summary>Double perturbations (random pairs of perturbable genes).</summary>
    public int Pairs { get; init; }

    /// <summary>
    /// Cells per perturbation (default 50). Fewer cells leave the observed means dominated by counting noise: on the
    /// 400-gene screen of the selection study, even the true expected profile (<see cref="SimulatedScreen.ExpectedProfiles"/>)
    /// lowers the test error of the no-change baseline by only about 15 % at 10 cells, against about half at 50 and
    /// two thirds at 100 (real Perturb-seq screens have roughly 100–300 cells per perturbation).
    /// </summary>
    public int CellsPerPerturbation { get; init; } = 50;

    /// <summary>Control cells.</summary>
    public int ControlCells { get; init; } = 1000;

    /// <summary>Propagation hops H of an effect along the generating network.</summary>
    public int Hops { get; init; } = 3;

    /// <summary>Attenuation β per further hop.</summary>
    public double Decay { get; init; } = 0.6;

    /// <summary>Fraction of network edges that repress (negative sign).</summary>
    public double NegativeEdgeFraction { get; init; } = 0.3;

    /// <summary>Read-outs whose normalised propagated effect is below this fraction of the largest are untouched.</summary>
    public double DetectionThreshold { get; init; } = 0.05;

    /// <summary>
    /// β ∈ [0, 1] (default 0.8): the share of a perturbation's profile that it has in common with its perturbable network
    /// neighbours (their own spread, weighted by the normalised adjacency). With β = 0 every gene has a profile of its
    /// own and network neighbours' true effects are nearly uncorrelated (mean Pearson r 0.04 on the selection study's
    /// 400-gene GO screen), so no graph-based predictor can generalise to an unseen perturbation; 0.8 gives r ≈ 0.46,
    /// in the range where co-functional genes of real screens lie (subunits of one complex much higher, loosely related
    /// genes lower).
    /// </summary>
    public double FunctionalSharing { get; init; } = 0.8;

    /// <summary>Probability that a perturbation has no transcriptional effect (the spike of the spike-and-slab).</summary>
    public double NullFraction { get; init; } = 0.3;

    /// <summary>μ of the log-normal effect amplitude (natural-log fold change of the most affected read-out).</summary>
    public double AmplitudeLogMean { get; init; } = Math.Log(0.5);

    /// <summary>σ of the log-normal effect amplitude.</summary>
    public double AmplitudeLogSd { get; init; } = 1.0;

    /// <summary>Largest absolute log fold change (clip).</summary>
    public double MaxLogFoldChange { get; init; } = 4.0;

    /// <summary>Standard deviation of the pair interaction γ: e_AB = (1 + γ)(e_A + e_B), γ ~ N(0, sd²).</summary>
    public double InteractionSd { get; init; } = 0.5;

    /// <summary>Median control mean count per read-out (log-normal across genes).</summary>
    public double BaseMean { get; init; } = 0.5;

    /// <summary>σ of the log-normal control means across genes.</summary>
    public double BaseMeanLogSd { get; init; } = 1.5;

    /// <summary>Median negative-binomial dispersion θ (variance μ + μ²/θ); log-normal with σ 0.5 across genes.</summary>
    public double Theta { get; init; } = 3.0;

    /// <summary>σ of the log-normal cell size factor (mean-one is not enforced: E[s] = exp(σ²/2)).</summary>
    public double LibrarySizeLogSd { get; init; } = 0.3;

    /// <summary>Target sum of the total-count normalisation before log1p (scanpy <c>normalize_total</c>).</summary>
    public double TargetSum { get; init; } = 1e4;

    /// <summary>Seed.</summary>
    public int Seed { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an invalid setting.</summary>
    public void Validate()
    {
        static void Positive(int v, string n) { if (v < 1) throw new ArgumentOutOfRangeException(n, $"{n} must be ≥ 1; got {v}."); }
        static void Fraction(double v, string n) { if (!(v >= 0 && v <= 1)) throw new ArgumentOutOfRangeException(n, $"{n} must be in [0, 1]; got {v}."); }
        Positive(PerturbableGenes, nameof(PerturbableGenes));
        Positive(ReadoutGenes, nameof(ReadoutGenes));
        Positive(CellsPerPerturbation, nameof(CellsPerPerturbation));
        Positive(ControlCells, nameof(ControlCells));
        Positive(Hops, nameof(Hops));
        if (Pairs < 0) throw new ArgumentOutOfRangeException(nameof(Pairs), $"Pairs must be ≥ 0; got {Pairs}.");
        Fraction(NegativeEdgeFraction, nameof(NegativeEdgeFraction));
        Fraction(DetectionThreshold, nameof(DetectionThreshold));
        Fraction(FunctionalSharing, nameof(FunctionalSharing));
        Fraction(NullFraction, nameof(NullFraction));
        if (!(Decay > 0)) throw new ArgumentOutOfRangeException(nameof(Decay), $"Decay must be > 0; got {Decay}.");
        if (!(AmplitudeLogSd >= 0) || !double.IsFinite(AmplitudeLogMean)) throw new ArgumentOutOfRangeException(nameof(AmplitudeLogSd), "The amplitude's log-normal parameters must be finite, σ ≥ 0.");
        if (!(MaxLogFoldChange > 0)) throw new ArgumentOutOfRangeException(nameof(MaxLogFoldChange), $"MaxLogFoldChange must be > 0; got {MaxLogFoldChange}.");
        if (!(InteractionSd >= 0)) throw new ArgumentOutOfRangeException(nameof(InteractionSd), $"InteractionSd must be ≥ 0; got {InteractionSd}.");
        if (!(BaseMean > 0) || !(BaseMeanLogSd >= 0)) throw new ArgumentOutOfRangeException(nameof(BaseMean), "BaseMean must be > 0 and BaseMeanLogSd ≥ 0.");
        if (!(Theta > 0)) throw new ArgumentOutOfRangeException(nameof(Theta), $"Theta must be > 0; got {Theta}.");
        if (!(LibrarySizeLogSd >= 0)) throw new ArgumentOutOfRangeException(nameof(LibrarySizeLogSd), $"LibrarySizeLogSd must be ≥ 0; got {LibrarySizeLogSd}.");
        if (!(TargetSum > 0)) throw new ArgumentOutOfRangeException(nameof(TargetSum), $"TargetSum must be > 0; got {TargetSum}.");
    }
}
