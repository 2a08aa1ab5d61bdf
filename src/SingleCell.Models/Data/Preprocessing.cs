namespace SingleCell.Models.Data;

/// <summary>Per-cell quality-control metrics.</summary>
/// <param name="TotalCounts">Sum of counts per cell.</param>
/// <param name="GenesDetected">Number of genes with a non-zero count per cell.</param>
/// <param name="MitoFraction">Fraction of counts in mitochondrial genes per cell (0 when none are flagged or the cell is empty).</param>
public sealed record QcMetrics(double[] TotalCounts, int[] GenesDetected, double[] MitoFraction);

/// <summary>Preprocessing on CSR matrices without densifying: QC, filtering, normalisation and log transform.</summary>
public static class Preprocessing
{
    /// <summary>Checks that every stored value is a finite non-negative whole number.</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="cellNames">Optional cell names used in the message.</param>
    /// <param name="geneNames">Optional gene names used in the message.</param>
    /// <exception cref="ArgumentException">The first offending value, naming its cell and gene.</exception>
    public static void ValidateCounts(CellMatrix counts, IReadOnlyList<string>? cellNames = null, IReadOnlyList<string>? geneNames = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        for (int r = 0; r < counts.Rows; r++)
            for (int k = counts.IndPtr[r]; k < counts.IndPtr[r + 1]; k++)
            {
                float v = counts.Values[k];
                if (v >= 0 && float.IsFinite(v) && v == MathF.Floor(v)) continue;
                int c = counts.Indices[k];
                string cell = cellNames != null ? $"'{cellNames[r]}' (row {r})" : $"row {r}";
                string gene = geneNames != null ? $"'{geneNames[c]}' (column {c})" : $"column {c}";
                throw new ArgumentException($"Not a count matrix: cell {cell}, gene {gene} holds {v}.", nameof(counts));
            }
    }

    /// <summary>Computes total counts, genes detected and mitochondrial fraction per cell.</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="isMito">Per gene, whether it is mitochondrial (null: none).</param>
    public static QcMetrics ComputeQc(CellMatrix counts, IReadOnlyList<bool>? isMito = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var total = new double[counts.Rows];
        var detected = new int[counts.Rows];
        var mito = new double[counts.Rows];
        for (int r = 0; r < counts.Rows; r++)
        {
            double t = 0, mt = 0;
            int d = 0;
            for (int k = counts.IndPtr[r]; k < counts.IndPtr[r + 1]; k++)
            {
                float v = counts.Values[k];
                t += v;
                if (v != 0) d++;
                if (isMito != null && isMito[counts.Indices[k]]) mt += v;
            }
            total[r] = t;
            detected[r] = d;
            mito[r] = t > 0 ? mt / t : 0;
        }
        return new QcMetrics(total, detected, mito);
    }

    /// <summary>Flags genes whose name starts with <c>MT-</c> (human) or <c>mt-</c> (mouse).</summary>
    /// <param name="geneNames">Gene symbols.</param>
    public static bool[] MitoGenes(IReadOnlyList<string> geneNames)
    {
        ArgumentNullException.ThrowIfNull(geneNames);
        return geneNames.Select(g => g.StartsWith("MT-", StringComparison.OrdinalIgnoreCase)).ToArray();
    }

    /// <summary>Indices of cells passing the thresholds (as scanpy <c>filter_cells</c>).</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="minCounts">Minimum total counts.</param>
    /// <param name="minGenes">Minimum genes detected.</param>
    /// <param name="maxMitoFraction">Maximum mitochondrial fraction (needs <paramref name="isMito"/>).</param>
    /// <param name="isMito">Mitochondrial gene flags.</param>
    public static int[] FilterCells(CellMatrix counts, double minCounts = 0, int minGenes = 0, double maxMitoFraction = 1.0, IReadOnlyList<bool>? isMito = null)
    {
        var qc = ComputeQc(counts, isMito);
        return Enumerable.Range(0, counts.Rows)
            .Where(r => qc.TotalCounts[r] >= minCounts && qc.GenesDetected[r] >= minGenes && qc.MitoFraction[r] <= maxMitoFraction).ToArray();
    }

    /// <summary>Indices of genes detected in at least <paramref name="minCells"/> cells with at least <paramref name="minCounts"/> total counts.</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="minCells">Minimum number of cells with a non-zero count.</param>
    /// <param name="minCounts">Minimum total counts.</param>
    public static int[] FilterGenes(CellMatrix counts, int minCells = 0, double minCounts = 0)
    {
        var nz = counts.ColumnNonZeroCounts();
        var sums = counts.ColumnSums();
        return Enumerable.Range(0, counts.Columns).Where(c => nz[c] >= minCells && sums[c] >= minCounts).ToArray();
    }

    /// <summary>Scales each cell to <paramref name="targetSum"/> total counts (median of non-empty cell totals when null).</summary>
    /// <param name="counts">Cells × genes counts.</param>
    /// <param name="targetSum">The target total; null uses the median total over cells with positive totals (scanpy default).</param>
    /// <remarks>x'<sub>ij</sub> = x<sub>ij</sub> · target / Σ<sub>j</sub> x<sub>ij</sub>; empty cells stay zero.</remarks>
    public static CellMatrix NormalizeTotal(CellMatrix counts, double? targetSum = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var totals = counts.RowSums();
        double target = targetSum ?? Median(totals.Where(t => t > 0).ToArray());
        return counts.MapValues((v, r, _) => totals[r] > 0 ? (float)(v * target / totals[r]) : 0f);
    }

    /// <summary>Natural log(1 + x) of every stored value (zeros stay zero, so sparsity is kept).</summary>
    /// <param name="matrix">The matrix.</param>
    public static CellMatrix Log1p(CellMatrix matrix) => matrix.MapValues((v, _, _) => MathF.Log(1f + v));

    internal static double Median(double[] values)
    {
        if (values.Length == 0) return 0;
        var s = (double[])values.Clone();
        Array.Sort(s);
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}
