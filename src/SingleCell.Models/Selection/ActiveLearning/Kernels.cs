using System.Numerics.Tensors;
using SingleCell.Models.Data;

namespace SingleCell.Models.Selection.ActiveLearning;

/// <summary>A symmetric PSD kernel over items 0..Count−1, read one row at a time.</summary>
internal interface IItemKernel
{
    int Count { get; }

    double Diagonal(int i);

    /// <summary>Writes k(i, j) for every item j into <paramref name="row"/>.</summary>
    void Row(int i, Span<double> row);
}

/// <summary>The linear kernel k(i, j) = φᵢᵀφⱼ of feature rows (float dot products, SIMD).</summary>
internal sealed class LinearKernel(DenseMatrix features) : IItemKernel
{
    public int Count => features.Rows;

    public double Diagonal(int i) => TensorPrimitives.Dot(features.Row(i), features.Row(i));

    public void Row(int i, Span<double> row)
    {
        var xi = features.Row(i);
        for (int j = 0; j < features.Rows; j++) row[j] = TensorPrimitives.Dot(xi, features.Row(j));
    }

    /// <summary>The whole n × n kernel (row-major), computed in parallel over rows (deterministic: each entry is one dot product).</summary>
    public double[] Dense(CancellationToken cancellationToken)
    {
        int n = features.Rows;
        var k = new double[(long)n * n];
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            var xi = features.Row(i);
            for (int j = i; j < n; j++)
            {
                double v = TensorPrimitives.Dot(xi, features.Row(j));
                k[(long)i * n + j] = v;
                k[(long)j * n + i] = v;
            }
        });
        return k;
    }
}

/// <summary>A precomputed dense row-major kernel.</summary>
internal sealed class DenseKernel(double[] k, int n) : IItemKernel
{
    public int Count => n;

    public double Diagonal(int i) => k[(long)i * n + i];

    public void Row(int i, Span<double> row) => k.AsSpan((int)((long)i * n), n).CopyTo(row);
}

/// <summary>
/// The Gaussian-process view of a kernel with observation noise σ² (BMDAL's <c>train</c> transform):
/// conditioning on items one at a time by a pivoted, noise-regularised incremental Cholesky.
/// </summary>
/// <remarks>
/// After conditioning on a set C with noise, the posterior kernel is
/// k_C(x, x') = k(x, x') − k(x, C)(K_CC + σ²I)⁻¹k(C, x'). For each conditioned item c the cache
/// holds e_c(v) = k_prev(c, v) / √(k_prev(c, c) + σ²), and the posterior variance is updated as
/// v(x) ← v(x) − e_c(x)². Each conditioning costs O(n · |C|) besides one kernel row.
/// </remarks>
internal sealed class GaussianProcessView
{
    private readonly IItemKernel _k;
    private readonly double _noise;
    private readonly List<double[]> _e = new();
    private readonly double[] _row;

    public GaussianProcessView(IItemKernel kernel, double noiseVariance)
    {
        _k = kernel;
        _noise = noiseVariance;
        Variance = new double[kernel.Count];
        for (int i = 0; i < Variance.Length; i++) Variance[i] = kernel.Diagonal(i);
        _row = new double[kernel.Count];
    }

    /// <summary>Posterior variance of every item given the items conditioned on so far (without the noise).</summary>
    public double[] Variance { get; }

    /// <summary>Conditions on a noisy observation of item <paramref name="c"/>; returns log(1 + v(c)/σ²), its information gain.</summary>
    public double Condition(int c)
    {
        double pivot = Math.Max(Variance[c], 0) + _noise;
        double gain = Math.Log(pivot / _noise);
        _k.Row(c, _row);
        double s = Math.Sqrt(pivot);
        var e = new double[_row.Length];
        for (int v = 0; v < e.Length; v++)
        {
            double r = _row[v];
            foreach (var prev in _e) r -= prev[c] * prev[v];
            e[v] = r / s;
            Variance[v] -= e[v] * e[v];
        }
        _e.Add(e);
        return gain;
    }
}

/// <summary>Greedy kernel-space selections shared by the strategies.</summary>
internal static class KernelGreedy
{
    /// <summary>Greedy k-center: picks argmax over the pool of min squared kernel distance to labelled ∪ picked (ties: smaller item).</summary>
    public static int[] KCenter(IItemKernel k, int[] pool, int[] labelled, int batch, CancellationToken ct)
    {
        int n = k.Count;
        var diag = new double[n];
        for (int i = 0; i < n; i++) diag[i] = k.Diagonal(i);
        var minD = new double[n];
        Array.Fill(minD, double.PositiveInfinity);
        var row = new double[n];
        var taken = new bool[n];
        void Add(int c)
        {
            k.Row(c, row);
            foreach (int p in pool)
            {
                double d = Math.Max(0, diag[p] + diag[c] - 2 * row[p]);
                if (d < minD[p]) minD[p] = d;
            }
        }
        foreach (int c in labelled) Add(c);
        if (labelled.Length == 0) foreach (int p in pool) minD[p] = diag[p]; // distance to the origin
        int count = Math.Min(batch, pool.Length);
        var picks = new int[count];
        for (int s = 0; s < count; s++)
        {
            ct.ThrowIfCancellationRequested();
            int best = -1;
            foreach (int p in pool) if (!taken[p] && (best < 0 || minD[p] > minD[best])) best = p;
            picks[s] = best;
            taken[best] = true;
            Add(best);
        }
        return picks;
    }

    /// <summary>Top posterior variances after conditioning on the labelled set (BMDAL <c>maxdiag</c>): no update within the batch.</summary>
    public static int[] MaxDiagonal(IItemKernel k, int[] pool, int[] labelled, int batch, double noise, CancellationToken ct)
    {
        var gp = new GaussianProcessView(k, noise);
        foreach (int c in labelled) { ct.ThrowIfCancellationRequested(); gp.Condition(c); }
        var order = (int[])pool.Clone();
        Array.Sort(order, (a, b) => gp.Variance[a] != gp.Variance[b] ? gp.Variance[b].CompareTo(gp.Variance[a]) : a.CompareTo(b));
        return order[..Math.Min(batch, order.Length)];
    }

    /// <summary>
    /// Greedy log-determinant (BMDAL <c>maxdet</c>): after conditioning on the labelled set, repeatedly pick the
    /// largest posterior variance and condition on it. The summed gains equal
    /// log det(K_{L∪B} + σ²I) − log det(K_L + σ²I) − |B| log σ².
    /// </summary>
    public static (int[] Picks, double[] Gains) MaxDeterminant(IItemKernel k, int[] pool, int[] labelled, int batch, double noise, CancellationToken ct)
    {
        var gp = new GaussianProcessView(k, noise);
        foreach (int c in labelled) { ct.ThrowIfCancellationRequested(); gp.Condition(c); }
        int count = Math.Min(batch, pool.Length);
        var picks = new int[count];
        var gains = new double[count];
        var taken = new bool[k.Count];
        for (int s = 0; s < count; s++)
        {
            ct.ThrowIfCancellationRequested();
            int best = -1;
            foreach (int p in pool) if (!taken[p] && (best < 0 || gp.Variance[p] > gp.Variance[best])) best = p;
            taken[best] = true;
            picks[s] = best;
            gains[s] = gp.Condition(best);
        }
        return (picks, gains);
    }
}
