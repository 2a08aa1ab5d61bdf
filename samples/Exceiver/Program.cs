using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ExceiverSample;
using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Samples;
using SingleCell.Models.Training;
using Spectre.Console;

var spec = Options.Spec();
spec.Notes = Options.Notes;
return SampleApp.Run(spec, args, a => Run(Options.From(a)));

static int Run(Options o)
{
    var data = SampleProgress.Status($"reading {o.Data.Length} file(s)", () => o.Data.Select(Transfer.Read).ToArray());
    var options = new ExceiverOptions { Layers = o.Layers, KeyPadding = o.Mask, Seed = o.Seed };
    var model = ExceiverModel.Create(data, options: options);
    foreach (var (file, input) in o.Data.Zip(model.Inputs))
        SampleProgress.Info($"{Path.GetFileName(file)}: {input.Values.Rows:N0} cells read as {input.Detected}; vocabulary {model.GeneNames.Count:N0} genes ({input.MissingGenes:N0} absent from this file).");
    var trainer = new TrainerOptions { MaxEpochs = o.Epochs, BatchSize = o.BatchSize, Seed = o.Seed };

    var clock = Stopwatch.StartNew();
    var history = SampleProgress.Run(add =>
    {
        var bar = add($"pretraining ({o.Layers} layer(s), {o.Mask})", o.Epochs);
        var h = model.Fit(trainer, SampleProgress.Sync<TrainingProgress>(p => bar.Set(p.Epoch + (p.Step + 1.0) / Math.Max(1, p.StepsPerEpoch))), SampleApp.Cancellation);
        bar.Done();
        return h;
    });
    double seconds = clock.Elapsed.TotalSeconds;
    SampleApp.Cancellation.ThrowIfCancellationRequested();
    var val = history.Series("mse_validation");
    var baseline = history.Series("mse_gene_mean_validation");
    var detectedBaseline = history.Series("mse_detected_mean_validation");
    int best = history.BestEpoch ?? (val.Count - 1);
    double secondsPerEpoch = history.SecondsPerEpoch.Count > 0 ? history.SecondsPerEpoch.Average() : seconds / Math.Max(1, history.Epochs);
    SampleProgress.Info($"n_mask = {model.MaskCount}; {model.ExcludedCells.Count} cells left out (< 2·n_mask detected genes); {history.Epochs} epochs ({history.StopReason}), {secondsPerEpoch:F2} s/epoch.");
    if (!o.Json) PrintCurve(history);

    var result = new JsonObject
    {
        ["pretrain"] = new JsonObject
        {
            ["val_mse"] = val.Count > 0 ? val[best] : null,
            ["val_mse_gene_mean"] = baseline.Count > 0 ? baseline[best] : null,
            ["val_mse_detected_mean"] = detectedBaseline.Count > 0 ? detectedBaseline[best] : null,
            ["epochs"] = history.Epochs,
            ["best_epoch"] = best,
            ["seconds_per_epoch"] = secondsPerEpoch,
            ["n_mask"] = model.MaskCount,
            ["cells"] = model.Inputs.Sum(i => i.Values.Rows),
            ["genes"] = model.GeneNames.Count,
            ["layers"] = o.Layers,
            ["mask"] = o.Mask.ToString().ToLowerInvariant(),
            ["seed"] = o.Seed,
        },
    };

    var kang = o.Data.Contains(o.Kang) ? data[Array.IndexOf(o.Data, o.Kang)] : Transfer.Read(o.Kang);
    if (!o.SkipTransfer)
    {
        var transfer = new JsonObject();
        foreach (var task in new[] { "cell_type", "condition" })
        {
            var r = Transfer.Run(model, kang, task, o);
            transfer[task] = new JsonObject
            {
                ["exceiver_frozen"] = r.Frozen, ["exceiver_finetuned"] = r.FineTuned, ["scratch"] = r.Scratch, ["pca_logreg"] = r.Pca,
                ["exceiver_frozen_mean"] = r.FrozenMean, ["exceiver_untrained_frozen"] = r.Untrained, ["pca_detection_logreg"] = r.PcaDetection,
            };
            if (!o.Json)
                AnsiConsole.MarkupLine(Markup.Escape($"{task}: frozen {r.Frozen:F3} (mean-pooled {r.FrozenMean:F3}, untrained encoder {r.Untrained:F3}), fine-tuned {r.FineTuned:F3}, from scratch {r.Scratch:F3}, PCA(50)+logreg {r.Pca:F3}, PCA(50) of detection+logreg {r.PcaDetection:F3}"));
        }
        result["transfer"] = transfer;
    }
    if (o.Out is { } dir) Transfer.WriteOutputs(new OutputFolder(dir), model, kang, history);
    if (o.Json) Console.WriteLine(result.ToJsonString());
    return 0;
}

static void PrintCurve(TrainingHistory h)
{
    var table = new Table().Title("Pretraining: masked-value MSE (standardised units)").AddColumns("epoch", "train", "validation", "gene-mean baseline (val)", "detected-mean baseline (val)");
    var tr = h.Series("mse_train"); var va = h.Series("mse_validation"); var bl = h.Series("mse_gene_mean_validation"); var dm = h.Series("mse_detected_mean_validation");
    string F(IReadOnlyList<double> s, int i) => i < s.Count ? s[i].ToString("F4", CultureInfo.InvariantCulture) : "–";
    for (int e = 0; e < h.Epochs; e++) table.AddRow((e + 1).ToString(CultureInfo.InvariantCulture), F(tr, e), F(va, e), F(bl, e), F(dm, e));
    AnsiConsole.Write(table);
}
