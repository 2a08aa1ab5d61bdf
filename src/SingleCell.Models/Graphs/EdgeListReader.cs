using SingleCell.Models.Data.Formats;
using System.Globalization;

namespace SingleCell.Models.Graphs;

/// <summary>How to read a weighted edge list.</summary>
/// <param name="SourceColumn">Zero-based column of the source gene name.</param>
/// <param name="TargetColumn">Zero-based column of the target gene name.</param>
/// <param name="WeightColumn">Zero-based column of the weight; −1 for unweighted (weight 1); <see cref="int.MaxValue"/> for the last column.</param>
/// <param name="Separator">Field separator (tab by default).</param>
/// <param name="HasHeader">Whether the first non-comment line is a header to skip.</param>
/// <param name="Directed">When false, each line adds both directions.</param>
/// <param name="MinWeight">Lines with a weight below this are skipped.</param>
/// <param name="WeightScale">Stored weight = file weight × this factor (e.g. 0.001 for STRING scores).</param>
public sealed record EdgeListOptions(
    int SourceColumn = 0,
    int TargetColumn = 1,
    int WeightColumn = 2,
    char Separator = '\t',
    bool HasHeader = false,
    bool Directed = true,
    double MinWeight = double.NegativeInfinity,
    double WeightScale = 1.0);

/// <summary>Reads weighted gene–gene edge lists (TSV/CSV, optionally gzip-compressed), including STRING.</summary>
public static class EdgeListReader
{
    /// <summary>Reads an edge list into a <see cref="GeneGraph"/>; nodes are numbered in order of first appearance.</summary>
    /// <param name="path">File path.</param>
    /// <param name="options">Column layout and filters; null means source, target, weight in columns 0–2, no header.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has too few fields, a weight that is not a finite number, or gzip data that is damaged; the message names the file and line.</exception>
    public static GeneGraph Read(string path, EdgeListOptions? options = null)
    {
        options ??= new EdgeListOptions();
        return ReadCore(path, options, -1, -1);
    }

    /// <summary>
    /// Reads the STRING edge file shipped with the project (<c>entrez_a, symbol_a, entrez_b,
    /// symbol_b</c>, 11 evidence channels, <c>combined_score</c>) as an undirected graph over
    /// gene symbols with weight combined_score / 1000.
    /// </summary>
    /// <param name="path">File path.</param>
    /// <param name="minScore">Keep edges with combined_score ≥ this (0–1000; default 700, "high confidence").</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has too few fields, a score that is not a finite number, or gzip data that is damaged; the message names the file and line.</exception>
    public static GeneGraph ReadString(string path, int minScore = 700)
        => ReadCore(path, new EdgeListOptions(1, 3, int.MaxValue, '\t', HasHeader: true, Directed: false, MinWeight: minScore, WeightScale: 0.001), 0, 2);

    private static GeneGraph ReadCore(string path, EdgeListOptions o, int entrezA, int entrezB)
    {
        using var reader = TextFile.Open(path);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        var entrez = new List<int>();
        var src = new List<int>();
        var dst = new List<int>();
        var w = new List<float>();
        int need = Math.Max(o.SourceColumn, o.TargetColumn);
        if (o.WeightColumn >= 0 && o.WeightColumn != int.MaxValue) need = Math.Max(need, o.WeightColumn);
        Span<Range> f = stackalloc Range[64];
        string? line;
        int lineNo = 0;
        bool headerPending = o.HasHeader;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0 || line[0] == '#') continue;
            if (headerPending) { headerPending = false; continue; }
            var s = line.AsSpan().TrimEnd('\r');
            int nf = Math.Min(TextFile.Split(s, o.Separator, f), f.Length);
            if (nf <= need) throw new InvalidDataException($"'{path}' line {lineNo}: {nf} fields; column {need} is needed.");
            double weight = 1.0;
            if (o.WeightColumn >= 0)
            {
                int wc = o.WeightColumn == int.MaxValue ? nf - 1 : o.WeightColumn;
                if (!TextNumbers.TryFiniteDouble(s[f[wc]], out weight) || !float.IsFinite((float)(weight * o.WeightScale)))
                    throw new InvalidDataException($"'{path}' line {lineNo}: weight '{TextNumbers.Show(s[f[wc]])}' in column {wc} is not a finite number within the float32 range.");
            }
            if (weight < o.MinWeight) continue;
            int a = Node(s[f[o.SourceColumn]].ToString(), entrezA >= 0 ? s[f[entrezA]] : default);
            int b = Node(s[f[o.TargetColumn]].ToString(), entrezB >= 0 ? s[f[entrezB]] : default);
            float sw = (float)(weight * o.WeightScale);
            src.Add(a); dst.Add(b); w.Add(sw);
            if (!o.Directed && a != b) { src.Add(b); dst.Add(a); w.Add(sw); }
        }
        return GeneGraph.FromEdges(names, src.ToArray(), dst.ToArray(), w.ToArray(), entrez);

        int Node(string name, ReadOnlySpan<char> entrezText)
        {
            if (!index.TryGetValue(name, out int i))
            {
                i = names.Count;
                index[name] = i;
                names.Add(name);
                entrez.Add(TextFile.TryParseInt(entrezText, out int id) ? id : 0);
            }
            return i;
        }
    }
}
