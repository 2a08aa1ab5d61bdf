namespace SingleCell.Models.Evaluation;

/// <summary>A per-intervention average and its mean across interventions.</summary>
/// <param name="Value">Mean over the included interventions of their per-cell means (NaN when none is included).</param>
/// <param name="PerIntervention">Per-cell mean of each included intervention, by label.</param>
public sealed record InterventionAverage(double Value, IReadOnlyDictionary<int, double> PerIntervention);

/// <summary>
/// Aggregation of per-cell scores by intervention, as the sVAE code does for the ELBO and the
/// marginal log-likelihood (<c>get_elbo</c>, <c>get_marginal_ll</c> with <c>agg=True</c>) and the
/// interventional NLL of spec §1.7 step 5.
/// </summary>
public static class InterventionMetrics
{
    /// <summary>The code's rule: an intervention is averaged only when it has more than 10 cells.</summary>
    public const int DefaultMinimumCells = 11;

    /// <summary>
    /// Mean of per-cell values within each intervention, then the unweighted mean across interventions.
    /// </summary>
    /// <param name="values">One value per cell.</param>
    /// <param name="labels">The intervention label of each cell (any non-negative or negative integer id).</param>
    /// <param name="minimumCells">Interventions with fewer cells are left out (<see cref="DefaultMinimumCells"/>: the code's <c>len(ind) &gt; 10</c>).</param>
    /// <returns>The average and the per-intervention means.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static InterventionAverage MeanByIntervention(ReadOnlySpan<double> values, ReadOnlySpan<int> labels, int minimumCells = DefaultMinimumCells)
    {
        if (values.Length != labels.Length)
            throw new ArgumentException($"values has {values.Length} entries but labels has {labels.Length}.", nameof(labels));
        var sums = new SortedDictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < values.Length; i++)
        {
            sums.TryGetValue(labels[i], out var s);
            sums[labels[i]] = (s.Sum + values[i], s.Count + 1);
        }
        var means = new Dictionary<int, double>();
        double total = 0;
        foreach (var (label, (sum, count)) in sums)
        {
            if (count < minimumCells) continue;
            double mean = sum / count;
            means[label] = mean;
            total += mean;
        }
        return new InterventionAverage(means.Count == 0 ? double.NaN : total / means.Count, means);
    }

    /// <summary>
    /// Interventional negative log-likelihood: minus the mean across interventions of the mean
    /// per-cell log-likelihood estimate (IWELBO) within each intervention.
    /// </summary>
    /// <param name="logLikelihoods">log p̂(x_n | a_n) per held-out cell (higher is better).</param>
    /// <param name="labels">The intervention of each cell.</param>
    /// <param name="minimumCells">Interventions with fewer cells are left out (default: more than 10, as the code).</param>
    /// <returns>I-NLL (lower is better).</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public static double InterventionalNll(ReadOnlySpan<double> logLikelihoods, ReadOnlySpan<int> labels, int minimumCells = DefaultMinimumCells)
        => -MeanByIntervention(logLikelihoods, labels, minimumCells).Value;
}
