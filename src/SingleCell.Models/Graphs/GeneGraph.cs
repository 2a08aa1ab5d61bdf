namespace SingleCell.Models.Graphs;

/// <summary>
/// A weighted directed graph over named genes, stored in compressed sparse row (CSR) form by
/// source node (out-edges), with the in-edge view built on first use.
/// </summary>
/// <remarks>
/// Edge <c>s → t</c> follows PyTorch Geometric's convention (<c>edge_index[0]</c> = source,
/// <c>edge_index[1]</c> = target): in a graph convolution, information flows from <c>s</c> to
/// <c>t</c>. Node names are gene symbols; <see cref="EntrezIds"/> holds NCBI Gene IDs where
/// known (0 otherwise). Instances are immutable; every transformation returns a new graph.
/// </remarks>
public sealed partial class GeneGraph
{
    private readonly string[] _genes;
    private readonly int[] _entrez;
    private readonly int[] _rowPtr;
    private readonly int[] _targets;
    private readonly float[] _weights;
    private readonly Dictionary<string, int> _index;
    private GeneGraph? _transpose;

    private GeneGraph(string[] genes, int[] entrez, int[] rowPtr, int[] targets, float[] weights, Dictionary<string, int> index)
    {
        _genes = genes;
        _entrez = entrez;
        _rowPtr = rowPtr;
        _targets = targets;
        _weights = weights;
        _index = index;
    }

    /// <summary>Number of nodes (genes).</summary>
    public int NodeCount => _genes.Length;

    /// <summary>Number of stored directed edges (self-loops included).</summary>
    public int EdgeCount => _targets.Length;

    /// <summary>Gene symbols, one per node, in node order.</summary>
    public IReadOnlyList<string> Genes => _genes;

    /// <summary>NCBI Entrez Gene IDs, one per node; 0 where unknown.</summary>
    public IReadOnlyList<int> EntrezIds => _entrez;

    /// <summary>The node index of <paramref name="gene"/>, or −1 if the graph has no such gene.</summary>
    /// <param name="gene">A gene symbol (case-sensitive).</param>
    public int IndexOf(string gene) => _index.TryGetValue(gene, out int i) ? i : -1;

    /// <summary>Targets of the out-edges of <paramref name="node"/>, sorted ascending.</summary>
    /// <param name="node">A node index.</param>
    public ReadOnlySpan<int> OutNeighbors(int node) => _targets.AsSpan(_rowPtr[node], _rowPtr[node + 1] - _rowPtr[node]);

    /// <summary>Weights of the out-edges of <paramref name="node"/>, aligned with <see cref="OutNeighbors"/>.</summary>
    /// <param name="node">A node index.</param>
    public ReadOnlySpan<float> OutWeights(int node) => _weights.AsSpan(_rowPtr[node], _rowPtr[node + 1] - _rowPtr[node]);

    /// <summary>Sources of the in-edges of <paramref name="node"/>, sorted ascending.</summary>
    /// <param name="node">A node index.</param>
    public ReadOnlySpan<int> InNeighbors(int node) => Transposed.OutNeighbors(node);

    /// <summary>Weights of the in-edges of <paramref name="node"/>, aligned with <see cref="InNeighbors"/>.</summary>
    /// <param name="node">A node index.</param>
    public ReadOnlySpan<float> InWeights(int node) => Transposed.OutWeights(node);

    /// <summary>Number of out-edges of <paramref name="node"/>.</summary>
    /// <param name="node">A node index.</param>
    public int OutDegree(int node) => _rowPtr[node + 1] - _rowPtr[node];

    /// <summary>Number of in-edges of <paramref name="node"/>.</summary>
    /// <param name="node">A node index.</param>
    public int InDegree(int node) => Transposed.OutDegree(node);

    /// <summary>Sum of the weights of the in-edges of <paramref name="node"/>.</summary>
    /// <param name="node">A node index.</param>
    public double WeightedInDegree(int node) => Sum(InWeights(node));

    /// <summary>Sum of the weights of the out-edges of <paramref name="node"/>.</summary>
    /// <param name="node">A node index.</param>
    public double WeightedOutDegree(int node) => Sum(OutWeights(node));

