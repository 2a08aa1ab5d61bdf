// PerturbationPrediction: GEARS on the shared Norman 2019 subset (norman19 cells), the simulation split, and the
// no-perturbation, mean and additive baselines scored by the same code, per test subgroup.
using System.Globalization;
using System.Text.Json;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Gears;
using SingleCell.Models.Graphs;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Training;

var spec = new SampleArgs("PerturbationPrediction", "Trains GEARS on the Norman 2019 CRISPRa subset and compares it with baselines on unseen singles and pairs.")
    .Option("--data", "DIR", "the shared data folder (perturbation/ and networks/)", "../shared/data")
    .Option("--seed", "S", "seed of the split, the control pairing and the initialisation", "1")
    .Option("--epochs", "N", "training epochs, ≥ 1 (GEARS' default 20; the paper's scripts use 15)", "20")
    .Option("--hidden", "H", "hidden size, ≥ 1", "64")
    .Option("--split", "NAME", "simulation (GEARS' seeded simulation split) or custom (--split-file)", "simulation")
    .Option("--split-file", "FILE", "with --split custom: JSON lists {\"train\": […], \"validation\": […], \"unseen_single\": […], \"combo_seen0\": […], \"combo_seen1\": […], \"combo_seen2\": […]}")
    .Flag("--json", "print one JSON object: {\"gears\": {subgroup: {metric: …}}, \"no_perturb\": …, \"mean\": …, \"additive\": …, \"seconds_per_epoch\": …, \"seed\": …}")
    .Option("--out", "DIR", "write metrics.csv, predictions.h5ad (predicted expression per test perturbation; layers 'change' and 'observed_change'), history.csv, gears.safetensors, and plots (PNG + SVG): training curves, predicted against observed change")
    .Example("dotnet run -c Release --project samples/PerturbationPrediction -- --epochs 20 --seed 1 --out gears-out");
