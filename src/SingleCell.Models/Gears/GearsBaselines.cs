using SingleCell.Models.Data;

namespace SingleCell.Models.Gears;

/// <summary>
/// The baselines GEARS is compared with, as predictors scored by the same code
/// (<see cref="GearsModel.EvaluateSplit(Func{IReadOnlyList{string}, PerturbationPrediction})"/>): no perturbation
/// (the control mean), the mean of the training perturbation profiles, and additive for pairs.
/// </summary>
public static class GearsBaselines
{
    /// <summary>Predicts the control mean for every perturbation (GEARS' <c>no_perturb</c>).</summary>
    /// <param name="model">A GEARS model set up on data (its control mean and genes are used).</param>
    public static Func<IReadOnlyList<string>, PerturbationPrediction> NoPerturbation(GearsModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = model.Module.ControlMean.ToArray();
        return ps => Constant(ps, model.Schema.Genes, c, c);
    }

    /// <summary>Predicts the mean of the training perturbations' mean profiles for every perturbation.</summary>
    /// <param name="model">A GEARS model with data and a split.</param>
    public static Func<IReadOnlyList<string>, PerturbationPrediction> TrainingMean(GearsModel model)
    {
        var (c, profiles) = Profiles(model);
        var mean = new float[c.Length];
        foreach (var p in profiles.Values) for (int j = 0; j < c.Length; j++) mean[j] += p[j] / profiles.Count;
        return ps => Constant(ps, model.Schema.Genes, mean, c);
    }

    /// <summary>For a pair A+B with both singles seen in training: control + (A − control) + (B − control); otherwise the training mean.</summary>
    /// <param name="model">A GEARS model with data and a split.</param>
    public static Func<IReadOnlyList<string>, PerturbationPrediction> Additive(GearsModel model)
    {
        var (c, profiles) = Profiles(model);
        var fallback = TrainingMean(model);
        var parser = new ConditionParser(model.Setup.ControlLabels);
        return ps =>
        {
            int g = c.Length;
            var expr = new float[ps.Count * g];
            for (int i = 0; i < ps.Count; i++)
            {
                var genes = parser.Parse(ps[i]);
                var singles = genes.Select(x => ConditionParser.Canonical([x])).ToArray();
                if (genes.Length == 2 && singles.All(profiles.ContainsKey))
                    for (int j = 0; j < g; j++) expr[i * g + j] = c[j] + singles.Sum(s => profiles[s][j] - c[j]);
                else fallback([ps[i]]).Expression.Row(0).CopyTo(expr.AsSpan(i * g, g));
            }
            return Wrap(ps, model.Schema.Genes, expr, c);
        };
    }

    private static (float[] Control, Dictionary<string, float[]> Profiles) Profiles(GearsModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var data = model.Data ?? throw new InvalidOperationException("GEARS baselines need a model set up on data.");
        var split = model.Split ?? throw new InvalidOperationException("GEARS baselines need the model's split.");
        var profiles = split.Train.Where(t => t != "ctrl" && data.Dataset.CellsByCondition.ContainsKey(t))
            .ToDictionary(t => t, t => data.Dataset.MeanOf(data.Dataset.CellsByCondition[t]).Select(v => (float)v).ToArray(), StringComparer.Ordinal);
        return (data.ControlMean, profiles);
    }

    private static PerturbationPrediction Constant(IReadOnlyList<string> ps, IReadOnlyList<string> genes, float[] row, float[] control)
    {
        var expr = new float[ps.Count * row.Length];
        for (int i = 0; i < ps.Count; i++) row.CopyTo(expr, i * row.Length);
        return Wrap(ps, genes, expr, control);
    }

    private static PerturbationPrediction Wrap(IReadOnlyList<string> ps, IReadOnlyList<string> genes, float[] expr, float[] control)
    {
        int g = control.Length;
        var change = new float[expr.Length];
        for (int k = 0; k < expr.Length; k++) change[k] = expr[k] - control[k % g];
        return new PerturbationPrediction(ps.ToArray(), genes, new DenseMatrix(ps.Count, g, expr), new DenseMatrix(ps.Count, g, change));
    }
}
