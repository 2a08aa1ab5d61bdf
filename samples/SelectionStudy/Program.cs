// SelectionStudy: one-shot graph selection against active learning, with a predictor retrained at every budget.
//
//   dotnet run -c Release --project samples/SelectionStudy -- --small --out study-small --json
//
// The predictor in the loop is the graph-ridge stand-in (SingleCell.Models.Selection.Study.GraphRidgePredictor) by
// default, or GEARS with --predictor gears; GraphReach is our reconstruction (docs/models/selection.md).
using System.Diagnostics;
using System.Globalization;
using SelectionStudySample;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Selection.Study;

return SampleApp.Run(Options.Spec(), args, a => Run(Options.From(a)));

static int Run(Options options)
{
    var clock = Stopwatch.StartNew();
    // Status goes to stdout, or to stderr when stdout carries the --json object.
    var status = options.Json ? Console.Error : Console.Out;
    var setup = StudySetup.Load(options, msg => status.WriteLine(msg)) with { PredictorName = options.Predictor == "gears" ? $"GEARS (batch {options.Batch})" : "graph-ridge (stand-in for GEARS)" };
    IPerturbationPredictorFactory factory = options.Predictor == "gears" ? new GearsPredictorFactory(batchSize: options.Batch) : new GraphRidgePredictorFactory();
    var study = new SelectionStudy(setup.Screen, setup.Graph, factory, setup.Study, setup.Priors);
    if (study.LeftOut.Count > 0)
    {
        // Only GEARS leaves perturbations out (GearsPredictorFactory.CanPredict: every gene a node of the graph).
        status.WriteLine($"left out for GEARS (a gene outside the GO graph): {string.Join(", ", study.LeftOut)}");
        setup = setup with { Description = $"{setup.Description}; {study.LeftOut.Count} left out for GEARS" };
    }
    var output = new OutputFolder(options.Out);
    string csv = output.Wrote("results.csv", "one row per training: method, noise, seed, budget, test metrics (rerun to resume)");
    var progress = SampleProgress.Sync<StudyProgress>(p => status.WriteLine(
        $"[{p.Completed}/{p.Total}] {p.Last.Method} noise {p.Last.GraphNoise} seed {p.Last.Seed} budget {p.Last.Budget}: " +
        $"mse_top20 {p.Last.Metrics.MseTop20DeNonDropout:F4}, pearson_delta {p.Last.Metrics.PearsonDelta:F3} ({p.Last.TrainSeconds:F2} s train, {p.Last.SelectSeconds:F2} s select)"));
    IReadOnlyList<StudyRecord> records;
    try
    {
        records = study.Run(csv, progress, SampleApp.Cancellation);
    }
    catch (OperationCanceledException) when (SampleApp.Cancellation.IsCancellationRequested)
    {
        Console.Error.WriteLine("SelectionStudy: stopped; completed trainings are in the results file (rerun to resume).");
        return 130;
    }
    var summary = StudySummary.Summarize(records);
    double seconds = clock.Elapsed.TotalSeconds;
    var plots = StudyPlots.Write(summary, options.Out, setup.PredictorName);
    File.WriteAllText(output.Wrote("summary.md", "tables of test error and stability per method and budget, linking the plots"), Report.Markdown(summary, setup, study, seconds, plots.Select(Path.GetFileName).ToArray()!));
    foreach (var plot in plots.Where(f => f.EndsWith(".png", StringComparison.Ordinal)))
        output.Wrote(Path.GetFileName(plot), "plot (also .svg)");
    status.WriteLine($"done in {seconds:F0} s");
    output.Report();
    if (options.Json) Console.WriteLine(Report.Json(summary, setup, study, seconds));
    return 0;
}
