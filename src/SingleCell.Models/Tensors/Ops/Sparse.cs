using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The product A · X of a constant CSR matrix A [m, k] and a dense tensor X [k, n], with the
    /// gradient Aᵀ · G flowing to X (A is data and gets none).
    /// </summary>
    /// <param name="a">The sparse matrix.</param>
    /// <param name="x">A rank-2 dense tensor whose first dimension equals <c>a.Columns</c>.</param>
    /// <exception cref="ArgumentException">The shapes do not match; the message names both.</exception>
    public static Tensor SparseMatMul(SparseMatrix a, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[0] != a.Columns)
            throw new ArgumentException($"sparse_matmul: sparse [{a.Rows}, {a.Columns}] · dense {x.Shape}: inner dimensions differ.");
        int n = x.Shape[1];
        var r = new Tensor(NewBuffer(a.Rows * n), new TensorShape(a.Rows, n));
        SparseKernels.Multiply(a.Rows, a.RowPointers, a.ColumnIndices, a.Values, x._data, n, r._data, accumulate: false);
        if (!NeedsGrad(x)) return r;
        return Record(r, "sparse_matmul", [x], g =>
        {
            var at = a.Transpose();
            var dx = NewBuffer(x.Size);
            SparseKernels.Multiply(at.Rows, at.RowPointers, at.ColumnIndices, at.Values, g._data, n, dx, accumulate: false);
            x.AccumulateGradient(dx);
        });
    }
}
