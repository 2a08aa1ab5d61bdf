namespace SingleCell.Models.Data;

/// <summary>Result of a differential-expression test of one perturbation against control.</summary>
/// <param name="Perturbation">The canonical condition.</param>
/// <param name="TopGenes">Top-k gene indices ranked by |Welch t|.</param>
/// <param name="Scores">Welch t score per gene (perturbation minus control).</param>
/// <param name="TopNonDropoutGenes">GEARS <c>top_non_dropout_de_20</c>: the first k ranked genes lying in non_zero ∪ true_zeros.</param>
/// <param name="NonZeroGenes">GEARS <c>non_zeros_gene_idx</c>: genes with non-zero mean in the perturbed cells (the loss mask).</param>
/// <remarks>GEARS <c>get_dropout_non_zero_genes</c>: a gene is a dropout when its mean is zero in the perturbed cells but not in control.</remarks>
public sealed record DeResult(string Perturbation, int[] TopGenes, double[] Scores, int[] TopNonDropoutGenes, int[] NonZeroGenes);

/// <summary>A cells × genes matrix with a perturbation set per cell: control cells, pseudo-bulk means, DE genes and splits.</summary>
public sealed class PerturbationDataset
{
    /// <summary>Creates a dataset.</summary>
    /// <param name="x">Cells × genes expression (usually log-normalised).</param>
    /// <param name="conditions">Per-cell condition labels.</param>
    /// <param name="geneNames">Gene names (columns).</param>
    /// <param name="parser">Label parser (default: control labels ctrl/control/non-targeting, separator <c>+</c>).</param>
    /// <exception cref="ArgumentException">Lengths disagree.</exception>
    public PerturbationDataset(CellMatrix x, IReadOnlyList<string> conditions, IReadOnlyList<string> geneNames, ConditionParser? parser = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(geneNames);
        if (conditions.Count != x.Rows) throw new ArgumentException($"{conditions.Count} conditions for {x.Rows} cells.", nameof(conditions));
        if (geneNames.Count != x.Columns) throw new ArgumentException($"{geneNames.Count} gene names for {x.Columns} genes.", nameof(geneNames));
        parser ??= new ConditionParser();
        X = x;
        GeneNames = geneNames;
        Perturbations = conditions.Select(parser.Parse).ToArray();
        Conditions = Perturbations.Select(ConditionParser.Canonical).ToArray();
        ControlCells = Enumerable.Range(0, x.Rows).Where(i => Perturbations[i].Length == 0).ToArray();
        CellsByCondition = Enumerable.Range(0, x.Rows).GroupBy(i => Conditions[i], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Cells × genes matrix.</summary>
    public CellMatrix X { get; }

    /// <summary>Gene names.</summary>
    public IReadOnlyList<string> GeneNames { get; }

    /// <summary>Per-cell perturbed genes (sorted; empty for control).</summary>
    public string[][] Perturbations { get; }

    /// <summary>Per-cell canonical condition (<c>ctrl</c>, <c>A+ctrl</c>, <c>A+B</c>).</summary>
    public string[] Conditions { get; }

    /// <summary>Indices of control cells.</summary>
    public int[] ControlCells { get; }

    /// <summary>Cell indices per canonical condition.</summary>
    public IReadOnlyDictionary<string, int[]> CellsByCondition { get; }

    /// <summary>Mean expression per gene over <paramref name="cells"/> (pseudo-bulk).</summary>
    /// <param name="cells">Cell indices.</param>
    public double[] MeanOf(IReadOnlyList<int> cells) => MeanVar(cells).Mean;

    /// <summary>Pseudo-bulk mean profile of every condition.</summary>
    public Dictionary<string, double[]> PseudoBulkMeans() =>
        CellsByCondition.ToDictionary(kv => kv.Key, kv => MeanOf(kv.Value), StringComparer.Ordinal);

    /// <summary>Top-k DE genes of each non-control condition vs control by Welch t-test, ranked by |t| (as scanpy <c>rank_genes_groups</c> t-test with reference).</summary>
    /// <param name="k">Number of genes (GEARS uses 20).</param>
    /// <param name="progress">Reports the number of conditions done.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <remarks>t = (μ<sub>p</sub> − μ<sub>c</sub>) / √(s²<sub>p</sub>/n<sub>p</sub> + s²<sub>c</sub>/n<sub>c</sub>) with ddof 1; NaN (zero variance) scores become 0.</remarks>
    public Dictionary<string, DeResult> RankGenes(int k = 20, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (ControlCells.Length < 2) throw new InvalidOperationException("At least two control cells are needed.");
        var (mc, vc) = MeanVar(ControlCells);
        int nc = ControlCells.Length, done = 0;
        var result = new Dictionary<string, DeResult>(StringComparer.Ordinal);
        foreach (var (cond, cells) in CellsByCondition)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cond == "ctrl") continue;
            var (mp, vp) = MeanVar(cells);
            int np = cells.Length;
            var t = new double[X.Columns];
            for (int j = 0; j < t.Length; j++)
            {
                double s = Math.Sqrt((np > 1 ? vp[j] / np : 0) + vc[j] / nc);
                t[j] = s > 0 ? (mp[j] - mc[j]) / s : 0;
            }
            var ranked = Enumerable.Range(0, t.Length).OrderByDescending(j => Math.Abs(t[j])).ThenBy(j => j).ToArray();
            // non_dropouts = non_zero (perturbed mean ≠ 0) ∪ true_zeros (zero mean in both perturbation and control).
            var nonDropout = ranked.Where(j => mp[j] != 0 || mc[j] == 0).Take(k).ToArray();
            var nonZero = Enumerable.Range(0, t.Length).Where(j => mp[j] != 0).ToArray();
            result[cond] = new DeResult(cond, ranked.Take(k).ToArray(), t, nonDropout, nonZero);
            progress?.Report(++done);
        }
        return result;
    }

    private (double[] Mean, double[] Var) MeanVar(IReadOnlyList<int> cells)
    {
        int g = X.Columns, n = cells.Count;
        var sum = new double[g];
        var sq = new double[g];
        foreach (int c in cells)
        {
            var idx = X.RowIndices(c);
            var val = X.RowValues(c);
            for (int k = 0; k < idx.Length; k++) { sum[idx[k]] += val[k]; sq[idx[k]] += (double)val[k] * val[k]; }
        }
        var mean = new double[g];
        var v = new double[g];
        for (int j = 0; j < g; j++)
        {
            mean[j] = n > 0 ? sum[j] / n : 0;
            v[j] = n > 1 ? Math.Max(0, (sq[j] - n * mean[j] * mean[j]) / (n - 1)) : 0;
        }
        return (mean, v);
    }
}
