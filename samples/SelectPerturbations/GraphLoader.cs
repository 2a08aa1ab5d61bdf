using SingleCell.Models.Graphs;

namespace SelectPerturbations;

/// <summary>Builds the gene graph named by --graph.</summary>
internal static class GraphLoader
{
    public static GeneGraph Load(Options o, IReadOnlyList<string>? genes)
    {
        switch (o.Graph)
        {
            case "go":
            {
                string dir = NetworksDir(o.DataDir);
                var info = GeneInfo.Read(Path.Combine(dir, "gene_info_human_2022-09.tsv.gz"));
                var ann = AnnotationReaders.ReadGene2Go(Path.Combine(dir, "gene2go_human_2022-09.tsv.gz"), info);
                return GoGraphBuilder.Build(ann, genes);
            }
            case "string":
            {
                var g = EdgeListReader.ReadString(Path.Combine(NetworksDir(o.DataDir), "string_v12_human_entrez_edges.tsv.gz"), o.MinScore);
                return genes is null ? g : g.Subgraph(genes);
            }
            default:
            {
                if (!File.Exists(o.Graph)) throw new FileNotFoundException($"--graph '{o.Graph}' is neither 'go', 'string' nor an existing edge-list file.", o.Graph);
                var g = EdgeListReader.Read(o.Graph, new EdgeListOptions(HasHeader: HasHeader(o.Graph)));
                return genes is null ? g : g.Subgraph(genes);
            }
        }
    }

    private static bool HasHeader(string path)
    {
        using var r = new StreamReader(path);
        var first = r.ReadLine();
        if (first is null) return false;
        var f = first.Split('\t');
        return f.Length >= 3 && !double.TryParse(f[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    private static string NetworksDir(string? explicitDir)
    {
        if (explicitDir is not null)
            return Directory.Exists(explicitDir) ? explicitDir : throw new DirectoryNotFoundException($"--data '{explicitDir}' does not exist.");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "SingleCell.Models.sln")) || d.Parent is null) continue;
                var net = Path.Combine(d.Parent.FullName, "shared", "data", "networks");
                if (Directory.Exists(net)) return net;
            }
        }
        throw new DirectoryNotFoundException("Could not find ../shared/data/networks beside the checkout; pass --data <folder with the network files>.");
    }
}
