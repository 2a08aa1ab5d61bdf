using SingleCell.Models.Evaluation;

namespace SingleCell.Models.Tests.Evaluation;

/// <summary>Values from reference/metric_reference.py (numpy 1.24, scipy 1.10), on closed-form inputs rebuilt here.</summary>
public class MetricReferenceTests
{
    private const int N = 60, D = 4, Dh = 5, K = 6;

    private static (double[,] Z, double[,] Zh) Inputs()
    {
        var z = new double[N, D];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < D; j++)
                z[i, j] = Math.Sin(0.37 * (i + 1) * (j + 1)) + 0.1 * Math.Cos(1.3 * i + j);
        double[,] a = { { 1, 0, 0, 2 }, { 0, -2, 0, 0 }, { 0, 0, 0, 1 }, { 3, 0, 1, 0 }, { 0, 1, -1, 0 } };
        var zh = new double[N, Dh];
        for (int i = 0; i < N; i++)
            for (int k = 0; k < Dh; k++)
            {
                double s = 0;
                for (int j = 0; j < D; j++) s += z[i, j] * a[k, j];
                zh[i, k] = Math.Floor(4 * (s + 0.3 * Math.Sin(2.1 * i + 3 * k)));
            }
        return (z, zh);
    }

    [Test]
    public void Mcc_pearson_and_spearman_match_scipy()
    {
        var (z, zh) = Inputs();
        Assert.That(LatentMetrics.Mcc(z, zh, CorrelationMethod.Pearson), Is.EqualTo(0.8944956149263628).Within(1e-12));
        Assert.That(LatentMetrics.Mcc(z, zh, CorrelationMethod.Spearman), Is.EqualTo(0.8683951608266413).Within(1e-12));
    }

    [Test]
    public void R2_matches_least_squares_reference()
    {
        var (z, zh) = Inputs();
        Assert.That(LatentMetrics.LinearR2(zh, z), Is.EqualTo(0.9838885428547146).Within(1e-12));
    }

    [Test]
    public void Assignment_matches_scipy_on_rectangular_matrices()
    {
        var cost = new double[5, 7];
        for (int r = 0; r < 5; r++) for (int c = 0; c < 7; c++) cost[r, c] = Math.Cos(r * 1.7 + c * 0.9) * 10;
        var a = LinearSumAssignment.Solve(cost);
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 4, 2, 0, 5, 3 }));
        Assert.That(a.TotalCost, Is.EqualTo(-47.8187330819491).Within(1e-10));
        var t = new double[7, 5];
        for (int r = 0; r < 5; r++) for (int c = 0; c < 7; c++) t[c, r] = cost[r, c];
        var b = LinearSumAssignment.Solve(t);
        Assert.That(b.RowIndices, Is.EqualTo(new[] { 0, 2, 3, 4, 5 }));
        Assert.That(b.ColumnIndices, Is.EqualTo(new[] { 2, 1, 4, 0, 3 }));
    }

    [Test]
    public void Graph_scores_match_the_demo_script()
    {
        var (z, zh) = Inputs();
        var zg = new double[N, D];
        for (int i = 0; i < N; i++) for (int j = 0; j < D; j++) zg[i, j] = zh[i, j];
        var prior = new double[K, D];
        for (int c = 0; c < K; c++) for (int j = 0; j < D; j++) prior[c, j] = (c + 2 * j) % 3 == 0 ? 5.0 : 0.0;
        var learned = new bool[D, K];
        for (int j = 0; j < D; j++) for (int c = 0; c < K; c++) learned[j, c] = (j * 5 + c * 3) % 4 == 0;
        var s = GraphMetrics.Score(learned, zg, z, prior);
        Assert.That(s.Permutation, Is.EqualTo(new[] { 3, 0, 1, 2 }));
        Assert.That((s.TruePositives, s.FalsePositives, s.FalseNegatives), Is.EqualTo((3, 3, 5)));
        Assert.That(s.Precision, Is.EqualTo(0.5));
        Assert.That(s.Recall, Is.EqualTo(0.375));
        Assert.That(s.F1, Is.EqualTo(0.42857142857142855).Within(1e-15));
    }
}
