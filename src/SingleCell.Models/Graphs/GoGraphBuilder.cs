namespace SingleCell.Models.Graphs;

/// <summary>Settings of the GEARS Gene Ontology graph.</summary>
/// <param name="Threshold">Keep edges with Jaccard weight strictly above this (GEARS: 0.1).</param>
/// <param name="NeighborsPerGene">Each target keeps its <c>NeighborsPerGene + 1</c> heaviest incoming edges, self-loop included (GEARS <c>num_similar_genes_go_graph</c> = 20).</param>
/// <param name="MaxDegreeOfParallelism">Threads used; results do not depend on it.</param>
public sealed record GoGraphOptions(double Threshold = 0.1, int NeighborsPerGene = 20, int MaxDegreeOfParallelism = -1);

/// <summary>
/// Builds GEARS' perturbation graph: genes joined by the Jaccard index of their GO-term sets.
/// </summary>
/// <remarks>
/// w(s, t) = |GO(s) ∩ GO(t)| / |GO(s) ∪ GO(t)|; only w &gt; <see cref="GoGraphOptions.Threshold"/>
/// is kept; each target t keeps its 21 heaviest incoming edges including the self-loop
/// (w = 1), as <c>groupby('target').nlargest(k + 1)</c> in GEARS' <c>get_similarity_network</c>.
/// Ties are broken by the lower source index (GEARS' order depends on pandas row order). The
/// graph is directed and not symmetrised. Intersections are counted through an inverted
/// term → genes index, one target at a time, so no genes × genes matrix is formed.
/// </remarks>
public static class GoGraphBuilder
{
    /// <summary>Builds the GO graph over <paramref name="genes"/> (genes without annotations are left out).</summary>
    /// <param name="annotations">Gene → GO terms, keyed by gene symbol.</param>
    /// <param name="genes">Candidate node genes in node order; null uses every annotated gene.</param>
    /// <param name="options">Threshold and neighbour count; null uses the GEARS defaults.</param>
    /// <param name="progress">Receives the fraction of targets done (0–1).</param>
    /// <param name="cancellationToken">Stops the build.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static GeneGraph Build(GeneAnnotations annotations, IEnumerable<string>? genes = null, GoGraphOptions? options = null,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        options ??= new GoGraphOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.NeighborsPerGene);
        // Node list: annotated genes only, first occurrence order.
        var nodeAnn = new List<int>();
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in genes ?? annotations.Genes)
        {
            int a = annotations.IndexOf(g);
            if (a < 0 || annotations.Terms(a).Length == 0 || !seen.Add(g)) continue;
            nodeAnn.Add(a);
            names.Add(g);
        }
        int n = nodeAnn.Count;
        // Dense term ids over the nodes' terms, and the inverted index term → nodes (ascending).
        var termId = new Dictionary<int, int>();
        var setPtr = new int[n + 1];
        for (int i = 0; i < n; i++) setPtr[i + 1] = setPtr[i] + annotations.Terms(nodeAnn[i]).Length;
        var sets = new int[setPtr[n]];
        for (int i = 0; i < n; i++)
        {
            var t = annotations.Terms(nodeAnn[i]);
            for (int k = 0; k < t.Length; k++)
            {
                if (!termId.TryGetValue(t[k], out int id)) termId[t[k]] = id = termId.Count;
                sets[setPtr[i] + k] = id;
            }
        }
        int m = termId.Count;
        var invPtr = new int[m + 1];
        foreach (int id in sets) invPtr[id + 1]++;
        for (int t = 0; t < m; t++) invPtr[t + 1] += invPtr[t];
        var fill = (int[])invPtr.Clone();
        var inv = new int[sets.Length];
        for (int i = 0; i < n; i++)
            for (int k = setPtr[i]; k < setPtr[i + 1]; k++) inv[fill[sets[k]]++] = i;

        int keep = options.NeighborsPerGene + 1;
        var outSrc = new int[(long)n * keep];
        var outW = new float[(long)n * keep];
        var outCount = new int[n];
        const int chunk = 256;
        int chunks = (n + chunk - 1) / chunk, done = 0;
        var po = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, chunks, po, () => new Scratch(n, keep), (c, _, s) =>
        {
            int end = Math.Min(n, (c + 1) * chunk);
            for (int target = c * chunk; target < end; target++)
                outCount[target] = TopNeighbors(target, setPtr, sets, invPtr, inv, options.Threshold, s, outSrc.AsSpan(target * keep, keep), outW.AsSpan(target * keep, keep));
            progress?.Report((double)Interlocked.Add(ref done, end - c * chunk) / n);
            return s;
        }, _ => { });
        cancellationToken.ThrowIfCancellationRequested();

        int total = 0;
        for (int i = 0; i < n; i++) total += outCount[i];
        var src = new int[total];
        var dst = new int[total];
        var w = new float[total];
        int p = 0;
        for (int t = 0; t < n; t++)
            for (int k = 0; k < outCount[t]; k++) { src[p] = outSrc[t * keep + k]; dst[p] = t; w[p++] = outW[t * keep + k]; }
        return GeneGraph.FromEdges(names, src, dst, w);
    }

    private sealed class Scratch(int n, int keep)
    {
        public readonly int[] Count = new int[n];
        public readonly int[] Touched = new int[n];
        public readonly double[] TopW = new double[keep];
    }

    private static int TopNeighbors(int target, int[] setPtr, int[] sets, int[] invPtr, int[] inv, double threshold,
        Scratch s, Span<int> topSrc, Span<float> topW)
    {
        var count = s.Count;
        var touched = s.Touched;
        int nt = 0;
        for (int k = setPtr[target]; k < setPtr[target + 1]; k++)
        {
            int term = sets[k];
            for (int q = invPtr[term]; q < invPtr[term + 1]; q++)
            {
                int b = inv[q];
                if (count[b]++ == 0) touched[nt++] = b;
            }
        }
        int sizeT = setPtr[target + 1] - setPtr[target];
        int filled = 0, keep = topSrc.Length;
        var tw = s.TopW;
        for (int i = 0; i < nt; i++)
        {
            int b = touched[i];
            int inter = count[b];
            count[b] = 0;
            double j = (double)inter / (sizeT + setPtr[b + 1] - setPtr[b] - inter);
            if (!(j > threshold)) continue;
            // Insert into the descending top list (ties: lower source first).
            if (filled == keep && !Better(j, b, tw[keep - 1], topSrc[keep - 1])) continue;
            int pos = filled < keep ? filled++ : keep - 1;
            while (pos > 0 && Better(j, b, tw[pos - 1], topSrc[pos - 1]))
            {
                tw[pos] = tw[pos - 1];
                topSrc[pos] = topSrc[pos - 1];
                pos--;
            }
            tw[pos] = j;
            topSrc[pos] = b;
        }
        for (int i = 0; i < filled; i++) topW[i] = (float)tw[i];
        return filled;
    }

    private static bool Better(double w, int src, double w2, int src2) => w > w2 || (w == w2 && src < src2);
}
