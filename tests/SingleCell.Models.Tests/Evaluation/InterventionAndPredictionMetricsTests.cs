using SingleCell.Models.Evaluation;

namespace SingleCell.Models.Tests.Evaluation;

public class InterventionAndPredictionMetricsTests
{
    [Test]
    public void Interventional_nll_means_within_then_across_interventions()
    {
        // Intervention 0: 12 cells at −100; intervention 1: 20 cells at −300 → −(−100 − 300)/2 = 200.
        var values = Enumerable.Repeat(-100.0, 12).Concat(Enumerable.Repeat(-300.0, 20)).ToArray();
        var labels = Enumerable.Repeat(0, 12).Concat(Enumerable.Repeat(1, 20)).ToArray();
        Assert.That(InterventionMetrics.InterventionalNll(values, labels), Is.EqualTo(200));
        var avg = InterventionMetrics.MeanByIntervention(values, labels);
        Assert.That(avg.PerIntervention[0], Is.EqualTo(-100));
        Assert.That(avg.PerIntervention[1], Is.EqualTo(-300));
    }

    [Test]
    public void Interventions_with_ten_cells_or_fewer_are_left_out_as_the_code_does()
    {
        var values = Enumerable.Repeat(-1.0, 11).Concat(Enumerable.Repeat(-50.0, 10)).ToArray();
        var labels = Enumerable.Repeat(3, 11).Concat(Enumerable.Repeat(7, 10)).ToArray();
        Assert.That(InterventionMetrics.InterventionalNll(values, labels), Is.EqualTo(1));
        Assert.That(InterventionMetrics.InterventionalNll(values, labels, minimumCells: 1), Is.EqualTo(25.5));
    }

    [Test]
    public void Mse_pearson_delta_accuracy()
    {
        Assert.That(PredictionMetrics.MeanSquaredError([1f, 2f, 3f], [1f, 0f, 4f]), Is.EqualTo(5.0 / 3).Within(1e-12));
        float[] control = [1f, 1f, 1f, 1f];
        float[] truth = [2f, 0f, 3f, 1f];
        float[] predicted = [1.5f, 0.5f, 2f, 1f]; // change = ½ × true change → correlation 1
        Assert.That(PredictionMetrics.PearsonDelta(predicted, truth, control), Is.EqualTo(1).Within(1e-12));
        Assert.That(PredictionMetrics.Accuracy([1, 2, 3, 4], [1, 0, 3, 0]), Is.EqualTo(0.5));
        Assert.Throws<ArgumentException>(() => PredictionMetrics.Accuracy([1], [1, 2]));
    }

    [Test]
    public void Row_major_conversions_and_row_selection()
    {
        var m = RowMajor.ToMatrix([1f, 2f, 3f, 4f, 5f, 6f], 3);
        Assert.That(m, Is.EqualTo(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }));
        Assert.That(RowMajor.ToFloats(m), Is.EqualTo(new[] { 1f, 2f, 3f, 4f, 5f, 6f }));
        Assert.That(RowMajor.SelectRows(m, [1, 1, 0]), Is.EqualTo(new double[,] { { 4, 5, 6 }, { 4, 5, 6 }, { 1, 2, 3 } }));
        Assert.Throws<ArgumentException>(() => RowMajor.ToMatrix([1f, 2f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => RowMajor.SelectRows(m, [2]));
    }
}
