using System.Globalization;
using SingleCell.Models.Graphs;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models;
using SingleCell.Models.Selection;

namespace Quickstart;

/// <summary>Step 1: choose genes to perturb, one shot, on the human Gene Ontology graph (GraphReach coverage, lazy greedy).</summary>
internal static class Choose
{
    public static readonly string[] Files = ["networks/gene_info_human_2022-09.tsv.gz", "networks/gene2go_human_2022-09.tsv.gz"];

    public static string[] Run(string dataDir, int budget, OutputFolder output)
    {
        var graph = SampleProgress.Status("building the GO graph (GEARS' Jaccard rule, 21 heaviest in-edges per gene) from gene2go", () =>
        {
            var info = GeneInfo.Read(Path.Combine(dataDir, Files[0]));
            return GoGraphBuilder.Build(AnnotationReaders.ReadGene2Go(Path.Combine(dataDir, Files[1]), info));
        });
        var coverage = GraphReach.Coverage(graph, hops: 1, cancellationToken: SampleApp.Cancellation);
        var candidates = Enumerable.Range(0, graph.NodeCount).ToArray();
        var result = SampleProgress.Step($"choosing {budget} of {graph.NodeCount:N0} genes (GraphReach, one hop)", budget, bar =>
            new GreedySelector(coverage, name: "graphreach").Select(candidates, budget,
                progress: SampleProgress.Sync<SelectionProgress>(p => bar.Set(p.Selected)), cancellationToken: SampleApp.Cancellation));
        var names = result.Selected.Select(i => graph.Genes[i]).ToArray();
        SampleProgress.Info($"Chose {names.Length} genes whose GO neighbourhoods cover {result.Value:N0} of {graph.NodeCount:N0} genes: {string.Join(", ", names.Take(10))}{(names.Length > 10 ? ", …" : "")}");
        using (var w = new StreamWriter(output.Wrote("selection.tsv", $"the {names.Length} genes chosen on the GO graph: rank, gene, gain (genes newly covered)")))
        {
            w.WriteLine("rank\tgene\tgain");
            for (int i = 0; i < names.Length; i++)
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1}\t{names[i]}\t{result.Gains[i]:G6}"));
        }
        // The selection curve: genes covered against budget, GraphReach beside random candidates (one seed) on the same objective.
        double[] Curve(IReadOnlyList<int> picks)
        {
            coverage.Reset();
            return [0, .. picks.Select(i => { coverage.Add(i); return coverage.Value; })];
        }
        var budgets = Enumerable.Range(0, names.Length + 1).Select(k => (double)k).ToArray();
        var curves = new[]
        {
            new SelectionCurve("graphreach (greedy)", budgets, Curve(result.Selected)),
            new SelectionCurve("random", budgets, Curve(new RandomSelector(0).Select(candidates, names.Length).Selected)),
        };
        PlotFiles.SavePngAndSvg(Plots.SelectionCurves(curves, "Choosing genes on the GO graph", "genes covered (GraphReach, one hop)"), output.File("selection_curve"));
        output.Wrote("selection_curve.png", "genes covered against budget: the greedy choice against random genes; also .svg");
        return names;
    }
}
