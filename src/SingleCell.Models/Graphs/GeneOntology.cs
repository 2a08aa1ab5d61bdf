namespace SingleCell.Models.Graphs;

/// <summary>
/// The Gene Ontology as read from an OBO 1.2 file: terms (GO number, name, namespace, obsolete
/// flag) and their parent links from <c>is_a:</c> and <c>relationship:</c> lines.
/// </summary>
public sealed class GeneOntology
{
    private readonly Dictionary<int, int> _index = new();
    private readonly List<int> _ids = new();
    private readonly List<string> _names = new();
    private readonly List<string> _namespaces = new();
    private readonly List<bool> _obsolete = new();
    private readonly List<List<(int Parent, string Relation)>> _parents = new();

    /// <summary>Number of terms.</summary>
    public int Count => _ids.Count;

    /// <summary>Whether the ontology has term <c>GO:<paramref name="goNumber"/></c>.</summary>
    /// <param name="goNumber">GO number (GO:0008150 → 8150).</param>
    public bool Contains(int goNumber) => _index.ContainsKey(goNumber);

    /// <summary>The name of a term, or null if unknown.</summary>
    /// <param name="goNumber">GO number.</param>
    public string? Name(int goNumber) => _index.TryGetValue(goNumber, out int i) ? _names[i] : null;

    /// <summary>The namespace of a term (biological_process, molecular_function, cellular_component), or null.</summary>
    /// <param name="goNumber">GO number.</param>
    public string? Namespace(int goNumber) => _index.TryGetValue(goNumber, out int i) ? _namespaces[i] : null;

    /// <summary>Whether a term is marked obsolete.</summary>
    /// <param name="goNumber">GO number.</param>
    public bool IsObsolete(int goNumber) => _index.TryGetValue(goNumber, out int i) && _obsolete[i];

    /// <summary>The direct parents of a term with their relation (<c>is_a</c>, <c>part_of</c>, <c>regulates</c>, …).</summary>
    /// <param name="goNumber">GO number.</param>
    public IReadOnlyList<(int Parent, string Relation)> Parents(int goNumber)
        => _index.TryGetValue(goNumber, out int i) ? _parents[i] : Array.Empty<(int, string)>();

    /// <summary>
    /// All ancestors of a term (the term itself excluded) following the given relations.
    /// </summary>
    /// <param name="goNumber">GO number.</param>
    /// <param name="relations">Relations to follow; null means <c>is_a</c> and <c>part_of</c> (the true-path rule).</param>
    public IReadOnlyCollection<int> Ancestors(int goNumber, IReadOnlySet<string>? relations = null)
    {
        relations ??= DefaultRelations;
        var seen = new HashSet<int>();
        var stack = new Stack<int>();
        stack.Push(goNumber);
        while (stack.Count > 0)
        {
            int t = stack.Pop();
            if (!_index.TryGetValue(t, out int i)) continue;
            foreach (var (p, rel) in _parents[i])
                if (relations.Contains(rel) && seen.Add(p)) stack.Push(p);
        }
        return seen;
    }

    /// <summary>The relations followed by default when propagating: <c>is_a</c> and <c>part_of</c>.</summary>
    public static IReadOnlySet<string> DefaultRelations { get; } = new HashSet<string>(StringComparer.Ordinal) { "is_a", "part_of" };

    /// <summary>
    /// Adds every ancestor of each annotated term to the gene's set (the "true path rule").
    /// Terms not in the ontology are kept as they are.
    /// </summary>
    /// <param name="annotations">Direct annotations.</param>
    /// <param name="relations">Relations to follow; null means <c>is_a</c> and <c>part_of</c>.</param>
    public GeneAnnotations Propagate(GeneAnnotations annotations, IReadOnlySet<string>? relations = null)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        var cache = new Dictionary<int, IReadOnlyCollection<int>>();
        var b = new GeneAnnotations.Builder();
        for (int g = 0; g < annotations.Count; g++)
        {
            string gene = annotations.Genes[g];
            foreach (int t in annotations.Terms(g))
            {
                b.Add(gene, t);
                if (!cache.TryGetValue(t, out var anc)) cache[t] = anc = Ancestors(t, relations);
                foreach (int a in anc) b.Add(gene, a);
            }
        }
        return b.Build();
    }

    /// <summary>Reads an OBO 1.2 file (optionally gzip-compressed); only <c>[Term]</c> stanzas are kept.</summary>
    /// <param name="path">File path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A term stanza has no valid <c>id: GO:…</c> line, or the gzip data is damaged or truncated; the message names the file (and line).</exception>
    public static GeneOntology ReadObo(string path)
    {
        using var reader = TextFile.Open(path);
        var go = new GeneOntology();
        string? line;
        int lineNo = 0, current = -1;
        bool inTerm = false;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            var s = line.AsSpan().TrimEnd();
            if (s.Length == 0 || s[0] == '!') continue;
            if (s[0] == '[')
            {
                inTerm = s.SequenceEqual("[Term]");
                current = -1;
                continue;
            }
            if (!inTerm) continue;
            int colon = s.IndexOf(':');
            if (colon < 0) continue;
            var tag = s[..colon];
            var value = StripComment(s[(colon + 1)..].Trim());
            if (tag.SequenceEqual("id"))
            {
                if (!TextFile.TryParseGoId(value, out int id)) { inTerm = false; continue; } // non-GO ids (e.g. other prefixes)
                if (!go._index.TryGetValue(id, out current))
                {
                    current = go._ids.Count;
                    go._index[id] = current;
                    go._ids.Add(id);
                    go._names.Add("");
                    go._namespaces.Add("");
                    go._obsolete.Add(false);
                    go._parents.Add(new List<(int, string)>());
                }
                continue;
            }
            if (current < 0) throw new InvalidDataException($"'{path}' line {lineNo}: '{tag}' before the term's id line.");
            if (tag.SequenceEqual("name")) go._names[current] = value.ToString();
            else if (tag.SequenceEqual("namespace")) go._namespaces[current] = value.ToString();
            else if (tag.SequenceEqual("is_obsolete")) go._obsolete[current] = value.SequenceEqual("true");
            else if (tag.SequenceEqual("is_a"))
            {
                if (TextFile.TryParseGoId(value, out int p)) go._parents[current].Add((p, "is_a"));
            }
            else if (tag.SequenceEqual("relationship"))
            {
                int sp = value.IndexOf(' ');
                if (sp > 0 && TextFile.TryParseGoId(value[(sp + 1)..], out int p)) go._parents[current].Add((p, value[..sp].ToString()));
            }
        }
        return go;
    }

    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> value)
    {
        int bang = value.IndexOf(" !", StringComparison.Ordinal);
        return bang >= 0 ? value[..bang].TrimEnd() : value;
    }
}
