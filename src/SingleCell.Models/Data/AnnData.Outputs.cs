namespace SingleCell.Models.Data;

/// <summary>Helpers that attach a model's outputs (embeddings, predictions, labels, selections) without manual array copies.</summary>
public sealed partial class AnnData
{
    /// <summary>
    /// Stores an embedding (e.g. a model's latent representation) as <c>obsm[key]</c>. When
    /// <paramref name="cells"/> is given, row i of <paramref name="embedding"/> belongs to cell
    /// <c>cells[i]</c> and cells not listed get NaN.
    /// </summary>
    /// <param name="key">The obsm key (scanpy's convention is <c>X_name</c>, e.g. <c>X_svae</c>).</param>
    /// <param name="embedding">Rows × dimensions, one row per cell (or per listed cell).</param>
    /// <param name="cells">The cell (obs row) of each embedding row; null means row i is cell i.</param>
    /// <returns>The matrix stored (cells × dimensions).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="embedding"/> is null.</exception>
    /// <exception cref="ArgumentException">The rows do not match the cells, or a cell index is outside 0..NObs−1.</exception>
    public DenseMatrix AddEmbedding(string key, DenseMatrix embedding, IReadOnlyList<int>? cells = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(embedding);
        var stored = Scatter(embedding.Values, embedding.Rows, embedding.Columns, cells, float.NaN, $"Embedding '{key}'");
        var m = new DenseMatrix(NObs, embedding.Columns, stored);
        Obsm[key] = m;
        return m;
    }

