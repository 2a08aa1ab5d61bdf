using SingleCell.Models.Data;
using SingleCell.Models.Modeling;

namespace SingleCell.Models.Exceiver;

/// <summary>Data brought onto a model's gene vocabulary: log1p-normalised values, and what was found.</summary>
/// <param name="Values">Cells × vocabulary genes, log1p(normalised) values (zeros not stored).</param>
/// <param name="Detected">What the input held (<see cref="InputScale.Counts"/> were normalised here; <see cref="InputScale.LogNormalized"/> used as is).</param>
/// <param name="UnknownGenes">Genes of the data outside the vocabulary (ignored).</param>
/// <param name="MissingGenes">Vocabulary genes absent from the data (treated as not detected).</param>
public sealed record ExceiverInput(CellMatrix Values, InputScale Detected, int UnknownGenes, int MissingGenes);

/// <summary>
/// The Exceiver's preprocessing (spec §2.2): detection of raw counts or log-normalised input, total-count
/// normalisation and log1p, alignment to a gene vocabulary by name, and the per-gene standardisation
/// (fitted on training cells, clipped above <see cref="ExceiverOptions.Clip"/>, shifted by +1).
/// </summary>
public static class ExceiverPreprocessing
{
    /// <summary>
    /// What <paramref name="matrix"/> holds: <see cref="InputScale.Counts"/> when every stored value is a
    /// non-negative integer, else <see cref="InputScale.LogNormalized"/>.
    /// </summary>
    /// <param name="matrix">Cells × genes.</param>
    /// <exception cref="DataSchemaException">A value is negative or not finite (scaled data: pass raw counts or log-normalised values, e.g. <c>.raw</c>).</exception>
    public static InputScale Detect(CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        bool integers = true;
        var values = matrix.Values.AsSpan(0, matrix.NonZeroCount);
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || v < 0)
                throw new DataSchemaException($"The Exceiver needs raw counts or log-normalised values; the matrix has {v} (scaled data? use the counts or .raw).");
            if (v != MathF.Floor(v)) integers = false;
        }
        return integers ? InputScale.Counts : InputScale.LogNormalized;
    }

    /// <summary>log1p(x · target / total) per cell for counts; the values unchanged for log-normalised input.</summary>
    /// <param name="matrix">Cells × genes.</param>
    /// <param name="scale">What the matrix holds (<see cref="InputScale.Auto"/> detects).</param>
    /// <param name="targetSum">Per-cell total after normalisation.</param>
    /// <returns>The log-normalised matrix and what was detected.</returns>
    /// <exception cref="DataSchemaException">Negative or non-finite values, or counts requested for non-integer values.</exception>
    public static (CellMatrix Values, InputScale Detected) LogNormalize(CellMatrix matrix, InputScale scale = InputScale.Auto, double targetSum = 1e4)
    {
        var detected = Detect(matrix);
        if (scale == InputScale.Counts && detected != InputScale.Counts)
            throw new DataSchemaException("Input is set to raw counts but the matrix has non-integer values (already normalised?).");
        var kind = scale == InputScale.Auto ? detected : scale;
        if (kind == InputScale.LogNormalized) return (matrix, kind);
        return (Preprocessing.Log1p(Preprocessing.NormalizeTotal(matrix, targetSum)), kind);
    }

    /// <summary>The union of the data sets' gene names, in order of first appearance.</summary>
    /// <param name="data">The data sets.</param>
    /// <param name="layer">The layer read (genes are the var names in any case).</param>
    public static string[] Vocabulary(IReadOnlyList<AnnData> data, string? layer = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var genes = new List<string>();
        foreach (var d in data)
            foreach (var g in d.VarNames)
                if (seen.Add(g)) genes.Add(g);
        return genes.ToArray();
    }

    /// <summary>Reads <paramref name="data"/> onto <paramref name="vocabulary"/>: log-normalised, genes matched by name.</summary>
    /// <param name="data">Cells × genes.</param>
    /// <param name="vocabulary">The model's genes.</param>
    /// <param name="layer">The layer to read, or null for X.</param>
    /// <param name="options">Input scale and target sum.</param>
    /// <exception cref="DataSchemaException">The layer is missing, the values are invalid, no gene is shared, or (with
    /// <see cref="ExceiverOptions.RequireAllGenes"/>) a vocabulary gene is missing.</exception>
    public static ExceiverInput Prepare(AnnData data, IReadOnlyList<string> vocabulary, string? layer, ExceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(options);
        var matrix = layer == null
            ? data.X ?? throw new DataSchemaException("The data has no X matrix.")
            : data.Layers.TryGetValue(layer, out var l) ? l
            : throw new DataSchemaException($"Layer '{layer}' is not in the data (layers: {(data.Layers.Count == 0 ? "none" : string.Join(", ", data.Layers.Keys))}).");
        var (logn, detected) = LogNormalize(matrix, options.Input, options.TargetSum);
        var index = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int g = 0; g < vocabulary.Count; g++) index.TryAdd(vocabulary[g], g);
        var map = new int[data.NVars];
        var present = new bool[vocabulary.Count];
        int unknown = 0;
        for (int j = 0; j < map.Length; j++)
        {
            if (index.TryGetValue(data.VarNames[j], out int g) && !present[g]) { map[j] = g; present[g] = true; }
            else { map[j] = -1; unknown++; }
        }
        int missing = present.Count(p => !p);
        if (missing == vocabulary.Count)
            throw new DataSchemaException($"None of the data's {data.NVars} genes is in the model's vocabulary of {vocabulary.Count} genes.");
        if (missing > 0 && options.RequireAllGenes)
        {
            var names = Enumerable.Range(0, vocabulary.Count).Where(g => !present[g]).Take(5).Select(g => $"'{vocabulary[g]}'");
            throw new DataSchemaException($"{missing} of the model's {vocabulary.Count} genes are not in the data: {string.Join(", ", names)}{(missing > 5 ? ", …" : "")}.");
        }
        return new ExceiverInput(Remap(logn, map, vocabulary.Count), detected, unknown, missing);
    }

    /// <summary>Columns moved to <paramref name="map"/>[j] (−1: dropped), each row's entries sorted by new column.</summary>
    private static CellMatrix Remap(CellMatrix m, int[] map, int columns)
    {
        var ptr = new int[m.Rows + 1];
        var idx = new List<int>(m.NonZeroCount);
        var val = new List<float>(m.NonZeroCount);
        var row = new List<(int, float)>();
        for (int r = 0; r < m.Rows; r++)
        {
            row.Clear();
            var ri = m.RowIndices(r); var rv = m.RowValues(r);
            for (int k = 0; k < ri.Length; k++)
                if (map[ri[k]] >= 0 && rv[k] != 0) row.Add((map[ri[k]], rv[k]));
            row.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            foreach (var (c, v) in row) { idx.Add(c); val.Add(v); }
            ptr[r + 1] = idx.Count;
        }
        return new CellMatrix(m.Rows, columns, ptr, idx.ToArray(), val.ToArray());
    }

    /// <summary>Stacks matrices with the same columns (cells of several files).</summary>
    /// <param name="parts">The matrices.</param>
    public static CellMatrix StackRows(IReadOnlyList<CellMatrix> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        int rows = parts.Sum(p => p.Rows), cols = parts.Count == 0 ? 0 : parts[0].Columns;
        var ptr = new int[rows + 1];
        var idx = new List<int>(); var val = new List<float>();
        int r0 = 0;
        foreach (var p in parts)
        {
            if (p.Columns != cols) throw new ArgumentException($"StackRows: {p.Columns} columns, expected {cols}.", nameof(parts));
            for (int r = 0; r < p.Rows; r++)
            {
                foreach (var c in p.RowIndices(r)) idx.Add(c);
                foreach (var v in p.RowValues(r)) val.Add(v);
                ptr[r0 + r + 1] = idx.Count;
            }
            r0 += p.Rows;
        }
        return new CellMatrix(rows, cols, ptr, idx.ToArray(), val.ToArray());
    }

    /// <summary>
    /// Per-gene mean and standard deviation (population, as scikit-learn's <c>StandardScaler</c>; a zero
    /// deviation becomes 1) of the log-normalised values of <paramref name="rows"/>, zeros included.
    /// </summary>
    /// <param name="values">Log-normalised cells × genes.</param>
    /// <param name="rows">The cells to fit on (the training cells).</param>
    public static (float[] Mean, float[] Scale) FitScaler(CellMatrix values, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows.Length == 0) throw new ArgumentException("FitScaler: no cells to fit on.", nameof(rows));
        int g = values.Columns;
        var sum = new double[g]; var sq = new double[g];
        foreach (int r in rows)
        {
            var ri = values.RowIndices(r); var rv = values.RowValues(r);
            for (int k = 0; k < ri.Length; k++) { sum[ri[k]] += rv[k]; sq[ri[k]] += (double)rv[k] * rv[k]; }
        }
        var mean = new float[g]; var scale = new float[g];
        for (int j = 0; j < g; j++)
        {
            double m = sum[j] / rows.Length, v = Math.Max(0, sq[j] / rows.Length - m * m);
            mean[j] = (float)m;
            scale[j] = v > 0 ? (float)Math.Sqrt(v) : 1f;
        }
        return (mean, scale);
    }

    /// <summary>The model input of one log-normalised value: min((x − mean) / scale, clip) + 1.</summary>
    /// <param name="x">log1p(normalised) value (0 for a zero count).</param>
    /// <param name="mean">The gene's mean.</param>
    /// <param name="scale">The gene's standard deviation.</param>
    /// <param name="clip">Upper clip.</param>
    public static float Standardize(float x, float mean, float scale, float clip) => MathF.Min((x - mean) / scale, clip) + 1f;

    /// <summary>The inverse of <see cref="Standardize"/> for unclipped values: (v − 1) · scale + mean.</summary>
    /// <param name="v">A model value.</param>
    /// <param name="mean">The gene's mean.</param>
    /// <param name="scale">The gene's standard deviation.</param>
    public static float Unstandardize(float v, float mean, float scale) => (v - 1f) * scale + mean;

    /// <summary>n_mask = ⌊fraction × median detected genes of <paramref name="rows"/>⌋ (the median of an even count is the mean of the middle two, as NumPy's).</summary>
    /// <param name="values">Cells × genes.</param>
    /// <param name="rows">The training cells.</param>
    /// <param name="fraction">The mask fraction (0.15).</param>
    public static int MaskCount(CellMatrix values, ReadOnlySpan<int> rows, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows.Length == 0) return 0;
        var nnz = new int[rows.Length];
        for (int i = 0; i < nnz.Length; i++) nnz[i] = values.RowIndices(rows[i]).Length;
        Array.Sort(nnz);
        int n = nnz.Length;
        double median = n % 2 == 1 ? nnz[n / 2] : 0.5 * (nnz[n / 2 - 1] + nnz[n / 2]);
        return (int)Math.Floor(fraction * median);
    }
}
