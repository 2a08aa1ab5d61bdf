namespace SingleCell.Models.Data;

/// <summary>Highly-variable gene selection: scanpy's <c>seurat_v3</c> flavour on counts and <c>seurat</c> (dispersion) flavour on log data.</summary>
public static class HighlyVariableGenes
{
    /// <summary>Seurat v3 variance-stabilised selection on raw counts (scanpy <c>flavor="seurat_v3"</c>, single batch).</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="topGenes">Number of genes to select.</param>
    /// <param name="span">Loess span (scanpy default 0.3).</param>
    /// <returns>The normalised variance per gene (0 for constant genes) and the selected gene indices, best first.</returns>
    /// <remarks>
    /// log10(var) is fitted on log10(mean) by degree-2 loess; with σ̂ = √(10^fit), counts are clipped at
    /// mean + σ̂√N and the normalised variance is (N·μ² + Σx² − 2μΣx) / ((N − 1)σ̂²).
    /// </remarks>
    public static (double[] NormalizedVariance, int[] Selected) SeuratV3(CellMatrix counts, int topGenes, double span = 0.3)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int n = counts.Rows, g = counts.Columns;
        var (mean, variance) = MeanVariance(counts, ddof: 1);
        var genes = Enumerable.Range(0, g).Where(j => variance[j] > 0).ToArray();
        var lx = genes.Select(j => Math.Log10(mean[j])).ToArray();
        var ly = genes.Select(j => Math.Log10(variance[j])).ToArray();
        var fit = Loess.Fit(lx, ly, span, 2);
        var regStd = new double[g];
        for (int k = 0; k < genes.Length; k++) regStd[genes[k]] = Math.Sqrt(Math.Pow(10, fit[k]));
        var clip = new double[g];
        for (int j = 0; j < g; j++) clip[j] = regStd[j] * Math.Sqrt(n) + mean[j];
        var sum = new double[g];
        var sumSq = new double[g];
        for (int k = 0; k < counts.NonZeroCount; k++)
        {
            int j = counts.Indices[k];
            double v = Math.Min(counts.Values[k], clip[j]);
            sum[j] += v; sumSq[j] += v * v;
        }
        var norm = new double[g];
        foreach (int j in genes)
            norm[j] = (n * mean[j] * mean[j] + sumSq[j] - 2 * sum[j] * mean[j]) / ((n - 1) * regStd[j] * regStd[j]);
        var selected = Enumerable.Range(0, g).OrderByDescending(j => norm[j]).ThenBy(j => j).Take(topGenes).ToArray();
        return (norm, selected);
    }

    /// <summary>Dispersion-based selection on log1p-normalised data (scanpy <c>flavor="seurat"</c>, 20 mean bins).</summary>
    /// <param name="logData">Cells × genes log1p-normalised values.</param>
    /// <param name="topGenes">Number of genes to select.</param>
    /// <param name="bins">Number of equal-width bins of log mean.</param>
    /// <returns>Normalised dispersion per gene (NaN where undefined) and the selected indices, best first.</returns>
    /// <remarks>On expm1(x): dispersion = var/mean, log-transformed; z-scored within bins of log1p(mean); single-gene bins get 1 (scanpy convention).</remarks>
    public static (double[] NormalizedDispersion, int[] Selected) Dispersion(CellMatrix logData, int topGenes, int bins = 20)
    {
        ArgumentNullException.ThrowIfNull(logData);
        var expm1 = logData.MapValues((v, _, _) => MathF.Exp(v) - 1f);
        var (mean, variance) = MeanVariance(expm1, ddof: 1);
        int g = logData.Columns;
        var disp = new double[g];
        var lmean = new double[g];
        for (int j = 0; j < g; j++)
        {
            double m = mean[j] == 0 ? 1e-12 : mean[j];
            double d = variance[j] / m;
            disp[j] = d == 0 ? double.NaN : Math.Log(d);
            lmean[j] = Math.Log(1 + mean[j]);
        }
        double min = lmean.Min(), max = lmean.Max(), width = (max - min) / bins;
        var bin = lmean.Select(v => width > 0 ? Math.Min(bins - 1, (int)((v - min) / width)) : 0).ToArray();
        var norm = new double[g];
        for (int b = 0; b < bins; b++)
        {
            var members = Enumerable.Range(0, g).Where(j => bin[j] == b && !double.IsNaN(disp[j])).ToArray();
            if (members.Length == 0) continue;
            double mu = members.Average(j => disp[j]);
            double sd = members.Length > 1 ? Math.Sqrt(members.Sum(j => (disp[j] - mu) * (disp[j] - mu)) / (members.Length - 1)) : double.NaN;
            foreach (int j in members) norm[j] = members.Length == 1 ? 1.0 : (disp[j] - mu) / sd;
        }
        for (int j = 0; j < g; j++) if (double.IsNaN(disp[j])) norm[j] = double.NaN;
        var selected = Enumerable.Range(0, g).Where(j => !double.IsNaN(norm[j])).OrderByDescending(j => norm[j]).ThenBy(j => j).Take(topGenes).ToArray();
        return (norm, selected);
    }

    /// <summary>Per-column mean and variance of a sparse matrix, treating unstored entries as zero.</summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="ddof">Delta degrees of freedom (1 for the sample variance).</param>
    public static (double[] Mean, double[] Variance) MeanVariance(CellMatrix matrix, int ddof = 1)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Rows;
        var sum = new double[matrix.Columns];
        var sq = new double[matrix.Columns];
        for (int k = 0; k < matrix.NonZeroCount; k++) { double v = matrix.Values[k]; sum[matrix.Indices[k]] += v; sq[matrix.Indices[k]] += v * v; }
        var mean = new double[matrix.Columns];
        var variance = new double[matrix.Columns];
        for (int j = 0; j < matrix.Columns; j++)
        {
            mean[j] = sum[j] / n;
            variance[j] = Math.Max(0, (sq[j] - n * mean[j] * mean[j]) / (n - ddof));
        }
        return (mean, variance);
    }
}
