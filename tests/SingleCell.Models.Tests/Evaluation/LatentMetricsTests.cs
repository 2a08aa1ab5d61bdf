using SingleCell.Models.Evaluation;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Evaluation;

public class LatentMetricsTests
{
    private static double[,] Normals(Generator g, int n, int d)
    {
        var z = new double[n, d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) z[i, j] = g.NextNormal();
        return z;
    }

    [TestCase(CorrelationMethod.Pearson)]
    [TestCase(CorrelationMethod.Spearman)]
    public void Mcc_is_one_for_a_permuted_sign_flipped_scaled_copy(CorrelationMethod method)
    {
        var g = new Generator(1);
        int n = 500, d = 6;
        var z = Normals(g, n, d);
        int[] perm = [3, 0, 5, 1, 4, 2];
        double[] scale = [2, -0.5, 7, -3, 1, 0.1];
        var zh = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                zh[i, j] = scale[j] * z[i, perm[j]] + 4;
        var match = LatentMetrics.MatchLatents(z, zh, method);
        Assert.That(match.Mcc, Is.EqualTo(1).Within(1e-12));
        for (int k = 0; k < d; k++) Assert.That(perm[match.EstimatedDimensions[k]], Is.EqualTo(match.TrueDimensions[k]));
    }

    [Test]
    public void Spearman_mcc_is_one_for_monotone_transforms_but_pearson_is_not()
    {
        var g = new Generator(2);
        int n = 400, d = 3;
        var z = Normals(g, n, d);
        var zh = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                zh[i, (j + 1) % d] = Math.Exp(2 * z[i, j]);
        Assert.That(LatentMetrics.Mcc(z, zh, CorrelationMethod.Spearman), Is.EqualTo(1).Within(1e-12));
        Assert.That(LatentMetrics.Mcc(z, zh, CorrelationMethod.Pearson), Is.LessThan(0.9));
    }

    [Test]
    public void Mcc_is_near_zero_for_independent_noise()
    {
        var g = new Generator(3);
        int n = 20000, d = 5;
        var mcc = LatentMetrics.Mcc(Normals(g, n, d), Normals(g, n, d));
        // Each |corr| is ~ |N(0, 1/n)|; the maximum matching of 25 such values stays below ~4/√n.
        Assert.That(mcc, Is.LessThan(4.0 / Math.Sqrt(n)));
    }

    [Test]
    public void Mcc_rectangular_matches_min_dimensions_and_float_overload_agrees()
    {
        var g = new Generator(4);
        int n = 300;
        var z = Normals(g, n, 2);
        var zh = new double[n, 4];
        for (int i = 0; i < n; i++)
        {
            zh[i, 0] = g.NextNormal();
            zh[i, 1] = -z[i, 1];
            zh[i, 2] = g.NextNormal();
            zh[i, 3] = 3 * z[i, 0];
        }
        var m = LatentMetrics.MatchLatents(z, zh);
        Assert.That(m.Mcc, Is.EqualTo(1).Within(1e-12));
        Assert.That(m.EstimatedDimensions, Is.EqualTo(new[] { 3, 1 }));
        var mf = LatentMetrics.Mcc(RowMajor.ToFloats(z), 2, RowMajor.ToFloats(zh), 4);
        Assert.That(mf, Is.EqualTo(1).Within(1e-6));
    }

    [Test]
    public void Mcc_counts_a_collapsed_latent_as_zero_correlation()
    {
        var g = new Generator(5);
        int n = 100;
        var z = Normals(g, n, 2);
        var zh = new double[n, 2];
        for (int i = 0; i < n; i++) { zh[i, 0] = z[i, 0]; zh[i, 1] = 1.0; }
        Assert.That(LatentMetrics.Mcc(z, zh), Is.EqualTo(0.5).Within(1e-12));
    }

    [Test]
    public void R2_is_one_for_an_affine_transform()
    {
        var g = new Generator(6);
        int n = 200;
        var zh = Normals(g, n, 3);
        var z = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            z[i, 0] = 2 * zh[i, 0] - zh[i, 1] + 5;
            z[i, 1] = 0.3 * zh[i, 2] + zh[i, 0] - 1;
        }
        Assert.That(LatentMetrics.LinearR2(zh, z), Is.EqualTo(1).Within(1e-12));
    }

    [Test]
    public void R2_matches_the_closed_form_of_simple_regression()
    {
        // One regressor: R² = corr(x, y)² per target; uniform average over targets.
        var g = new Generator(7);
        int n = 1000;
        var x = Normals(g, n, 1);
        var y = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            y[i, 0] = x[i, 0] + g.NextNormal();
            y[i, 1] = -2 * x[i, 0] + 0.5 * g.NextNormal() + 3;
        }
        var c = Correlation.Cross(x, y);
        double expected = (c[0, 0] * c[0, 0] + c[0, 1] * c[0, 1]) / 2;
        Assert.That(LatentMetrics.LinearR2(x, y), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void R2_tiny_hand_example()
    {
        // x = [0, 1, 2, 3], y = [1, 3, 2, 5]: Sxy = 5.5, Sxx = 5 → slope 1.1, intercept 1.1; SS_tot = 8.75, SS_res = 8.75 − 5.5²/5 = 2.7.
        var x = new double[,] { { 0 }, { 1 }, { 2 }, { 3 } };
        var y = new double[,] { { 1 }, { 3 }, { 2 }, { 5 } };
        Assert.That(LatentMetrics.LinearR2(x, y), Is.EqualTo(1 - 2.7 / 8.75).Within(1e-12));
    }

    [Test]
    public void R2_handles_rank_deficient_regressors()
    {
        var g = new Generator(8);
        int n = 100;
        var x = new double[n, 3];
        var y = new double[n, 1];
        for (int i = 0; i < n; i++)
        {
            x[i, 0] = g.NextNormal();
            x[i, 1] = 2 * x[i, 0];   // duplicate direction
            x[i, 2] = 4;             // constant
            y[i, 0] = x[i, 0] + 1;
        }
        Assert.That(LatentMetrics.LinearR2(x, y), Is.EqualTo(1).Within(1e-10));
    }
}
