using SingleCell.Models.Data;

namespace SingleCell.Models.Samples;

/// <summary>What a perturbation did in the data, to set beside a model's predicted change.</summary>
internal static class ObservedChange
{
    /// <summary>
    /// The mean expression of each perturbation's cells minus the mean of all control cells (labels made only of
    /// <c>ctrl</c>/<c>control</c> parts), for <paramref name="genes"/> in that order: one row per perturbation.
    /// Labels match by their perturbed genes, whatever their order and control parts (<c>A+ctrl</c>, <c>ctrl+A</c>
    /// and <c>A</c> are one perturbation).
    /// </summary>
    public static DenseMatrix Of(AnnData data, string conditionKey, IReadOnlyList<string> perturbations, IReadOnlyList<string> genes)
    {
        var column = data.Obs[conditionKey];
        var varIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int v = 0; v < data.NVars; v++) varIndex.TryAdd(data.VarNames[v], v);
        var cols = genes.Select(g => varIndex.TryGetValue(g, out int v) ? v
            : throw new ArgumentException($"gene '{g}' is not in the data's var names", nameof(genes))).ToArray();
        var x = data.X ?? throw new ArgumentException("the data have no X matrix", nameof(data));
        var keys = Enumerable.Range(0, data.NObs).Select(r => Key(column.GetString(r))).ToArray();
        double[] Mean(Func<string, bool> which, string what)
        {
            var sum = new double[data.NVars];
            int n = 0;
            for (int r = 0; r < data.NObs; r++)
            {
                if (!which(keys[r])) continue;
                n++;
                var idx = x.RowIndices(r);
                var val = x.RowValues(r);
                for (int k = 0; k < idx.Length; k++) sum[idx[k]] += val[k];
            }
            if (n == 0) throw new ArgumentException($"no cells of {what} in obs '{conditionKey}'", nameof(perturbations));
            for (int j = 0; j < sum.Length; j++) sum[j] /= n;
            return sum;
        }
        var control = Mean(k => k.Length == 0, "the control");
        var values = new float[perturbations.Count * cols.Length];
        for (int i = 0; i < perturbations.Count; i++)
        {
            string p = perturbations[i], key = Key(p);
            var mean = Mean(k => k == key, $"'{p}'");
            for (int j = 0; j < cols.Length; j++) values[i * cols.Length + j] = (float)(mean[cols[j]] - control[cols[j]]);
        }
        return new DenseMatrix(perturbations.Count, cols.Length, values);
    }

    /// <summary>The perturbed genes of a label, sorted and joined by '+'; empty for a control.</summary>
    private static string Key(string label) => string.Join('+', label.Split('+', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Where(p => p is not ("ctrl" or "control")).Order(StringComparer.Ordinal));
}
