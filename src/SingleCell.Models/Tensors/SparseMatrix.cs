namespace SingleCell.Models.Tensors;

/// <summary>
/// A constant float32 matrix in compressed sparse row (CSR) form, for products with dense tensors:
/// count matrices as the input of a first layer, and normalised graph adjacencies for propagation.
/// </summary>
/// <remarks>
/// The matrix itself is not differentiated (it is data); <see cref="Tensor.SparseMatMul"/> propagates
/// gradients to the dense operand. The transpose (CSC view), needed by the backward product Aᵀ·G, is
/// built once on first use and cached.
/// </remarks>
public sealed class SparseMatrix
{
    private SparseMatrix? _transpose;

    /// <summary>Creates a CSR matrix; the arrays are used as they are (not copied).</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="rowPointers">Length rows + 1, non-decreasing, from 0 to nnz.</param>
    /// <param name="columnIndices">Column of each stored value, in [0, columns).</param>
    /// <param name="values">The stored values.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent; the message says how.</exception>
    public SparseMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rowPointers.Length != rows + 1) throw new ArgumentException($"SparseMatrix: rowPointers has {rowPointers.Length} entries; expected rows + 1 = {rows + 1}.");
        if (columnIndices.Length != values.Length) throw new ArgumentException($"SparseMatrix: {columnIndices.Length} column indices but {values.Length} values.");
        if (rowPointers[0] != 0 || rowPointers[rows] != values.Length) throw new ArgumentException($"SparseMatrix: rowPointers must run from 0 to nnz = {values.Length}.");
        for (int r = 0; r < rows; r++)
            if (rowPointers[r + 1] < rowPointers[r]) throw new ArgumentException($"SparseMatrix: rowPointers decrease at row {r}.");
        foreach (int c in columnIndices)
            if ((uint)c >= (uint)columns) throw new ArgumentException($"SparseMatrix: column index {c} is outside [0, {columns}).");
        Rows = rows; Columns = columns; RowPointers = rowPointers; ColumnIndices = columnIndices; Values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Row pointers (length <see cref="Rows"/> + 1).</summary>
    public int[] RowPointers { get; }

    /// <summary>Column index of each stored value.</summary>
    public int[] ColumnIndices { get; }

    /// <summary>The stored values.</summary>
    public float[] Values { get; }

    /// <summary>Number of stored values.</summary>
    public int NonZeroCount => Values.Length;

    /// <summary>Builds a CSR matrix from a dense tensor of rank 2, keeping its non-zero entries.</summary>
    /// <param name="dense">A rank-2 tensor.</param>
    public static SparseMatrix FromDense(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense.Rank != 2) throw new ArgumentException($"SparseMatrix.FromDense: needs a rank-2 tensor; got {dense.Shape}.");
        int rows = dense.Shape[0], cols = dense.Shape[1];
        var x = dense.AsReadOnlySpan();
        var ptr = new int[rows + 1];
        var idx = new List<int>(); var val = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++) if (x[r * cols + c] != 0f) { idx.Add(c); val.Add(x[r * cols + c]); }
            ptr[r + 1] = idx.Count;
        }
        return new SparseMatrix(rows, cols, ptr, idx.ToArray(), val.ToArray());
    }

    /// <summary>The dense [rows, columns] tensor.</summary>
    public Tensor ToDense()
    {
        var d = new float[(long)Rows * Columns];
        for (int r = 0; r < Rows; r++)
            for (int k = RowPointers[r]; k < RowPointers[r + 1]; k++) d[r * Columns + ColumnIndices[k]] += Values[k];
        return Tensor.FromArray(d, Rows, Columns);
    }

    /// <summary>The transpose, in CSR form (computed once, then cached).</summary>
    public SparseMatrix Transpose()
    {
        if (_transpose != null) return _transpose;
        var (ptr, idx, val) = Kernels.Csr.Transpose(Rows, Columns, RowPointers, ColumnIndices, Values);
        _transpose = new SparseMatrix(Columns, Rows, ptr, idx, val) { _transpose = this };
        return _transpose;
    }

    /// <summary>Rows <paramref name="rowIndices"/> as a new CSR matrix (mini-batches of a count matrix).</summary>
    /// <param name="rowIndices">Rows to take, in output order.</param>
    public SparseMatrix SelectRows(ReadOnlySpan<int> rowIndices)
    {
        var ptr = new int[rowIndices.Length + 1];
        for (int i = 0; i < rowIndices.Length; i++)
        {
            int r = rowIndices[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rowIndices), $"SelectRows: row {r} is outside [0, {Rows}).");
            ptr[i + 1] = ptr[i] + RowPointers[r + 1] - RowPointers[r];
        }
        var idx = new int[ptr[^1]]; var val = new float[ptr[^1]];
        for (int i = 0; i < rowIndices.Length; i++)
        {
            int r = rowIndices[i], n = RowPointers[r + 1] - RowPointers[r];
            Array.Copy(ColumnIndices, RowPointers[r], idx, ptr[i], n);
            Array.Copy(Values, RowPointers[r], val, ptr[i], n);
        }
        return new SparseMatrix(rowIndices.Length, Columns, ptr, idx, val);
    }
}
