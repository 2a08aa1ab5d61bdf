using Microsoft.Extensions.Logging;

namespace SingleCell.Models.Data;

/// <summary>
/// An annotated cells × genes matrix, the in-memory form of an AnnData <c>.h5ad</c> file:
/// the matrix <see cref="X"/>, per-cell and per-gene tables <see cref="Obs"/> and
/// <see cref="Var"/>, extra matrices (<see cref="Layers"/>, <see cref="Obsm"/>,
/// <see cref="Varm"/>, <see cref="Obsp"/>, <see cref="Varp"/>), unstructured metadata
/// <see cref="Uns"/> and an optional <see cref="Raw"/> snapshot.
/// </summary>
/// <remarks>
/// <see cref="X"/> and the layers are held as CSR float32 (<see cref="CellMatrix"/>) whatever
/// their storage on disk (dense, CSC, integer); <see cref="XWasDense"/> records a dense origin so
/// that <see cref="Write"/> can store it densely again.
/// </remarks>
public sealed partial class AnnData
{
    private CellMatrix? _x;

    /// <summary>Creates an AnnData object from a matrix and its row and column tables.</summary>
    /// <param name="x">The cells × genes matrix, or null for an object without X.</param>
    /// <param name="obs">Per-cell table; its row count must equal the matrix rows.</param>
    /// <param name="var">Per-gene table; its row count must equal the matrix columns.</param>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    public AnnData(CellMatrix? x, DataFrame obs, DataFrame var)
    {
        ArgumentNullException.ThrowIfNull(obs);
        ArgumentNullException.ThrowIfNull(var);
        Obs = obs;
        Var = var;
        X = x;
    }

    /// <summary>Creates an AnnData object from a matrix and its cell and gene names.</summary>
    /// <param name="x">The cells × genes matrix.</param>
    /// <param name="obsNames">Cell names (length = rows of <paramref name="x"/>).</param>
    /// <param name="varNames">Gene names (length = columns of <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    public AnnData(CellMatrix x, string[] obsNames, string[] varNames)
        : this(x, new DataFrame(obsNames), new DataFrame(varNames))
    {
    }

    /// <summary>
    /// The cells × genes matrix in CSR float32 form, or null when the file has none. Setting it
    /// checks the shape against <see cref="NObs"/> × <see cref="NVars"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The new matrix has the wrong shape.</exception>
    public CellMatrix? X
    {
        get => _x;
        set
        {
            if (value is not null) CheckShape("X", value.Rows, value.Columns);
            _x = value;
        }
    }

    /// <summary>Whether X was stored densely on disk (it is written densely again).</summary>
    public bool XWasDense { get; set; }

    /// <summary>Additional cells × genes matrices with the same shape as X (e.g. <c>counts</c>).</summary>
    public Dictionary<string, CellMatrix> Layers { get; } = new(StringComparer.Ordinal);

    /// <summary>Per-cell annotations; its index holds the cell names.</summary>
    public DataFrame Obs { get; }

    /// <summary>Per-gene annotations; its index holds the gene names.</summary>
    public DataFrame Var { get; }

    /// <summary>Cell names (the index of <see cref="Obs"/>).</summary>
    public string[] ObsNames => Obs.Index;

    /// <summary>Gene names (the index of <see cref="Var"/>).</summary>
    public string[] VarNames => Var.Index;

    /// <summary>Number of cells.</summary>
    public int NObs => Obs.RowCount;

    /// <summary>Number of genes.</summary>
    public int NVars => Var.RowCount;

    /// <summary>Per-cell multi-dimensional annotations (embeddings such as <c>X_pca</c>), NObs rows each.</summary>
    public Dictionary<string, DenseMatrix> Obsm { get; } = new(StringComparer.Ordinal);

    /// <summary>Per-gene multi-dimensional annotations (e.g. <c>PCs</c>), NVars rows each.</summary>
    public Dictionary<string, DenseMatrix> Varm { get; } = new(StringComparer.Ordinal);

    /// <summary>Cell × cell pairwise matrices (e.g. neighbour <c>connectivities</c>).</summary>
    public Dictionary<string, CellMatrix> Obsp { get; } = new(StringComparer.Ordinal);

    /// <summary>Gene × gene pairwise matrices.</summary>
    public Dictionary<string, CellMatrix> Varp { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Unstructured metadata: a nested dictionary whose values are <c>string</c>, <c>bool</c>,
    /// <c>long</c>, <c>double</c>, arrays of those (<c>string[]</c>, <c>long[]</c>,
    /// <c>double[]</c>, <c>bool[]</c>), <see cref="DenseMatrix"/>, <see cref="CellMatrix"/>,
    /// <see cref="DataFrame"/> or further <c>Dictionary&lt;string, object?&gt;</c>.
    /// </summary>
    public Dictionary<string, object?> Uns { get; } = new(StringComparer.Ordinal);

    /// <summary>The raw snapshot (<c>adata.raw</c>): an earlier X with its own genes, or null.</summary>
    public AnnDataRaw? Raw { get; set; }

    private void CheckShape(string what, int rows, int columns)
    {
        if (rows != NObs || columns != NVars)
            throw new ArgumentException($"{what} is {rows} × {columns}; the object is {NObs} cells × {NVars} genes.");
    }
}

/// <summary>The raw snapshot of an AnnData object: a matrix over the same cells with its own genes.</summary>
public sealed class AnnDataRaw
{
    /// <summary>Creates a raw snapshot.</summary>
    /// <param name="x">The cells × raw-genes matrix.</param>
    /// <param name="var">The raw genes; its row count must equal the matrix columns.</param>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    public AnnDataRaw(CellMatrix x, DataFrame var)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(var);
        if (x.Columns != var.RowCount)
            throw new ArgumentException($"raw X has {x.Columns} columns but raw var has {var.RowCount} rows.", nameof(var));
        X = x;
        Var = var;
    }

    /// <summary>The raw matrix.</summary>
    public CellMatrix X { get; }

    /// <summary>The raw genes.</summary>
    public DataFrame Var { get; }

    /// <summary>Gene names of the raw matrix.</summary>
    public string[] VarNames => Var.Index;

    /// <summary>Per-gene multi-dimensional annotations of the raw genes.</summary>
    public Dictionary<string, DenseMatrix> Varm { get; } = new(StringComparer.Ordinal);
}
