// SelectPerturbations: choose which genes to perturb before a screen, from a gene graph.
// Every method is scored on one objective, the GraphReach coverage (docs/models/selection.md, spec §1.4),
// so the gain column means the same thing for all of them.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SelectPerturbations;
using SingleCell.Models;
using SingleCell.Models.Graphs;
using SingleCell.Models.Samples;
using SingleCell.Models.Selection;
using Spectre.Console;

return SampleApp.Run(Options.Spec(), args, a => Run(Options.From(a)));

static int Run(Options o)
{
    var clock = Stopwatch.StartNew();
    var warnings = new List<string>();
    void Warn(string text)
    {
        warnings.Add(text);
        Console.Error.WriteLine($"warning: {text}");
    }

    IReadOnlyList<string>? genes = o.Genes is null ? null : GeneList.Read(o.Genes);
    IReadOnlyList<string>? candidateGenes = o.Candidates is null ? null : GeneList.Read(o.Candidates);
    string graphName = o.Graph is "go" or "string" or "coexpression" ? o.Graph : Path.GetFileName(o.Graph);
    var graph = SampleProgress.Status($"building the {graphName} graph", () => GraphLoader.Load(o, genes, Warn));
    if (graph.NodeCount == 0)
        throw new InvalidOperationException($"The {graphName} graph has no nodes{(genes is null ? "" : " for the genes of --genes")}: check --genes and --graph.");
    if (genes is not null) WarnMissing(genes, graph, "--genes", graphName, Warn);

    int[] candidates;
    if (candidateGenes is null) candidates = Enumerable.Range(0, graph.NodeCount).ToArray();
    else
    {
        WarnMissing(candidateGenes, graph, "--candidates", graphName, Warn);
        candidates = candidateGenes.Select(graph.IndexOf).Where(i => i >= 0).Distinct().ToArray();
        if (candidates.Length == 0) throw new InvalidOperationException($"None of the {candidateGenes.Count} genes of --candidates is in the {graphName} graph.");
    }
    if (o.Budget > candidates.Length)
        Warn($"--budget {o.Budget} exceeds the {candidates.Length} candidate genes; all {candidates.Length} are ranked");

    var selector = Selector(o, graph, o.Method, o.Seed);
    var result = SampleProgress.Step($"selecting {Math.Min(o.Budget, candidates.Length)} of {candidates.Length} genes ({o.Method})", Math.Min(o.Budget, candidates.Length), bar =>
        selector.Select(candidates, o.Budget, progress: SampleProgress.Sync<SelectionProgress>(p => bar.Set(p.Selected)), cancellationToken: SampleApp.Cancellation));
    double seconds = clock.Elapsed.TotalSeconds;

    // The objective every method is scored on; graphreach already built it (Score resets it).
    var coverage = o.Method == "graphreach" && selector is GreedySelector { Function: WeightedCoverage built } ? built
        : GraphReach.Coverage(graph, o.Hops, cancellationToken: SampleApp.Cancellation);
    var (gains, reached) = Score(coverage, result.Selected);
    var names = result.Selected.Select(i => graph.Genes[i]).ToArray();
    if (o.Out is { } dir) Outputs.Write(new OutputFolder(dir), o, graph, candidates, coverage, names, gains, reached);

    if (o.Json)
    {
        var json = new Dictionary<string, object>
        {
            ["method"] = o.Method,
            ["objective"] = $"graphreach_coverage_{o.Hops}hop_genes",
            ["selected"] = names,
            ["gains"] = gains,
            ["reached"] = reached,
            ["method_scores"] = result.Gains,
            ["graph_genes"] = graph.NodeCount,
            ["candidates"] = candidates.Length,
            ["warnings"] = warnings,
            ["seconds"] = Math.Round(seconds, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }
    var table = new Table().AddColumn("rank").AddColumn("gene").AddColumn(new TableColumn("gain (genes newly reached)").RightAligned())
        .AddColumn(new TableColumn("reached").RightAligned());
    for (int i = 0; i < names.Length; i++)
        table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(names[i]), gains[i].ToString("G6", CultureInfo.InvariantCulture),
            reached[i].ToString("G6", CultureInfo.InvariantCulture));
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine(Markup.Escape($"{o.Method} on the {graphName} graph ({graph.NodeCount:N0} genes, {graph.EdgeCount:N0} edges), {candidates.Length:N0} candidates, {seconds:F2} s. " +
        $"Objective for every method: GraphReach coverage with {o.Hops} hop(s), {(reached.Length > 0 ? reached[^1] : 0):N0} of {graph.NodeCount:N0} genes reached."));
    return 0;
}

static ISelector Selector(Options o, GeneGraph graph, string method, int seed) => method switch
{
    "graphreach" => new GreedySelector(GraphReach.Coverage(graph, o.Hops, cancellationToken: SampleApp.Cancellation), name: "graphreach"),
    "facility" => new GreedySelector(GraphReach.FacilityLocation(graph, o.Hops, cancellationToken: SampleApp.Cancellation), name: "facility"),
    "logdet" => new GreedySelector(new LogDeterminant(GraphReach.Kernel(graph, o.Hops, cancellationToken: SampleApp.Cancellation)), name: "logdet"),
    "random" => new RandomSelector(seed),
    _ => new DegreeSelector(graph),
};

static (double[] Gains, double[] Reached) Score(SetFunction coverage, IReadOnlyList<int> selected)
{
    coverage.Reset();
    var gains = new double[selected.Count];
    var reached = new double[selected.Count];
    for (int i = 0; i < selected.Count; i++)
    {
        gains[i] = coverage.Add(selected[i]);
        reached[i] = coverage.Value;
    }
    return (gains, reached);
}

static void WarnMissing(IReadOnlyList<string> genes, GeneGraph graph, string flag, string graphName, Action<string> warn)
{
    var missing = genes.Where(g => graph.IndexOf(g) < 0).ToArray();
    if (missing.Length == 0) return;
    string shown = string.Join(", ", missing.Take(5)) + (missing.Length > 5 ? ", …" : "");
    warn($"{missing.Length} of {genes.Count} genes of {flag} are not in the {graphName} graph and were left out: {shown}");
}

namespace SelectPerturbations
{
    /// <summary>What --out writes: the selection as TSV and the selection curve against baselines.</summary>
    internal static class Outputs
    {
        public static void Write(OutputFolder output, Options o, GeneGraph graph, int[] candidates, SetFunction coverage,
            string[] names, double[] gains, double[] reached)
        {
            using (var w = new StreamWriter(output.Wrote("selection.tsv", $"the {names.Length} chosen genes in order: rank, gene, gain, reached (GraphReach coverage, genes)")))
            {
                w.WriteLine("rank\tgene\tgain_genes_reached\treached_genes\tmethod");
                for (int i = 0; i < names.Length; i++)
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1}\t{names[i]}\t{gains[i]}\t{reached[i]}\t{o.Method}"));
            }
            var curves = new List<SingleCell.Models.Plotting.SelectionCurve> { Curve(o.Method, reached) };
            int k = names.Length;
            // Baselines on the same candidates and objective: random (mean ± sd over seeds) and degree.
            var runs = Enumerable.Range(0, o.RandomRepeats).Select(s =>
                Score(coverage, new RandomSelector(1000 + s).Select(candidates, k).Selected)).ToArray();
            var mean = Enumerable.Range(0, k).Select(i => runs.Average(r => r[i])).ToArray();
            var sd = Enumerable.Range(0, k).Select(i => Math.Sqrt(runs.Average(r => (r[i] - mean[i]) * (r[i] - mean[i])))).ToArray();
            if (o.Method != "random") curves.Add(new($"random, {o.RandomRepeats} seeds", Budgets(k), [0, .. mean], [0, .. sd]));
            if (o.Method != "degree") curves.Add(Curve("degree", Score(coverage, new DegreeSelector(graph).Select(candidates, k).Selected)));
            var plot = SingleCell.Models.Plotting.Plots.SelectionCurves(curves, $"Selection on the {(o.Graph is "go" or "string" or "coexpression" ? o.Graph : Path.GetFileName(o.Graph))} graph",
                $"genes reached (GraphReach coverage, {o.Hops} hop{(o.Hops == 1 ? "" : "s")})");
            SingleCell.Models.Plotting.PlotFiles.SavePngAndSvg(plot, output.File("selection_curve"));
            output.Wrote("selection_curve.png", "genes reached against budget: the method, random (± sd) and degree; also .svg");
            output.Report();
        }

        private static double[] Budgets(int k) => Enumerable.Range(0, k + 1).Select(i => (double)i).ToArray();

        private static SingleCell.Models.Plotting.SelectionCurve Curve(string name, double[] reached) => new(name, Budgets(reached.Length), [0, .. reached]);

        private static double[] Score(SetFunction coverage, IReadOnlyList<int> selected)
        {
            coverage.Reset();
            return selected.Select(i => { coverage.Add(i); return coverage.Value; }).ToArray();
        }
    }
}
