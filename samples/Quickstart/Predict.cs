using System.Globalization;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Gears;
using SingleCell.Models.Graphs;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Training;

namespace Quickstart;

/// <summary>Step 2: predict held-out perturbation outcomes with GEARS on the shared Norman 2019 subset, beside the baselines.</summary>
internal static class Predict
{
    public const string File = "perturbation/norman2019_mcfaline2023_devel.h5ad";

    public static void Run(string dataDir, int epochs, OutputFolder output)
    {
        var data = SampleProgress.Status("reading the Norman 2019 CRISPRa subset (norman19 cells)", () =>
        {
            var all = AnnData.Read(Path.Combine(dataDir, File));
            var rows = Enumerable.Range(0, all.NObs).Where(i => all.Obs["dataset"].GetString(i) == "norman19").ToArray();
            return all.SelectObs(rows);
        });
        var go = SampleProgress.Status("building GEARS' GO perturbation graph over its genes", () =>
        {
            var perturbed = Enumerable.Range(0, data.NObs).SelectMany(r => data.Obs["condition"].GetString(r).Split('+')).Where(g => g is not ("control" or "ctrl"));
            var info = GeneInfo.Read(Path.Combine(dataDir, Choose.Files[0]));
            return GoGraphBuilder.Build(AnnotationReaders.ReadGene2Go(Path.Combine(dataDir, Choose.Files[1]), info), data.VarNames.Concat(perturbed).Distinct());
        });
        var model = GearsModel.Create(data, new GearsSetup("condition"), go);
        SampleProgress.Step($"training GEARS on {data.NObs:N0} cells × {data.NVars} genes ({epochs} epochs)", epochs, bar =>
            model.Fit(new TrainerOptions { MaxEpochs = epochs }, SampleProgress.Sync<TrainingProgress>(p => { if (p.EndOfEpoch) bar.Set(p.Epoch + 1); }), SampleApp.Cancellation));
        var results = SampleProgress.Status("scoring GEARS and the three baselines on the held-out perturbations", () =>
            new (string Name, IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics)[]
            {
                ("GEARS", model.EvaluateSplit()),
                ("no perturbation", model.EvaluateSplit(GearsBaselines.NoPerturbation(model))),
                ("mean", model.EvaluateSplit(GearsBaselines.TrainingMean(model))),
                ("additive", model.EvaluateSplit(GearsBaselines.Additive(model))),
            });
        Console.WriteLine($"Held-out perturbations, top-20 DE MSE (lower is better); test groups {string.Join(", ", model.Split!.Test.Select(kv => $"{kv.Key} {kv.Value.Count}"))}:");
        Console.WriteLine($"  {"subgroup",-14}" + string.Concat(results.Select(r => $"{r.Name,17}")));
        foreach (var group in results[0].Metrics.Keys)
            Console.WriteLine($"  {group,-14}" + string.Concat(results.Select(r => r.Metrics[group]["mse_top20_de_non_dropout"].ToString("F4", CultureInfo.InvariantCulture).PadLeft(17))));
        Console.WriteLine("  (a short run on a 500-gene subset: the mean and additive baselines are strong here; docs/models/gears.md has the full comparison)");
        using (var w = new StreamWriter(output.Wrote("gears_metrics.csv", "GEARS and baselines: every metric per held-out subgroup")))
        {
            w.WriteLine("model,subgroup," + string.Join(",", PerturbationOutcomeMetrics.Names));
            foreach (var (name, groups) in results)
                foreach (var (group, m) in groups)
                    w.WriteLine($"{name},{group}," + string.Join(",", PerturbationOutcomeMetrics.Names.Select(n => m[n].ToString("R", CultureInfo.InvariantCulture))));
        }
        var test = model.Split.Test.Values.SelectMany(v => v).ToArray();
        var pred = model.Predict(test);
        var adata = new AnnData(CellMatrix.FromDense(pred.Expression.Values, test.Length, pred.Genes.Count), test, pred.Genes.ToArray());
        var observed = ObservedChange.Of(data, "condition", test, pred.Genes);
        adata.AddLayer("change", pred.Change);
        adata.AddLayer("observed_change", observed);
        adata.Write(output.Wrote("gears_predictions.h5ad", "GEARS' predicted mean expression per held-out perturbation (X; change against control in layer 'change', observed change in 'observed_change')"));
        PlotFiles.SavePngAndSvg(Plots.PredictedVsObserved(observed.Values.Select(v => (double)v).ToArray(), pred.Change.Values.Select(v => (double)v).ToArray(),
            $"GEARS, {test.Length} held-out perturbations × {pred.Genes.Count} genes", "change against control"), output.File("gears_predicted_vs_observed"));
        output.Wrote("gears_predicted_vs_observed.png", "GEARS' predicted against observed expression change, every held-out perturbation and gene; also .svg");
        model.Save(output.Wrote("gears.safetensors", "the trained GEARS checkpoint (GearsModel.Load; Inspect summarises it)"), overwrite: true);
    }
}
