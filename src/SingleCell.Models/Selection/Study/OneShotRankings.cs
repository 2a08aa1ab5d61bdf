using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.Study;

/// <summary>The one-shot (model-free) selection methods of the study.</summary>
public enum OneShotMethod
{
    /// <summary>GraphReach coverage (<b>our reconstruction</b>, <see cref="Selection.GraphReach.Coverage"/>).</summary>
    GraphReach,
    /// <summary>Facility location on the graph kernel K = M Mᵀ (<see cref="Selection.GraphReach.FacilityLocation"/>).</summary>
    Facility,
    /// <summary>log det(I + K_SS) on the graph kernel (the MaxSpec stand-in, a guess).</summary>
    LogDet,
    /// <summary>Top-k by out-degree (self-loops excluded; a pair sums its genes' degrees).</summary>
    Degree,
    /// <summary>A seeded random order (the only one-shot method that depends on the seed).</summary>
    Random,
}

/// <summary>
/// One-shot rankings of perturbations on a gene graph, computed once: the first k items are the selection at
/// budget k (greedy rankings are nested). A perturbation is a set of genes; a pair covers the union of its
/// genes' reach and its kernel row is the sum of theirs, so for single-gene perturbations the objectives are
/// exactly those of <see cref="Selection.GraphReach"/> and <see cref="LogDeterminant"/>.
/// </summary>
public static class OneShotRankings
{
    /// <summary>Ranks <paramref name="candidates"/> (perturbation indices) by the method.</summary>
    /// <param name="method">The method.</param>
    /// <param name="graph">The gene graph (the one the model sees, after any noise).</param>
    /// <param name="perturbationGenes">Genes of every perturbation (index = item id).</param>
    /// <param name="candidates">Items that may be chosen.</param>
    /// <param name="budget">Length of the ranking (the largest budget).</param>
    /// <param name="hops">Message-passing layers L (GEARS: 1).</param>
    /// <param name="seed">Seed of <see cref="OneShotMethod.Random"/>.</param>
    /// <param name="cancellationToken">Stops the ranking.</param>
    /// <returns>Item ids in pick order.</returns>
    public static int[] Rank(OneShotMethod method, GeneGraph graph, IReadOnlyList<string[]> perturbationGenes, IReadOnlyList<int> candidates,
        int budget, int hops = 1, int seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(perturbationGenes);
        ArgumentNullException.ThrowIfNull(candidates);
        var nodes = perturbationGenes.Select(gs => gs.Select(graph.IndexOf).Where(i => i >= 0).Distinct().ToArray()).ToArray();
        switch (method)
        {
            case OneShotMethod.Random:
            {
                var pool = candidates.Distinct().Order().ToArray();
                new Generator(seed).Shuffle(pool.AsSpan());
                return pool[..Math.Min(budget, pool.Length)];
            }
            case OneShotMethod.Degree:
            {
                var score = nodes.Select(ns => ns.Sum(v => graph.OutNeighbors(v).Length - (graph.HasEdge(v, v) ? 1 : 0))).ToArray();
                return candidates.Distinct().OrderByDescending(i => score[i]).ThenBy(i => i).Take(budget).ToArray();
            }
            case OneShotMethod.GraphReach:
            {
                var cov = Selection.GraphReach.Coverage(graph, hops, cancellationToken: cancellationToken);
                var ptr = new int[nodes.Length + 1];
                var elems = new List<int>();
                for (int p = 0; p < nodes.Length; p++)
                {
                    var set = new SortedSet<int>();
                    foreach (int v in nodes[p]) foreach (int u in cov.CoveredBy(v)) set.Add(u);
                    elems.AddRange(set);
                    ptr[p + 1] = elems.Count;
                }
                return Greedy(new WeightedCoverage(ptr, elems.ToArray(), elementCount: graph.NodeCount), candidates, budget, cancellationToken);
            }
            case OneShotMethod.Facility:
                return Greedy(new FacilityLocation(SumRows(Selection.GraphReach.Kernel(graph, hops, cancellationToken: cancellationToken), nodes)), candidates, budget, cancellationToken);
            case OneShotMethod.LogDet:
            {
                var rows = SumRows(Selection.GraphReach.Kernel(graph, hops, cancellationToken: cancellationToken), nodes);
                return Greedy(new LogDeterminant(ItemKernel(rows, nodes)), candidates, budget, cancellationToken);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown one-shot method.");
        }
    }

    private static int[] Greedy(SetFunction f, IReadOnlyList<int> candidates, int budget, CancellationToken ct)
        => Selection.Greedy.Maximize(f, budget, null, candidates, cancellationToken: ct).Selected;

    /// <summary>Row p = Σ of the kernel rows of p's nodes (perturbations × nodes).</summary>
    private static CellMatrix SumRows(CellMatrix k, int[][] nodes)
    {
        var ptr = new int[nodes.Length + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int p = 0; p < nodes.Length; p++)
        {
            var acc = new SortedDictionary<int, double>();
            foreach (int v in nodes[p])
            {
                var ri = k.RowIndices(v);
                var rv = k.RowValues(v);
                for (int q = 0; q < ri.Length; q++) acc[ri[q]] = acc.GetValueOrDefault(ri[q]) + rv[q];
            }
            foreach (var (c, v) in acc) { idx.Add(c); val.Add((float)v); }
            ptr[p + 1] = idx.Count;
        }
        return new CellMatrix(nodes.Length, k.Columns, ptr, idx.ToArray(), val.ToArray(), validate: false);
    }

    /// <summary>K_pq = Σ_{b∈q} rows[p, b] (perturbations × perturbations).</summary>
    private static CellMatrix ItemKernel(CellMatrix rows, int[][] nodes)
    {
        var owners = new List<int>[rows.Columns];
        for (int q = 0; q < nodes.Length; q++) foreach (int b in nodes[q]) (owners[b] ??= new List<int>()).Add(q);
        var ptr = new int[nodes.Length + 1];
        var idx = new List<int>();
        var val = new List<float>();
        for (int p = 0; p < nodes.Length; p++)
        {
            var acc = new SortedDictionary<int, double>();
            var ri = rows.RowIndices(p);
            var rv = rows.RowValues(p);
            for (int k = 0; k < ri.Length; k++)
                if (owners[ri[k]] is { } qs) foreach (int q in qs) acc[q] = acc.GetValueOrDefault(q) + rv[k];
            foreach (var (c, v) in acc) { idx.Add(c); val.Add((float)v); }
            ptr[p + 1] = idx.Count;
        }
        return new CellMatrix(nodes.Length, nodes.Length, ptr, idx.ToArray(), val.ToArray(), validate: false);
    }
}
