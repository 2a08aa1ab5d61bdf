namespace SingleCell.Models.Evaluation;

/// <summary>Which correlation coefficient a metric uses.</summary>
public enum CorrelationMethod
{
    /// <summary>Pearson's product-moment correlation (<c>numpy.corrcoef</c>).</summary>
    Pearson,

    /// <summary>Spearman's rank correlation: Pearson on average ranks (<c>scipy.stats.spearmanr</c>).</summary>
    Spearman,
}

/// <summary>
/// Correlation matrices between the columns of sample × variable matrices, and ranks.
/// </summary>
/// <remarks>
/// Matrices are <c>double[,]</c> with one row per sample (cell) and one column per variable
/// (latent dimension), as <c>numpy.corrcoef(x, y, rowvar=False)</c> and
/// <c>scipy.stats.spearmanr(x, y)</c> read them. A column with zero variance has an undefined
/// correlation: its entries are NaN, as numpy gives. Sums are taken in double precision after
/// centring (two passes).
/// </remarks>
public static class Correlation
{
    /// <summary>Correlation of every column of <paramref name="x"/> with every column of <paramref name="y"/>.</summary>
    /// <param name="x">n × dx samples.</param>
    /// <param name="y">n × dy samples.</param>
    /// <param name="method">Pearson or Spearman.</param>
    /// <returns>dx × dy matrix; entry (i, j) = corr(x[:, i], y[:, j]) (the block <c>[:dx, dx:]</c> of numpy's joint matrix).</returns>
    /// <exception cref="ArgumentException">The row counts differ or are below 2.</exception>
    public static double[,] Cross(double[,] x, double[,] y, CorrelationMethod method = CorrelationMethod.Pearson)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = x.GetLength(0);
        if (y.GetLength(0) != n)
            throw new ArgumentException($"x has {n} rows (samples) but y has {y.GetLength(0)}.", nameof(y));
        if (n < 2) throw new ArgumentException($"A correlation needs at least 2 samples; got {n}.", nameof(x));
        var xs = Standardize(x, method == CorrelationMethod.Spearman);
        var ys = Standardize(y, method == CorrelationMethod.Spearman);
        int dx = xs.Length, dy = ys.Length;
        var result = new double[dx, dy];
        for (int i = 0; i < dx; i++)
            for (int j = 0; j < dy; j++)
                result[i, j] = Clamp(Dot(xs[i], ys[j]));
        return result;
    }

    /// <summary>Correlation matrix among the columns of <paramref name="x"/> (<c>numpy.corrcoef(x, rowvar=False)</c>).</summary>
    /// <param name="x">n × d samples.</param>
    /// <param name="method">Pearson or Spearman.</param>
    /// <returns>The symmetric d × d matrix (1 on the diagonal of non-constant columns).</returns>
    /// <exception cref="ArgumentException">Fewer than 2 rows.</exception>
    public static double[,] Matrix(double[,] x, CorrelationMethod method = CorrelationMethod.Pearson) => Cross(x, x, method);

    /// <summary>Pearson correlation of two equally long vectors.</summary>
    /// <param name="x">First vector.</param>
    /// <param name="y">Second vector.</param>
    /// <returns>The coefficient in [−1, 1]; NaN if either vector is constant.</returns>
    /// <exception cref="ArgumentException">Lengths differ or are below 2.</exception>
    public static double Pearson(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"x has {x.Length} entries but y has {y.Length}.", nameof(y));
        if (x.Length < 2) throw new ArgumentException($"A correlation needs at least 2 samples; got {x.Length}.", nameof(x));
        double mx = Mean(x), my = Mean(y);
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double a = x[i] - mx, b = y[i] - my;
            sxy += a * b; sxx += a * a; syy += b * b;
        }
        return Clamp(sxy / Math.Sqrt(sxx * syy));
    }

    /// <summary>Spearman rank correlation of two equally long vectors (average ranks for ties).</summary>
    /// <param name="x">First vector.</param>
    /// <param name="y">Second vector.</param>
    /// <returns>The coefficient in [−1, 1]; NaN if either vector is constant.</returns>
    /// <exception cref="ArgumentException">Lengths differ or are below 2.</exception>
    public static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Pearson(Rank(x), Rank(y));

    /// <summary>
    /// Ranks 1 … n of the values, tied values sharing the mean of the ranks they span
    /// (<c>scipy.stats.rankdata(method="average")</c>).
    /// </summary>
    /// <param name="values">The values.</param>
    /// <returns>The rank of each value; all NaN when any value is NaN (scipy's <c>nan_policy="propagate"</c>).</returns>
    public static double[] Rank(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        foreach (double v in values)
        {
            if (!double.IsNaN(v)) continue;
            var nan = new double[n];
            Array.Fill(nan, double.NaN);
            return nan;
        }
        var order = new int[n];
        var keys = values.ToArray();
        for (int i = 0; i < n; i++) order[i] = i;
        // Stable sort by value (index breaks ties so the result is deterministic).
        Array.Sort(order, (a, b) =>
        {
            int c = keys[a].CompareTo(keys[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[order[end]].CompareTo(keys[order[start]]) == 0) end++;
            double rank = 0.5 * (start + 1 + end); // mean of ranks start+1 … end
            for (int k = start; k < end; k++) ranks[order[k]] = rank;
            start = end;
        }
        return ranks;
    }

    /// <summary>Columns centred and scaled to unit norm (ranked first for Spearman); a constant column becomes NaN.</summary>
    private static double[][] Standardize(double[,] x, bool rank)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var columns = new double[d][];
        var buffer = new double[n];
        for (int j = 0; j < d; j++)
        {
            for (int i = 0; i < n; i++) buffer[i] = x[i, j];
            double[] col = rank ? Rank(buffer) : (double[])buffer.Clone();
            double mean = Mean(col);
            double ss = 0;
            for (int i = 0; i < n; i++) { col[i] -= mean; ss += col[i] * col[i]; }
            double inv = 1.0 / Math.Sqrt(ss); // +∞ for a constant column → NaN entries below
            for (int i = 0; i < n; i++) col[i] *= inv;
            if (ss == 0) Array.Fill(col, double.NaN);
            columns[j] = col;
        }
        return columns;
    }

    private static double Mean(ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (double v in x) s += v;
        return s / x.Length;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double Clamp(double r) => double.IsNaN(r) ? r : Math.Clamp(r, -1.0, 1.0);
}
