using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tests.Tensors;

[NonParallelizable]
public class GemmTests
{
    private static readonly int[][] Shapes =
    [
        [1, 1, 1], [3, 5, 7], [17, 33, 65], [127, 129, 131], [1, 300, 1], [300, 1, 300],
        [8, 32, 256], [9, 33, 257], [128, 128, 100], [130, 70, 520], [2, 3, 0], [0, 4, 5], [4, 0, 5],
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var s in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(s[0], s[1], s[2], ta, tb);
    }

    private static float[] Random(Random rng, int len)
    {
        var x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>Checks C against a double-accumulating reference with tolerance relative to Σ|a||b|.</summary>
    private static void Check(bool ta, bool tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c0, float[] c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? c0[i * ldc + j] : 0, mag = accumulate ? Math.Abs(c0[i * ldc + j]) : 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta ? a[p * lda + i] : a[i * lda + p];
                    double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                    s += x * y; mag += Math.Abs(x * y);
                }
                double tol = 1e-6 * (k + 2) * mag + 1e-30;
                if (Math.Abs(c[i * ldc + j] - s) > tol)
                    Assert.Fail($"C[{i},{j}] = {c[i * ldc + j]}, expected {s} (tol {tol})");
            }
        // Padding between rows (ldc > n) must be untouched.
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++)
                if (i * ldc + j < c.Length && c[i * ldc + j] != c0[i * ldc + j]) Assert.Fail($"padding C[{i},{j}] modified");
    }

    private static void RunCase(int m, int n, int k, bool ta, bool tb, bool accumulate, int path)
    {
        var rng = new Random(m * 7919 + n * 31 + k + (ta ? 1 : 0) + (tb ? 2 : 0));
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
        int aRows = ta ? k : m, bRows = tb ? n : k;
        var a = Random(rng, Math.Max(1, aRows * lda));
        var b = Random(rng, Math.Max(1, bRows * ldb));
        var c0 = Random(rng, Math.Max(1, m * ldc));
        var c = (float[])c0.Clone();
        int saved = Gemm.Path;
        try
        {
            Gemm.Path = path;
            Gemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        }
        finally { Gemm.Path = saved; }
        Check(ta, tb, m, n, k, a, lda, b, ldb, c0, c, ldc, accumulate);
    }

    [TestCaseSource(nameof(Cases))]
    public void Multiply_matches_reference(int m, int n, int k, bool ta, bool tb)
    {
        RunCase(m, n, k, ta, tb, accumulate: false, Gemm.Path);
        RunCase(m, n, k, ta, tb, accumulate: true, Gemm.Path);
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void All_hardware_paths_match_reference(int path)
    {
        if (path == 2 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Ignore("no AVX-512");
        if (path == 1 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) Assert.Ignore("no AVX2");
        foreach (var s in new[] { new[] { 17, 33, 65 }, new[] { 9, 40, 300 } })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    RunCase(s[0], s[1], s[2], ta, tb, false, path);
                    RunCase(s[0], s[1], s[2], ta, tb, true, path);
                }
    }

    [Test]
    public void Large_blocked_shape_matches_reference()
    {
        // Crosses KC, MC and multiple NR panels, and the parallel threshold.
        RunCase(260, 300, 600, false, true, false, Gemm.Path);
        RunCase(260, 300, 600, true, false, true, Gemm.Path);
    }

    [Test]
    public void K_zero_clears_or_keeps_C()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Multiply(false, false, 2, 3, 0, [], 0, [], 3, c, 3, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
        Gemm.Multiply(false, false, 2, 3, 0, [], 0, [], 3, c, 3, accumulate: false);
        Assert.That(c, Is.EqualTo(new float[6]));
    }

    [Test]
    public void Results_are_bitwise_identical_across_thread_counts_and_runs()
    {
        var rng = new Random(5);
        foreach (var (m, n, k, ta, tb) in new[] { (300, 700, 530, false, true), (700, 130, 300, true, false), (128, 2000, 128, false, false) })
        {
            var a = Random(rng, m * k);
            var b = Random(rng, k * n);
            float[]? reference = null;
            int savedThreads = Gemm.MaxThreads;
            long savedThreshold = Gemm.ParallelThreshold;
            try
            {
                Gemm.ParallelThreshold = 1;
                foreach (int threads in new[] { 1, 2, 3, 4, 7, 1, 2 })
                {
                    Gemm.MaxThreads = threads;
                    var c = new float[m * n];
                    Gemm.Multiply(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, false);
                    if (reference is null) reference = c;
                    else Assert.That(c.AsSpan().SequenceEqual(reference), $"threads={threads} differs for {m}x{n}x{k}");
                }
            }
            finally { Gemm.MaxThreads = savedThreads; Gemm.ParallelThreshold = savedThreshold; }
        }
    }

    [Test]
    public void Pair_is_bitwise_two_multiplies()
    {
        // A linear layer's backward: dX = dY·W and dW = dYᵀ·X, side by side (small) and one after the other (large).
        var rng = new Random(11);
        foreach (var (rows, inF, outF) in new[] { (128, 128, 128), (128, 100, 128), (128, 128, 15), (64, 2000, 128) })
        {
            var dy = Random(rng, rows * outF);
            var w = Random(rng, outF * inF);
            var x = Random(rng, rows * inF);
            var dx1 = new float[rows * inF]; var dw1 = new float[outF * inF];
            Gemm.Multiply(false, false, rows, inF, outF, dy, outF, w, inF, dx1, inF, false);
            Gemm.Multiply(true, false, outF, inF, rows, dy, outF, x, inF, dw1, inF, false);
            long savedMax = Gemm.PairMaxWork;
            try
            {
                foreach (long max in new[] { savedMax, 1L })
                {
                    Gemm.PairMaxWork = max;
                    var dx2 = Random(rng, rows * inF); var dw2 = Random(rng, outF * inF);
                    Gemm.MultiplyPair(new Gemm.Product(false, false, rows, inF, outF, dy, outF, w, inF, dx2, inF, false),
                        new Gemm.Product(true, false, outF, inF, rows, dy, outF, x, inF, dw2, inF, false));
                    Assert.That(dx2.AsSpan().SequenceEqual(dx1), $"dX {rows}x{inF}x{outF}, pair limit {max}");
                    Assert.That(dw2.AsSpan().SequenceEqual(dw1), $"dW {rows}x{inF}x{outF}, pair limit {max}");
                }
            }
            finally { Gemm.PairMaxWork = savedMax; }
        }
    }

    [Test]
    public void Batched_matches_per_batch_multiply()
    {
        var rng = new Random(9);
        int batch = 5, m = 13, n = 37, k = 21;
        long sa = m * k + 4, sb = k * n + 1, sc = m * n + 3;
        var a = Random(rng, (int)(sa * batch));
        var b = Random(rng, (int)(sb * batch));
        var c = Random(rng, (int)(sc * batch));
        var expected = (float[])c.Clone();
        for (int i = 0; i < batch; i++)
            Gemm.Multiply(false, true, m, n, k, a.AsSpan((int)(i * sa)), k, b.AsSpan((int)(i * sb)), k, expected.AsSpan((int)(i * sc)), n, true);
        long savedThreshold = Gemm.ParallelThreshold;
        try
        {
            Gemm.ParallelThreshold = 20_000; // each batch (10k madds) below, the whole batch above: parallel across batches
            Gemm.MultiplyBatched(batch, false, true, m, n, k, a, k, sa, b, k, sb, c, n, sc, true);
        }
        finally { Gemm.ParallelThreshold = savedThreshold; }
        Assert.That(c.AsSpan().SequenceEqual(expected));
    }

    [Test]
    public void Too_short_operands_throw()
    {
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2, false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 2, new float[4], 2, new float[4], 2, new float[3], 2, false));
    }
}