spec.Notes = "run time on 2 cores: about 10 s per epoch (3,375 cells × 500 genes, batch 32).";
return SampleApp.Run(spec, args, a =>
{
    // The flags first (a typo is named even when the data folder is missing), then the files, then --out.
    int seed = a.Int("--seed", 1, min: 0), epochs = a.Int("--epochs", 20, min: 1), hidden = a.Int("--hidden", 64, min: 1, max: 4096);
    string splitKind = a.Choice("--split", "simulation", "simulation", "custom");
    string? splitFile = a.String("--split-file");
    if (splitKind == "custom" && splitFile is null) throw new UsageException("--split custom needs --split-file FILE");
    if (splitKind != "custom" && splitFile is not null) throw new UsageException("--split-file needs --split custom");
    if (splitFile is not null && !File.Exists(splitFile)) throw new UsageException($"--split-file: '{splitFile}' does not exist");
    GearsSplit? customSplit = null;
    if (splitFile is not null)
    {
        try { customSplit = GearsSplit.FromJson(File.ReadAllText(splitFile)); }
        catch (FormatException e) { throw new UsageException($"--split-file: {e.Message}"); }
    }
    bool json = a.Has("--json");
    string dir = a.ExistingFolder("--data") ?? "../shared/data";
    string file = Path.Combine(dir, "perturbation", "norman2019_mcfaline2023_devel.h5ad");
    string[] net = [Path.Combine(dir, "networks", "gene_info_human_2022-09.tsv.gz"), Path.Combine(dir, "networks", "gene2go_human_2022-09.tsv.gz")];
    foreach (var f in net.Prepend(file)) if (!File.Exists(f)) throw new UsageException($"--data: '{f}' does not exist");
    var output = a.OutputFolder("--out", null) is { } o ? new OutputFolder(o) : null;

    var data = SampleProgress.Status("reading the Norman subset and building the GO graph", () => Norman(file));
    var go = SampleProgress.Status("building the GO perturbation graph", () =>
    {
        var info = GeneInfo.Read(net[0]);
        var perturbed = Enumerable.Range(0, data.NObs).SelectMany(r => data.Obs["condition"].GetString(r).Split('+')).Where(g => g is not ("control" or "ctrl"));
        return GoGraphBuilder.Build(AnnotationReaders.ReadGene2Go(net[1], info), data.VarNames.Concat(perturbed).Distinct());
    });
    var model = GearsModel.Create(data, new GearsSetup("condition"), go, customSplit, new GearsOptions { Seed = (ulong)seed, Hidden = hidden });
    if (model.DroppedConditions.Count > 0) SampleProgress.Info($"Left out (a gene is not in the GO graph): {string.Join(", ", model.DroppedConditions)}");
    var history = SampleProgress.Step($"training GEARS ({model.ParameterCount:N0} parameters, {epochs} epochs)", epochs, bar =>
        model.Fit(new TrainerOptions { MaxEpochs = epochs, Seed = (ulong)seed }, SampleProgress.Sync<TrainingProgress>(p => { if (p.EndOfEpoch) bar.Set(p.Epoch + 1); }), SampleApp.Cancellation));
    var results = SampleProgress.Status("scoring GEARS and the three baselines on the test perturbations", () =>
        new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>>
        {
            ["gears"] = model.EvaluateSplit(),
            ["no_perturb"] = model.EvaluateSplit(GearsBaselines.NoPerturbation(model)),
            ["mean"] = model.EvaluateSplit(GearsBaselines.TrainingMean(model)),
            ["additive"] = model.EvaluateSplit(GearsBaselines.Additive(model)),
        });
    double spe = history.SecondsPerEpoch.Average();
    if (json)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var (name, groups) in results)
            {
                w.WriteStartObject(name);
                foreach (var (group, metrics) in groups)
                {
                    w.WriteStartObject(group);
                    foreach (var (m, v) in metrics) if (double.IsFinite(v)) w.WriteNumber(m, v); else w.WriteNull(m);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteNumber("seconds_per_epoch", spe);
            w.WriteNumber("best_epoch", history.BestEpoch ?? -1);
            w.WriteNumber("seed", seed);
            w.WriteEndObject();
        }
        Console.WriteLine(System.Text.Encoding.UTF8.GetString(ms.ToArray()));
    }
    else
    {
        Console.WriteLine($"GEARS, {epochs} epochs ({spe:F1} s/epoch; {(history.RestoredEpoch is int best ? $"kept epoch {best + 1}, the best in validation" : $"kept the last epoch: {model.Split!.Validation.Count} validation condition(s), model selection needs {model.Options.MinValidationConditions}")}), seed {seed}; test groups: {string.Join(", ", model.Split!.Test.Select(kv => $"{kv.Key} {kv.Value.Count}"))}");
        foreach (var metric in new[] { "mse_top20_de_non_dropout", "pearson_delta", "mse", "frac_opposite_direction_top20_non_dropout" })
        {
            Console.WriteLine($"\n{metric}");
            Console.WriteLine($"{"subgroup",-14}" + string.Concat(results.Keys.Select(k => $"{k,12}")));
            foreach (var group in results["gears"].Keys)
                Console.WriteLine($"{group,-14}" + string.Concat(results.Keys.Select(k => results[k][group][metric].ToString("F4", CultureInfo.InvariantCulture).PadLeft(12))));
        }
    }
    if (output != null)
    {
        using (var w = new StreamWriter(output.Wrote("metrics.csv", "every metric per model and test subgroup")))
        {
            w.WriteLine("model,subgroup," + string.Join(",", PerturbationOutcomeMetrics.Names));
            foreach (var (name, groups) in results)
                foreach (var (group, metrics) in groups)
                    w.WriteLine($"{name},{group}," + string.Join(",", PerturbationOutcomeMetrics.Names.Select(n => metrics[n].ToString("R", CultureInfo.InvariantCulture))));
        }
        var test = model.Split!.Test.Values.SelectMany(v => v).ToArray();
        var pred = model.Predict(test);
        var observed = ObservedChange.Of(data, "condition", test, pred.Genes);
        var adata = new AnnData(CellMatrix.FromDense(pred.Expression.Values, test.Length, pred.Genes.Count), test, pred.Genes.ToArray());
        adata.AddLayer("change", pred.Change);
        adata.AddLayer("observed_change", observed);
        adata.Write(output.Wrote("predictions.h5ad", "GEARS' mean predicted expression per test perturbation (X), its change against control (layer 'change') and the observed change (layer 'observed_change')"));
        HistoryCsv.Write(history, output.Wrote("history.csv", "GEARS training history, one row per epoch"));
        PlotFiles.SavePngAndSvg(Plots.TrainingCurves(history, null, "GEARS: training"), output.File("training"));
        output.Wrote("training.png", "training and validation curves; also .svg");
        var o2 = observed.Values.Select(v => (double)v).ToArray();
        var p2 = pred.Change.Values.Select(v => (double)v).ToArray();
        PlotFiles.SavePngAndSvg(Plots.PredictedVsObserved(o2, p2, $"GEARS, {test.Length} held-out perturbations × {pred.Genes.Count} genes", "change against control"), output.File("predicted_vs_observed"));
        output.Wrote("predicted_vs_observed.png", "predicted against observed expression change of every held-out perturbation and gene; also .svg");
        model.Save(output.Wrote("gears.safetensors", "the trained GEARS checkpoint (GearsModel.Load; Inspect summarises it)"), overwrite: true);
        output.Report();
    }
    return 0;
});

static AnnData Norman(string file)
{
    var all = AnnData.Read(file);
    var ds = all.Obs["dataset"];
    var rows = Enumerable.Range(0, all.NObs).Where(i => ds.GetString(i) == "norman19").ToArray();
    return all.SelectObs(rows);
}
