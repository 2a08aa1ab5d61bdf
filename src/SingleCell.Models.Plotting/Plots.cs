using System.Globalization;
using ScottPlot;
using SingleCell.Models.Data;
using SingleCell.Models.Training;

namespace SingleCell.Models.Plotting;

/// <summary>One curve of a selection plot: objective value against budget, with an optional ± sd band.</summary>
/// <param name="Name">Legend text (the method).</param>
/// <param name="Budgets">Budgets k (x values).</param>
/// <param name="Mean">Value at each budget (the mean over repeats for a randomised method).</param>
/// <param name="Sd">Standard deviation at each budget, drawn as a band of ± sd; null for none.</param>
public sealed record SelectionCurve(string Name, IReadOnlyList<double> Budgets, IReadOnlyList<double> Mean, IReadOnlyList<double>? Sd = null);

/// <summary>
/// The standard plots of the library's results, as ScottPlot <see cref="Plot"/> objects (style them
/// further if you like) to be saved with <see cref="PlotFiles.Save"/>.
/// </summary>
public static class Plots
{
    /// <summary>Training and validation curves: each series of <paramref name="history"/> against the epoch (solid lines: Skia's SVG backend drops dash patterns with a console warning).</summary>
    /// <param name="history">A trainer's history.</param>
    /// <param name="keys">Series to draw; null draws every series except <c>seconds</c>.</param>
    /// <param name="title">Plot title.</param>
    /// <returns>The plot.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    /// <exception cref="ArgumentException">A requested series is absent or no series has a value.</exception>
    public static Plot TrainingCurves(TrainingHistory history, IReadOnlyList<string>? keys = null, string title = "Training")
    {
        ArgumentNullException.ThrowIfNull(history);
        var chosen = keys?.ToArray() ?? history.Keys.Where(k => k != "seconds").Order(StringComparer.Ordinal).ToArray();
        var plot = New(title, "epoch", "loss");
        int drawn = 0;
        foreach (var key in chosen)
        {
            var ys = history.Series(key);
            if (keys is not null && ys.Count == 0) throw new ArgumentException($"The history has no series '{key}' (it has {string.Join(", ", history.Keys)}).", nameof(keys));
            var points = Enumerable.Range(0, ys.Count).Where(i => double.IsFinite(ys[i])).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.Scatter(points.Select(i => (double)i + 1).ToArray(), points.Select(i => ys[i]).ToArray());
            line.LegendText = key;
            line.MarkerSize = points.Length > 40 ? 0 : 4;
            line.LineWidth = 2;
            drawn++;
        }
        if (drawn == 0) throw new ArgumentException("The history holds no finite values to plot.", nameof(history));
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>A 2-D embedding (first two columns) with one colour per label.</summary>
    /// <param name="embedding">Cells × dimensions (at least 2 columns).</param>
    /// <param name="labels">One label per row; null draws one colour.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="xLabel">X-axis label.</param>
    /// <param name="yLabel">Y-axis label.</param>
    /// <param name="maxLegendEntries">Labels beyond this many (by size) are drawn grey as "other".</param>
    /// <returns>The plot.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="embedding"/> is null.</exception>
    /// <exception cref="ArgumentException">Fewer than 2 columns, or the labels do not match the rows.</exception>
    public static Plot Embedding(DenseMatrix embedding, IReadOnlyList<string>? labels = null, string title = "Embedding",
        string xLabel = "dimension 1", string yLabel = "dimension 2", int maxLegendEntries = 10)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (embedding.Columns < 2) throw new ArgumentException($"An embedding of {embedding.Columns} column(s) cannot be drawn in 2-D; need at least 2.", nameof(embedding));
        if (labels is not null && labels.Count != embedding.Rows)
            throw new ArgumentException($"{labels.Count} labels for an embedding of {embedding.Rows} rows.", nameof(labels));
        var plot = New(title, xLabel, yLabel);
        var groups = Enumerable.Range(0, embedding.Rows).GroupBy(r => labels?[r] ?? "").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToArray();
        var palette = new ScottPlot.Palettes.Category10();
        var other = new List<int>();
        for (int gi = 0; gi < groups.Length; gi++)
        {
            if (gi >= maxLegendEntries) { other.AddRange(groups[gi]); continue; }
            var rows = groups[gi].ToArray();
            var pts = plot.Add.ScatterPoints(rows.Select(r => (double)embedding[r, 0]).ToArray(), rows.Select(r => (double)embedding[r, 1]).ToArray(), palette.GetColor(gi));
            pts.MarkerSize = 4;
            if (labels is not null) pts.LegendText = groups[gi].Key;
        }
        if (other.Count > 0)
        {
            var pts = plot.Add.ScatterPoints(other.Select(r => (double)embedding[r, 0]).ToArray(), other.Select(r => (double)embedding[r, 1]).ToArray(), Colors.Gray.WithAlpha(0.5));
            pts.MarkerSize = 3;
            pts.LegendText = $"other ({groups.Length - maxLegendEntries} labels)";
        }
        if (labels is not null) plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Predicted against observed values (e.g. expression changes of held-out perturbations) with the identity line and Pearson r in the title.</summary>
    /// <param name="observed">Observed values.</param>
    /// <param name="predicted">Predicted values, paired with <paramref name="observed"/>.</param>
    /// <param name="title">Plot title (Pearson r is appended).</param>
    /// <param name="units">What the values are (axis labels), e.g. "log-fold change".</param>
    /// <returns>The plot.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    public static Plot PredictedVsObserved(IReadOnlyList<double> observed, IReadOnlyList<double> predicted, string title = "Predicted against observed", string units = "change")
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(predicted);
        if (observed.Count != predicted.Count || observed.Count == 0)
            throw new ArgumentException($"Need as many predictions as observations, at least one; got {predicted.Count} and {observed.Count}.", nameof(predicted));
        double r = Pearson(observed, predicted);
        var plot = New($"{title} (Pearson r = {r.ToString("F3", CultureInfo.InvariantCulture)})", $"observed {units}", $"predicted {units}");
        var pts = plot.Add.ScatterPoints(observed.ToArray(), predicted.ToArray(), Colors.SteelBlue.WithAlpha(0.7));
        pts.MarkerSize = 4;
        double lo = Math.Min(observed.Min(), predicted.Min()), hi = Math.Max(observed.Max(), predicted.Max());
        if (lo == hi) { lo -= 1; hi += 1; }
        var diagonal = plot.Add.Line(lo, lo, hi, hi);
        diagonal.Color = Colors.Gray;
        diagonal.LegendText = "y = x";
        return plot;
    }

