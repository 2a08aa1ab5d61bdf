namespace SingleCell.Models.Data;

/// <summary>Structural operations on <see cref="CellMatrix"/>: transpose, sums and subsets, all without densifying.</summary>
public static class CellMatrixOperations
{
    /// <summary>Builds a CSR matrix from coordinate (COO) triplets; duplicate coordinates are summed.</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="rowIndex">Zero-based row of each entry.</param>
    /// <param name="columnIndex">Zero-based column of each entry.</param>
    /// <param name="values">Value of each entry.</param>
    /// <exception cref="ArgumentException">Lengths differ or an index is out of range.</exception>
    public static CellMatrix FromCoordinates(int rows, int columns, ReadOnlySpan<int> rowIndex, ReadOnlySpan<int> columnIndex, ReadOnlySpan<float> values)
    {
        if (rowIndex.Length != columnIndex.Length || rowIndex.Length != values.Length)
            throw new ArgumentException("rowIndex, columnIndex and values must have the same length.", nameof(rowIndex));
        for (int k = 0; k < rowIndex.Length; k++)
        {
            if ((uint)rowIndex[k] >= (uint)rows || (uint)columnIndex[k] >= (uint)columns)
                throw new ArgumentException($"Entry {k} at ({rowIndex[k]}, {columnIndex[k]}) is outside a {rows} × {columns} matrix.", nameof(rowIndex));
        }
        var (indPtr, idx, val) = Tensors.Kernels.Csr.FromCoordinates(rows, columns, rowIndex, columnIndex, values, Tensors.Kernels.Csr.Duplicates.Sum);
        return new CellMatrix(rows, columns, indPtr, idx, val, validate: false);
    }

    /// <summary>The transpose (equivalently, the CSC form of <paramref name="matrix"/> read as CSR).</summary>
    /// <param name="matrix">The matrix to transpose.</param>
    public static CellMatrix Transpose(this CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var (indPtr, idx, val) = Tensors.Kernels.Csr.Transpose(matrix.Rows, matrix.Columns, matrix.IndPtr, matrix.Indices, matrix.Values);
        return new CellMatrix(matrix.Columns, matrix.Rows, indPtr, idx, val, validate: false);
    }

    /// <summary>Sum of each row, accumulated in double precision.</summary>
    /// <param name="matrix">The matrix.</param>
    public static double[] RowSums(this CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var sums = new double[matrix.Rows];
        for (int r = 0; r < matrix.Rows; r++)
        {
            double s = 0;
            foreach (float v in matrix.RowValues(r)) s += v;
            sums[r] = s;
        }
        return sums;
    }

    /// <summary>Sum of each column, accumulated in double precision.</summary>
    /// <param name="matrix">The matrix.</param>
    public static double[] ColumnSums(this CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var sums = new double[matrix.Columns];
        for (int k = 0; k < matrix.NonZeroCount; k++) sums[matrix.Indices[k]] += matrix.Values[k];
        return sums;
    }

    /// <summary>Number of stored non-zero entries in each column.</summary>
    /// <param name="matrix">The matrix.</param>
    public static int[] ColumnNonZeroCounts(this CellMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var counts = new int[matrix.Columns];
        for (int k = 0; k < matrix.NonZeroCount; k++) if (matrix.Values[k] != 0f) counts[matrix.Indices[k]]++;
        return counts;
    }

    /// <summary>The rows <paramref name="rows"/>, in that order (repeats allowed).</summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="rows">Row indices to keep.</param>
    /// <exception cref="ArgumentOutOfRangeException">A row index is out of range.</exception>
    public static CellMatrix SelectRows(this CellMatrix matrix, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var indPtr = new int[rows.Length + 1];
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)matrix.Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} is outside 0..{matrix.Rows - 1}.");
            indPtr[i + 1] = indPtr[i] + matrix.IndPtr[rows[i] + 1] - matrix.IndPtr[rows[i]];
        }
        var idx = new int[indPtr[rows.Length]];
        var val = new float[idx.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            matrix.RowIndices(rows[i]).CopyTo(idx.AsSpan(indPtr[i]));
            matrix.RowValues(rows[i]).CopyTo(val.AsSpan(indPtr[i]));
        }
        return new CellMatrix(rows.Length, matrix.Columns, indPtr, idx, val, validate: false);
    }

    /// <summary>The columns <paramref name="columns"/>, in that order (must be unique).</summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="columns">Column indices to keep.</param>
    /// <exception cref="ArgumentException">A column is out of range or repeated.</exception>
    public static CellMatrix SelectColumns(this CellMatrix matrix, ReadOnlySpan<int> columns)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var map = new int[matrix.Columns];
        Array.Fill(map, -1);
        for (int j = 0; j < columns.Length; j++)
        {
            if ((uint)columns[j] >= (uint)matrix.Columns) throw new ArgumentException($"Column {columns[j]} is outside 0..{matrix.Columns - 1}.", nameof(columns));
            if (map[columns[j]] >= 0) throw new ArgumentException($"Column {columns[j]} is repeated.", nameof(columns));
            map[columns[j]] = j;
        }
        var rowsIdx = new List<int>();
        var colIdx = new List<int>();
        var vals = new List<float>();
        for (int r = 0; r < matrix.Rows; r++)
            for (int k = matrix.IndPtr[r]; k < matrix.IndPtr[r + 1]; k++)
            {
                int m = map[matrix.Indices[k]];
                if (m < 0) continue;
                rowsIdx.Add(r); colIdx.Add(m); vals.Add(matrix.Values[k]);
            }
        return FromCoordinates(matrix.Rows, columns.Length, rowsIdx.ToArray(), colIdx.ToArray(), vals.ToArray());
    }

    /// <summary>A copy with each stored value replaced by <paramref name="map"/>(value, row, column).</summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="map">The function of value, row and column.</param>
    public static CellMatrix MapValues(this CellMatrix matrix, Func<float, int, int, float> map)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentNullException.ThrowIfNull(map);
        var val = new float[matrix.NonZeroCount];
        for (int r = 0; r < matrix.Rows; r++)
            for (int k = matrix.IndPtr[r]; k < matrix.IndPtr[r + 1]; k++) val[k] = map(matrix.Values[k], r, matrix.Indices[k]);
        return new CellMatrix(matrix.Rows, matrix.Columns, (int[])matrix.IndPtr.Clone(), (int[])matrix.Indices.Clone(), val, validate: false);
    }
}
