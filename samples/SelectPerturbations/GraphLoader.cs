using System.Globalization;
using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Samples;

namespace SelectPerturbations;

/// <summary>Builds the gene graph named by --graph.</summary>
internal static class GraphLoader
{
    public static readonly string[] GoFiles = ["gene_info_human_2022-09.tsv.gz", "gene2go_human_2022-09.tsv.gz"];
    public static readonly string[] StringFiles = ["string_v12_human_entrez_edges.tsv.gz"];

    public static GeneGraph Load(Options o, IReadOnlyList<string>? genes, Action<string> warn)
    {
        switch (o.Graph)
        {
            case "go":
            {
                string dir = NetworksDir(o.DataDir, GoFiles);
                var info = GeneInfo.Read(Path.Combine(dir, GoFiles[0]));
                var ann = AnnotationReaders.ReadGene2Go(Path.Combine(dir, GoFiles[1]), info);
                return GoGraphBuilder.Build(ann, genes);
            }
            case "string":
            {
                var g = EdgeListReader.ReadString(Path.Combine(NetworksDir(o.DataDir, StringFiles), StringFiles[0]), o.MinScore);
                return genes is null ? g : g.Subgraph(genes);
            }
            case "coexpression":
                return Coexpression(o.DataFile!, genes);
            default:
            {
                bool header = o.Header switch { "yes" => true, "no" => false, _ => DetectHeader(o.Graph, warn) };
                // Two columns: unweighted edges (weight 1); three or more: the third is the weight.
                var (fields, line) = DataFields(o.Graph, header);
                if (fields == 1)
                    throw new InvalidDataException($"'{o.Graph}' line {line}: one field; an edge-list line is source<TAB>target[<TAB>weight]");
                int weightColumn = fields >= 3 ? 2 : -1;
                var g = EdgeListReader.Read(o.Graph, new EdgeListOptions(WeightColumn: weightColumn, HasHeader: header));
                return genes is null ? g : g.Subgraph(genes);
            }
        }
    }

    /// <summary>GEARS' co-expression graph (k = 20, |r| &gt; 0.4) of log-normalised expression.</summary>
    private static GeneGraph Coexpression(string path, IReadOnlyList<string>? genes)
    {
        var adata = AnnData.Read(path);
        if (adata.X is null) throw new InvalidDataException($"'{path}' has no X matrix to correlate.");
        var symbols = adata.Var.Find("gene_symbol") ?? adata.Var.Find("gene_name");
        var names = Enumerable.Range(0, adata.NVars).Select(v => symbols?.GetString(v) is { Length: > 0 } s ? s : adata.VarNames[v]).ToArray();
        var x = Preprocessing.Log1p(Preprocessing.NormalizeTotal(adata.X, 1e4));
        var graph = SampleProgress.Step($"co-expression graph of {adata.NVars:N0} genes over {adata.NObs:N0} cells", 1, bar =>
            CoexpressionGraphBuilder.Build(x, names, progress: SampleProgress.Sync<double>(bar.Set), cancellationToken: SampleApp.Cancellation));
        return genes is null ? graph : graph.Subgraph(genes);
    }

    /// <summary>auto: the first non-comment line is a header when its weight is not a number or its names look like column names.</summary>
    private static bool DetectHeader(string path, Action<string> warn)
    {
        using var r = new StreamReader(path);
        string? first;
        while ((first = r.ReadLine()) is not null && (first.Length == 0 || first[0] == '#')) { }
        if (first is null) return false;
        var f = first.Split('\t');
        bool nonNumericWeight = f.Length >= 3 && !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        bool headerNames = f.Length >= 2 && LooksLikeColumnName(f[0]) && LooksLikeColumnName(f[1]);
        if (!nonNumericWeight && !headerNames) return false;
        warn($"taking the first line of '{Path.GetFileName(path)}' as a header, not an edge: \"{first.Replace("\t", "\\t")}\" (--header no reads it as an edge)");
        return true;
    }

    /// <summary>The number of tab-separated fields of the first edge line, and its line number (0, 0 for no edge line).</summary>
    private static (int Fields, int Line) DataFields(string path, bool header)
    {
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Length == 0 || line[0] == '#') continue;
            if (header) { header = false; continue; }
            return (line.Split('\t').Length, n);
        }
        return (0, 0);
    }

    private static bool LooksLikeColumnName(string s)
    {
        string l = s.Trim().ToLowerInvariant();
        return l is "source" or "target" or "from" or "to" or "gene" or "node" or "protein"
            || l.StartsWith("gene", StringComparison.Ordinal) || l.StartsWith("node", StringComparison.Ordinal)
            || l.StartsWith("protein", StringComparison.Ordinal) || l.StartsWith("source", StringComparison.Ordinal) || l.StartsWith("target", StringComparison.Ordinal);
    }

    public static string NetworksDir(string? explicitDir, string[] files)
    {
        if (explicitDir is not null) return explicitDir;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "SingleCell.Models.sln")) || d.Parent is null) continue;
                var net = Path.Combine(d.Parent.FullName, "shared", "data", "networks");
                if (files.All(f => File.Exists(Path.Combine(net, f)))) return net;
            }
        }
        throw new UsageException($"could not find ../shared/data/networks beside the checkout; pass --data <folder with {string.Join(" and ", files)}>");
    }
}