    /// <summary>
    /// Stores cells × genes values (e.g. predicted expression) as <c>layers[key]</c>, in the
    /// sparse form every layer has. When <paramref name="cells"/> is given, row i belongs to cell
    /// <c>cells[i]</c> and cells not listed get zeros.
    /// </summary>
    /// <param name="key">The layer name (e.g. <c>predicted</c>).</param>
    /// <param name="values">Rows × <see cref="NVars"/> values.</param>
    /// <param name="cells">The cell of each row; null means row i is cell i.</param>
    /// <returns>The layer stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">The columns differ from the genes, the rows from the cells, or a cell index is out of range.</exception>
    public CellMatrix AddLayer(string key, DenseMatrix values, IReadOnlyList<int>? cells = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Columns != NVars)
            throw new ArgumentException($"Layer '{key}' has {values.Columns} columns; this AnnData has {NVars} genes.", nameof(values));
        var stored = Scatter(values.Values, values.Rows, values.Columns, cells, 0f, $"Layer '{key}'");
        var m = CellMatrix.FromDense(stored, NObs, NVars);
        Layers[key] = m;
        return m;
    }

    /// <summary>
    /// Stores one label per cell (a predicted class, a cluster, a perturbation) as the categorical
    /// obs column <paramref name="name"/>. Cells not listed in <paramref name="cells"/> are missing.
    /// </summary>
    /// <param name="name">The obs column name.</param>
    /// <param name="labels">One label per cell (or per listed cell); null is missing.</param>
    /// <param name="cells">The cell of each label; null means label i is cell i.</param>
    /// <returns>The column stored (categories sorted ordinally).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">The labels do not match the cells, or a cell index is out of range.</exception>
    public CategoricalColumn AddObsLabels(string name, IReadOnlyList<string?> labels, IReadOnlyList<int>? cells = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(labels);
        var all = new string?[NObs];
        var rows = Rows(labels.Count, cells, $"Labels '{name}'");
        for (int i = 0; i < rows.Length; i++) all[rows[i]] = labels[i];
        var column = CategoricalColumn.FromValues(name, all);
        Obs.Add(column);
        return column;
    }

    /// <summary>
    /// Records a selection (e.g. the perturbations a selector chose, in order): <c>uns[key]</c>
    /// holds <c>selected</c>, <c>gains</c> and <c>method</c>; the var column <paramref name="key"/>
    /// holds each selected gene's 1-based rank (missing for the others), matched against the var
    /// names or, when given, the var column <paramref name="geneColumn"/>.
    /// </summary>
    /// <param name="key">The uns key and var column name (e.g. <c>selection</c>).</param>
    /// <param name="selected">The chosen items in order.</param>
    /// <param name="gains">The marginal gain of each pick, or null.</param>
    /// <param name="method">The selector's name, or null.</param>
    /// <param name="geneColumn">A var column of gene symbols to match against instead of the var names.</param>
    /// <returns>The number of selected items that matched a gene of var (the others are kept in uns only).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="selected"/> is null.</exception>
    /// <exception cref="ArgumentException">The gains do not match the selection, or <paramref name="geneColumn"/> is not a var column.</exception>
    public int AddSelection(string key, IReadOnlyList<string> selected, IReadOnlyList<double>? gains = null, string? method = null, string? geneColumn = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(selected);
        if (gains is not null && gains.Count != selected.Count)
            throw new ArgumentException($"{gains.Count} gains for {selected.Count} selected items.", nameof(gains));
        var symbols = geneColumn is null ? null
            : Var.Find(geneColumn) ?? throw new ArgumentException($"var has no column '{geneColumn}' (it has {string.Join(", ", Var.ColumnNames)}).", nameof(geneColumn));
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < selected.Count; i++) rank.TryAdd(selected[i], i + 1);
        var values = new long[NVars];
        var missing = new bool[NVars];
        int matched = 0;
        for (int v = 0; v < NVars; v++)
        {
            string gene = symbols?.GetString(v) ?? VarNames[v];
            if (rank.TryGetValue(gene, out int r)) { values[v] = r; matched++; }
            else missing[v] = true;
        }
        Var.Add(new NullableIntegerColumn(key, values, missing));
        var entry = new Dictionary<string, object?>(StringComparer.Ordinal) { ["selected"] = selected.ToArray<string?>() };
        if (gains is not null) entry["gains"] = gains.ToArray();
        if (method is not null) entry["method"] = method;
        Uns[key] = entry;
        return matched;
    }

    /// <summary>
    /// Marks the cells whose perturbation was selected: obs column <paramref name="name"/> is true
    /// when every gene of the cell's label in <paramref name="labelColumn"/> (split on '+') is in
    /// <paramref name="selected"/>; control cells (<c>control</c>, <c>ctrl</c>, <c>non-targeting</c>) are false.
    /// </summary>
    /// <param name="name">The obs column to write.</param>
    /// <param name="selected">The selected genes.</param>
    /// <param name="labelColumn">The obs column of perturbation labels.</param>
    /// <returns>The number of cells marked.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="labelColumn"/> is not an obs column.</exception>
    public int MarkSelectedCells(string name, IReadOnlyCollection<string> selected, string labelColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(selected);
        ArgumentNullException.ThrowIfNull(labelColumn);
        var labels = Obs.Find(labelColumn) ?? throw new ArgumentException($"obs has no column '{labelColumn}' (it has {string.Join(", ", Obs.ColumnNames)}).", nameof(labelColumn));
        var set = new HashSet<string>(selected, StringComparer.Ordinal);
        var marks = new bool[NObs];
        int count = 0;
        for (int r = 0; r < NObs; r++)
        {
            var genes = labels.GetString(r).Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            marks[r] = genes.Length > 0 && Array.TrueForAll(genes, g => g is not ("control" or "ctrl" or "non-targeting") && set.Contains(g));
            if (marks[r]) count++;
        }
        Obs.Add(new BooleanColumn(name, marks));
        return count;
    }

    private float[] Scatter(float[] rowMajor, int rows, int columns, IReadOnlyList<int>? cells, float fill, string what)
    {
        var target = Rows(rows, cells, what);
        if (cells is null) return (float[])rowMajor.Clone();
        var all = new float[(long)NObs * columns];
        if (fill != 0f) Array.Fill(all, fill);
        for (int i = 0; i < target.Length; i++)
            Array.Copy(rowMajor, (long)i * columns, all, (long)target[i] * columns, columns);
        return all;
    }

    private int[] Rows(int count, IReadOnlyList<int>? cells, string what)
    {
        if (cells is null)
        {
            if (count != NObs) throw new ArgumentException($"{what} has {count} rows; this AnnData has {NObs} cells (pass the cells they belong to).");
            return Enumerable.Range(0, count).ToArray();
        }
        if (cells.Count != count) throw new ArgumentException($"{what} has {count} rows for {cells.Count} listed cells.");
        var rows = new int[count];
        for (int i = 0; i < count; i++)
        {
            if ((uint)cells[i] >= (uint)NObs) throw new ArgumentException($"{what}: cell {cells[i]} is outside 0..{NObs - 1}.");
            rows[i] = cells[i];
        }
        return rows;
    }

}
