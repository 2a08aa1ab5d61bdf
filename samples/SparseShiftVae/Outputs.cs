using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Plotting;
using SingleCell.Models.Samples;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SparseShiftVae;

/// <summary>What --out writes: the data with latents in obsm, histories as CSV, plots, metrics.</summary>
internal static class Outputs
{
    /// <summary>obsm key of a variant: X_vae, X_beta_vae, X_ivae, X_svae, X_svae_plus.</summary>
    public static string ObsmKey(string variant) => "X_" + variant.Replace("+", "_plus").Replace('-', '_');

    public static void WriteSimulation(OutputFolder o, SparseShiftSimulation sim, IReadOnlyList<VariantResult> results, string metricsJson)
    {
        var data = sim.Data;
        int p = sim.Latents.GetLength(1);
        data.AddEmbedding("X_true", new DenseMatrix(sim.Latents.GetLength(0), p, RowMajor.ToFloats(sim.Latents)));
        var labels = Enumerable.Range(0, data.NObs).Select(r => data.Obs[SparseShiftSimulation.LabelKey].GetString(r)).ToArray();
        foreach (var r in results)
            Variant(o, data, r.Variant, r.Latent, sim.TrainCells, r.History, labels, "intervention");
        File.WriteAllText(o.Wrote("metrics.json", "the metrics of every variant (as --json prints)"), metricsJson);
        data.Write(o.Wrote("simulation.h5ad", $"counts, labels, true latents (obsm X_true) and each variant's latents (obsm {string.Join(", ", results.Select(r => ObsmKey(r.Variant)))}; NaN for held-out cells)"));
        o.Report();
    }

    public static void Variant(OutputFolder o, AnnData data, string variant, DenseMatrix? latent, int[]? cells, TrainingHistory? history, string[] labels, string labelName)
    {
        string key = ObsmKey(variant), name = key[2..];
        if (latent is not null)
        {
            var stored = data.AddEmbedding(key, latent, cells);
            if (stored.Columns >= 2)
            {
                var rows = cells ?? Enumerable.Range(0, data.NObs).ToArray();
                var sub = new DenseMatrix(rows.Length, stored.Columns, rows.SelectMany(r => stored.Row(r).ToArray()).ToArray());
                var plot = Plots.Embedding(sub, rows.Select(r => labels[r]).ToArray(), $"{variant}: latent dimensions 1 and 2, coloured by {labelName}", "z1", "z2");
                PlotFiles.SavePngAndSvg(plot, o.File($"embedding_{name}"));
                o.Wrote($"embedding_{name}.png", $"{variant} latents (z1, z2) coloured by {labelName}; also .svg");
            }
        }
        if (history is not null && history.Epochs > 0)
        {
            HistoryCsv.Write(history, o.Wrote($"history_{name}.csv", $"{variant} training history, one row per epoch"));
            var keys = history.Keys.Where(k => k.StartsWith("elbo", StringComparison.Ordinal)).ToArray();
            var plot = Plots.TrainingCurves(history, keys.Length > 0 ? keys : null, $"{variant}: negative ELBO per cell");
            PlotFiles.SavePngAndSvg(plot, o.File($"training_{name}"));
            o.Wrote($"training_{name}.png", $"{variant} training and validation curves; also .svg");
        }
    }
}