    /// <summary>Selection curves: objective value against budget for each method, with ± sd bands where given.</summary>
    /// <param name="curves">One curve per method.</param>
    /// <param name="title">Plot title.</param>
    /// <param name="valueLabel">Y-axis label: the objective and its units.</param>
    /// <returns>The plot.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="curves"/> is null.</exception>
    /// <exception cref="ArgumentException">No curve, or a curve's arrays differ in length.</exception>
    public static Plot SelectionCurves(IReadOnlyList<SelectionCurve> curves, string title = "Selection", string valueLabel = "objective value")
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) throw new ArgumentException("Need at least one curve.", nameof(curves));
        var plot = New(title, "budget (perturbations chosen)", valueLabel);
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < curves.Count; c++)
        {
            var curve = curves[c];
            if (curve.Budgets.Count != curve.Mean.Count || (curve.Sd is not null && curve.Sd.Count != curve.Mean.Count))
                throw new ArgumentException($"Curve '{curve.Name}': {curve.Budgets.Count} budgets, {curve.Mean.Count} means, {curve.Sd?.Count} sds.", nameof(curves));
            var color = palette.GetColor(c);
            double[] xs = curve.Budgets.ToArray(), ys = curve.Mean.ToArray();
            if (curve.Sd is { } sd)
            {
                var band = plot.Add.FillY(xs, ys.Select((y, i) => y - sd[i]).ToArray(), ys.Select((y, i) => y + sd[i]).ToArray());
                band.FillColor = color.WithAlpha(0.25);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(xs, ys, color);
            line.LegendText = curve.Sd is null ? curve.Name : $"{curve.Name} (± sd)";
            line.LineWidth = 2;
            line.MarkerSize = xs.Length > 40 ? 0 : 4;
        }
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private static Plot New(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        PlotFiles.ApplyFont(plot);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return plot;
    }

    private static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }
}
