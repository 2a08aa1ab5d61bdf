using System.Globalization;
using System.Text;
using System.Text.Json;
using SingleCell.Models.Svae;
using Spectre.Console;
using SparseShiftVae;

Options o;
try { o = Options.Parse(args); }
catch (HelpRequested) { Console.WriteLine(Options.Usage); return 0; }
catch (Exception e) when (e is ArgumentException or FormatException) { Console.Error.WriteLine(e.Message); Console.Error.WriteLine(Options.Usage); return 2; }

// Progress goes to stderr so that --json output stays one clean object on stdout.
var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
if (o.RealData != null) return RealData.Run(o, console);

var sim = SparseShiftSimulation.Generate((o.PaperSimulation ? SparseShiftSimulationOptions.Paper : new SparseShiftSimulationOptions()) with
{
    CellsPerIntervention = o.CellsPerIntervention, Interventions = o.Interventions, Genes = o.Genes,
    LatentDimensions = o.Latent, FirstHeldOutIntervention = o.FirstHeldOut, Seed = o.Seed,
});
console.MarkupLine($"[grey]Simulation: {sim.CellCount:N0} cells × {o.Genes} genes, p = {o.Latent}, K = {o.Interventions} " +
                   $"(held out {sim.HeldOutInterventions.Length}), seed {o.Seed}, {o.Epochs} epochs per stage.[/]");

var results = new List<VariantResult>();
console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
        new ElapsedTimeColumn(), new RemainingTimeColumn())
    .Start(ctx =>
    {
        foreach (var variant in o.Variants)
        {
            var train = ctx.AddTask($"{Options.Key(variant),-9} train");
            var transfer = ctx.AddTask($"{Options.Key(variant),-9} transfer + I-NLL");
            results.Add(SimulationBenchmark.Run(sim, variant, o, (stage, fraction) =>
            {
                (stage == "train" ? train : transfer).Value = 100 * fraction;
            }));
            train.Value = 100; transfer.Value = 100;
        }
    });

if (o.Json)
{
    Console.WriteLine(ToJson(results));
    return 0;
}

string F(double? v, string format = "F2") => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "–";
var table = new Table().Title("Table 1 (simulation): ours beside the paper's (mean ± sd over 5 seeds)")
    .AddColumns("variant", "", "Pearson MCC", "Spearman MCC", "R²", "precision", "recall", "F1", "I-NLL", "s/epoch", "epochs");
foreach (var (r, v) in results.Zip(o.Variants))
{
    var p = PaperTable1.Rows[v];
    table.AddRow(r.Variant, "ours", F(r.MccPearson), F(r.MccSpearman), F(r.R2), F(r.Precision), F(r.Recall), F(r.F1), F(r.Inll),
        F(r.SecondsPerEpoch, "F3"), $"{r.Epochs} ({r.StopReason})");
    table.AddRow("", "paper", p[0], p[1], p[2], p[3], p[4], p[5], p[6], "", "");
}
AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
AnsiConsole.Write(table);
return 0;

static string ToJson(List<VariantResult> results)
{
    using var ms = new MemoryStream();
    using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        w.WriteStartObject();
        foreach (var r in results)
        {
            w.WriteStartObject(r.Variant);
            w.WriteNumber("mcc_pearson", r.MccPearson);
            w.WriteNumber("mcc_spearman", r.MccSpearman);
            w.WriteNumber("r2", r.R2);
            Write(w, "precision", r.Precision);
            Write(w, "recall", r.Recall);
            Write(w, "f1", r.F1);
            Write(w, "inll", double.IsFinite(r.Inll) ? r.Inll : null);
            w.WriteNumber("seconds_per_epoch", r.SecondsPerEpoch);
            w.WriteNumber("epochs", r.Epochs);
            w.WriteString("stop_reason", r.StopReason);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
    return Encoding.UTF8.GetString(ms.ToArray());
}

static void Write(Utf8JsonWriter w, string name, double? v)
{
    if (v is double d) w.WriteNumber(name, d); else w.WriteNull(name);
}
