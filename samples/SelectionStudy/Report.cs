using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SingleCell.Models.Selection.Study;

namespace SelectionStudySample;

/// <summary>The markdown summary and the --json object.</summary>
internal static class Report
{
    private static string F(double v, string f = "F4") => double.IsNaN(v) ? "–" : v.ToString(f, CultureInfo.InvariantCulture);

    private static string Key(MethodSummary m) => m.GraphNoise == 0 ? m.Method : $"{m.Method}@noise{m.GraphNoise.ToString(CultureInfo.InvariantCulture)}";

    public static string Markdown(IReadOnlyList<MethodSummary> summary, StudySetup setup, SelectionStudy study, double seconds, IReadOnlyList<string>? plots = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Selection study");
        sb.AppendLine();
        sb.AppendLine($"Data: {setup.Description}. Pool {study.Pool.Count}, test {study.TestPerturbations.Count} perturbations. Predictor: {setup.PredictorName}.");
        sb.AppendLine($"Budgets {string.Join(", ", setup.Study.Schedule)}; seeds {string.Join(", ", setup.Study.Seeds)}; epochs {setup.Study.Epochs}; " +
            $"methods {string.Join(", ", setup.Study.Methods)}; run time {seconds:F0} s (this invocation; a resumed run counts only its own part).");
        var none = study.NoChangeBaseline();
        sb.AppendLine($"No-change baseline (the control mean for every test perturbation): mse_top20 {F(none.MseTop20DeNonDropout)}, mse {F(none.Mse)}, pearson_delta {F(none.PearsonDelta, "F3")}.");
        if (setup.Ceiling(study) is { } best)
            sb.AppendLine($"Ceiling (the true expected profile of each test perturbation, from {StudySetup.CeilingCells} fresh simulated cells: the best any predictor can score against the screen's noisy means): " +
                $"mse_top20 {F(best.MseTop20DeNonDropout)}, mse {F(best.Mse)}, pearson_delta {F(best.PearsonDelta, "F3")}.");
        foreach (var png in (plots ?? []).Where(p => p.EndsWith(".png", StringComparison.Ordinal)))
        {
            sb.AppendLine();
            sb.AppendLine($"![{Path.GetFileNameWithoutExtension(png)}]({png})");
        }
        foreach (var noise in summary.GroupBy(m => m.GraphNoise))
        {
            var budgets = noise.First().Budgets.Select(b => b.Budget).ToArray();
            sb.AppendLine();
            sb.AppendLine($"## Graph noise {noise.Key.ToString(CultureInfo.InvariantCulture)} ({setup.Study.NoiseKind})");
            sb.AppendLine();
            sb.AppendLine("Test `mse_top20_de_non_dropout`, mean ± sd over seeds:");
            sb.AppendLine();
            sb.AppendLine("| method | cycles | " + string.Join(" | ", budgets.Select(b => $"k = {b}")) + " | pearson_delta (last) | stability (last) | select s / run |");
            sb.AppendLine("| --- | --- | " + string.Join(" | ", budgets.Select(_ => "---")) + " | --- | --- | --- |");
            foreach (var m in noise)
            {
                var cells = m.Budgets.Select(b => { var s = MeanSd.Of(b.MseTop20); return $"{F(s.Mean)} ± {F(s.Sd)}"; });
                var last = m.Budgets[^1];
                var pd = MeanSd.Of(last.PearsonDelta);
                sb.AppendLine($"| {m.Method} | {m.Cycles} | {string.Join(" | ", cells)} | {F(pd.Mean, "F3")} ± {F(pd.Sd, "F3")} | {F(last.Stability, "F3")} | {F(m.SelectSeconds, "F3")} |");
            }
            sb.AppendLine();
            sb.AppendLine("Stability (mean pairwise Jaccard of the selected sets across seeds) per budget:");
            sb.AppendLine();
            sb.AppendLine("| method | " + string.Join(" | ", budgets.Select(b => $"k = {b}")) + " |");
            sb.AppendLine("| --- | " + string.Join(" | ", budgets.Select(_ => "---")) + " |");
            foreach (var m in noise) sb.AppendLine($"| {m.Method} | {string.Join(" | ", m.Budgets.Select(b => F(b.Stability, "F3")))} |");
        }
        return sb.ToString();
    }

    public static string Json(IReadOnlyList<MethodSummary> summary, StudySetup setup, SelectionStudy study, double seconds)
    {
        var none = study.NoChangeBaseline();
        var methods = new Dictionary<string, object>();
        foreach (var m in summary)
            methods[Key(m)] = new Dictionary<string, object>
            {
                ["budgets"] = m.Budgets.Select(b => b.Budget).ToArray(),
                ["mse_top20"] = m.Budgets.Select(b => b.MseTop20).ToArray(),
                ["pearson_delta"] = m.Budgets.Select(b => b.PearsonDelta).ToArray(),
                ["frac_opposite"] = m.Budgets.Select(b => b.FracOpposite).ToArray(),
                ["mse"] = m.Budgets.Select(b => b.Mse).ToArray(),
                ["stability"] = m.Budgets.Select(b => b.Stability).ToArray(),
                ["cycles"] = m.Cycles,
                ["select_seconds"] = Math.Round(m.SelectSeconds, 4),
                ["train_seconds"] = Math.Round(m.TrainSeconds, 4),
            };
        var o = setup.Study;
        var config = new Dictionary<string, object>
        {
            ["data"] = setup.Description,
            ["predictor"] = setup.PredictorName,
            ["budgets"] = o.Schedule,
            ["seeds"] = o.Seeds,
            ["test_fraction"] = o.TestFraction,
            ["epochs"] = o.Epochs,
            ["graph_noise"] = o.GraphNoise,
            ["noise_kind"] = o.NoiseKind.ToString().ToLowerInvariant(),
            ["seconds"] = Math.Round(seconds, 1),
            ["no_change_baseline"] = new Dictionary<string, double> { ["mse_top20"] = none.MseTop20DeNonDropout, ["mse"] = none.Mse, ["pearson_delta"] = none.PearsonDelta },
        };
        if (setup.Ceiling(study) is { } best)
            config["ceiling"] = new Dictionary<string, double> { ["mse_top20"] = best.MseTop20DeNonDropout, ["mse"] = best.Mse, ["pearson_delta"] = best.PearsonDelta };
        var json = new Dictionary<string, object> { ["methods"] = methods, ["config"] = config };
        return JsonSerializer.Serialize(json, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
    }
}
