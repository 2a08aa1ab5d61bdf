using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DietNetworks;
using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Training;
using Spectre.Console;

return SampleApp.Run(Options.Spec(), args, a => Run(Options.From(a)));

static int Run(Options o)
{
    // Progress and notes go to stderr (SampleProgress) so that --json output stays one clean object on stdout.
    GenotypeMatrix genotypes; string[] snps; string[] classes; int[] labels; string[] samples;
    if (o.Simulate)
    {
        var sim = SampleProgress.Status($"simulating {o.SimSnps:N0} SNPs", () =>
            BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions { Snps = o.SimSnps, SamplesPerPopulation = o.SimPerPop, PopulationFst = o.SimFstPop, Seed = o.Seed }));
        genotypes = sim.Genotypes; snps = sim.SnpNames; samples = sim.SampleNames;
        classes = sim.Populations.Distinct().Order(StringComparer.Ordinal).ToArray();
        labels = sim.Populations.Select(p => Array.BinarySearch(classes, p, StringComparer.Ordinal)).ToArray();
    }
    else
    {
        var data = SampleProgress.Status($"reading {(o.Bed != null ? o.Bed + ".bed" : o.Raw)}", () => o.Bed != null ? GenotypeFiles.ReadPlink(o.Bed) : GenotypeFiles.ReadRaw(o.Raw!));
        var join = PopulationLabels.Join(data, PopulationLabels.Read(o.Labels!, o.LabelFormat));
        if (join.Unlabelled.Count == data.NObs)
            throw new InvalidDataException($"none of the {data.NObs:N0} samples has a label in '{o.Labels}' (first sample: {data.ObsNames[0]}; --label-format is {o.LabelFormat.ToString().ToLowerInvariant()})");
        if (join.Unlabelled.Count > 0)
            SampleProgress.Info($"warning: {join.Unlabelled.Count} of {data.NObs} samples have no label in {o.Labels} and are left out (first: {string.Join(", ", join.Unlabelled.Take(5))}).");
        data = PopulationLabels.Labelled(data);
        genotypes = GenotypeMatrix.FromCellMatrix(data.X!); snps = data.VarNames; samples = data.ObsNames;
        var col = (CategoricalColumn)data.Obs["population"];
        classes = col.Categories; labels = col.Codes;
    }
    var folds = new CrossValidationFolds(genotypes.Samples, 5, 23);
    SampleProgress.Info($"{genotypes.Samples:N0} samples × {genotypes.Snps:N0} SNPs, {classes.Length} classes; folds 1–{o.Folds} of 5 (seed 23); lr {o.LearningRate.ToString(CultureInfo.InvariantCulture)}, ≤ {o.Epochs} epochs, patience {o.Patience}.");
    var trainer = DietNetworkModel.DefaultTrainerOptions with { LearningRate = o.LearningRate, MaxEpochs = o.Epochs, EarlyStoppingPatience = o.Patience, Seed = o.Seed };
    var output = o.Out is { } dir ? new OutputFolder(dir) : null;

    var configs = new List<(string Key, DietNetworkOptions? Diet)>();
    foreach (var g in o.Gammas)
        foreach (var e in o.Embeddings) configs.Add((Key(e, g), new DietNetworkOptions { Embedding = e, Gamma = g, Seed = o.Seed, Snp2VecEpochs = o.Snp2VecEpochs }));
    if (o.Basic)
        foreach (var g in o.Gammas) configs.Add((g > 0 ? "basic+rec" : "basic", new DietNetworkOptions { Embedding = DietEmbedding.None, Gamma = g, Seed = o.Seed }));
    if (o.PcaBaseline) configs.Add(("pca_logreg", null));

    var results = SampleProgress.Run(add =>
    {
        var list = new List<Result>();
        foreach (var (key, diet) in configs)
        {
            var bar = add($"{key,-14}", o.Folds);
            var errors = new List<double>();
            long parameters = 0;
            int epochs = 0;
            double setup = 0, epochSeconds = 0;
            var clock = Stopwatch.StartNew();
            for (int f = 0; f < o.Folds; f++)
            {
                SampleApp.Cancellation.ThrowIfCancellationRequested();
                var split = folds.Split(f);
                int[] predicted;
                if (diet == null)
                {
                    predicted = ArgMax(PcaLogisticRegression.FitPredict(genotypes, labels, classes.Length, split, o.Pcs));
                    parameters = (long)(Math.Min(o.Pcs, split.TrainAndValidation.Length - 1) + 1) * classes.Length;
                }
                else
                {
                    var setupClock = Stopwatch.StartNew();
                    var model = DietNetworkModel.Create(genotypes, snps, classes, labels, split, diet);
                    setup += setupClock.Elapsed.TotalSeconds;
                    parameters = model.ParameterCount;
                    double fold0 = f;
                    var history = model.Fit(trainer, SampleProgress.Sync<TrainingProgress>(p => { if (p.EndOfEpoch) bar.Set(fold0 + (p.Epoch + 1.0) / o.Epochs); }), SampleApp.Cancellation);
                    epochs += history.Epochs;
                    epochSeconds += history.SecondsPerEpoch.Sum();
                    predicted = model.PredictTestClasses();
                    if (output != null) WriteProbabilities(output, key, f, split.Test, model.PredictProbabilities(genotypes, split.Test), labels, predicted, samples, classes);
                    if (output != null && f == 0) WriteHistory(output, key, history);
                }
                var truth = split.Test.Select(r => labels[r]).ToArray();
                errors.Add(100.0 * truth.Zip(predicted).Count(t => t.First != t.Second) / truth.Length);
                if (output != null) Write(output, key, f, split.Test, truth, predicted, samples, classes);
                bar.Set(f + 1);
            }
            bar.Done();
            list.Add(new Result(key, errors, parameters, clock.Elapsed.TotalSeconds, epochs, setup, epochSeconds));
        }
        return list;
    });
    if (output != null)
    {
        var csv = new StringBuilder("config,fold,test_error_percent,free_params,seconds\n");
        foreach (var r in results)
            for (int f = 0; f < r.Errors.Count; f++)
                csv.Append(CultureInfo.InvariantCulture, $"{r.Key},{f + 1},{r.Errors[f]:R},{r.Parameters},{r.Seconds:F2}\n");
        File.WriteAllText(output.Wrote("results.csv", "test error (%) per configuration and fold"), csv.ToString());
        output.Report();
    }

    if (o.Json)
    {
        var root = new JsonObject { ["configs"] = new JsonObject(), ["baselines"] = new JsonObject() };
        foreach (var r in results)
            root[r.Key is "basic" or "basic+rec" or "pca_logreg" ? "baselines" : "configs"]![r.Key] = new JsonObject
            {
                ["error_mean"] = r.Mean, ["error_sd"] = r.Sd, ["per_fold"] = new JsonArray(r.Errors.Select(e => (JsonNode)e).ToArray()),
                ["free_params"] = r.Parameters, ["seconds"] = Math.Round(r.Seconds, 2),
                ["epochs"] = r.Epochs, ["setup_seconds"] = Math.Round(r.SetupSeconds, 2),
                ["seconds_per_epoch"] = r.Epochs == 0 ? null : Math.Round(r.EpochSeconds / r.Epochs, 4),
            };
        Console.WriteLine(root.ToJsonString());
        return 0;
    }
    var table = new Table().Title($"Test error % (mean ± sd over {o.Folds} fold(s))").AddColumns("model", "error %", "per fold", "# free params", "seconds");
    foreach (var r in results)
        table.AddRow(r.Key, $"{r.Mean:F2} ± {r.Sd:F2}", string.Join(" ", r.Errors.Select(e => e.ToString("F1", CultureInfo.InvariantCulture))), r.Parameters.ToString("N0", CultureInfo.InvariantCulture), r.Seconds.ToString("F1", CultureInfo.InvariantCulture));
    AnsiConsole.Write(table);
    return 0;
}

