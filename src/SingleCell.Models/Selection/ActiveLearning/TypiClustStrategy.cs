using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.ActiveLearning;

/// <summary>
/// TypiClust (Hacohen, Dekel and Weinshall 2022): cluster all items into |L| + k clusters with k-means,
/// then repeatedly take the cluster with the fewest labelled members (largest first among equals) and
/// pick its most typical pool item, typicality(x) = 1 / mean distance to its min(20, size − 1) nearest
/// neighbours in the cluster.
/// </summary>
/// <remarks>
/// k-means runs on a seeded Gaussian random projection of the features to <paramref name="projection"/>
/// dimensions (TypiClust clusters a self-supervised embedding; IterPert its <c>linear_fix_ctrl</c>
/// features), with k-means++ seeding and <paramref name="iterations"/> Lloyd steps.
/// </remarks>
/// <param name="projection">Dimensions of the random projection (no projection when the features have fewer).</param>
/// <param name="iterations">Lloyd iterations.</param>
public sealed class TypiClustStrategy(int projection = 64, int iterations = 10) : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "typiclust";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rng = new Generator(seed);
        int n = state.Count;
        var (x, d) = Project(state, rng);
        int clusters = Math.Max(1, Math.Min(n, state.Labelled.Length + batchSize));
        var assign = KMeans(x, n, d, clusters, rng, cancellationToken);
        var size = new int[clusters];
        var labelled = new int[clusters];
        foreach (int a in assign) size[a]++;
        foreach (int l in state.Labelled) labelled[assign[l]]++;
        var members = new List<int>[clusters];
        for (int c = 0; c < clusters; c++) members[c] = new List<int>();
        for (int i = 0; i < n; i++) members[assign[i]].Add(i);
        var taken = new bool[n];
        var inPool = new bool[n];
        foreach (int p in state.Pool) inPool[p] = true;
        var poolLeft = new int[clusters];
        foreach (int p in state.Pool) poolLeft[assign[p]]++;
        int count = Math.Min(batchSize, state.Pool.Length);
        var picks = new int[count];
        for (int s = 0; s < count; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int best = -1;
            for (int c = 0; c < clusters; c++)
                if (poolLeft[c] > 0 && (best < 0 || labelled[c] < labelled[best] || (labelled[c] == labelled[best] && size[c] > size[best]))) best = c;
            int pick = -1;
            double bestTyp = double.NegativeInfinity;
            foreach (int i in members[best])
            {
                if (!inPool[i] || taken[i]) continue;
                double t = Typicality(x, d, i, members[best]);
                if (t > bestTyp) { bestTyp = t; pick = i; }
            }
            picks[s] = pick;
            taken[pick] = true;
            labelled[best]++;
            poolLeft[best]--;
        }
        return picks;
    }

    private (double[] X, int D) Project(ActiveLearningState state, Generator rng)
    {
        int n = state.Count, f = state.Features.Columns;
        var src = state.Features.Values;
        if (f <= projection)
        {
            var copy = new double[src.Length];
            for (int i = 0; i < copy.Length; i++) copy[i] = src[i];
            return (copy, f);
        }
        var w = new double[f * projection];
        double scale = 1 / Math.Sqrt(projection);
        for (int i = 0; i < w.Length; i++) w[i] = rng.NextNormal() * scale;
        var x = new double[n * projection];
        Parallel.For(0, n, i =>
        {
            for (int a = 0; a < f; a++)
            {
                double v = src[i * f + a];
                if (v == 0) continue;
                for (int b = 0; b < projection; b++) x[i * projection + b] += v * w[a * projection + b];
            }
        });
        return (x, projection);
    }

    private static double Dist2(double[] x, int d, int i, double[] c, int j)
    {
        double s = 0;
        for (int a = 0; a < d; a++) { double e = x[i * d + a] - c[j * d + a]; s += e * e; }
        return s;
    }

    private int[] KMeans(double[] x, int n, int d, int k, Generator rng, CancellationToken ct)
    {
        var centres = new double[k * d];
        var minD = new double[n];
        Array.Fill(minD, double.PositiveInfinity);
        int first = rng.NextInt(n);
        for (int c = 0; c < k; c++)
        {
            int pick = first;
            if (c > 0)
            {
                double total = 0;
                foreach (double v in minD) total += v;
                double u = rng.NextDouble() * total, acc = 0;
                pick = -1;
                for (int i = 0; i < n; i++) { acc += minD[i]; if (minD[i] > 0) pick = i; if (acc > u && pick >= 0) break; }
                if (pick < 0) pick = rng.NextInt(n);
            }
            Array.Copy(x, pick * d, centres, c * d, d);
            for (int i = 0; i < n; i++) minD[i] = Math.Min(minD[i], Dist2(x, d, i, centres, c));
        }
        var assign = new int[n];
        for (int it = 0; it <= iterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            Parallel.For(0, n, i =>
            {
                int best = 0;
                double bd = double.PositiveInfinity;
                for (int c = 0; c < k; c++) { double v = Dist2(x, d, i, centres, c); if (v < bd) { bd = v; best = c; } }
                assign[i] = best;
            });
            if (it == iterations) break;
            var sum = new double[k * d];
            var cnt = new int[k];
            for (int i = 0; i < n; i++) { cnt[assign[i]]++; for (int a = 0; a < d; a++) sum[assign[i] * d + a] += x[i * d + a]; }
            for (int c = 0; c < k; c++)
                if (cnt[c] > 0) for (int a = 0; a < d; a++) centres[c * d + a] = sum[c * d + a] / cnt[c];
        }
        return assign;
    }

    private static double Typicality(double[] x, int d, int i, List<int> cluster)
    {
        if (cluster.Count == 1) return 0;
        var dist = new List<double>(cluster.Count - 1);
        foreach (int j in cluster) if (j != i) dist.Add(Math.Sqrt(Dist2(x, d, i, x, j)));
        dist.Sort();
        int m = Math.Min(20, dist.Count);
        double s = 0;
        for (int a = 0; a < m; a++) s += dist[a];
        return s > 0 ? m / s : double.PositiveInfinity;
    }
}
