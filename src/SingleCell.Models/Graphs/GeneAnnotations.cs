namespace SingleCell.Models.Graphs;

/// <summary>
/// Gene → set of Gene Ontology terms, stored as sorted, distinct GO numbers per gene
/// (<c>GO:0005515</c> is stored as 5515) in CSR form.
/// </summary>
public sealed class GeneAnnotations
{
    private readonly string[] _genes;
    private readonly int[] _ptr;
    private readonly int[] _terms;
    private readonly Dictionary<string, int> _index;

    internal GeneAnnotations(string[] genes, int[] ptr, int[] terms)
    {
        _genes = genes;
        _ptr = ptr;
        _terms = terms;
        _index = new Dictionary<string, int>(genes.Length, StringComparer.Ordinal);
        for (int i = 0; i < genes.Length; i++) _index[genes[i]] = i;
    }

    /// <summary>Annotated genes, in first-seen order.</summary>
    public IReadOnlyList<string> Genes => _genes;

    /// <summary>Number of annotated genes.</summary>
    public int Count => _genes.Length;

    /// <summary>Total number of (gene, term) pairs after de-duplication.</summary>
    public int PairCount => _terms.Length;

    /// <summary>The index of <paramref name="gene"/>, or −1.</summary>
    /// <param name="gene">A gene key (symbol, or Entrez ID as text).</param>
    public int IndexOf(string gene) => _index.TryGetValue(gene, out int i) ? i : -1;

    /// <summary>The GO numbers annotated to gene <paramref name="index"/>, sorted ascending.</summary>
    /// <param name="index">A gene index.</param>
    public ReadOnlySpan<int> Terms(int index) => _terms.AsSpan(_ptr[index], _ptr[index + 1] - _ptr[index]);

    /// <summary>The GO numbers annotated to <paramref name="gene"/>; empty if unannotated.</summary>
    /// <param name="gene">A gene key.</param>
    public ReadOnlySpan<int> Terms(string gene) => IndexOf(gene) is int i and >= 0 ? Terms(i) : ReadOnlySpan<int>.Empty;

    /// <summary>The Jaccard index |A ∩ B| / |A ∪ B| of two genes' term sets (0 when both are empty).</summary>
    /// <param name="geneA">First gene key.</param>
    /// <param name="geneB">Second gene key.</param>
    public double Jaccard(string geneA, string geneB)
    {
        var a = Terms(geneA);
        var b = Terms(geneB);
        int inter = IntersectionCount(a, b);
        int union = a.Length + b.Length - inter;
        return union == 0 ? 0 : (double)inter / union;
    }

    internal static int IntersectionCount(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int i = 0, j = 0, c = 0;
        while (i < a.Length && j < b.Length)
        {
            int x = a[i], y = b[j];
            if (x == y) { c++; i++; j++; }
            else if (x < y) i++;
            else j++;
        }
        return c;
    }

    /// <summary>Builds annotations from (gene, GO number) pairs; duplicates are removed.</summary>
    /// <param name="pairs">Pairs in any order.</param>
    public static GeneAnnotations FromPairs(IEnumerable<(string Gene, int GoNumber)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var b = new Builder();
        foreach (var (g, t) in pairs) b.Add(g, t);
        return b.Build();
    }

    /// <summary>Accumulates (gene, term) pairs.</summary>
    internal sealed class Builder
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<string> _genes = new();
        private readonly List<int> _geneOf = new();
        private readonly List<int> _termOf = new();

        public void Add(string gene, int term)
        {
            if (!_index.TryGetValue(gene, out int g))
            {
                g = _genes.Count;
                _index[gene] = g;
                _genes.Add(gene);
            }
            _geneOf.Add(g);
            _termOf.Add(term);
        }

        public GeneAnnotations Build()
        {
            int n = _genes.Count;
            var ptr = new int[n + 1];
            foreach (int g in _geneOf) ptr[g + 1]++;
            for (int i = 0; i < n; i++) ptr[i + 1] += ptr[i];
            var fill = (int[])ptr.Clone();
            var terms = new int[_termOf.Count];
            for (int k = 0; k < _termOf.Count; k++) terms[fill[_geneOf[k]]++] = _termOf[k];
            var outPtr = new int[n + 1];
            int w = 0;
            for (int i = 0; i < n; i++)
            {
                Array.Sort(terms, ptr[i], ptr[i + 1] - ptr[i]);
                for (int k = ptr[i]; k < ptr[i + 1]; k++)
                    if (w == outPtr[i] || terms[w - 1] != terms[k]) terms[w++] = terms[k];
                outPtr[i + 1] = w;
            }
            Array.Resize(ref terms, w);
            return new GeneAnnotations(_genes.ToArray(), outPtr, terms);
        }
    }
}