static void WriteHistory(OutputFolder output, string key, TrainingHistory history)
{
    if (history.Epochs == 0) return;
    string name = key.Replace('+', '_');
    HistoryCsv.Write(history, output.Wrote($"history_{name}_fold1.csv", $"{key} training history of fold 1, one row per epoch"));
    PlotFiles.SavePngAndSvg(Plots.TrainingCurves(history, null, $"{key}: training, fold 1"), output.File($"training_{name}_fold1"));
    output.Wrote($"training_{name}_fold1.png", $"{key} training and validation curves of fold 1; also .svg");
}

static string Key(DietEmbedding e, double gamma) => (e switch
{
    DietEmbedding.Histogram => "histogram", DietEmbedding.RandomProjection => "random", DietEmbedding.Raw => "raw", _ => "snp2vec",
}) + (gamma > 0 ? "+rec" : "");

static int[] ArgMax(DenseMatrix p) => Enumerable.Range(0, p.Rows).Select(i =>
{
    var row = p.Row(i); int best = 0;
    for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
    return best;
}).ToArray();

static void WriteProbabilities(OutputFolder output, string key, int fold, int[] rows, DenseMatrix probabilities, int[] labels, int[] predicted, string[] samples, string[] classes)
{
    var adata = new AnnData(CellMatrix.FromDense(probabilities.Values, rows.Length, classes.Length), rows.Select(r => samples[r]).ToArray(), classes);
    adata.Obs.Add(CategoricalColumn.FromValues("true", rows.Select(r => classes[labels[r]]).ToArray()));
    adata.Obs.Add(CategoricalColumn.FromValues("predicted", predicted.Select(k => classes[k]).ToArray()));
    string name = key.Replace('+', '_');
    adata.Write(output.Wrote($"{name}_fold{fold + 1}_predictions.h5ad", $"{key}, fold {fold + 1}: class probabilities of each test sample (X, samples × populations), true and predicted labels in obs"));
}

