using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Simple graph convolution (Wu et al. 2019; PyTorch Geometric's <c>SGConv</c>, which GEARS uses on
/// its GO and co-expression graphs): X′ = (D̂^{-1/2} Â D̂^{-1/2})^K X Θᵀ + b, where Â is the weighted
/// adjacency with weight-1 self-loops added only where a node has none, and D̂ is the weighted
/// in-degree at the target. The graph is given to <see cref="Forward"/> as its normalised propagation
/// matrix (<see cref="Propagation(int, ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float})"/>), computed once.
/// </summary>
public sealed class GraphConv : Module
{
    /// <summary>Creates the layer; Θ and b initialised as <see cref="Linear"/> (PyG's default for SGConv).</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="steps">Propagation steps K (≥ 1).</param>
    /// <param name="generator">Random numbers for the initialisation.</param>
    /// <param name="bias">Whether to learn b.</param>
    public GraphConv(int inFeatures, int outFeatures, int steps, Generator generator, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        Steps = steps;
        Lin = RegisterModule("lin", new Linear(inFeatures, outFeatures, generator, bias));
    }

    /// <summary>Propagation steps K.</summary>
    public int Steps { get; }

    /// <summary>The linear map Θ, b applied after propagation.</summary>
    public Linear Lin { get; }

    /// <inheritdoc />
    protected override string Describe() => $"GraphConv({Lin.InFeatures} → {Lin.OutFeatures}, K={Steps})";

    /// <summary>Propagates <paramref name="x"/> (nodes × features) K times over the graph, then applies the linear map.</summary>
    /// <param name="x">Node features [N, in].</param>
    /// <param name="propagation">The normalised propagation matrix [N, N] (row = target).</param>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    public Tensor Forward(Tensor x, SparseMatrix propagation)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(propagation);
        if (x.Rank != 2 || x.Shape[0] != propagation.Columns || propagation.Rows != propagation.Columns)
            throw new ArgumentException($"{Label}: features {x.Shape} do not match the propagation matrix [{propagation.Rows}, {propagation.Columns}].", nameof(x));
        var h = x;
        for (int k = 0; k < Steps; k++) h = Tensor.SparseMatMul(propagation, h);
        return Lin.Forward(h);
    }

    /// <summary>
    /// The normalised propagation matrix of a directed weighted graph on <paramref name="nodes"/> nodes:
    /// entry (t, s) = w(s→t) / √(d̂(s) d̂(t)) with d̂ the weighted in-degree after adding weight-1 self-loops
    /// to nodes that have none (existing self-loops keep their weight). Repeated edges are summed.
    /// </summary>
    /// <param name="nodes">Number of nodes.</param>
    /// <param name="sources">Edge sources.</param>
    /// <param name="targets">Edge targets.</param>
    /// <param name="weights">Edge weights (finite).</param>
    /// <exception cref="ArgumentException">Lengths differ, an index is out of range, or a weight is not finite.</exception>
    public static SparseMatrix Propagation(int nodes, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodes);
        if (sources.Length != targets.Length || sources.Length != weights.Length)
            throw new ArgumentException($"GraphConv.Propagation: {sources.Length} sources, {targets.Length} targets, {weights.Length} weights.");
        var hasLoop = new bool[nodes];
        var degree = new double[nodes];
        int count = 0;
        for (int e = 0; e < sources.Length; e++)
        {
            if ((uint)sources[e] >= (uint)nodes || (uint)targets[e] >= (uint)nodes)
                throw new ArgumentException($"GraphConv.Propagation: edge {e} ({sources[e]} → {targets[e]}) leaves 0..{nodes - 1}.");
            if (!float.IsFinite(weights[e])) throw new ArgumentException($"GraphConv.Propagation: edge {e} has weight {weights[e]}.");
            if (sources[e] == targets[e]) hasLoop[sources[e]] = true;
            degree[targets[e]] += weights[e];
            count++;
        }
        for (int i = 0; i < nodes; i++) if (!hasLoop[i]) { degree[i] += 1; count++; }
        var rows = new int[count]; var cols = new int[count]; var vals = new float[count];
        int k = 0;
        for (int e = 0; e < sources.Length; e++, k++) { rows[k] = targets[e]; cols[k] = sources[e]; vals[k] = weights[e]; }
        for (int i = 0; i < nodes; i++) if (!hasLoop[i]) { rows[k] = i; cols[k] = i; vals[k] = 1f; k++; }
        for (int i = 0; i < count; i++)
        {
            double ds = degree[cols[i]], dt = degree[rows[i]];
            vals[i] = ds > 0 && dt > 0 ? (float)(vals[i] / Math.Sqrt(ds * dt)) : 0f;
        }
        return Csr(nodes, rows, cols, vals);
    }

    /// <summary>The propagation matrix of a gene graph (edges source → target as stored).</summary>
    /// <param name="graph">The graph.</param>
    public static SparseMatrix Propagation(GeneGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var s = new List<int>(); var t = new List<int>(); var w = new List<float>();
        for (int i = 0; i < graph.NodeCount; i++)
        {
            var nb = graph.OutNeighbors(i); var wt = graph.OutWeights(i);
            for (int j = 0; j < nb.Length; j++) { s.Add(i); t.Add(nb[j]); w.Add(wt[j]); }
        }
        return Propagation(graph.NodeCount, s.ToArray(), t.ToArray(), w.ToArray());
    }

    private static SparseMatrix Csr(int n, int[] rows, int[] cols, float[] vals)
    {
        var (ptr, idx, val) = Tensors.Kernels.Csr.FromCoordinates(n, n, rows, cols, vals, Tensors.Kernels.Csr.Duplicates.Sum);
        return new SparseMatrix(n, n, ptr, idx, val);
    }
}
