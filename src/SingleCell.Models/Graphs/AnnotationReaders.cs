namespace SingleCell.Models.Graphs;

/// <summary>Readers for gene → GO annotation files: NCBI <c>gene2go</c> and GO Consortium GAF 2.x.</summary>
public static class AnnotationReaders
{
    /// <summary>
    /// Reads an NCBI <c>gene2go</c> file (tax_id, GeneID, GO_ID, Evidence, Qualifier, GO_term,
    /// PubMed, Category), streaming and gzip-aware. Annotations whose qualifier starts with
    /// <c>NOT</c> are skipped.
    /// </summary>
    /// <param name="path">File path (<c>.gz</c> or plain).</param>
    /// <param name="geneInfo">Maps Entrez IDs to symbols; genes it does not know are skipped.
    /// When null, genes are keyed by their Entrez ID as text.</param>
    /// <param name="taxId">Keep only this taxon (default human, 9606); 0 keeps all.</param>
    /// <param name="evidenceCodes">Keep only these evidence codes (null keeps all).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has too few fields or a malformed ID, or the gzip data is damaged or truncated; the message names the file (and line).</exception>
    public static GeneAnnotations ReadGene2Go(string path, GeneInfo? geneInfo = null, int taxId = 9606, IReadOnlySet<string>? evidenceCodes = null)
    {
        using var reader = TextFile.Open(path);
        var builder = new GeneAnnotations.Builder();
        Span<Range> f = stackalloc Range[8];
        var keys = new Dictionary<int, string?>();
        string? line;
        int lineNo = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            var s = line.AsSpan();
            int nf = TextFile.Split(s, '\t', f);
            if (nf < 5) throw new InvalidDataException($"'{path}' line {lineNo}: {nf} fields; gene2go has 8 (tax_id, GeneID, GO_ID, Evidence, Qualifier, ...).");
            if (taxId != 0 && (!TextFile.TryParseInt(s[f[0]], out int tax) || tax != taxId)) continue;
            if (s[f[4]].StartsWith("NOT", StringComparison.Ordinal)) continue;
            if (evidenceCodes is not null && !evidenceCodes.Contains(s[f[3]].ToString())) continue;
            if (!TextFile.TryParseInt(s[f[1]], out int id)) throw new InvalidDataException($"'{path}' line {lineNo}: GeneID '{s[f[1]]}' is not an integer.");
            if (!TextFile.TryParseGoId(s[f[2]], out int go)) throw new InvalidDataException($"'{path}' line {lineNo}: '{s[f[2]]}' is not a GO ID.");
            if (!keys.TryGetValue(id, out var key))
            {
                key = geneInfo is null ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : geneInfo.GetSymbol(id);
                keys[id] = key;
            }
            if (key is not null) builder.Add(key, go);
        }
        return builder.Build();
    }

    /// <summary>
    /// Reads a GO Consortium GAF 2.x file (17 tab-separated columns, <c>!</c> comment lines),
    /// keying genes by column 3 (DB Object Symbol). Qualifiers containing <c>NOT</c> are skipped.
    /// </summary>
    /// <param name="path">File path (<c>.gz</c> or plain).</param>
    /// <param name="evidenceCodes">Keep only these evidence codes (column 7); null keeps all.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has fewer than 7 fields or a malformed GO ID, or the gzip data is damaged or truncated; the message names the file (and line).</exception>
    public static GeneAnnotations ReadGaf(string path, IReadOnlySet<string>? evidenceCodes = null)
    {
        using var reader = TextFile.Open(path);
        var builder = new GeneAnnotations.Builder();
        Span<Range> f = stackalloc Range[17];
        string? line;
        int lineNo = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '!') continue;
            var s = line.AsSpan();
            int nf = TextFile.Split(s, '\t', f);
            if (nf < 7) throw new InvalidDataException($"'{path}' line {lineNo}: {nf} fields; GAF 2.x has 17.");
            var qualifier = s[f[3]];
            if (qualifier.StartsWith("NOT", StringComparison.Ordinal) || qualifier.Contains("|NOT", StringComparison.Ordinal)) continue;
            if (evidenceCodes is not null && !evidenceCodes.Contains(s[f[6]].ToString())) continue;
            if (!TextFile.TryParseGoId(s[f[4]], out int go)) throw new InvalidDataException($"'{path}' line {lineNo}: '{s[f[4]]}' is not a GO ID.");
            builder.Add(s[f[2]].ToString(), go);
        }
        return builder.Build();
    }
}
