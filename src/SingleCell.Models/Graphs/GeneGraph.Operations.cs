namespace SingleCell.Models.Graphs;

public sealed partial class GeneGraph
{
    /// <summary>
    /// The undirected version of this graph: for every edge <c>s → t</c> both directions are
    /// present, with weight max(w(s→t), w(t→s)).
    /// </summary>
    public GeneGraph Symmetrize()
    {
        int m = EdgeCount;
        var src = new int[2 * m];
        var dst = new int[2 * m];
        var w = new float[2 * m];
        int p = 0;
        for (int s = 0; s < NodeCount; s++)
        {
            for (int k = _rowPtr[s]; k < _rowPtr[s + 1]; k++)
            {
                src[p] = s; dst[p] = _targets[k]; w[p++] = _weights[k];
                src[p] = _targets[k]; dst[p] = s; w[p++] = _weights[k];
            }
        }
        var (rowPtr, cols, vals) = BuildCsr(NodeCount, src, dst, w);
        return new GeneGraph(_genes, _entrez, rowPtr, cols, vals, _index);
    }

    /// <summary>
    /// Adds a self-loop of weight <paramref name="weight"/> to every node that has none
    /// (PyG <c>add_remaining_self_loops</c>); existing self-loops keep their weight.
    /// </summary>
    /// <param name="weight">Weight of the added loops.</param>
    public GeneGraph WithSelfLoops(float weight = 1f)
    {
        int n = NodeCount;
        var rowPtr = new int[n + 1];
        var cols = new int[EdgeCount + n];
        var vals = new float[EdgeCount + n];
        int p = 0;
        for (int s = 0; s < n; s++)
        {
            bool placed = false;
            for (int k = _rowPtr[s]; k < _rowPtr[s + 1]; k++)
            {
                int t = _targets[k];
                if (!placed && t >= s)
                {
                    if (t != s) { cols[p] = s; vals[p++] = weight; }
                    placed = true;
                }
                cols[p] = t; vals[p++] = _weights[k];
            }
            if (!placed) { cols[p] = s; vals[p++] = weight; }
            rowPtr[s + 1] = p;
        }
        Array.Resize(ref cols, p);
        Array.Resize(ref vals, p);
        return new GeneGraph(_genes, _entrez, rowPtr, cols, vals, _index);
    }

    /// <summary>The sub-graph induced by <paramref name="nodes"/>, in the given order.</summary>
    /// <param name="nodes">Distinct node indices of this graph.</param>
    /// <exception cref="ArgumentException">A node is out of range or repeated.</exception>
    public GeneGraph Subgraph(IReadOnlyList<int> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var map = new int[NodeCount];
        Array.Fill(map, -1);
        var names = new string[nodes.Count];
        var entrez = new int[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            int v = nodes[i];
            if ((uint)v >= (uint)NodeCount) throw new ArgumentException($"Node {v} is outside 0..{NodeCount - 1}.", nameof(nodes));
            if (map[v] >= 0) throw new ArgumentException($"Node {v} ({_genes[v]}) is listed twice.", nameof(nodes));
            map[v] = i;
            names[i] = _genes[v];
            entrez[i] = _entrez[v];
        }
        var src = new List<int>();
        var dst = new List<int>();
        var w = new List<float>();
        for (int i = 0; i < nodes.Count; i++)
        {
            int v = nodes[i];
            for (int k = _rowPtr[v]; k < _rowPtr[v + 1]; k++)
            {
                int t = map[_targets[k]];
                if (t < 0) continue;
                src.Add(i); dst.Add(t); w.Add(_weights[k]);
            }
        }
        return FromEdges(names, src.ToArray(), dst.ToArray(), w.ToArray(), entrez);
    }

    /// <summary>The sub-graph induced by the named genes that this graph contains, in the given order.</summary>
    /// <param name="genes">Gene symbols; names not in the graph and repeats are skipped.</param>
    public GeneGraph Subgraph(IEnumerable<string> genes)
    {
        ArgumentNullException.ThrowIfNull(genes);
        var nodes = new List<int>();
        var seen = new HashSet<int>();
        foreach (var g in genes)
        {
            int i = IndexOf(g);
            if (i >= 0 && seen.Add(i)) nodes.Add(i);
        }
        return Subgraph(nodes);
    }

