using SingleCell.Models.Evaluation;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Evaluation;

public class CorrelationTests
{
    [Test]
    public void Ranks_average_ties_as_scipy_rankdata()
    {
        // scipy.stats.rankdata([10, 20, 10, 30, 20, 20]) = [1.5, 4, 1.5, 6, 4, 4]
        Assert.That(Correlation.Rank([10, 20, 10, 30, 20, 20]), Is.EqualTo(new[] { 1.5, 4, 1.5, 6, 4, 4 }));
        Assert.That(Correlation.Rank([3, 1, 2]), Is.EqualTo(new[] { 3.0, 1, 2 }));
        Assert.That(Correlation.Rank([5, 5, 5]), Is.EqualTo(new[] { 2.0, 2, 2 }));
        Assert.That(Correlation.Rank([1, double.NaN]).All(double.IsNaN));
    }

    [Test]
    public void Spearman_with_ties_matches_hand_computed_ranks()
    {
        double[] x = [1, 2, 2, 3, 4];
        double[] y = [2, 1, 4, 4, 5];
        // ranks x = [1, 2.5, 2.5, 4, 5], ranks y = [2, 1, 3.5, 3.5, 5]; both have mean 3.
        // centred: x' = [-2, -.5, -.5, 1, 2], y' = [-1, -2, .5, .5, 2]
        // Σx'y' = 2 + 1 - .25 + .5 + 4 = 7.25; Σx'² = 9.5; Σy'² = 9.5 → ρ = 7.25 / 9.5
        Assert.That(Correlation.Spearman(x, y), Is.EqualTo(7.25 / 9.5).Within(1e-14));
        // scipy.stats.spearmanr([1,2,2,3,4],[2,1,4,4,5]).statistic = 0.763157894736842
        Assert.That(Correlation.Spearman(x, y), Is.EqualTo(0.763157894736842).Within(1e-14));
    }

    [Test]
    public void Pearson_known_values_and_constant_columns()
    {
        Assert.That(Correlation.Pearson([1, 2, 3], [2, 4, 6.5]), Is.EqualTo(0.9979487157886733).Within(1e-13));
        Assert.That(Correlation.Pearson([1, 2, 3], [3, 2, 1]), Is.EqualTo(-1).Within(1e-15));
        Assert.That(double.IsNaN(Correlation.Pearson([1, 2, 3], [1, 1, 1])));
    }

    [Test]
    public void Cross_matrix_equals_pairwise_coefficients()
    {
        var g = new Generator(11);
        int n = 50;
        var x = new double[n, 3];
        var y = new double[n, 2];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++) x[i, j] = g.NextNormal();
            y[i, 0] = x[i, 0] + 0.5 * g.NextNormal();
            y[i, 1] = Math.Exp(x[i, 2]);
        }
        foreach (var method in new[] { CorrelationMethod.Pearson, CorrelationMethod.Spearman })
        {
            var c = Correlation.Cross(x, y, method);
            Assert.That(c.GetLength(0), Is.EqualTo(3));
            Assert.That(c.GetLength(1), Is.EqualTo(2));
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    var xi = Enumerable.Range(0, n).Select(r => x[r, i]).ToArray();
                    var yj = Enumerable.Range(0, n).Select(r => y[r, j]).ToArray();
                    double expected = method == CorrelationMethod.Pearson ? Correlation.Pearson(xi, yj) : Correlation.Spearman(xi, yj);
                    Assert.That(c[i, j], Is.EqualTo(expected).Within(1e-12));
                }
            }
        }
        // Spearman sees the monotone map exp(x) as a perfect correlation.
        Assert.That(Correlation.Cross(x, y, CorrelationMethod.Spearman)[2, 1], Is.EqualTo(1).Within(1e-12));
        var self = Correlation.Matrix(x);
        for (int i = 0; i < 3; i++) Assert.That(self[i, i], Is.EqualTo(1).Within(1e-12));
    }
}