    /// <summary>The weight of edge <paramref name="source"/> → <paramref name="target"/>, or 0 if absent.</summary>
    /// <param name="source">Source node index.</param>
    /// <param name="target">Target node index.</param>
    public float EdgeWeight(int source, int target)
    {
        int k = OutNeighbors(source).BinarySearch(target);
        return k >= 0 ? _weights[_rowPtr[source] + k] : 0f;
    }

    /// <summary>Whether edge <paramref name="source"/> → <paramref name="target"/> is stored.</summary>
    /// <param name="source">Source node index.</param>
    /// <param name="target">Target node index.</param>
    public bool HasEdge(int source, int target) => OutNeighbors(source).BinarySearch(target) >= 0;

    /// <summary>The graph with every edge reversed (in-edges become out-edges).</summary>
    public GeneGraph Transposed => _transpose ??= BuildTranspose();

    /// <summary>Builds a graph from parallel arrays of edges.</summary>
    /// <param name="genes">Gene symbols of the nodes; must be unique.</param>
    /// <param name="sources">Source node of each edge.</param>
    /// <param name="targets">Target node of each edge.</param>
    /// <param name="weights">Weight of each edge.</param>
    /// <param name="entrezIds">Optional Entrez IDs aligned with <paramref name="genes"/> (0 = unknown).</param>
    /// <returns>The graph; an edge listed more than once keeps its largest weight.</returns>
    /// <exception cref="ArgumentException">Lengths differ, a node index is out of range, or a gene repeats.</exception>
    public static GeneGraph FromEdges(IReadOnlyList<string> genes, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets,
        ReadOnlySpan<float> weights, IReadOnlyList<int>? entrezIds = null)
    {
        ArgumentNullException.ThrowIfNull(genes);
        if (sources.Length != targets.Length || sources.Length != weights.Length)
            throw new ArgumentException($"sources ({sources.Length}), targets ({targets.Length}) and weights ({weights.Length}) must have equal lengths.");
        int n = genes.Count;
        var names = new string[n];
        var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            names[i] = genes[i] ?? throw new ArgumentException($"Gene name at node {i} is null.", nameof(genes));
            if (!index.TryAdd(names[i], i)) throw new ArgumentException($"Gene '{names[i]}' appears twice (nodes {index[names[i]]} and {i}).", nameof(genes));
        }
        var entrez = new int[n];
        if (entrezIds is not null)
        {
            if (entrezIds.Count != n) throw new ArgumentException($"entrezIds has {entrezIds.Count} entries; expected {n}.", nameof(entrezIds));
            for (int i = 0; i < n; i++) entrez[i] = entrezIds[i];
        }
        var (rowPtr, cols, vals) = BuildCsr(n, sources, targets, weights);
        return new GeneGraph(names, entrez, rowPtr, cols, vals, index);
    }

    internal static (int[] RowPtr, int[] Cols, float[] Vals) BuildCsr(int n, ReadOnlySpan<int> sources, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        for (int e = 0; e < sources.Length; e++)
            if ((uint)sources[e] >= (uint)n || (uint)targets[e] >= (uint)n)
                throw new ArgumentException($"Edge {e} ({sources[e]} → {targets[e]}) has a node outside 0..{n - 1}.");
        // Rows sorted by target; a repeated edge keeps its largest weight.
        var (rowPtr, cols, vals) = Tensors.Kernels.Csr.FromCoordinates(n, n, sources, targets, weights, Tensors.Kernels.Csr.Duplicates.Max);
        return (rowPtr, cols, vals);
    }

    private GeneGraph BuildTranspose()
    {
        var (rowPtr, cols, vals) = Tensors.Kernels.Csr.Transpose(NodeCount, NodeCount, _rowPtr, _targets, _weights);
        return new GeneGraph(_genes, _entrez, rowPtr, cols, vals, _index) { _transpose = this };
    }

    private static double Sum(ReadOnlySpan<float> values)
    {
        double s = 0;
        for (int i = 0; i < values.Length; i++) s += values[i];
        return s;
    }
}
