using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

public class SparseMatrixTests
{
    private static Tensor SparseDense(int seed, int rows, int cols, double density)
    {
        var g = new Generator(seed);
        var d = new float[rows * cols];
        for (int i = 0; i < d.Length; i++) if (g.NextDouble() < density) d[i] = (float)g.NextNormal();
        return Tensor.FromArray(d, rows, cols);
    }

    [TestCase(1, 1, 1, 1.0)]
    [TestCase(7, 13, 5, 0.3)]
    [TestCase(64, 300, 33, 0.1)]
    [TestCase(600, 900, 130, 0.05)] // large enough for the parallel path
    [TestCase(5, 4, 3, 0.0)]
    public void Product_matches_dense_matmul_forward_and_backward(int m, int k, int n, double density)
    {
        var dense = SparseDense(m * 31 + k, m, k, density);
        var a = SparseMatrix.FromDense(dense);
        var x = Tensor.RandomNormal(new Generator(n), [k, n]); x.RequiresGrad = true;
        var y = Tensor.SparseMatMul(a, x);
        var yRef = dense.MatMul(x.Detach());
        TensorAssert.Close(y, yRef, 1e-5, 1e-5, "forward");
        var up = Tensor.RandomNormal(new Generator(99), [m, n]);
        y.Backward(up);
        var gRef = Tensor.MatMul(dense, up, transposeA: true);
        TensorAssert.Close(x.Grad!, gRef, 1e-5, 1e-5, "d/dx = Aᵀ·G");
    }

    [Test]
    public void Gradient_matches_finite_differences() =>
        GradCheck.Check("sparse_matmul", t => Tensor.SparseMatMul(SparseMatrix.FromDense(SparseDense(5, 4, 6, 0.5)), t[0]),
            [Tensor.RandomNormal(new Generator(2), [6, 3])]);

    [Test]
    public void Transpose_and_row_selection_agree_with_dense()
    {
        var dense = SparseDense(3, 9, 11, 0.3);
        var a = SparseMatrix.FromDense(dense);
        TensorAssert.Close(a.Transpose().ToDense(), dense.T(), 0, 0, "transpose");
        Assert.That(a.Transpose().Transpose(), Is.SameAs(a));
        var rows = new[] { 8, 0, 8, 3 };
        TensorAssert.Close(a.SelectRows(rows).ToDense(), dense.IndexSelect(0, rows), 0, 0, "rows");
    }

    [Test]
    public void Inconsistent_arrays_and_shapes_are_rejected_with_a_message()
    {
        Assert.Throws<ArgumentException>(() => new SparseMatrix(2, 2, [0, 1], [0], [1f]));
        Assert.Throws<ArgumentException>(() => new SparseMatrix(1, 2, [0, 1], [2], [1f]));
        var ex = Assert.Throws<ArgumentException>(() => Tensor.SparseMatMul(new SparseMatrix(1, 3, [0, 0], [], []), Tensor.Zeros(2, 2)));
        Assert.That(ex!.Message, Does.Contain("[1, 3]").And.Contain("[2, 2]"));
    }
}
