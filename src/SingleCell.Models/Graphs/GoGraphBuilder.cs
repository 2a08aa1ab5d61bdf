using System.Numerics;

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
/// term → genes index one target at a time, probing only the target's prefix of rarest terms
/// (prefix filtering: a gene sharing none of them cannot exceed the threshold), skipping a gene
/// first met at a term after which the two sets cannot share enough terms (positional
/// filtering), and adding the remaining suffix terms by binary search or, for the 256 most
/// frequent terms, by popcount of bit masks; so the result equals the all-pairs computation and
/// no genes × genes matrix is formed.
/// </remarks>
public static class GoGraphBuilder
{
    // The most frequent terms kept as a bit mask per gene: 4 × 64 bits.
    private const int MaskWords = 4, MaskBits = MaskWords * 64;

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
        // Dense term ids ranked by frequency among the nodes (rarest first, ties by GO number),
        // each gene's set sorted by that rank so that its prefix holds its rarest terms.
        var freq = new Dictionary<int, int>();
        foreach (int a in nodeAnn)
            foreach (int t in annotations.Terms(a)) freq[t] = freq.GetValueOrDefault(t) + 1;
        var byRank = freq.Keys.ToArray();
        Array.Sort(byRank, (x, y) => freq[x] != freq[y] ? freq[x].CompareTo(freq[y]) : x.CompareTo(y));
        var termId = new Dictionary<int, int>(byRank.Length);
        for (int r = 0; r < byRank.Length; r++) termId[byRank[r]] = r;
        var setPtr = new int[n + 1];
        for (int i = 0; i < n; i++) setPtr[i + 1] = setPtr[i] + annotations.Terms(nodeAnn[i]).Length;
        var sets = new int[setPtr[n]];
        var prefix = new int[n];
        for (int i = 0; i < n; i++)
        {
            var t = annotations.Terms(nodeAnn[i]);
            for (int k = 0; k < t.Length; k++) sets[setPtr[i] + k] = termId[t[k]];
            Array.Sort(sets, setPtr[i], t.Length);
            prefix[i] = PrefixLength(t.Length, options.Threshold);
        }
        // Inverted index term → nodes (ascending).
        int m = byRank.Length;
        var invPtr = new int[m + 1];
        foreach (int id in sets) invPtr[id + 1]++;
        for (int t = 0; t < m; t++) invPtr[t + 1] += invPtr[t];
        var fill = (int[])invPtr.Clone();
        var inv = new int[invPtr[m]];
        for (int i = 0; i < n; i++)
            for (int k = setPtr[i]; k < setPtr[i + 1]; k++) inv[fill[sets[k]]++] = i;
        // Each list sorted by set size (then node), with the sizes alongside, for the length cut-off.
        var invSize = new int[inv.Length];
        for (int q = 0; q < inv.Length; q++) invSize[q] = setPtr[inv[q] + 1] - setPtr[inv[q]];
        for (int t = 0; t < m; t++)
        {
            var keys = invSize.AsSpan(invPtr[t], invPtr[t + 1] - invPtr[t]);
            var vals = inv.AsSpan(invPtr[t], invPtr[t + 1] - invPtr[t]);
            SortBySizeThenNode(keys, vals);
        }
        // invRest[q]: how many terms of node inv[q] rank at or after this term (its size minus its position).
        var invRest = new int[inv.Length];
        for (int t = 0; t < m; t++)
            for (int q = invPtr[t]; q < invPtr[t + 1]; q++)
            {
                int b = inv[q];
                invRest[q] = setPtr[b + 1] - setPtr[b] - sets.AsSpan(setPtr[b], setPtr[b + 1] - setPtr[b]).BinarySearch(t);
            }

