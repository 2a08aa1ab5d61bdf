namespace SingleCell.Models.Evaluation;

/// <summary>The IterPert/GEARS test metrics of one perturbation (or their mean over perturbations).</summary>
/// <param name="Mse">MSE of the predicted mean over all genes.</param>
/// <param name="MseTop20DeNonDropout">GEARS <c>mse_top20_de_non_dropout</c>: MSE over the perturbation's top-20 non-dropout DE genes.</param>
/// <param name="PearsonDelta">GEARS <c>pearson_delta</c>: r(p̂ − c̄, t̄ − c̄) over all genes (NaN → 0).</param>
/// <param name="FracOppositeDirectionTop20NonDropout">GEARS <c>frac_opposite_direction_top20_non_dropout</c>.</param>
public readonly record struct PerturbationMetricSet(double Mse, double MseTop20DeNonDropout, double PearsonDelta, double FracOppositeDirectionTop20NonDropout);

/// <summary>
/// GEARS' per-perturbation test metrics (<c>inference.py</c>: <c>compute_metrics</c>, <c>deeper_analysis</c>,
/// <c>non_dropout_analysis</c>; spec §2.6) as IterPert logs them, on pseudo-bulk means.
/// </summary>
/// <remarks>
/// Written for the selection study. The GEARS model family computes the same metric set for its own
/// evaluation; if both land, one should call the other (the formulas here follow the spec line by line).
/// </remarks>
public static class PerturbationScreenMetrics
{
    /// <summary>MSE over the given DE genes: mean of (p̂_g − t̄_g)² (= MSE of the changes, the control cancels).</summary>
    /// <param name="predicted">Predicted mean expression per gene.</param>
    /// <param name="truth">Observed mean expression per gene.</param>
    /// <param name="deGenes">Gene indices (GEARS <c>top_non_dropout_de_20</c>).</param>
    /// <returns>The MSE; NaN when <paramref name="deGenes"/> is empty.</returns>
    /// <exception cref="ArgumentException">Lengths differ or an index is out of range.</exception>
    public static double MseOnGenes(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, ReadOnlySpan<int> deGenes)
    {
        Check(predicted.Length, truth.Length, deGenes);
        if (deGenes.IsEmpty) return double.NaN;
        double s = 0;
        foreach (int g in deGenes) { double e = (double)predicted[g] - truth[g]; s += e * e; }
        return s / deGenes.Length;
    }

    /// <summary>
    /// Fraction of the given genes whose predicted change has the opposite sign of the observed change:
    /// |sign(p̂ − c̄) − sign(t̄ − c̄)| = 2 (a zero change never counts as opposite).
    /// </summary>
    /// <param name="predicted">Predicted mean expression.</param>
    /// <param name="truth">Observed mean expression.</param>
    /// <param name="control">Control mean expression.</param>
    /// <param name="deGenes">Gene indices.</param>
    /// <returns>The fraction in [0, 1]; NaN when <paramref name="deGenes"/> is empty.</returns>
    /// <exception cref="ArgumentException">Lengths differ or an index is out of range.</exception>
    public static double FracOppositeDirection(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, ReadOnlySpan<float> control, ReadOnlySpan<int> deGenes)
    {
        Check(predicted.Length, truth.Length, deGenes);
        Check(predicted.Length, control.Length, deGenes);
        if (deGenes.IsEmpty) return double.NaN;
        int opposite = 0;
        foreach (int g in deGenes)
            if (Math.Abs(Math.Sign((double)predicted[g] - control[g]) - Math.Sign((double)truth[g] - control[g])) == 2) opposite++;
        return (double)opposite / deGenes.Length;
    }

    /// <summary>All four metrics of one perturbation (Pearson NaN is reported as 0, as GEARS does).</summary>
    /// <param name="predicted">Predicted mean expression.</param>
    /// <param name="truth">Observed mean expression.</param>
    /// <param name="control">Control mean expression.</param>
    /// <param name="deGenes">The top-20 non-dropout DE genes.</param>
    /// <exception cref="ArgumentException">Lengths differ or an index is out of range.</exception>
    public static PerturbationMetricSet Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, ReadOnlySpan<float> control, ReadOnlySpan<int> deGenes)
    {
        double r = predicted.Length >= 2 ? PredictionMetrics.PearsonDelta(predicted, truth, control) : double.NaN;
        return new PerturbationMetricSet(
            PredictionMetrics.MeanSquaredError(predicted, truth),
            MseOnGenes(predicted, truth, deGenes),
            double.IsNaN(r) ? 0 : r,
            FracOppositeDirection(predicted, truth, control, deGenes));
    }

    /// <summary>The mean of each metric over perturbations (NaN entries skipped).</summary>
    /// <param name="perPerturbation">Per-perturbation metrics.</param>
    public static PerturbationMetricSet Mean(IReadOnlyList<PerturbationMetricSet> perPerturbation)
    {
        ArgumentNullException.ThrowIfNull(perPerturbation);
        static double M(IEnumerable<double> v) { var f = v.Where(x => !double.IsNaN(x)).ToArray(); return f.Length == 0 ? double.NaN : f.Average(); }
        return new PerturbationMetricSet(M(perPerturbation.Select(m => m.Mse)), M(perPerturbation.Select(m => m.MseTop20DeNonDropout)),
            M(perPerturbation.Select(m => m.PearsonDelta)), M(perPerturbation.Select(m => m.FracOppositeDirectionTop20NonDropout)));
    }

    private static void Check(int a, int b, ReadOnlySpan<int> genes)
    {
        if (a != b) throw new ArgumentException($"The inputs differ in length: {a} and {b}.");
        foreach (int g in genes) if ((uint)g >= (uint)a) throw new ArgumentException($"Gene index {g} is outside 0..{a - 1}.");
    }
}