static void Write(OutputFolder output, string key, int fold, int[] rows, int[] truth, int[] predicted, string[] samples, string[] classes)
{
    var p = new StringBuilder("sample,true,predicted\n");
    for (int i = 0; i < rows.Length; i++) p.Append(CultureInfo.InvariantCulture, $"{samples[rows[i]]},{classes[truth[i]]},{classes[predicted[i]]}\n");
    string name = key.Replace('+', '_');
    File.WriteAllText(output.Wrote($"{name}_fold{fold + 1}_predictions.csv", $"{key}, fold {fold + 1}: sample, true and predicted label of each test sample"), p.ToString());
    var counts = new int[classes.Length, classes.Length];
    for (int i = 0; i < truth.Length; i++) counts[truth[i], predicted[i]]++;
    var c = new StringBuilder("true\\predicted," + string.Join(',', classes) + "\n");
    for (int t = 0; t < classes.Length; t++)
        c.Append(classes[t]).Append(',').AppendJoin(',', Enumerable.Range(0, classes.Length).Select(k => counts[t, k])).Append('\n');
    File.WriteAllText(output.Wrote($"{name}_fold{fold + 1}_confusion.csv", $"{key}, fold {fold + 1}: confusion matrix (rows true, columns predicted)"), c.ToString());
}

// Setup is DietNetworkModel.Create (standardisation, embedding, SNP2Vec training); epoch seconds are the
// trainer's own per-epoch clock (training steps and validation).
internal sealed record Result(string Key, List<double> Errors, long Parameters, double Seconds, int Epochs, double SetupSeconds, double EpochSeconds)
{
    public double Mean => Errors.Average();

    // Population sd as numpy's np.std, which the peer prints.
    public double Sd => Math.Sqrt(Errors.Select(e => (e - Mean) * (e - Mean)).Average());
}