    /// <summary>
    /// The normalised adjacency D̂^−1/2 Â D̂^−1/2 used by SGConv/GCN (GEARS): Â adds weight-1
    /// self-loops where none exist, D̂ is the weighted <b>in</b>-degree (sum of incoming weights
    /// at the target, PyG <c>gcn_norm</c>), and edge s → t gets w(s→t)/√(D̂_s D̂_t).
    /// </summary>
    /// <remarks>A node with zero in-degree gets factor 0 (PyG sets inf to 0).</remarks>
    public GeneGraph NormalizedAdjacency()
    {
        var a = WithSelfLoops();
        int n = a.NodeCount;
        var deg = new double[n];
        for (int e = 0; e < a._targets.Length; e++) deg[a._targets[e]] += a._weights[e];
        var inv = new double[n];
        for (int i = 0; i < n; i++) inv[i] = deg[i] > 0 ? 1.0 / Math.Sqrt(deg[i]) : 0.0;
        var vals = new float[a._weights.Length];
        for (int s = 0; s < n; s++)
            for (int k = a._rowPtr[s]; k < a._rowPtr[s + 1]; k++)
                vals[k] = (float)(inv[s] * a._weights[k] * inv[a._targets[k]]);
        return new GeneGraph(_genes, _entrez, a._rowPtr, a._targets, vals, _index);
    }

    /// <summary>
    /// The <paramref name="hops"/>-hop receptive field of <paramref name="node"/>: every node
    /// from which a path of at most <paramref name="hops"/> edges leads to it (itself included),
    /// i.e. the rows an L-layer message-passing network reads to compute this node's output.
    /// </summary>
    /// <param name="node">The target node.</param>
    /// <param name="hops">Number of layers L ≥ 0.</param>
    /// <returns>Node indices sorted ascending.</returns>
    public int[] ReceptiveField(int node, int hops)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hops);
        var dist = BfsDistances(node, incoming: true, maxDepth: hops);
        var result = new List<int>();
        for (int i = 0; i < dist.Length; i++) if (dist[i] >= 0) result.Add(i);
        return result.ToArray();
    }

    /// <summary>Breadth-first (unweighted) distances from <paramref name="source"/>.</summary>
    /// <param name="source">Start node.</param>
    /// <param name="incoming">Follow edges backwards (t → s) instead of forwards.</param>
    /// <param name="maxDepth">Stop expanding beyond this depth (default: unlimited).</param>
    /// <returns>Hop count per node, −1 where unreachable (or beyond <paramref name="maxDepth"/>).</returns>
    public int[] BfsDistances(int source, bool incoming = false, int maxDepth = int.MaxValue)
    {
        if ((uint)source >= (uint)NodeCount) throw new ArgumentOutOfRangeException(nameof(source), $"Node {source} is outside 0..{NodeCount - 1}.");
        var g = incoming ? Transposed : this;
        var dist = new int[NodeCount];
        Array.Fill(dist, -1);
        var queue = new int[NodeCount];
        int head = 0, tail = 0;
        dist[source] = 0;
        queue[tail++] = source;
        while (head < tail)
        {
            int v = queue[head++];
            if (dist[v] >= maxDepth) continue;
            var nb = g.OutNeighbors(v);
            for (int k = 0; k < nb.Length; k++)
            {
                int u = nb[k];
                if (dist[u] >= 0) continue;
                dist[u] = dist[v] + 1;
                queue[tail++] = u;
            }
        }
        return dist;
    }

    /// <summary>Copies the edges into parallel arrays (source, target, weight), sorted by source then target.</summary>
    public (int[] Sources, int[] Targets, float[] Weights) ToEdgeArrays()
    {
        var src = new int[EdgeCount];
        for (int s = 0; s < NodeCount; s++)
            for (int k = _rowPtr[s]; k < _rowPtr[s + 1]; k++) src[k] = s;
        return (src, (int[])_targets.Clone(), (float[])_weights.Clone());
    }
}
