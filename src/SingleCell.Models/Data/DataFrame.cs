namespace SingleCell.Models.Data;

/// <summary>
/// A column-oriented table with a string index: the in-memory form of AnnData's <c>obs</c>
/// and <c>var</c> (and of <c>raw/var</c>).
/// </summary>
/// <remarks>
/// Columns keep their insertion order. Every column has <see cref="RowCount"/> entries. The
/// index name (<c>_index</c> in current h5ad files, sometimes <c>index</c>) is kept so that a
/// file round-trips with the same name.
/// </remarks>
public sealed class DataFrame
{
    private readonly List<DataColumn> _columns = new();

    /// <summary>Creates a data frame with the given row labels and no columns.</summary>
    /// <param name="index">Row labels (cell barcodes or gene names).</param>
    /// <param name="indexName">Name of the index column on disk.</param>
    /// <exception cref="ArgumentNullException"><paramref name="index"/> is null.</exception>
    public DataFrame(string[] index, string indexName = "_index")
    {
        ArgumentNullException.ThrowIfNull(index);
        Index = index;
        IndexName = indexName;
    }

    /// <summary>Row labels.</summary>
    public string[] Index { get; }

    /// <summary>Name of the index column as stored on disk.</summary>
    public string IndexName { get; set; }

    /// <summary>Number of rows.</summary>
    public int RowCount => Index.Length;

    /// <summary>The columns in order.</summary>
    public IReadOnlyList<DataColumn> Columns => _columns;

    /// <summary>The column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => _columns.ConvertAll(c => c.Name);

    /// <summary>The column called <paramref name="name"/>.</summary>
    /// <param name="name">Column name.</param>
    /// <exception cref="KeyNotFoundException">No column has that name.</exception>
    public DataColumn this[string name] =>
        Find(name) ?? throw new KeyNotFoundException($"The data frame has no column '{name}' (columns: {string.Join(", ", ColumnNames)}).");

    /// <summary>Whether a column called <paramref name="name"/> exists.</summary>
    /// <param name="name">Column name.</param>
    public bool Contains(string name) => Find(name) is not null;

    /// <summary>The column called <paramref name="name"/>, or null.</summary>
    /// <param name="name">Column name.</param>
    public DataColumn? Find(string name)
    {
        foreach (var c in _columns) if (c.Name == name) return c;
        return null;
    }

    /// <summary>Adds a column, replacing one of the same name in place.</summary>
    /// <param name="column">The column; its length must equal <see cref="RowCount"/>.</param>
    /// <exception cref="ArgumentException">The column has the wrong length.</exception>
    public void Add(DataColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Length != RowCount)
            throw new ArgumentException($"Column '{column.Name}' has {column.Length} rows; the data frame has {RowCount}.", nameof(column));
        for (int i = 0; i < _columns.Count; i++)
        {
            if (_columns[i].Name != column.Name) continue;
            _columns[i] = column;
            return;
        }
        _columns.Add(column);
    }

    /// <summary>Removes the column called <paramref name="name"/>.</summary>
    /// <param name="name">Column name.</param>
    /// <returns>Whether a column was removed.</returns>
    public bool Remove(string name) => _columns.RemoveAll(c => c.Name == name) > 0;
}
