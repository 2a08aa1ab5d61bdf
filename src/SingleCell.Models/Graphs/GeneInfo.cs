namespace SingleCell.Models.Graphs;

/// <summary>
/// Gene identifier tables from an NCBI <c>gene_info</c> file: Entrez Gene ID ↔ official symbol,
/// plus synonyms when the file has a <c>Synonyms</c> column.
/// </summary>
public sealed class GeneInfo
{
    private readonly Dictionary<int, string> _symbolById = new();
    private readonly Dictionary<string, int> _idBySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _idBySynonym = new(StringComparer.Ordinal);

    /// <summary>Number of genes read.</summary>
    public int Count => _symbolById.Count;

    /// <summary>The official symbol of Entrez ID <paramref name="entrezId"/>, or null.</summary>
    /// <param name="entrezId">An NCBI Gene ID.</param>
    public string? GetSymbol(int entrezId) => _symbolById.TryGetValue(entrezId, out var s) ? s : null;

    /// <summary>
    /// The Entrez ID of <paramref name="symbol"/>: official symbols first, then unambiguous
    /// synonyms; 0 if unknown.
    /// </summary>
    /// <param name="symbol">A gene symbol.</param>
    public int GetEntrezId(string symbol)
    {
        if (_idBySymbol.TryGetValue(symbol, out int id)) return id;
        return _idBySynonym.TryGetValue(symbol, out id) && id > 0 ? id : 0;
    }

    /// <summary>Adds or replaces one gene (for tests and hand-made tables).</summary>
    /// <param name="entrezId">NCBI Gene ID.</param>
    /// <param name="symbol">Official symbol.</param>
    /// <param name="synonyms">Other names; a synonym shared by two genes resolves to neither.</param>
    public void Add(int entrezId, string symbol, IEnumerable<string>? synonyms = null)
    {
        _symbolById[entrezId] = symbol;
        _idBySymbol.TryAdd(symbol, entrezId);
        if (synonyms is null) return;
        foreach (var syn in synonyms)
        {
            if (syn.Length == 0 || syn == "-") continue;
            if (_idBySynonym.TryGetValue(syn, out int prev) && prev != entrezId) _idBySynonym[syn] = -1;
            else _idBySynonym[syn] = entrezId;
        }
    }

    /// <summary>Reads a tab-separated <c>gene_info</c> file (optionally gzip-compressed).</summary>
    /// <param name="path">File path; the header line (starting with <c>#</c>) names the columns.</param>
    /// <param name="taxId">Keep only this NCBI taxon (default 9606, human); 0 keeps all.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The header lacks <c>GeneID</c> or <c>Symbol</c>, or the gzip data is damaged or truncated; the message names the file (and line).</exception>
    public static GeneInfo Read(string path, int taxId = 9606)
    {
        using var reader = TextFile.Open(path);
        var info = new GeneInfo();
        string? header = reader.ReadLine() ?? throw new InvalidDataException($"'{path}' is empty; expected a gene_info header.");
        var names = header.TrimStart('#').Split('\t');
        int cTax = Array.IndexOf(names, "tax_id"), cId = Array.IndexOf(names, "GeneID"),
            cSym = Array.IndexOf(names, "Symbol"), cSyn = Array.IndexOf(names, "Synonyms");
        if (cId < 0 || cSym < 0) throw new InvalidDataException($"'{path}' header has no GeneID/Symbol columns: '{header}'.");
        Span<Range> f = stackalloc Range[Math.Max(names.Length, 1)];
        string? line;
        int lineNo = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            var span = line.AsSpan();
            int nf = TextFile.Split(span, '\t', f);
            if (nf <= Math.Max(cId, cSym)) throw new InvalidDataException($"'{path}' line {lineNo}: {nf} fields; expected {names.Length}.");
            if (taxId != 0 && cTax >= 0 && (!TextFile.TryParseInt(span[f[cTax]], out int tax) || tax != taxId)) continue;
            if (!TextFile.TryParseInt(span[f[cId]], out int id)) throw new InvalidDataException($"'{path}' line {lineNo}: GeneID '{span[f[cId]]}' is not an integer.");
            string[]? syn = cSyn >= 0 && cSyn < nf ? span[f[cSyn]].ToString().Split('|') : null;
            info.Add(id, span[f[cSym]].ToString(), syn);
        }
        return info;
    }
}
