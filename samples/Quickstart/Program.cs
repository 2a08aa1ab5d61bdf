// Quickstart: the end-to-end job in one minute.
// 1. simulate a Perturb-seq-like screen whose interventions shift a sparse set of latent variables
//    (the simulation of Lopez et al., CLeaR 2023, at a small size);
// 2. train the sparse-mechanism-shift VAE (sVAE+) and a plain VAE on it, with a progress bar;
// 3. compare how well each recovers the true latents (MCC) and the intervention graph (F1);
// 4. save the sVAE+ as safetensors, load it back and check it gives the same embedding.
using System.Globalization;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;
using Spectre.Console;

int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
var sim = SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
{
    Interventions = 30, CellsPerIntervention = 120, LatentDimensions = 5, Genes = 60, FirstHeldOutIntervention = 24, Seed = 7,
});
AnsiConsole.MarkupLine($"Simulated [bold]{sim.CellCount:N0}[/] cells × {sim.Data.NVars} genes, {sim.PriorMean.GetLength(0)} interventions, 5 latent variables.");

var results = new List<(string Name, double Mcc, double? F1)>();
foreach (var variant in new[] { SvaeVariant.Vae, SvaeVariant.SvaePlus })
{
    var model = SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey),
        new SvaeOptions { Variant = variant, LatentDim = 5, Seed = 1, KlWarmupEpochs = 10 });
    TrainingHistory history = null!;
    AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
        .Start(ctx =>
        {
            var task = ctx.AddTask($"training {model.Name} ({model.ParameterCount:N0} parameters)", maxValue: epochs);
            history = model.Fit(sim.TrainCells, new TrainerOptions { MaxEpochs = epochs, LearningRate = 3e-3, Seed = 1 },
                new SyncProgress<TrainingProgress>(p => { if (p.EndOfEpoch) task.Value = p.Epoch + 1; }));
        });
    var elbo = history.Series("elbo_train");
    AnsiConsole.MarkupLine($"[bold]{model.Name}[/]: negative ELBO per cell " +
        string.Join(" → ", Enumerable.Range(0, 6).Select(i => elbo[i * (elbo.Count - 1) / 5].ToString("F1", CultureInfo.InvariantCulture))) +
        $"  ({history.SecondsPerEpoch.Average():F2} s/epoch)");

    var zHat = RowMajor.ToMatrix(model.GetLatentRepresentation(cells: sim.TrainCells).Values, 5);
    var z = RowMajor.SelectRows(sim.Latents, sim.TrainCells);
    double mcc = LatentMetrics.Mcc(z, zHat);
    double? f1 = variant == SvaeVariant.SvaePlus
        ? GraphMetrics.Score(GraphMetrics.AdjacencyFromProbabilities(model.GetInterventionGraph().InclusionProbabilities), zHat, z, sim.PriorMean).F1
        : null;
    results.Add((model.Name, mcc, f1));

    if (variant == SvaeVariant.SvaePlus)
    {
        var path = Path.Combine(Path.GetTempPath(), "quickstart-svae.safetensors");
        model.Save(path, overwrite: true);
        var loaded = SvaeModel.Load(path, sim.Data);
        bool same = loaded.GetLatentRepresentation(cells: [0, 1, 2]).Values.SequenceEqual(model.GetLatentRepresentation(cells: [0, 1, 2]).Values);
        AnsiConsole.MarkupLine($"Saved to {path} ({new FileInfo(path).Length / 1024} KiB) and loaded back: identical embedding = {same}.");
    }
}

var table = new Table().AddColumns("model", "Pearson MCC (latents)", "F1 (intervention graph)");
foreach (var (name, mcc, f1) in results)
    table.AddRow(name, mcc.ToString("F2", CultureInfo.InvariantCulture), f1?.ToString("F2", CultureInfo.InvariantCulture) ?? "–");
AnsiConsole.Write(table);
AnsiConsole.MarkupLine("MCC 1 means every true latent variable is recovered up to scale; the paper's full benchmark (p = 15, 300 epochs)");
AnsiConsole.MarkupLine("reports 0.88 for sVAE+ against 0.46 for the VAE: run samples/SparseShiftVae to reproduce it.");

/// <summary>Reports synchronously on the training thread (System.Progress would post to the thread pool).</summary>
sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
