using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.ActiveLearning;

/// <summary>
/// BALD-style acquisition (BMDAL <c>maxdiag</c> with the <c>train</c> transform): the linear-kernel
/// Gaussian process is conditioned on the labelled set with noise σ², and the batch is the pool items
/// with the largest posterior variance k(x,x) − k(x,L)(K_LL + σ²I)⁻¹k(L,x), without updating within the batch.
/// </summary>
/// <param name="noiseVariance">σ² (IterPert: 0.1).</param>
public sealed class BaldStrategy(double noiseVariance = 0.1) : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "bald";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(noiseVariance);
        return KernelGreedy.MaxDiagonal(new LinearKernel(state.Features), state.Pool, state.Labelled, batchSize, noiseVariance, cancellationToken);
    }
}

/// <summary>
/// BatchBALD-style acquisition (BMDAL <c>maxdet</c>): greedy maximisation of
/// log det(I + K_{B|L}/σ²), the joint information of the batch B under the linear-kernel GP conditioned on
/// the labelled set L; each pick has the largest current posterior variance and is then conditioned on.
/// </summary>
/// <param name="noiseVariance">σ² (IterPert: 0.1).</param>
public sealed class BatchBaldStrategy(double noiseVariance = 0.1) : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "batchbald";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(noiseVariance);
        return KernelGreedy.MaxDeterminant(new LinearKernel(state.Features), state.Pool, state.Labelled, batchSize, noiseVariance, cancellationToken).Picks;
    }
}

/// <summary>
/// BADGE-style acquisition (Ash et al. 2020; BMDAL <c>kmeanspp</c>): k-means++ seeding on the features.
/// The first pick is drawn with probability ∝ k(x,x) (squared distance from the origin, i.e. from
/// "no effect"), each further pick with probability ∝ its squared distance to the nearest pick.
/// The labelled set is not used (BMDAL's default for <c>kmeanspp</c>).
/// </summary>
public sealed class BadgeStrategy : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "badge";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var k = new LinearKernel(state.Features);
        var pool = state.Pool;
        var minD = new double[state.Count];
        foreach (int p in pool) minD[p] = k.Diagonal(p);
        var rng = new Generator(seed);
        var taken = new bool[state.Count];
        var row = new double[state.Count];
        int count = Math.Min(batchSize, pool.Length);
        var picks = new int[count];
        for (int s = 0; s < count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            double total = 0;
            foreach (int p in pool) if (!taken[p]) total += minD[p];
            int pick = -1;
            if (total > 0)
            {
                double u = rng.NextDouble() * total, acc = 0;
                foreach (int p in pool)
                {
                    if (taken[p] || minD[p] <= 0) continue;
                    acc += minD[p];
                    pick = p;
                    if (acc > u) break;
                }
            }
            if (pick < 0) foreach (int p in pool) if (!taken[p]) { pick = p; break; } // all remaining coincide with picks
            picks[s] = pick;
            taken[pick] = true;
            k.Row(pick, row);
            double dp = k.Diagonal(pick);
            foreach (int p in pool) minD[p] = Math.Min(minD[p], Math.Max(0, k.Diagonal(p) + dp - 2 * row[p]));
        }
        return picks;
    }
}

/// <summary>
/// LCMD (largest-cluster maximum distance; Holzmüller et al. 2023), with train: every pool item belongs to
/// its nearest centre among labelled ∪ picked items; the cluster with the largest sum of squared
/// distances is chosen and its farthest pool item is picked. IterPert first projects the features to
/// 512 random dimensions; here the linear kernel is used exactly.
/// </summary>
public sealed class LcmdStrategy : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "lcmd";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var k = new LinearKernel(state.Features);
        int n = state.Count;
        var pool = state.Pool;
        var diag = new double[n];
        for (int i = 0; i < n; i++) diag[i] = k.Diagonal(i);
        var minD = new double[n];
        var centre = new int[n];
        Array.Fill(minD, double.PositiveInfinity);
        Array.Fill(centre, -1);
        var row = new double[n];
        var taken = new bool[n];
        void Add(int c)
        {
            k.Row(c, row);
            foreach (int p in pool)
            {
                double d = Math.Max(0, diag[p] + diag[c] - 2 * row[p]);
                if (d < minD[p]) { minD[p] = d; centre[p] = c; }
            }
        }
        foreach (int c in state.Labelled) Add(c);
        if (state.Labelled.Length == 0) foreach (int p in pool) { minD[p] = diag[p]; centre[p] = n; } // one cluster around the origin
        int count = Math.Min(batchSize, pool.Length);
        var picks = new int[count];
        var sums = new double[n + 1];
        for (int s = 0; s < count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(sums);
            foreach (int p in pool) if (!taken[p]) sums[centre[p]] += minD[p];
            int cluster = 0;
            for (int c = 1; c <= n; c++) if (sums[c] > sums[cluster]) cluster = c;
            int best = -1;
            foreach (int p in pool)
                if (!taken[p] && (best < 0 || (centre[p] == cluster && (centre[best] != cluster || minD[p] > minD[best])))) best = p;
            picks[s] = best;
            taken[best] = true;
            Add(best);
        }
        return picks;
    }
}
