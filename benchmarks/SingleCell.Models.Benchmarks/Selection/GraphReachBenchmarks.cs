using BenchmarkDotNet.Attributes;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;

namespace SingleCell.Models.Benchmarks.Selection;

/// <summary>
/// GraphReach (coverage form, L = 1) over the whole human GO graph built from
/// ../shared/data/networks (gene2go + gene_info, 2022-09): the GO-graph build, lazy-greedy
/// rankings of 100/500/1000 genes on a prebuilt graph, and the end-to-end target
/// (build + coverage sets + 1000-gene ranking, goal &lt; 2 s).
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class GraphReachBenchmarks
{
    private GeneAnnotations _annotations = null!;
    private WeightedCoverage _reach = null!;

    /// <summary>Number of genes to rank.</summary>
    [Params(100, 500, 1000)]
    public int Budget { get; set; }

    /// <summary>Reads the annotation files once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string dir = DataPaths.Networks();
        var info = GeneInfo.Read(Path.Combine(dir, "gene_info_human_2022-09.tsv.gz"));
        _annotations = AnnotationReaders.ReadGene2Go(Path.Combine(dir, "gene2go_human_2022-09.tsv.gz"), info);
        _reach = GraphReach.Coverage(GoGraphBuilder.Build(_annotations));
    }

    /// <summary>Lazy greedy ranking of <see cref="Budget"/> genes on the prebuilt GO graph.</summary>
    [Benchmark]
    public int RankLazy() => Greedy.Maximize(_reach, Budget).Selected.Length;

    /// <summary>GO graph build + GraphReach sets + ranking of <see cref="Budget"/> genes (the 2 s target at 1000).</summary>
    [Benchmark]
    public int BuildAndRank()
    {
        var g = GoGraphBuilder.Build(_annotations);
        return Greedy.Maximize(GraphReach.Coverage(g), Budget).Selected.Length;
    }
}
