using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.Study;

/// <summary>How <see cref="GraphNoise.Apply"/> corrupts edges.</summary>
public enum GraphNoiseKind
{
    /// <summary>Remove the chosen edges.</summary>
    Drop,
    /// <summary>Move each chosen edge to a uniformly random new target (not its source, not an existing edge), keeping its weight.</summary>
    Rewire,
}

/// <summary>Graph noise for the robustness study: a seeded fraction of the non-self-loop edges is dropped or rewired.</summary>
public static class GraphNoise
{
    /// <summary>A corrupted copy of <paramref name="graph"/> (same nodes); self-loops are never touched.</summary>
    /// <param name="graph">The graph the selectors and the model see.</param>
    /// <param name="fraction">Fraction in [0, 1] of the non-self-loop edges to corrupt (rounded down).</param>
    /// <param name="kind">Drop or rewire.</param>
    /// <param name="seed">Seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside [0, 1].</exception>
    public static GeneGraph Apply(GeneGraph graph, double fraction, GraphNoiseKind kind, int seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), $"The noise fraction must be in [0, 1]; got {fraction}.");
        if (fraction == 0) return graph;
        var (src, dst, w) = graph.ToEdgeArrays();
        var candidates = Enumerable.Range(0, src.Length).Where(e => src[e] != dst[e]).ToArray();
        var rng = new Generator(seed);
        rng.Shuffle(candidates.AsSpan());
        int count = (int)Math.Floor(fraction * candidates.Length);
        var hit = new bool[src.Length];
        for (int i = 0; i < count; i++) hit[candidates[i]] = true;
        var existing = new HashSet<long>();
        for (int e = 0; e < src.Length; e++) existing.Add((long)src[e] * graph.NodeCount + dst[e]);
        var s = new List<int>(src.Length);
        var t = new List<int>(src.Length);
        var ws = new List<float>(src.Length);
        int n = graph.NodeCount;
        for (int e = 0; e < src.Length; e++)
        {
            if (!hit[e]) { s.Add(src[e]); t.Add(dst[e]); ws.Add(w[e]); continue; }
            if (kind == GraphNoiseKind.Drop || n < 3) continue;
            for (int attempt = 0; attempt < 32; attempt++)
            {
                int target = rng.NextInt(n);
                long key = (long)src[e] * n + target;
                if (target == src[e] || existing.Contains(key)) continue;
                existing.Add(key);
                s.Add(src[e]); t.Add(target); ws.Add(w[e]);
                break;
            }
        }
        return GeneGraph.FromEdges(graph.Genes, s.ToArray(), t.ToArray(), ws.ToArray(), graph.EntrezIds);
    }
}

/// <summary>Stability of selections across runs.</summary>
public static class SelectionStability
{
    /// <summary>Jaccard index |A ∩ B| / |A ∪ B| (1 for two empty sets).</summary>
    /// <param name="a">A set.</param>
    /// <param name="b">Another set.</param>
    public static double Jaccard<T>(IEnumerable<T> a, IEnumerable<T> b)
    {
        var sa = new HashSet<T>(a);
        var sb = new HashSet<T>(b);
        if (sa.Count == 0 && sb.Count == 0) return 1;
        int inter = sa.Count(sb.Contains);
        return (double)inter / (sa.Count + sb.Count - inter);
    }

    /// <summary>Mean Jaccard index over all unordered pairs of runs (NaN with fewer than two runs).</summary>
    /// <param name="selections">The selected set of each run (e.g. each seed) at one budget.</param>
    public static double MeanPairwiseJaccard<T>(IReadOnlyList<IReadOnlyCollection<T>> selections)
    {
        ArgumentNullException.ThrowIfNull(selections);
        if (selections.Count < 2) return double.NaN;
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < selections.Count; i++)
            for (int j = i + 1; j < selections.Count; j++) { sum += Jaccard(selections[i], selections[j]); pairs++; }
        return sum / pairs;
    }
}
