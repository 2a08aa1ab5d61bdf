using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Modeling;

/// <summary>The one bridge from data to the engine: mini-batches of <see cref="CellMatrix"/> rows and gene graphs as engine matrices.</summary>
public static class Batches
{
    /// <summary>The rows <paramref name="rows"/> of <paramref name="matrix"/> as a dense [B, G] tensor.</summary>
    /// <param name="matrix">Cells × genes.</param>
    /// <param name="rows">Row indices.</param>
    public static Tensor Dense(CellMatrix matrix, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var buffer = new float[(long)rows.Length * matrix.Columns];
        matrix.DensifyRows(rows, buffer);
        return Tensor.FromArray(buffer, rows.Length, matrix.Columns);
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="matrix"/> as the engine's CSR matrix (for sparse × dense products).</summary>
    /// <param name="matrix">Cells × genes.</param>
    /// <param name="rows">Row indices.</param>
    public static SparseMatrix Sparse(CellMatrix matrix, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var ptr = new int[rows.Length + 1];
        for (int i = 0; i < rows.Length; i++) ptr[i + 1] = ptr[i] + matrix.RowIndices(rows[i]).Length;
        var idx = new int[ptr[^1]];
        var val = new float[ptr[^1]];
        for (int i = 0; i < rows.Length; i++)
        {
            matrix.RowIndices(rows[i]).CopyTo(idx.AsSpan(ptr[i]));
            matrix.RowValues(rows[i]).CopyTo(val.AsSpan(ptr[i]));
        }
        return new SparseMatrix(rows.Length, matrix.Columns, ptr, idx, val);
    }

    /// <summary>A gene graph's adjacency as the engine's CSR matrix: row = source gene, column = target gene, value = edge weight.</summary>
    /// <param name="graph">The graph.</param>
    public static SparseMatrix Adjacency(GeneGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int n = graph.NodeCount;
        var ptr = new int[n + 1];
        for (int i = 0; i < n; i++) ptr[i + 1] = ptr[i] + graph.OutDegree(i);
        var idx = new int[ptr[n]];
        var val = new float[ptr[n]];
        for (int i = 0; i < n; i++)
        {
            graph.OutNeighbors(i).CopyTo(idx.AsSpan(ptr[i]));
            graph.OutWeights(i).CopyTo(val.AsSpan(ptr[i]));
        }
        return new SparseMatrix(n, n, ptr, idx, val);
    }
}
