// Quickstart: the end-to-end job in one minute.
// 1. simulate a Perturb-seq-like screen whose interventions shift a sparse set of latent variables
//    (the simulation of Lopez et al., CLeaR 2023, at a small size);
// 2. train the sparse-mechanism-shift VAE (sVAE+) and a plain VAE on it, with a progress bar;
// 3. compare how well each recovers the true latents (MCC) and the intervention graph (F1);
// 4. save the sVAE+ as safetensors, load it back and check it gives the same embedding;
// 5. write everything to --out (default ./quickstart-out): .h5ad with latents in obsm, histories as CSV, plots.
using System.Globalization;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;
using Spectre.Console;

var spec = new SampleArgs("Quickstart", "Simulates a small CRISPR screen, trains a VAE and the sVAE+ on it, compares how well each recovers the true latent programs, and writes the results.")
    .Option("--epochs", "N", "training epochs of each model, ≥ 1", "60")
    .Option("--out", "DIR", "folder for the results: quickstart.h5ad (latents in obsm), history_<model>.csv, plots (PNG + SVG), the sVAE+ checkpoint", "./quickstart-out")
    .Example("dotnet run -c Release --project samples/Quickstart -- --epochs 60 --out quickstart-out");
spec.Notes = "run time on 2 cores: under 10 seconds with the defaults (3,600 cells × 60 genes, 2 models × 60 epochs).";
return SampleApp.Run(spec, args, a =>
{
    int epochs = a.Int("--epochs", 60, min: 1);
    var output = new OutputFolder(a.OutputFolder("--out", "quickstart-out")!);
    Run(epochs, output);
    return 0;
});

static void Run(int epochs, OutputFolder output)
{
    var sim = SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
    {
        Interventions = 30, CellsPerIntervention = 120, LatentDimensions = 5, Genes = 60, FirstHeldOutIntervention = 24, Seed = 7,
    });
    AnsiConsole.MarkupLine($"Simulated [bold]{sim.CellCount:N0}[/] cells × {sim.Data.NVars} genes, {sim.PriorMean.GetLength(0)} interventions, 5 latent variables.");
    var labels = Enumerable.Range(0, sim.Data.NObs).Select(r => sim.Data.Obs[SparseShiftSimulation.LabelKey].GetString(r)).ToArray();

    var results = new List<(string Name, double Mcc, double? F1)>();
    foreach (var variant in new[] { SvaeVariant.Vae, SvaeVariant.SvaePlus })
    {
        var model = SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey),
            new SvaeOptions { Variant = variant, LatentDim = 5, Seed = 1, KlWarmupEpochs = 10 });
        var history = SampleProgress.Step($"training {model.Name} ({model.ParameterCount:N0} parameters)", epochs, bar =>
            model.Fit(sim.TrainCells, new TrainerOptions { MaxEpochs = epochs, LearningRate = 3e-3, Seed = 1 },
                SampleProgress.Sync<TrainingProgress>(p => { if (p.EndOfEpoch) bar.Set(p.Epoch + 1); }), SampleApp.Cancellation));
        var elbo = history.Series("elbo_train");
        AnsiConsole.MarkupLine($"[bold]{model.Name}[/]: negative ELBO per cell " +
            string.Join(" → ", Enumerable.Range(0, 6).Select(i => elbo[i * (elbo.Count - 1) / 5].ToString("F1", CultureInfo.InvariantCulture))) +
            $"  ({history.SecondsPerEpoch.Average():F2} s/epoch)");

        var latent = model.GetLatentRepresentation(cells: sim.TrainCells);
        var zHat = RowMajor.ToMatrix(latent.Values, latent.Columns);
        var z = RowMajor.SelectRows(sim.Latents, sim.TrainCells);
        double mcc = LatentMetrics.Mcc(z, zHat);
        double? f1 = variant == SvaeVariant.SvaePlus
            ? GraphMetrics.Score(GraphMetrics.AdjacencyFromProbabilities(model.GetInterventionGraph().InclusionProbabilities), zHat, z, sim.PriorMean).F1
            : null;
        results.Add((model.Name, mcc, f1));

        // Outputs: latents of the training cells in obsm (NaN for held-out cells), the history, two plots.
        string key = variant == SvaeVariant.Vae ? "vae" : "svae_plus";
        var stored = sim.Data.AddEmbedding("X_" + key, latent, sim.TrainCells);
        HistoryCsv.Write(history, output.Wrote($"history_{key}.csv", $"{model.Name} training history, one row per epoch"));
        PlotFiles.SavePngAndSvg(Plots.TrainingCurves(history, null, $"{model.Name}: training"), output.File($"training_{key}"));
        output.Wrote($"training_{key}.png", $"{model.Name} training and validation curves; also .svg");
        var sub = new SingleCell.Models.Data.DenseMatrix(sim.TrainCells.Length, stored.Columns, sim.TrainCells.SelectMany(r => stored.Row(r).ToArray()).ToArray());
        PlotFiles.SavePngAndSvg(Plots.Embedding(sub, sim.TrainCells.Select(r => labels[r]).ToArray(), $"{model.Name}: latents 1 and 2 by intervention", "z1", "z2"), output.File($"embedding_{key}"));
        output.Wrote($"embedding_{key}.png", $"{model.Name} latents (z1, z2) coloured by intervention; also .svg");

        if (variant == SvaeVariant.SvaePlus)
        {
            var path = output.Wrote("svae_plus.safetensors", "the trained sVAE+ (safetensors; SvaeModel.Load reads it back)");
            model.Save(path, overwrite: true);
            var loaded = SvaeModel.Load(path, sim.Data);
            bool same = loaded.GetLatentRepresentation(cells: [0, 1, 2]).Values.SequenceEqual(model.GetLatentRepresentation(cells: [0, 1, 2]).Values);
            AnsiConsole.MarkupLine($"Saved the sVAE+ ({new FileInfo(path).Length / 1024} KiB) and loaded it back: identical embedding = {same}.");
        }
    }
    sim.Data.Write(output.Wrote("quickstart.h5ad", "the simulated counts, intervention labels (obs 'chem') and latents (obsm X_vae, X_svae_plus)"));

    var table = new Table().AddColumns("model", "Pearson MCC (latents)", "F1 (intervention graph)");
    foreach (var (name, mcc, f1) in results)
        table.AddRow(name, mcc.ToString("F2", CultureInfo.InvariantCulture), f1?.ToString("F2", CultureInfo.InvariantCulture) ?? "–");
    AnsiConsole.Write(table);
    AnsiConsole.MarkupLine("MCC 1 means every true latent variable is recovered up to scale; the paper's full benchmark (p = 15, 300 epochs)");
    AnsiConsole.MarkupLine("reports 0.88 for sVAE+ against 0.46 for the VAE: run samples/SparseShiftVae to reproduce it.");
    output.Report();
}