        // The most frequent terms (the highest ranks) as a bit mask per node, so that the suffix of a
        // target, made of its most frequent terms, is intersected by popcount.
        int fBase = Math.Max(0, m - MaskBits);
        var masks = new ulong[(long)n * MaskWords];
        for (int i = 0; i < n; i++)
            for (int k = setPtr[i]; k < setPtr[i + 1]; k++)
                if (sets[k] >= fBase) masks[i * MaskWords + ((sets[k] - fBase) >> 6)] |= 1UL << (sets[k] - fBase);
        int keep = options.NeighborsPerGene + 1;
        int maxSetSize = 0;
        for (int i = 0; i < n; i++) maxSetSize = Math.Max(maxSetSize, setPtr[i + 1] - setPtr[i]);
        var outSrc = new int[(long)n * keep];
        var outW = new float[(long)n * keep];
        var outCount = new int[n];
        const int chunk = 256;
        int chunks = (n + chunk - 1) / chunk, done = 0;
        var po = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        Parallel.For(0, chunks, po, () => new Scratch(n, keep, maxSetSize), (c, _, s) =>
        {
            int end = Math.Min(n, (c + 1) * chunk);
            for (int target = c * chunk; target < end; target++)
                outCount[target] = TopNeighbors(target, setPtr, sets, prefix, invPtr, inv, invSize, invRest, masks, fBase, options.Threshold, s, outSrc.AsSpan(target * keep, keep), outW.AsSpan(target * keep, keep));
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

    private sealed class Scratch(int n, int keep, int maxSetSize)
    {
        public readonly int[] From = new int[maxSetSize + 1];
        public readonly ulong[] Suffix = new ulong[(maxSetSize + 1) * MaskWords];
        public readonly int[] Need = new int[maxSetSize + 1];
        public readonly int[] Overlap = new int[maxSetSize + 1];
        public readonly int[] Count = new int[n];
        public readonly int[] Touched = new int[n];
        public readonly double[] TopW = new double[keep];
    }

    /// <summary>
    /// Prefix-filter length: with J(a, b) &gt; t, |a ∩ b| ≥ ⌊t·|a|⌋ + 1, so b must contain one of
    /// any |a| − ⌊t·|a|⌋ terms of a; we take a's rarest ones (Bayardo et al. 2007).
    /// </summary>
    private static int PrefixLength(int size, double threshold)
    {
        if (size == 0) return 0;
        int drop = threshold > 0 ? (int)Math.Floor(threshold * size - 1e-9) : 0;
        return Math.Clamp(size - Math.Max(drop, 0), 1, size);
    }

    private static int TopNeighbors(int target, int[] setPtr, int[] sets, int[] prefix, int[] invPtr, int[] inv, int[] invSize, int[] invRest, ulong[] masks, int fBase, double threshold,
        Scratch s, Span<int> topSrc, Span<float> topW)
    {
        var count = s.Count;
        var touched = s.Touched;
        int nt = 0;
        int sizeT = setPtr[target + 1] - setPtr[target];
        int pT = prefix[target];
        int sizeCap = Math.Min(s.From.Length - 1, MaxSize(Limit(sizeT, 0, threshold), threshold));
        FillTables(sizeT, pT, sizeCap, threshold, s.From, s.Need, s.Overlap);
        var overlap = s.Overlap;
        for (int k = 0; k < prefix[target]; k++)
        {
            // A gene b first met at position k shares at most sizeT − k terms and misses the k
            // before, so J ≤ (sizeT − k)/(|b| + k); it can pass only if t·|b| < Limit(sizeT, k)
            // (lists are sorted by size, so stop there).
            int term = sets[setPtr[target] + k];
            int maxSize = MaxSize(Limit(sizeT, k, threshold), threshold);
            int rest = sizeT - k;
            for (int q = invPtr[term]; q < invPtr[term + 1]; q++)
            {
                int sizeB = invSize[q];
                if (sizeB > maxSize) break;
                int b = inv[q];
                int c = count[b];
                if (c == 0)
                {
                    // First met here, at their first common term: they share at most
                    // min(sizeT − k, |b| − position in b) terms (positional filter).
                    if (Math.Min(rest, invRest[q]) < overlap[sizeB]) continue;
                    touched[nt++] = b;
                }
                count[b] = c + 1;
            }
        }
        int filled = 0, keep = topSrc.Length;
        var tw = s.TopW;
        // Suffix[k]: the mask of the target's positions ≥ k that are frequent terms (k ≥ f0, the first such position).
        int f0 = sizeT;
        while (f0 > 0 && sets[setPtr[target] + f0 - 1] >= fBase) f0--;
        var suffix = s.Suffix;
        suffix.AsSpan(sizeT * MaskWords, MaskWords).Clear();
        for (int k = sizeT - 1; k >= f0; k--)
        {
            suffix.AsSpan((k + 1) * MaskWords, MaskWords).CopyTo(suffix.AsSpan(k * MaskWords, MaskWords));
            int bit = sets[setPtr[target] + k] - fBase;
            suffix[k * MaskWords + (bit >> 6)] |= 1UL << bit;
        }
        var fromT = s.From;
        var needT = s.Need;
        for (int i = 0; i < nt; i++)
        {
            int b = touched[i];
            int inter = count[b];
            count[b] = 0;
            int sizeB = setPtr[b + 1] - setPtr[b];
            if (inter < needT[sizeB]) continue; // J ≤ min/max ≤ t, or the bound below is ≤ t
            // Counted so far: positions k before the prefix end and before b's length cut-off;
            // add the remaining positions by binary search in b.
            int from = fromT[sizeB];
            int upper = Math.Min(Math.Min(sizeT, sizeB), inter + sizeT - from);
            double bound = (double)upper / (sizeT + sizeB - upper); // J(target, b) ≤ bound
            if (!(bound > threshold) || (filled == keep && !Better(bound, b, tw[keep - 1], topSrc[keep - 1]))) continue;
            var setB = sets.AsSpan(setPtr[b], sizeB);
            for (int k = setPtr[target] + from; k < setPtr[target] + f0; k++)
                if (setB.BinarySearch(sets[k]) >= 0) inter++;
            int sk = Math.Max(from, f0) * MaskWords, bk = b * MaskWords;
            inter += BitOperations.PopCount(suffix[sk] & masks[bk]) + BitOperations.PopCount(suffix[sk + 1] & masks[bk + 1])
                + BitOperations.PopCount(suffix[sk + 2] & masks[bk + 2]) + BitOperations.PopCount(suffix[sk + 3] & masks[bk + 3]);
            double j = (double)inter / (sizeT + sizeB - inter);
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

    /// <summary>
    /// Per candidate size sB (1..cap): From[sB], the probed positions that counted b (the loop of the
    /// reference: from the prefix end down while t·sB ≥ Limit), and Need[sB], the least count for which
    /// min/max &gt; t and the bound (upper / (sizeT + sB − upper), upper = min(sizeT, sB, count + sizeT − From))
    /// exceeds t; int.MaxValue when none does. Both tests are monotone in the count, so
    /// "count ≥ Need" is exactly "the reference's tests pass".
    /// </summary>
    private static void FillTables(int sizeT, int prefixT, int cap, double threshold, int[] fromTable, int[] needTable, int[] overlapTable)
    {
        int from = prefixT;
        for (int sB = 1; sB <= cap; sB++)
        {
            // t·sB is non-decreasing in sB for t ≥ 0, so the position where the reference's loop stops only moves down.
            if (!(threshold >= 0)) from = prefixT;
            while (from > 0 && !(threshold * sB < Limit(sizeT, from - 1, threshold))) from--;
            fromTable[sB] = from;
            int minSize = Math.Min(sizeT, sB);
            if (minSize <= threshold * Math.Max(sizeT, sB)) { needTable[sB] = overlapTable[sB] = int.MaxValue; continue; }
            // The least overlap u ≤ minSize with u / (sizeT + sB − u) > t (the quotient is non-decreasing in u).
            double guess = threshold * (sizeT + sB) / (1 + threshold);
            int u = guess > 0 && guess < minSize ? (int)guess : 0;
            while (u > 0 && (double)(u - 1) / (sizeT + sB - u + 1) > threshold) u--;
            while (u <= minSize && !((double)u / (sizeT + sB - u) > threshold)) u++;
            needTable[sB] = u > minSize ? int.MaxValue : Math.Max(u - sizeT + from, 0);
            overlapTable[sB] = !(threshold >= 0) ? 0 : u > minSize ? int.MaxValue : u;
        }
    }

    /// <summary>The probe cut-off at position k: J &gt; t needs sizeT − k &gt; t·(|b| + k).</summary>
    private static double Limit(int sizeT, int k, double threshold) => sizeT - k - threshold * k;

    /// <summary>The largest size s with t·s &lt; limit, found with the same floating-point test as the verification.</summary>
    private static int MaxSize(double limit, double threshold)
    {
        if (!(threshold > 0)) return limit > 0 ? int.MaxValue : -1;
        double guess = Math.Ceiling(limit / threshold) - 1;
        int m = guess > int.MaxValue - 2 ? int.MaxValue - 2 : guess < -1 ? -1 : (int)guess;
        while (threshold * (m + 1) < limit) m++;
        while (m >= 0 && !(threshold * m < limit)) m--;
        return m;
    }

    private static void SortBySizeThenNode(Span<int> sizes, Span<int> nodes)
    {
        // Nodes are ascending on entry; a stable insertion-free sort: pack (size, node) into longs.
        var packed = new long[sizes.Length];
        for (int i = 0; i < sizes.Length; i++) packed[i] = ((long)sizes[i] << 32) | (uint)nodes[i];
        Array.Sort(packed);
        for (int i = 0; i < sizes.Length; i++) { sizes[i] = (int)(packed[i] >> 32); nodes[i] = (int)packed[i]; }
    }

    private static bool Better(double w, int src, double w2, int src2) => w > w2 || (w == w2 && src < src2);
}
