using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Evaluation;

public class LogisticRegressionTests
{
    [Test]
    public void Separates_three_gaussian_clusters_and_predicts_the_nearest()
    {
        // Three clusters at (±4, 0) and (0, 4) with unit noise: a linear probe is near perfect.
        var g = new Generator(7);
        double[][] centres = [[4, 0], [-4, 0], [0, 4]];
        int n = 300;
        var x = new float[n * 2]; var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 3;
            x[2 * i] = (float)(centres[y[i]][0] + g.NextNormal());
            x[2 * i + 1] = (float)(centres[y[i]][1] + g.NextNormal());
        }
        var m = new DenseMatrix(n, 2, x);
        var lr = LogisticRegression.Fit(m, y, 3);
        Assert.That(lr.Accuracy(m, y), Is.GreaterThan(0.97));
        Assert.That(lr.Predict(new DenseMatrix(3, 2, [5f, 0f, -5f, 0f, 0f, 6f])), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.Throws<ArgumentException>(() => LogisticRegression.Fit(m, y.Select(v => v + 1).ToArray(), 3));
    }
}
