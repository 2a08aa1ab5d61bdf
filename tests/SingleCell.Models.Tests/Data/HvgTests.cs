using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

public class HvgTests
{
    [Test]
    public void Loess_degree2_reproduces_a_quadratic_exactly()
    {
        var rng = new Random(1);
        var x = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() * 10 - 5).ToArray();
        var y = x.Select(v => 1.5 - 0.7 * v + 0.3 * v * v).ToArray();
        var fit = Loess.Fit(x, y, 0.3, 2);
        for (int i = 0; i < x.Length; i++) Assert.That(fit[i], Is.EqualTo(y[i]).Within(1e-8));
        var lin = x.Select(v => 2 - v).ToArray();
        var fit1 = Loess.Fit(x, lin, 0.5, 1);
        for (int i = 0; i < x.Length; i++) Assert.That(fit1[i], Is.EqualTo(lin[i]).Within(1e-8));
    }

    [Test]
    public void Loess_smooths_noise_towards_the_trend()
    {
        var rng = new Random(2);
        var x = Enumerable.Range(0, 500).Select(i => i / 50.0).ToArray();
        var y = x.Select(v => Math.Sin(v) + (rng.NextDouble() - 0.5) * 0.2).ToArray();
        var fit = Loess.Fit(x, y, 0.3, 2);
        double rmse = Math.Sqrt(x.Select((v, i) => Math.Pow(fit[i] - Math.Sin(v), 2)).Average());
        Assert.That(rmse, Is.LessThan(0.03));
    }

    [Test]
    public void SeuratV3_with_three_genes_gives_unit_normalised_variance()
    {
        // Three non-constant genes and span 1: the degree-2 loess interpolates the three points, so the
        // regressed variance equals each gene's variance; with no clipping the normalised variance is exactly 1.
        var dense = new float[]
        {
            1, 0, 5, 0,
            0, 2, 7, 0,
            3, 1, 4, 0,
            0, 6, 9, 0,
            2, 0, 6, 0,
        };
        var m = CellMatrix.FromDense(dense, 5, 4);
        var (norm, selected) = HighlyVariableGenes.SeuratV3(m, 2, span: 1.0);
        Assert.That(norm[0], Is.EqualTo(1).Within(1e-9));
        Assert.That(norm[1], Is.EqualTo(1).Within(1e-9));
        Assert.That(norm[2], Is.EqualTo(1).Within(1e-9));
        Assert.That(norm[3], Is.EqualTo(0));
        Assert.That(selected, Has.Length.EqualTo(2));
    }

    [Test]
    public void Dispersion_with_one_bin_is_a_zscore_of_log_dispersion()
    {
        var rng = new Random(3);
        int n = 50, g = 6;
        var dense = new float[n * g];
        for (int i = 0; i < dense.Length; i++) dense[i] = rng.NextDouble() < 0.5 ? 0 : MathF.Log(1 + rng.Next(1, 10 * (1 + i % g)));
        var (norm, selected) = HighlyVariableGenes.Dispersion(CellMatrix.FromDense(dense, n, g), 3, bins: 1);
        var logDisp = new double[g];
        for (int j = 0; j < g; j++)
        {
            var col = Enumerable.Range(0, n).Select(i => Math.Exp(dense[i * g + j]) - 1).ToArray();
            double mu = col.Average(), v = col.Sum(c => (c - mu) * (c - mu)) / (n - 1);
            logDisp[j] = Math.Log(v / mu);
        }
        double m = logDisp.Average(), sd = Math.Sqrt(logDisp.Sum(d => (d - m) * (d - m)) / (g - 1));
        for (int j = 0; j < g; j++) Assert.That(norm[j], Is.EqualTo((logDisp[j] - m) / sd).Within(1e-4));
        Assert.That(selected[0], Is.EqualTo(Array.IndexOf(logDisp, logDisp.Max())));
    }
}
