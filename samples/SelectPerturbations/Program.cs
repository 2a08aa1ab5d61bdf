// SelectPerturbations: choose which genes to perturb before a screen, from a gene graph.
//
//   dotnet run -c Release --project samples/SelectPerturbations -- \
//       --graph go|string|<edge file> --genes <list file> --budget K \
//       --method graphreach|facility|logdet|random|degree [--hops L] [--seed S] [--json]
//
// GraphReach's formulas are our reconstruction (docs/models/selection.md, spec §1.4).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SelectPerturbations;
using SingleCell.Models;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;
using Spectre.Console;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}

try
{
    var clock = Stopwatch.StartNew();
    IReadOnlyList<string>? genes = options.Genes is null ? null : GeneList.Read(options.Genes);
    GeneGraph graph = null!;
    SelectionResult result = null!;
    void Work(Action<string> status)
    {
        status("building the graph");
        graph = GraphLoader.Load(options, genes);
        if (graph.NodeCount == 0) throw new InvalidOperationException("The graph has no nodes: check --genes and --graph.");
        status($"selecting {options.Budget} of {graph.NodeCount} genes ({options.Method})");
        ISelector selector = options.Method switch
        {
            "graphreach" => new GreedySelector(GraphReach.Coverage(graph, options.Hops), name: "graphreach"),
            "facility" => new GreedySelector(GraphReach.FacilityLocation(graph, options.Hops), name: "facility"),
            "logdet" => new GreedySelector(new LogDeterminant(GraphReach.Kernel(graph, options.Hops)), name: "logdet"),
            "random" => new RandomSelector(options.Seed),
            "degree" => new DegreeSelector(graph),
            _ => throw new ArgumentException($"Unknown method '{options.Method}'."),
        };
        result = selector.Select(Enumerable.Range(0, graph.NodeCount).ToArray(), options.Budget);
    }

    if (options.Json) Work(_ => { });
    else AnsiConsole.Status().Start("starting", ctx => Work(s => ctx.Status(s)));
    double seconds = clock.Elapsed.TotalSeconds;

    var names = result.Selected.Select(i => graph.Genes[i]).ToArray();
    if (options.Json)
    {
        var json = new Dictionary<string, object>
        {
            ["method"] = options.Method,
            ["selected"] = names,
            ["gains"] = result.Gains,
            ["seconds"] = Math.Round(seconds, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }
    var table = new Table().AddColumn("rank").AddColumn("gene").AddColumn(new TableColumn("gain").RightAligned());
    for (int i = 0; i < names.Length; i++)
        table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(names[i]), result.Gains[i].ToString("G6", CultureInfo.InvariantCulture));
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine($"[grey]{options.Method} on a {graph.NodeCount}-gene graph ({graph.EdgeCount} edges), {result.Evaluations} gain evaluations, {seconds:F2} s[/]");
    return 0;
}
catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or DirectoryNotFoundException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
