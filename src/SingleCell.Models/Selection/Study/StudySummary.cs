namespace SingleCell.Models.Selection.Study;

/// <summary>Mean and sample standard deviation of values over seeds.</summary>
/// <param name="Mean">The mean (NaN when empty).</param>
/// <param name="Sd">The sample standard deviation (0 for one value, NaN when empty).</param>
public readonly record struct MeanSd(double Mean, double Sd)
{
    /// <summary>Mean and sd of <paramref name="values"/> (NaN entries skipped).</summary>
    /// <param name="values">The values.</param>
    public static MeanSd Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return new MeanSd(double.NaN, double.NaN);
        double m = v.Average();
        double sd = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1)) : 0;
        return new MeanSd(m, sd);
    }
}

/// <summary>One method at one graph-noise level and budget, over seeds.</summary>
/// <param name="Budget">The budget.</param>
/// <param name="MseTop20">Per-seed <c>mse_top20_de_non_dropout</c> (seed order of <see cref="MethodSummary.Seeds"/>).</param>
/// <param name="PearsonDelta">Per-seed <c>pearson_delta</c>.</param>
/// <param name="FracOpposite">Per-seed <c>frac_opposite_direction_top20_non_dropout</c>.</param>
/// <param name="Mse">Per-seed <c>mse</c>.</param>
/// <param name="Stability">Mean pairwise Jaccard index of the selected sets across seeds.</param>
/// <param name="Cycles">Wet-lab cycles to reach this budget.</param>
public sealed record BudgetSummary(int Budget, double[] MseTop20, double[] PearsonDelta, double[] FracOpposite, double[] Mse, double Stability, int Cycles);

/// <summary>A method's results at one graph-noise level.</summary>
/// <param name="Method">The method.</param>
/// <param name="GraphNoise">The graph-noise fraction.</param>
/// <param name="Seeds">Seeds, ascending.</param>
/// <param name="Budgets">Per-budget results, ascending budget.</param>
/// <param name="Cycles">Wet-lab cycles of the whole schedule.</param>
/// <param name="SelectSeconds">Mean over seeds of the total selection compute time of a run.</param>
/// <param name="TrainSeconds">Mean over seeds of the total training time of a run.</param>
public sealed record MethodSummary(string Method, double GraphNoise, int[] Seeds, IReadOnlyList<BudgetSummary> Budgets, int Cycles, double SelectSeconds, double TrainSeconds);

/// <summary>Summaries of study records: per method and noise level, per budget over seeds, with stability.</summary>
public static class StudySummary
{
    /// <summary>Groups the records by method and graph noise (method order as first seen).</summary>
    /// <param name="records">Study records.</param>
    public static IReadOnlyList<MethodSummary> Summarize(IReadOnlyList<StudyRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var result = new List<MethodSummary>();
        foreach (var g in records.GroupBy(r => (r.Method, r.GraphNoise)))
        {
            var seeds = g.Select(r => r.Seed).Distinct().Order().ToArray();
            var budgets = g.GroupBy(r => r.Budget).OrderBy(b => b.Key).Select(b =>
            {
                var bySeed = seeds.Select(s => b.FirstOrDefault(r => r.Seed == s)).ToArray();
                double[] Pick(Func<StudyRecord, double> f) => bySeed.Select(r => r is null ? double.NaN : f(r)).ToArray();
                var sets = bySeed.Where(r => r is not null).Select(r => (IReadOnlyCollection<string>)r!.Selected.ToArray()).ToArray();
                return new BudgetSummary(b.Key, Pick(r => r.Metrics.MseTop20DeNonDropout), Pick(r => r.Metrics.PearsonDelta),
                    Pick(r => r.Metrics.FracOppositeDirectionTop20NonDropout), Pick(r => r.Metrics.Mse),
                    SelectionStability.MeanPairwiseJaccard(sets), b.Max(r => r.Cycles));
            }).ToArray();
            double sel = seeds.Average(s => g.Where(r => r.Seed == s).Sum(r => r.SelectSeconds));
            double train = seeds.Average(s => g.Where(r => r.Seed == s).Sum(r => r.TrainSeconds));
            result.Add(new MethodSummary(g.Key.Method, g.Key.GraphNoise, seeds, budgets, g.Max(r => r.Cycles), sel, train));
        }
        return result;
    }
}
