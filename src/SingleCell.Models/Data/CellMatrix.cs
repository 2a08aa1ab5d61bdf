namespace SingleCell.Models.Data;

/// <summary>
/// A cells × genes matrix in compressed sparse row (CSR) form with float32 values: the
/// in-memory form of count and expression matrices throughout the library.
/// </summary>
/// <remarks>
/// Row <c>i</c> holds the entries <c>Values[IndPtr[i]..IndPtr[i+1]]</c> at the columns
/// <c>Indices[IndPtr[i]..IndPtr[i+1]]</c>. Column indices within a row are sorted and unique
/// after construction through <see cref="CellMatrix(int, int, int[], int[], float[], bool)"/>
/// with validation on. The arrays are owned by the matrix; callers must not mutate them.
/// </remarks>
public sealed class CellMatrix
{
    /// <summary>Creates a CSR matrix from its three arrays.</summary>
    /// <param name="rows">Number of rows (cells).</param>
    /// <param name="columns">Number of columns (genes).</param>
    /// <param name="indPtr">Row pointers, length <paramref name="rows"/> + 1, non-decreasing, starting at 0.</param>
    /// <param name="indices">Column index of each stored entry.</param>
    /// <param name="values">Value of each stored entry.</param>
    /// <param name="validate">Check the structure (O(nnz)); turn off only for arrays produced by this library.</param>
    /// <exception cref="ArgumentException">The arrays do not describe a valid CSR matrix.</exception>
    public CellMatrix(int rows, int columns, int[] indPtr, int[] indices, float[] values, bool validate = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(indPtr);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(values);
        if (indPtr.Length != rows + 1)
            throw new ArgumentException($"indPtr has length {indPtr.Length}; expected rows + 1 = {rows + 1}.", nameof(indPtr));
        if (indices.Length != values.Length)
            throw new ArgumentException($"indices ({indices.Length}) and values ({values.Length}) differ in length.", nameof(indices));
        if (validate) Validate(rows, columns, indPtr, indices);
        Rows = rows;
        Columns = columns;
        IndPtr = indPtr;
        Indices = indices;
        Values = values;
    }

    /// <summary>Number of rows (cells).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (genes).</summary>
    public int Columns { get; }

    /// <summary>Row pointers (length <see cref="Rows"/> + 1).</summary>
    public int[] IndPtr { get; }

    /// <summary>Column index of each stored entry.</summary>
    public int[] Indices { get; }

    /// <summary>Value of each stored entry.</summary>
    public float[] Values { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeroCount => IndPtr[Rows];

    /// <summary>The stored column indices of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> RowIndices(int row) => Indices.AsSpan(IndPtr[row], IndPtr[row + 1] - IndPtr[row]);

    /// <summary>The stored values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> RowValues(int row) => Values.AsSpan(IndPtr[row], IndPtr[row + 1] - IndPtr[row]);

    /// <summary>The value at (<paramref name="row"/>, <paramref name="column"/>); zero if not stored.</summary>
    public float this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows || (uint)column >= (uint)Columns)
                throw new ArgumentOutOfRangeException(nameof(row), $"({row}, {column}) is outside a {Rows} × {Columns} matrix.");
            int k = RowIndices(row).BinarySearch(column);
            return k >= 0 ? Values[IndPtr[row] + k] : 0f;
        }
    }

    /// <summary>Builds a CSR matrix from a dense row-major array, storing the non-zero entries.</summary>
    /// <param name="dense">Row-major values, length <paramref name="rows"/> × <paramref name="columns"/>.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    public static CellMatrix FromDense(ReadOnlySpan<float> dense, int rows, int columns)
    {
        if (dense.Length != (long)rows * columns)
            throw new ArgumentException($"dense has {dense.Length} values; expected {rows} × {columns}.", nameof(dense));
        var indPtr = new int[rows + 1];
        int nnz = 0;
        for (int i = 0; i < dense.Length; i++) if (dense[i] != 0f) nnz++;
        var indices = new int[nnz];
        var values = new float[nnz];
        int p = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++)
            {
                if (row[c] == 0f) continue;
                indices[p] = c;
                values[p++] = row[c];
            }
            indPtr[r + 1] = p;
        }
        return new CellMatrix(rows, columns, indPtr, indices, values, validate: false);
    }

    /// <summary>Copies rows <paramref name="rowIndices"/> into a dense row-major buffer.</summary>
    /// <param name="rowIndices">The rows to copy, in output order.</param>
    /// <param name="destination">Receives <c>rowIndices.Length × Columns</c> values; it is cleared first.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void DensifyRows(ReadOnlySpan<int> rowIndices, Span<float> destination)
    {
        if (destination.Length < (long)rowIndices.Length * Columns)
            throw new ArgumentException($"destination holds {destination.Length} values; {rowIndices.Length} rows × {Columns} columns are needed.", nameof(destination));
        destination[..(rowIndices.Length * Columns)].Clear();
        for (int i = 0; i < rowIndices.Length; i++)
        {
            int r = rowIndices[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rowIndices), $"Row {r} is outside 0..{Rows - 1}.");
            if (i + 1 < rowIndices.Length) PrefetchRow(rowIndices[i + 1]);
            var dst = destination.Slice(i * Columns, Columns);
            var idx = RowIndices(r);
            var val = RowValues(r);
            for (int k = 0; k < idx.Length; k++) dst[idx[k]] = val[k];
        }
    }

    /// <summary>
    /// Asks the cache for the stored entries of <paramref name="row"/> (up to 1 KiB each of indices and values)
    /// while the current row is scattered: a mini-batch reads rows scattered over the whole matrix, so each row
    /// would otherwise start with a memory stall. A hint only; an out-of-range row is ignored.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private unsafe void PrefetchRow(int row)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported || (uint)row >= (uint)Rows) return;
        int start = IndPtr[row], count = Math.Min(IndPtr[row + 1] - start, 256);
        if (count <= 0) return;
        fixed (int* idx = &Indices[start])
        fixed (float* val = &Values[start])
        {
            for (int k = 0; k < count; k += 16)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(idx + k);
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(val + k);
            }
        }
    }

    /// <summary>The whole matrix as a dense row-major array.</summary>
    public float[] ToDense()
    {
        var result = new float[(long)Rows * Columns];
        for (int r = 0; r < Rows; r++)
        {
            var idx = RowIndices(r);
            var val = RowValues(r);
            int off = r * Columns;
            for (int k = 0; k < idx.Length; k++) result[off + idx[k]] = val[k];
        }
        return result;
    }

    private static void Validate(int rows, int columns, int[] indPtr, int[] indices)
    {
        if (indPtr[0] != 0) throw new ArgumentException($"indPtr[0] is {indPtr[0]}; expected 0.", nameof(indPtr));
        if (indPtr[rows] != indices.Length)
            throw new ArgumentException($"indPtr[rows] is {indPtr[rows]} but {indices.Length} entries are stored.", nameof(indPtr));
        for (int r = 0; r < rows; r++)
        {
            int start = indPtr[r], end = indPtr[r + 1];
            if (end < start) throw new ArgumentException($"indPtr decreases at row {r}.", nameof(indPtr));
            int previous = -1;
            for (int k = start; k < end; k++)
            {
                int c = indices[k];
                if ((uint)c >= (uint)columns)
                    throw new ArgumentException($"Row {r} has column index {c}, outside 0..{columns - 1}.", nameof(indices));
                if (c <= previous)
                    throw new ArgumentException($"Row {r} has unsorted or duplicate column indices ({previous}, {c}).", nameof(indices));
                previous = c;
            }
        }
    }
}
