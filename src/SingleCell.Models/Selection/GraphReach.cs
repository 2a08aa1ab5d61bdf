using System.Numerics;
using SingleCell.Models.Data;
using SingleCell.Models.Graphs;

namespace SingleCell.Models.Selection;

/// <summary>
/// GraphReach objectives on the GNN's input graph. <b>The exact formulas are our
/// reconstruction</b> (spec §1.4), not the definitions of Panagopoulos et al., which we could
/// not read.
/// </summary>
/// <remarks>
/// With P = D̂^−1/2 Â D̂^−1/2 (in-degree convention) and L layers, the L-hop receptive field
/// RF(t) of node t is the set of rows read to compute t's output; training on perturbation t
/// sends gradient to those rows. Candidate t "reaches" u ∈ U when RF(u) ∩ RF(t) ≠ ∅
/// (for L = 1: u and t share an in-neighbour or are adjacent).
/// <list type="bullet">
/// <item><see cref="Coverage"/>: f(S) = |∪_{t∈S} N(t)|, N(t) = {u ∈ U : RF(u) ∩ RF(t) ≠ ∅}.</item>
/// <item><see cref="FacilityLocation"/>: f(S) = Σ_{u∈U} max_{t∈S} K_{ut}, K = M Mᵀ with M = P^L
/// (row t of M holds the weights with which input rows feed output t).</item>
/// </list>
/// Both are monotone submodular, so lazy greedy has the (1 − 1/e) guarantee.
/// </remarks>
public static class GraphReach
{
    /// <summary>The unweighted (coverage) GraphReach objective over all nodes of <paramref name="graph"/>.</summary>
    /// <param name="graph">The GNN input graph (e.g. the GEARS GO graph).</param>
    /// <param name="hops">Number of message-passing layers L (GEARS <c>num_go_gnn_layers</c> = 1).</param>
    /// <param name="universe">Nodes to reach; null means every node.</param>
    /// <param name="cancellationToken">Stops the construction.</param>
    /// <returns>A coverage function whose items are the node indices.</returns>
    public static WeightedCoverage Coverage(GeneGraph graph, int hops = 1, IReadOnlyList<int>? universe = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegative(hops);
        int n = graph.NodeCount;
        var inU = UniverseMask(n, universe);
        var a = graph.WithSelfLoops();
        var ptr = new int[n + 1];
        var lists = new int[n][];
        // Each N(t) is gathered as a bit set over the nodes and read out in ascending order (no sort).
        Parallel.For(0, (n + 255) / 256, new ParallelOptions { CancellationToken = cancellationToken }, () => new Scratch(n), (c, _, s) =>
        {
            int end = Math.Min(n, (c + 1) * 256);
            var bits = s.Bits;
            for (int t = c * 256; t < end; t++)
            {
                var rf = Ball(a, t, hops, incoming: true, s);
                foreach (int src in rf)
                {
                    if (hops == 1)
                    {
                        // The 1-hop ball of src: itself and its out-neighbours.
                        Set(bits, src);
                        foreach (int u in a.OutNeighbors(src)) Set(bits, u);
                    }
                    else
                        foreach (int u in Ball(a, src, hops, incoming: false, s.Inner)) Set(bits, u);
                }
                lists[t] = ReadOut(bits, inU);
            }
            return s;
        }, _ => { });
        for (int t = 0; t < n; t++) ptr[t + 1] = ptr[t] + lists[t].Length;
        var elems = new int[ptr[n]];
        for (int t = 0; t < n; t++) lists[t].CopyTo(elems, ptr[t]);
        return new WeightedCoverage(ptr, elems, elementCount: n);
    }

    /// <summary>The weighted (facility-location) GraphReach objective, K = M Mᵀ with M = P^L.</summary>
    /// <param name="graph">The GNN input graph.</param>
    /// <param name="hops">Number of layers L.</param>
    /// <param name="universe">Nodes to reach; null means every node.</param>
    /// <param name="cancellationToken">Stops the construction.</param>
    /// <returns>A facility-location function whose items are the node indices.</returns>
    public static Selection.FacilityLocation FacilityLocation(GeneGraph graph, int hops = 1, IReadOnlyList<int>? universe = null, CancellationToken cancellationToken = default)
        => new(Kernel(graph, hops, universe, cancellationToken));

