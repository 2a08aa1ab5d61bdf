using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tests.Tensors;

[NonParallelizable]
public class SparseMatMulTests
{
    private static (int[] indptr, int[] indices, float[] values, float[] denseS) RandomCsr(Random rng, int rows, int cols, double density)
    {
        var indptr = new int[rows + 1];
        var idx = new List<int>();
        var val = new List<float>();
        var denseS = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
                if (rng.NextDouble() < density)
                {
                    float x = (float)(rng.NextDouble() * 2 - 1);
                    idx.Add(c); val.Add(x); denseS[r * cols + c] = x;
                }
            indptr[r + 1] = idx.Count;
        }
        return (indptr, idx.ToArray(), val.ToArray(), denseS);
    }

    private static float[] Random(Random rng, int len)
    {
        var x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    [TestCase(1, 1, 1, 1.0)]
    [TestCase(7, 13, 5, 0.3)]
    [TestCase(33, 70, 131, 0.1)]
    [TestCase(128, 300, 128, 0.1)]
    [TestCase(50, 40, 17, 0.0)]
    [TestCase(200, 500, 200, 0.2)]
    public void Multiply_and_transposed_match_dense_reference(int rows, int cols, int n, double density)
    {
        var rng = new Random(rows * 31 + cols + n);
        var (ip, ix, v, s) = RandomCsr(rng, rows, cols, density);
        var d = Random(rng, cols * n);
        var dt = Random(rng, rows * n);
        foreach (bool acc in new[] { false, true })
        {
            var o0 = Random(rng, rows * n);
            var o = (float[])o0.Clone();
            SparseMatMul.Multiply(ip, ix, v, rows, cols, d, n, o, acc);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < n; j++)
                {
                    double e = acc ? o0[r * n + j] : 0;
                    for (int c = 0; c < cols; c++) e += (double)s[r * cols + c] * d[c * n + j];
                    Assert.That(o[r * n + j], Is.EqualTo(e).Within(1e-4 * (1 + Math.Abs(e))));
                }
            var t0 = Random(rng, cols * n);
            var t = (float[])t0.Clone();
            SparseMatMul.MultiplyTransposed(ip, ix, v, rows, cols, dt, n, t, acc);
            for (int c = 0; c < cols; c++)
                for (int j = 0; j < n; j++)
                {
                    double e = acc ? t0[c * n + j] : 0;
                    for (int r = 0; r < rows; r++) e += (double)s[r * cols + c] * dt[r * n + j];
                    Assert.That(t[c * n + j], Is.EqualTo(e).Within(1e-4 * (1 + Math.Abs(e))));
                }
        }
    }

    [Test]
    public void Results_are_bitwise_identical_across_thread_counts()
    {
        var rng = new Random(3);
        int rows = 300, cols = 700, n = 130;
        var (ip, ix, v, _) = RandomCsr(rng, rows, cols, 0.1);
        var d = Random(rng, cols * n);
        var dt = Random(rng, rows * n);
        int saved = SparseMatMul.MaxThreads;
        long savedThreshold = SparseMatMul.ParallelThreshold;
        try
        {
            SparseMatMul.ParallelThreshold = 1;
            float[]? r1 = null, r2 = null;
            foreach (int threads in new[] { 1, 2, 3, 5, 1 })
            {
                SparseMatMul.MaxThreads = threads;
                var o = new float[rows * n];
                var t = new float[cols * n];
                SparseMatMul.Multiply(ip, ix, v, rows, cols, d, n, o, false);
                SparseMatMul.MultiplyTransposed(ip, ix, v, rows, cols, dt, n, t, false);
                if (r1 is null) { r1 = o; r2 = t; }
                else
                {
                    Assert.That(o.AsSpan().SequenceEqual(r1), $"threads={threads}");
                    Assert.That(t.AsSpan().SequenceEqual(r2), $"threads={threads} (transposed)");
                }
            }
        }
        finally { SparseMatMul.MaxThreads = saved; SparseMatMul.ParallelThreshold = savedThreshold; }
    }

    [Test]
    public void Invalid_csr_throws()
    {
        Assert.Throws<ArgumentException>(() => SparseMatMul.Multiply([0, 1], [5], [1f], 1, 3, new float[3], 1, new float[1], false));
        Assert.Throws<ArgumentException>(() => SparseMatMul.Multiply([0, 2, 1], [0, 1], [1f, 1f], 2, 3, new float[3], 1, new float[2], false));
    }
}
