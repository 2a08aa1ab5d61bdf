namespace SingleCell.Models.Tensors.Kernels;

/// <summary>
/// The one implementation of compressed-sparse-row construction and transposition, shared by
/// <see cref="Data.CellMatrix"/>, the engine's <see cref="SparseMatrix"/>, gene graphs and graph
/// convolution. Both run in O(nnz + rows + columns) by counting sorts; indices must be in range
/// (callers validate and name the offending entry).
/// </summary>
internal static class Csr
{
    /// <summary>How repeated (row, column) entries combine.</summary>
    internal enum Duplicates
    {
        /// <summary>Add them (matrices).</summary>
        Sum,

        /// <summary>Keep the largest (edge weights).</summary>
        Max,
    }

    /// <summary>The transpose of a CSR matrix (rows × columns) as CSR (columns × rows); each output row comes out sorted.</summary>
    internal static (int[] Ptr, int[] Idx, float[] Val) Transpose(int rows, int columns, ReadOnlySpan<int> ptr, ReadOnlySpan<int> idx, ReadOnlySpan<float> val)
    {
        int nnz = ptr[rows];
        var outPtr = new int[columns + 1];
        for (int k = 0; k < nnz; k++) outPtr[idx[k] + 1]++;
        for (int c = 0; c < columns; c++) outPtr[c + 1] += outPtr[c];
        var next = outPtr.AsSpan(0, columns).ToArray();
        var outIdx = new int[nnz];
        var outVal = new float[nnz];
        // Rows are visited in ascending order, so each output row's indices are ascending.
        for (int r = 0; r < rows; r++)
            for (int k = ptr[r]; k < ptr[r + 1]; k++)
            {
                int p = next[idx[k]]++;
                outIdx[p] = r;
                outVal[p] = val[k];
            }
        return (outPtr, outIdx, outVal);
    }

    /// <summary>CSR from coordinates (any order), each row sorted by column, repeated entries combined.</summary>
    internal static (int[] Ptr, int[] Idx, float[] Val) FromCoordinates(int rows, int columns, ReadOnlySpan<int> row, ReadOnlySpan<int> column,
        ReadOnlySpan<float> value, Duplicates duplicates)
    {
        // Bucket by column (CSC), then transpose: rows come out sorted by column.
        var colPtr = new int[columns + 1];
        for (int k = 0; k < column.Length; k++) colPtr[column[k] + 1]++;
        for (int c = 0; c < columns; c++) colPtr[c + 1] += colPtr[c];
        var next = colPtr.AsSpan(0, columns).ToArray();
        var cscRow = new int[row.Length];
        var cscVal = new float[row.Length];
        for (int k = 0; k < row.Length; k++)
        {
            int p = next[column[k]]++;
            cscRow[p] = row[k];
            cscVal[p] = value[k];
        }
        var (ptr, idx, val) = Transpose(columns, rows, colPtr, cscRow, cscVal);
        // Merge repeated (row, column) entries, which are adjacent now.
        int w = 0;
        var merged = new int[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            for (int k = ptr[r]; k < ptr[r + 1]; k++)
            {
                if (w > merged[r] && idx[w - 1] == idx[k])
                {
                    val[w - 1] = duplicates == Duplicates.Sum ? val[w - 1] + val[k] : Math.Max(val[w - 1], val[k]);
                    continue;
                }
                idx[w] = idx[k];
                val[w++] = val[k];
            }
            merged[r + 1] = w;
        }
        if (w < idx.Length) { Array.Resize(ref idx, w); Array.Resize(ref val, w); }
        return (merged, idx, val);
    }
}
