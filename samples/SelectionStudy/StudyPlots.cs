using System.Globalization;
using SingleCell.Models.Plotting;
using SingleCell.Models.Selection.Study;

namespace SelectionStudySample;

/// <summary>The study's figures: test error against budget (mean ± sd over seeds) and stability against budget.</summary>
internal static class StudyPlots
{
    /// <summary>Writes, per graph-noise level, <c>error_vs_budget[_noiseF].png/.svg</c> and <c>stability[_noiseF].png/.svg</c>.</summary>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(IReadOnlyList<MethodSummary> summary, string outDir, string predictor)
    {
        var files = new List<string>();
        foreach (var noise in summary.GroupBy(m => m.GraphNoise))
        {
            string suffix = noise.Key == 0 ? "" : $"_noise{noise.Key.ToString(CultureInfo.InvariantCulture)}";
            string at = noise.Key == 0 ? "" : $", graph noise {noise.Key.ToString(CultureInfo.InvariantCulture)}";
            var error = noise.Select(m =>
            {
                var stats = m.Budgets.Select(b => MeanSd.Of(b.MseTop20)).ToArray();
                return new SelectionCurve(m.Method, m.Budgets.Select(b => (double)b.Budget).ToArray(),
                    stats.Select(s => s.Mean).ToArray(), stats.Select(s => double.IsNaN(s.Sd) ? 0 : s.Sd).ToArray());
            }).ToArray();
            files.AddRange(PlotFiles.SavePngAndSvg(
                Plots.SelectionCurves(error, $"Test error against budget ({predictor}{at})", "test mse_top20_de_non_dropout (mean ± sd over seeds)"),
                Path.Combine(outDir, "error_vs_budget" + suffix)));
            var stability = noise.Select(m => new SelectionCurve(m.Method, m.Budgets.Select(b => (double)b.Budget).ToArray(),
                m.Budgets.Select(b => b.Stability).ToArray())).ToArray();
            files.AddRange(PlotFiles.SavePngAndSvg(
                Plots.SelectionCurves(stability, $"Stability of the selected sets across seeds{at}", "mean pairwise Jaccard index"),
                Path.Combine(outDir, "stability" + suffix)));
        }
        return files;
    }
}
