using SingleCell.Models.Data;

namespace SingleCell.Models.Graphs;

/// <summary>
/// Builds GEARS' gene co-expression graph from a cells × genes CSR matrix.
/// </summary>
/// <remarks>
/// R = Pearson correlation between genes over the chosen cells (GEARS: training control and
/// single-perturbation cells), NaN (constant genes) set to 0, then |R|. Each gene i keeps the
/// <c>k + 1</c> genes j with the largest |R_ij| (itself included, |R_ii| = 1) as edges
/// j → i of weight |R_ij|, and only edges with weight &gt; threshold (GEARS: 0.4) remain.
/// Ties go to the lower gene index. Cross-products are accumulated one gene at a time from the
/// sparse columns (Σ_c x_ci x_cj over the cells where gene i is non-zero), so memory stays
/// O(genes + nnz) and no dense genes × genes matrix is formed.
/// </remarks>
public static class CoexpressionGraphBuilder
{
    /// <summary>Builds the co-expression graph.</summary>
    /// <param name="matrix">Cells × genes expression (log-normalised in GEARS).</param>
    /// <param name="genes">Gene symbols, one per column.</param>
    /// <param name="cells">Rows to use; null uses all.</param>
    /// <param name="neighborsPerGene">k (GEARS <c>num_similar_genes_co_express_graph</c> = 20).</param>
    /// <param name="threshold">Keep weights strictly above this (GEARS <c>coexpress_threshold</c> = 0.4).</param>
    /// <param name="progress">Receives the fraction of genes done (0–1).</param>
    /// <param name="cancellationToken">Stops the build.</param>
    /// <exception cref="ArgumentException">The gene list does not match the columns.</exception>
    public static GeneGraph Build(CellMatrix matrix, IReadOnlyList<string> genes, IReadOnlyList<int>? cells = null,
        int neighborsPerGene = 20, double threshold = 0.4, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(genes);
        if (genes.Count != matrix.Columns) throw new ArgumentException($"{genes.Count} gene names for a matrix with {matrix.Columns} columns.", nameof(genes));
        int g = matrix.Columns;
        int[] rows = cells?.ToArray() ?? Enumerable.Range(0, matrix.Rows).ToArray();
        int n = rows.Length;
        // Column-major (CSC) copy of the selected rows: cell index within 'rows', value.
        var colPtr = new int[g + 1];
        foreach (int r in rows)
        {
            if ((uint)r >= (uint)matrix.Rows) throw new ArgumentOutOfRangeException(nameof(cells), $"Row {r} is outside 0..{matrix.Rows - 1}.");
            foreach (int c in matrix.RowIndices(r)) colPtr[c + 1]++;
        }
        for (int j = 0; j < g; j++) colPtr[j + 1] += colPtr[j];
        var fill = (int[])colPtr.Clone();
        var cellIdx = new int[colPtr[g]];
        var cellVal = new double[colPtr[g]];
        var sum = new double[g];
        var sumSq = new double[g];
        for (int i = 0; i < n; i++)
        {
            var idx = matrix.RowIndices(rows[i]);
            var val = matrix.RowValues(rows[i]);
            for (int k = 0; k < idx.Length; k++)
            {
                int p = fill[idx[k]]++;
                cellIdx[p] = i;
                cellVal[p] = val[k];
                sum[idx[k]] += val[k];
                sumSq[idx[k]] += (double)val[k] * val[k];
            }
        }
        // Row-major copy restricted to the selected rows, for the scatter step.
        var rowPtr = new int[n + 1];
        for (int i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + matrix.RowIndices(rows[i]).Length;
        var rIdx = new int[rowPtr[n]];
        var rVal = new double[rowPtr[n]];
        for (int i = 0; i < n; i++)
        {
            var idx = matrix.RowIndices(rows[i]);
            var val = matrix.RowValues(rows[i]);
            for (int k = 0; k < idx.Length; k++) { rIdx[rowPtr[i] + k] = idx[k]; rVal[rowPtr[i] + k] = val[k]; }
        }
        var mean = new double[g];
        var sd = new double[g];
        for (int j = 0; j < g; j++)
        {
            mean[j] = n > 0 ? sum[j] / n : 0;
            double v = sumSq[j] - n * mean[j] * mean[j];
            sd[j] = v > 0 ? Math.Sqrt(v) : 0;
        }
        int keep = neighborsPerGene + 1;
        var topSrc = new int[g * keep];
        var topW = new float[g * keep];
        var topCount = new int[g];
        int done = 0;
        var po = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, (g + 63) / 64, po, () => new double[g], (c, _, dot) =>
        {
            int end = Math.Min(g, (c + 1) * 64);
            var w = new double[keep];
            for (int i = c * 64; i < end; i++)
            {
                Array.Clear(dot);
                for (int p = colPtr[i]; p < colPtr[i + 1]; p++)
                {
                    double xi = cellVal[p];
                    int cell = cellIdx[p];
                    for (int q = rowPtr[cell]; q < rowPtr[cell + 1]; q++) dot[rIdx[q]] += xi * rVal[q];
                }
                int filled = 0;
                var srcSpan = topSrc.AsSpan(i * keep, keep);
                for (int j = 0; j < g; j++)
                {
                    double r = sd[i] > 0 && sd[j] > 0 ? (dot[j] - n * mean[i] * mean[j]) / (sd[i] * sd[j]) : 0;
                    if (i == j && sd[i] > 0) r = 1;
                    r = Math.Min(1, Math.Abs(r));
                    if (filled == keep && !(r > w[keep - 1])) continue;
                    int pos = filled < keep ? filled++ : keep - 1;
                    while (pos > 0 && r > w[pos - 1]) { w[pos] = w[pos - 1]; srcSpan[pos] = srcSpan[pos - 1]; pos--; }
                    w[pos] = r;
                    srcSpan[pos] = j;
                }
                int kept = 0;
                for (int k = 0; k < filled; k++)
                    if (w[k] > threshold) { srcSpan[kept] = srcSpan[k]; topW[i * keep + kept++] = (float)w[k]; }
                topCount[i] = kept;
            }
            progress?.Report((double)Interlocked.Add(ref done, end - c * 64) / g);
            return dot;
        }, _ => { });
        int total = 0;
        for (int i = 0; i < g; i++) total += topCount[i];
        var src = new int[total];
        var dst = new int[total];
        var wt = new float[total];
        int e = 0;
        for (int i = 0; i < g; i++)
            for (int k = 0; k < topCount[i]; k++) { src[e] = topSrc[i * keep + k]; dst[e] = i; wt[e++] = topW[i * keep + k]; }
        return GeneGraph.FromEdges(genes, src, dst, wt);
    }
}
