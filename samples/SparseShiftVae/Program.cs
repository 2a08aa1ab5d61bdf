using System.Globalization;
using System.Text;
using System.Text.Json;
using SingleCell.Models.Samples;
using SingleCell.Models.Svae;
using Spectre.Console;
using SparseShiftVae;

var spec = Options.Spec();
spec.Notes = Options.Notes;
return SampleApp.Run(spec, args, a => Run(Options.From(a)));

static int Run(Options o)
{
    if (o.RealData != null) return RealData.Run(o);

    var sim = SampleProgress.Status($"simulating {o.Interventions * o.CellsPerIntervention:N0} cells", () =>
        SparseShiftSimulation.Generate((o.PaperSimulation ? SparseShiftSimulationOptions.Paper : new SparseShiftSimulationOptions()) with
        {
            CellsPerIntervention = o.CellsPerIntervention, Interventions = o.Interventions, Genes = o.Genes,
            LatentDimensions = o.Latent, FirstHeldOutIntervention = o.FirstHeldOut, Seed = o.Seed,
        }));
    SampleProgress.Info($"Simulation: {sim.CellCount:N0} cells × {o.Genes} genes, p = {o.Latent}, K = {o.Interventions} " +
                        $"(held out {sim.HeldOutInterventions.Length}), seed {o.Seed}, {o.Epochs} epochs per stage.");

    var results = SampleProgress.Run(add =>
    {
        var list = new List<VariantResult>();
        foreach (var variant in o.Variants)
        {
            var train = add($"{Options.Key(variant),-9} train", 1);
            var transfer = add($"{Options.Key(variant),-9} transfer + I-NLL", 1);
            list.Add(SimulationBenchmark.Run(sim, variant, o, (stage, fraction) => (stage == "train" ? train : transfer).Set(fraction)));
            train.Done();
            transfer.Done();
        }
        return list;
    });

    string json = ToJson(results);
    if (o.Out is { } dir) Outputs.WriteSimulation(new OutputFolder(dir), sim, results, json);
    if (o.Json)
    {
        Console.WriteLine(json);
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
}

static string ToJson(List<VariantResult> results)
{
    using var ms = new MemoryStream();
    using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        w.WriteStartObject();
        foreach (var r in results)
        {
            w.WriteStartObject(r.Variant);
            Write(w, "mcc_pearson", r.MccPearson);
            Write(w, "mcc_spearman", r.MccSpearman);
            Write(w, "r2", r.R2);
            Write(w, "precision", r.Precision);
            Write(w, "recall", r.Recall);
            Write(w, "f1", r.F1);
            Write(w, "inll", r.Inll);
            Write(w, "seconds_per_epoch", r.SecondsPerEpoch);
            w.WriteNumber("epochs", r.Epochs);
            w.WriteString("stop_reason", r.StopReason);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
    return Encoding.UTF8.GetString(ms.ToArray());
}

// JSON has no NaN or infinity: a non-finite metric is written as null.
static void Write(Utf8JsonWriter w, string name, double? v)
{
    if (v is double d && double.IsFinite(d)) w.WriteNumber(name, d); else w.WriteNull(name);
}
