using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DietNetworks;
using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Training;
using Spectre.Console;

Options o;
try { o = Options.Parse(args); }
catch (HelpRequested) { Console.WriteLine(Options.Usage); return 0; }
catch (ArgumentException e) { Console.Error.WriteLine($"DietNetworks: {e.Message} (see --help)"); return 2; }

// Progress goes to stderr so that --json output stays one clean object on stdout.
var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
GenotypeMatrix genotypes; string[] snps; string[] classes; int[] labels; string[] samples;
try
{
    if (o.Simulate)
    {
        var sim = BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions { Snps = o.SimSnps, SamplesPerPopulation = o.SimPerPop, PopulationFst = o.SimFstPop, Seed = o.Seed });
        genotypes = sim.Genotypes; snps = sim.SnpNames; samples = sim.SampleNames;
        classes = sim.Populations.Distinct().Order(StringComparer.Ordinal).ToArray();
        labels = sim.Populations.Select(p => Array.BinarySearch(classes, p, StringComparer.Ordinal)).ToArray();
    }
    else
    {
        var data = o.Bed != null ? GenotypeFiles.ReadPlink(o.Bed) : GenotypeFiles.ReadRaw(o.Raw!);
        var join = PopulationLabels.Join(data, PopulationLabels.Read(o.Labels!, o.LabelFormat));
        if (join.Unlabelled.Count > 0)
            console.MarkupLineInterpolated($"[yellow]{join.Unlabelled.Count} of {data.NObs} samples have no label in {o.Labels} and are left out (first: {string.Join(", ", join.Unlabelled.Take(5))}).[/]");
        data = PopulationLabels.Labelled(data);
        genotypes = GenotypeMatrix.FromCellMatrix(data.X!); snps = data.VarNames; samples = data.ObsNames;
        var col = (SingleCell.Models.Data.CategoricalColumn)data.Obs["population"];
        classes = col.Categories; labels = col.Codes;
    }
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"DietNetworks: {e.Message}");
    return 1;
}
var folds = new CrossValidationFolds(genotypes.Samples, 5, 23);
console.MarkupLineInterpolated($"[grey]{genotypes.Samples:N0} samples × {genotypes.Snps:N0} SNPs, {classes.Length} classes; folds 1–{o.Folds} of 5 (seed 23); lr {o.LearningRate}, ≤ {o.Epochs} epochs, patience {o.Patience}.[/]");
var trainer = DietNetworkModel.DefaultTrainerOptions with { LearningRate = o.LearningRate, MaxEpochs = o.Epochs, EarlyStoppingPatience = o.Patience, Seed = o.Seed };

var configs = new List<(string Key, DietNetworkOptions? Diet)>();
foreach (var g in o.Gammas)
    foreach (var e in o.Embeddings) configs.Add((Key(e, g), new DietNetworkOptions { Embedding = e, Gamma = g, Seed = o.Seed, Snp2VecEpochs = o.Snp2VecEpochs }));
if (o.Basic)
    foreach (var g in o.Gammas) configs.Add((g > 0 ? "basic+rec" : "basic", new DietNetworkOptions { Embedding = DietEmbedding.None, Gamma = g, Seed = o.Seed }));
if (o.PcaBaseline) configs.Add(("pca_logreg", null));

var results = new List<Result>();
console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(ctx =>
    {
        foreach (var (key, diet) in configs)
        {
            var task = ctx.AddTask($"{key,-14}", maxValue: o.Folds);
            var errors = new List<double>();
            long parameters = 0;
            int epochs = 0;
            double setup = 0, epochSeconds = 0;
            var clock = Stopwatch.StartNew();
            for (int f = 0; f < o.Folds; f++)
            {
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
                    var history = model.Fit(trainer, new Progress<TrainingProgress>(p => { if (p.EndOfEpoch) task.Value = fold0 + (p.Epoch + 1.0) / o.Epochs; }));
                    epochs += history.Epochs;
                    epochSeconds += history.SecondsPerEpoch.Sum();
                    predicted = model.PredictTestClasses();
                }
                var truth = split.Test.Select(r => labels[r]).ToArray();
                errors.Add(100.0 * truth.Zip(predicted).Count(t => t.First != t.Second) / truth.Length);
                if (o.Out != null) Write(o.Out, key, f, split.Test, truth, predicted, samples, classes);
                task.Value = f + 1;
            }
            results.Add(new Result(key, errors, parameters, clock.Elapsed.TotalSeconds, epochs, setup, epochSeconds));
        }
    });

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

static void Write(string dir, string key, int fold, int[] rows, int[] truth, int[] predicted, string[] samples, string[] classes)
{
    Directory.CreateDirectory(dir);
    var p = new StringBuilder("sample,true,predicted\n");
    for (int i = 0; i < rows.Length; i++) p.Append(CultureInfo.InvariantCulture, $"{samples[rows[i]]},{classes[truth[i]]},{classes[predicted[i]]}\n");
    File.WriteAllText(Path.Combine(dir, $"{key}_fold{fold + 1}_predictions.csv"), p.ToString());
    var counts = new int[classes.Length, classes.Length];
    for (int i = 0; i < truth.Length; i++) counts[truth[i], predicted[i]]++;
    var c = new StringBuilder("true\\predicted," + string.Join(',', classes) + "\n");
    for (int t = 0; t < classes.Length; t++)
        c.Append(classes[t]).Append(',').AppendJoin(',', Enumerable.Range(0, classes.Length).Select(k => counts[t, k])).Append('\n');
    File.WriteAllText(Path.Combine(dir, $"{key}_fold{fold + 1}_confusion.csv"), c.ToString());
}

// Setup is DietNetworkModel.Create (standardisation, embedding, SNP2Vec training); epoch seconds are the
// trainer's own per-epoch clock (training steps and validation).
internal sealed record Result(string Key, List<double> Errors, long Parameters, double Seconds, int Epochs, double SetupSeconds, double EpochSeconds)
{
    public double Mean => Errors.Average();

    // Population sd as numpy's np.std, which the peer prints.
    public double Sd => Math.Sqrt(Errors.Select(e => (e - Mean) * (e - Mean)).Average());
}
