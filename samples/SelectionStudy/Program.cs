// SelectionStudy: one-shot graph selection against active learning, with a predictor retrained at every budget.
//
//   dotnet run -c Release --project samples/SelectionStudy -- --small --out study-small --json
//
// The predictor in the loop is the graph-ridge stand-in (SingleCell.Models.Selection.Study.GraphRidgePredictor) by
// default, or GEARS with --predictor gears; GraphReach is our reconstruction (docs/models/selection.md).
using System.Diagnostics;
using SelectionStudySample;
using SingleCell.Models.Selection.Study;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"SelectionStudy: {ex.Message} (see --help)");
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); Console.Error.WriteLine("stopping after the current training (rerun to resume)…"); };
try
{
    var clock = Stopwatch.StartNew();
    // Status goes to stdout, or to stderr when stdout carries the --json object.
    var status = options.Json ? Console.Error : Console.Out;
    var setup = StudySetup.Load(options, msg => status.WriteLine(msg)) with { PredictorName = options.Predictor == "gears" ? $"GEARS (batch {options.Batch})" : "graph-ridge (stand-in for GEARS)" };
    IPerturbationPredictorFactory factory = options.Predictor == "gears" ? new GearsPredictorFactory(batchSize: options.Batch) : new GraphRidgePredictorFactory();
    var study = new SelectionStudy(setup.Screen, setup.Graph, factory, setup.Study, setup.Priors);
    Directory.CreateDirectory(options.Out);
    string csv = Path.Combine(options.Out, "results.csv");
    var progress = new Progress<StudyProgress>(p => status.WriteLine(
        $"[{p.Completed}/{p.Total}] {p.Last.Method} noise {p.Last.GraphNoise} seed {p.Last.Seed} budget {p.Last.Budget}: " +
        $"mse_top20 {p.Last.Metrics.MseTop20DeNonDropout:F4}, pearson_delta {p.Last.Metrics.PearsonDelta:F3} ({p.Last.TrainSeconds:F2} s train, {p.Last.SelectSeconds:F2} s select)"));
    var records = study.Run(csv, progress, cts.Token);
    var summary = StudySummary.Summarize(records);
    double seconds = clock.Elapsed.TotalSeconds;
    var plots = StudyPlots.Write(summary, options.Out, setup.PredictorName);
    File.WriteAllText(Path.Combine(options.Out, "summary.md"), Report.Markdown(summary, setup, study, seconds, plots.Select(Path.GetFileName).ToArray()!));
    status.WriteLine($"wrote {csv}, {Path.Combine(options.Out, "summary.md")} and {plots.Count} plot files ({seconds:F0} s)");
    if (options.Json) Console.WriteLine(Report.Json(summary, setup, study, seconds));
    return 0;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("SelectionStudy: cancelled; completed trainings are in the results file (rerun to resume).");
    return 130;
}
catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException or DirectoryNotFoundException)
{
    Console.Error.WriteLine($"SelectionStudy: error: {ex.Message.ReplaceLineEndings(" ")}");
    return 1;
}