    /// <summary>The sparse kernel K = M Mᵀ (M = P^L) restricted to universe columns; rows are all nodes.</summary>
    /// <param name="graph">The GNN input graph.</param>
    /// <param name="hops">Number of layers L.</param>
    /// <param name="universe">Columns to keep; null keeps all.</param>
    /// <param name="cancellationToken">Stops the construction.</param>
    public static CellMatrix Kernel(GeneGraph graph, int hops = 1, IReadOnlyList<int>? universe = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(graph);
        int n = graph.NodeCount;
        var inU = UniverseMask(n, universe);
        var p = graph.NormalizedAdjacency();
        // Rows of M = P^L: m_t = e_t, then m ← m P along in-edges (row t of P aggregates in-neighbours).
        var mRows = new (int[] Idx, double[] Val)[n];
        var acc = new double[n];
        var mark = new bool[n];
        var touched = new List<int>();
        for (int t = 0; t < n; t++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var cur = (Idx: new[] { t }, Val: new[] { 1.0 });
            for (int l = 0; l < hops; l++)
            {
                touched.Clear();
                for (int k = 0; k < cur.Idx.Length; k++)
                {
                    int s = cur.Idx[k];
                    var nb = p.InNeighbors(s);
                    var w = p.InWeights(s);
                    for (int q = 0; q < nb.Length; q++)
                    {
                        if (!mark[nb[q]]) { mark[nb[q]] = true; touched.Add(nb[q]); }
                        acc[nb[q]] += cur.Val[k] * w[q];
                    }
                }
                touched.Sort();
                var idx = touched.ToArray();
                var val = new double[idx.Length];
                for (int k = 0; k < idx.Length; k++) { val[k] = acc[idx[k]]; acc[idx[k]] = 0; mark[idx[k]] = false; }
                cur = (idx, val);
            }
            mRows[t] = cur;
        }
        // Columns of M: for each input row s, the (u, M[u, s]) pairs.
        var colPtr = new int[n + 1];
        foreach (var r in mRows) foreach (int s in r.Idx) colPtr[s + 1]++;
        for (int s = 0; s < n; s++) colPtr[s + 1] += colPtr[s];
        var fill = (int[])colPtr.Clone();
        var colU = new int[colPtr[n]];
        var colV = new double[colPtr[n]];
        for (int u = 0; u < n; u++)
            for (int k = 0; k < mRows[u].Idx.Length; k++) { int s = mRows[u].Idx[k]; colU[fill[s]] = u; colV[fill[s]++] = mRows[u].Val[k]; }
        var kPtr = new int[n + 1];
        var kIdx = new List<int>();
        var kVal = new List<float>();
        for (int t = 0; t < n; t++)
        {
            touched.Clear();
            var (idx, val) = mRows[t];
            for (int k = 0; k < idx.Length; k++)
            {
                int s = idx[k];
                for (int q = colPtr[s]; q < colPtr[s + 1]; q++)
                {
                    int u = colU[q];
                    if (!inU[u]) continue;
                    if (!mark[u]) { mark[u] = true; touched.Add(u); }
                    acc[u] += val[k] * colV[q];
                }
            }
            touched.Sort();
            foreach (int u in touched) { kIdx.Add(u); kVal.Add((float)acc[u]); acc[u] = 0; mark[u] = false; }
            kPtr[t + 1] = kIdx.Count;
        }
        return new CellMatrix(n, n, kPtr, kIdx.ToArray(), kVal.ToArray(), validate: false);
    }

    private static bool[] UniverseMask(int n, IReadOnlyList<int>? universe)
    {
        var inU = new bool[n];
        if (universe is null) { Array.Fill(inU, true); return inU; }
        foreach (int u in universe)
        {
            if ((uint)u >= (uint)n) throw new ArgumentOutOfRangeException(nameof(universe), $"Universe node {u} is outside 0..{n - 1}.");
            inU[u] = true;
        }
        return inU;
    }

    /// <summary>Nodes within <paramref name="hops"/> edges of <paramref name="v"/> (itself first).</summary>
    private static List<int> Ball(GeneGraph g, int v, int hops, bool incoming, Scratch s)
    {
        var result = s.Ball;
        result.Clear();
        result.Add(v);
        s.BallMark(v);
        int start = 0;
        for (int l = 0; l < hops; l++)
        {
            int end = result.Count;
            for (int i = start; i < end; i++)
            {
                var nb = incoming ? g.InNeighbors(result[i]) : g.OutNeighbors(result[i]);
                foreach (int u in nb) if (s.BallMark(u)) result.Add(u);
            }
            start = end;
        }
        s.NextBallToken();
        return result;
    }

    private static void Set(ulong[] bits, int u) => bits[u >> 6] |= 1UL << u;

    /// <summary>The set bits that are in the universe, ascending; clears <paramref name="bits"/>.</summary>
    private static int[] ReadOut(ulong[] bits, bool[] inU)
    {
        int count = 0;
        foreach (ulong w in bits) count += BitOperations.PopCount(w);
        var list = new int[count];
        int p = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            ulong w = bits[i];
            bits[i] = 0;
            while (w != 0)
            {
                int u = (i << 6) + BitOperations.TrailingZeroCount(w);
                w &= w - 1;
                if (inU[u]) list[p++] = u;
            }
        }
        return p == count ? list : list[..p];
    }

    private sealed class Scratch(int n)
    {
        public readonly ulong[] Bits = new ulong[(n + 63) / 64];
        private readonly int[] _ballStamp = new int[n];
        private int _ballToken = 1;
        public readonly List<int> Ball = new();
        private Scratch? _inner;
        public Scratch Inner => _inner ??= new Scratch(_ballStamp.Length);
        public bool BallMark(int u) { if (_ballStamp[u] == _ballToken) return false; _ballStamp[u] = _ballToken; return true; }
        public void NextBallToken() => _ballToken++;
    }
}
