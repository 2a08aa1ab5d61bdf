namespace SingleCell.Models.Evaluation;

/// <summary>
/// GEARS' per-perturbation metrics (spec §2.6): on the mean predicted (p̂) and observed (t̄) expression of
/// one perturbation, with the control mean c̄, its top-20 DE genes, its top-20 non-dropout DE genes and the
/// observed per-gene standard deviation across its cells. Pearson of a constant vector is 0, as GEARS sets NaN.
/// </summary>
public static class PerturbationOutcomeMetrics
{
    /// <summary>The metric names, in the order <see cref="Compute"/> returns them.</summary>
    public static readonly string[] Names =
    [
        "mse", "pearson", "mse_de", "pearson_de", "pearson_delta", "pearson_delta_de",
        "mse_top20_de_non_dropout", "pearson_delta_top20_de_non_dropout",
        "frac_opposite_direction_top20_non_dropout", "frac_sigma_below_1_non_dropout",
    ];

    /// <summary>Every metric of one perturbation.</summary>
    /// <param name="predicted">p̂, mean predicted expression (genes).</param>
    /// <param name="observed">t̄, mean observed expression.</param>
    /// <param name="control">c̄, mean control expression.</param>
    /// <param name="observedSd">Per-gene standard deviation of the observed cells.</param>
    /// <param name="de">Top-20 DE genes.</param>
    /// <param name="nonDropoutDe">Top-20 non-dropout DE genes.</param>
    public static Dictionary<string, double> Compute(ReadOnlySpan<float> predicted, ReadOnlySpan<float> observed, ReadOnlySpan<float> control,
        ReadOnlySpan<float> observedSd, IReadOnlyList<int> de, IReadOnlyList<int> nonDropoutDe)
    {
        int g = predicted.Length;
        if (observed.Length != g || control.Length != g || observedSd.Length != g)
            throw new ArgumentException("PerturbationOutcomeMetrics: predicted, observed, control and sd must have one value per gene.");
        var all = Enumerable.Range(0, g).ToArray();
        var p = predicted.ToArray(); var t = observed.ToArray(); var c = control.ToArray(); var sd = observedSd.ToArray();
        double opposite = 0, sigma = 0;
        foreach (int j in nonDropoutDe)
        {
            if (Math.Abs(Math.Sign(p[j] - c[j]) - Math.Sign(t[j] - c[j])) == 2) opposite++;
            if (Math.Abs(p[j] - t[j]) <= sd[j]) sigma++;
        }
        int n = Math.Max(1, nonDropoutDe.Count);
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mse"] = Mse(p, t, all),
            ["pearson"] = Pearson(p, t, all, null),
            ["mse_de"] = Mse(p, t, de),
            ["pearson_de"] = Pearson(p, t, de, null),
            ["pearson_delta"] = Pearson(p, t, all, c),
            ["pearson_delta_de"] = Pearson(p, t, de, c),
            ["mse_top20_de_non_dropout"] = Mse(p, t, nonDropoutDe),
            ["pearson_delta_top20_de_non_dropout"] = Pearson(p, t, nonDropoutDe, c),
            ["frac_opposite_direction_top20_non_dropout"] = opposite / n,
            ["frac_sigma_below_1_non_dropout"] = sigma / n,
        };
    }

    private static double Mse(float[] p, float[] t, IReadOnlyList<int> genes)
    {
        if (genes.Count == 0) return 0;
        double s = 0;
        foreach (int j in genes) s += (p[j] - t[j]) * (double)(p[j] - t[j]);
        return s / genes.Count;
    }

    /// <summary>Pearson r of p and t on <paramref name="genes"/> (of p − c and t − c when c is given); 0 when either side is constant.</summary>
    private static double Pearson(float[] p, float[] t, IReadOnlyList<int> genes, float[]? c)
    {
        int n = genes.Count;
        if (n < 2) return 0;
        double mx = 0, my = 0;
        foreach (int j in genes) { mx += p[j] - (c?[j] ?? 0); my += t[j] - (c?[j] ?? 0); }
        mx /= n; my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        foreach (int j in genes)
        {
            double x = p[j] - (c?[j] ?? 0) - mx, y = t[j] - (c?[j] ?? 0) - my;
            sxy += x * y; sxx += x * x; syy += y * y;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}
