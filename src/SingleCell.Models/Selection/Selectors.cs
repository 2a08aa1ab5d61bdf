using SingleCell.Models.Graphs;

namespace SingleCell.Models.Selection;

/// <summary>An <see cref="ISelector"/> that greedily maximises a submodular <see cref="SetFunction"/>.</summary>
/// <param name="function">The objective; its items are the selector's ids.</param>
/// <param name="options">Greedy variant, ε and seed; null means lazy greedy.</param>
/// <param name="name">Method name reported by <see cref="Name"/>.</param>
public sealed class GreedySelector(SetFunction function, GreedyOptions? options = null, string name = "greedy") : ISelector
{
    /// <inheritdoc/>
    public string Name => name;

    /// <summary>The objective.</summary>
    public SetFunction Function => function;

    /// <inheritdoc/>
    public SelectionResult Select(IReadOnlyList<int> candidates, int budget, IReadOnlyList<int>? alreadySelected = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
        => Greedy.Maximize(function, budget, options, candidates, alreadySelected, progress, cancellationToken);
}

/// <summary>Uniform random selection without replacement (seeded); gains are reported as 0.</summary>
/// <param name="seed">Seed; the same seed and candidates give the same order.</param>
public sealed class RandomSelector(int seed = 0) : ISelector
{
    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public SelectionResult Select(IReadOnlyList<int> candidates, int budget, IReadOnlyList<int>? alreadySelected = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pool = Baselines.Pool(candidates, alreadySelected);
        var rng = new Random(seed);
        int k = Math.Min(budget, pool.Length);
        for (int i = 0; i < k; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int j = i + rng.Next(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
            progress?.Report(new SelectionProgress(i + 1, k, pool[i], 0));
        }
        return new SelectionResult(pool[..k], new double[k], double.NaN, 0);
    }
}

/// <summary>Which degree <see cref="DegreeSelector"/> ranks by.</summary>
public enum DegreeKind
{
    /// <summary>Number of out-edges (targets the gene feeds), self-loops excluded.</summary>
    Out,
    /// <summary>Number of in-edges, self-loops excluded.</summary>
    In,
    /// <summary>Sum of out-edge weights, self-loops excluded.</summary>
    WeightedOut,
    /// <summary>Sum of in-edge weights, self-loops excluded.</summary>
    WeightedIn,
}

/// <summary>Top-k by degree in a gene graph (ties: lower node index); the gain is the degree.</summary>
/// <param name="graph">The graph; ids are its node indices.</param>
/// <param name="kind">Which degree.</param>
public sealed class DegreeSelector(GeneGraph graph, DegreeKind kind = DegreeKind.Out) : ISelector
{
    /// <inheritdoc/>
    public string Name => "degree";

    /// <inheritdoc/>
    public SelectionResult Select(IReadOnlyList<int> candidates, int budget, IReadOnlyList<int>? alreadySelected = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var pool = Baselines.Pool(candidates, alreadySelected);
        var score = new double[pool.Length];
        for (int p = 0; p < pool.Length; p++) score[p] = Degree(pool[p]);
        var order = Enumerable.Range(0, pool.Length).ToArray();
        Array.Sort(order, (a, b) => score[a] != score[b] ? score[b].CompareTo(score[a]) : pool[a].CompareTo(pool[b]));
        int k = Math.Min(budget, pool.Length);
        var sel = new int[k];
        var gains = new double[k];
        for (int i = 0; i < k; i++)
        {
            sel[i] = pool[order[i]];
            gains[i] = score[order[i]];
            progress?.Report(new SelectionProgress(i + 1, k, sel[i], gains[i]));
        }
        return new SelectionResult(sel, gains, double.NaN, pool.Length);
    }

    private double Degree(int v)
    {
        bool incoming = kind is DegreeKind.In or DegreeKind.WeightedIn;
        bool weighted = kind is DegreeKind.WeightedOut or DegreeKind.WeightedIn;
        var nb = incoming ? graph.InNeighbors(v) : graph.OutNeighbors(v);
        var w = incoming ? graph.InWeights(v) : graph.OutWeights(v);
        double d = 0;
        for (int k = 0; k < nb.Length; k++) if (nb[k] != v) d += weighted ? w[k] : 1;
        return d;
    }
}

/// <summary>
/// k-center (core-set) greedy on any feature matrix: repeatedly picks the candidate farthest
/// (Euclidean) from everything chosen so far. Without prior picks the first item is the
/// candidate nearest the candidates' centroid. The gain is the distance at pick time.
/// </summary>
/// <param name="features">Row-major items × dimensions.</param>
/// <param name="dimensions">Number of columns.</param>
public sealed class KCenterSelector(float[] features, int dimensions) : ISelector
{
    /// <inheritdoc/>
    public string Name => "kcenter";

    /// <inheritdoc/>
    public SelectionResult Select(IReadOnlyList<int> candidates, int budget, IReadOnlyList<int>? alreadySelected = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int d = dimensions;
        if (d <= 0 || features.Length % d != 0) throw new ArgumentException($"features ({features.Length} values) is not a multiple of {d} dimensions.");
        var pool = Baselines.Pool(candidates, alreadySelected);
        var dist = new double[pool.Length];
        Array.Fill(dist, double.PositiveInfinity);
        int k = Math.Min(budget, pool.Length);
        var sel = new List<int>(k);
        var gains = new List<double>(k);
        var taken = new bool[pool.Length];
        if (alreadySelected is not null) foreach (int c in alreadySelected) Update(c);
        if (alreadySelected is null || alreadySelected.Count == 0)
        {
            if (k == 0) return new SelectionResult([], [], double.NaN, 0);
            var centroid = new double[d];
            foreach (int c in pool) for (int j = 0; j < d; j++) centroid[j] += features[c * d + j] / pool.Length;
            int best = 0;
            double bestD = double.PositiveInfinity;
            for (int p = 0; p < pool.Length; p++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) { double x = features[pool[p] * d + j] - centroid[j]; s += x * x; }
                if (s < bestD) { bestD = s; best = p; }
            }
            Take(best, Math.Sqrt(bestD));
        }
        while (sel.Count < k)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int best = -1;
            for (int p = 0; p < pool.Length; p++) if (!taken[p] && (best < 0 || dist[p] > dist[best])) best = p;
            Take(best, Math.Sqrt(dist[best]));
        }
        return new SelectionResult(sel.ToArray(), gains.ToArray(), double.NaN, (long)k * pool.Length);

        void Take(int p, double gain)
        {
            taken[p] = true;
            sel.Add(pool[p]);
            gains.Add(gain);
            Update(pool[p]);
            progress?.Report(new SelectionProgress(sel.Count, k, pool[p], gain));
        }

        void Update(int center)
        {
            for (int p = 0; p < pool.Length; p++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) { double x = features[pool[p] * d + j] - features[center * d + j]; s += x * x; }
                if (s < dist[p]) dist[p] = s;
            }
        }
    }
}

internal static class Baselines
{
    /// <summary>Distinct candidates not already selected, sorted ascending.</summary>
    public static int[] Pool(IReadOnlyList<int> candidates, IReadOnlyList<int>? alreadySelected)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var skip = new HashSet<int>(alreadySelected ?? Array.Empty<int>());
        var set = new SortedSet<int>();
        foreach (int c in candidates) if (!skip.Contains(c)) set.Add(c);
        return set.ToArray();
    }
}
