namespace SingleCell.Models.Evaluation;

/// <summary>Metrics of predicted against observed values: expression profiles and labels.</summary>
public static class PredictionMetrics
{
    /// <summary>Mean squared error, mean over entries of (predicted − truth)².</summary>
    /// <param name="predicted">Predicted values.</param>
    /// <param name="truth">Observed values, same length.</param>
    /// <returns>The MSE (accumulated in double); NaN for empty input.</returns>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth)
    {
        CheckLengths(predicted.Length, truth.Length);
        if (predicted.Length == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < predicted.Length; i++)
        {
            double e = (double)predicted[i] - truth[i];
            s += e * e;
        }
        return s / predicted.Length;
    }

    /// <summary>
    /// Pearson correlation of the predicted and the observed change from control, over genes:
    /// corr(predicted − control, truth − control), the "Pearson delta" of GEARS.
    /// </summary>
    /// <param name="predicted">Predicted mean expression per gene under the perturbation.</param>
    /// <param name="truth">Observed mean expression per gene under the perturbation.</param>
    /// <param name="control">Mean expression per gene of control cells.</param>
    /// <returns>The correlation in [−1, 1]; NaN when either change is constant.</returns>
    /// <exception cref="ArgumentException">Lengths differ or are below 2.</exception>
    public static double PearsonDelta(ReadOnlySpan<float> predicted, ReadOnlySpan<float> truth, ReadOnlySpan<float> control)
    {
        CheckLengths(predicted.Length, truth.Length);
        CheckLengths(predicted.Length, control.Length);
        var dp = new double[predicted.Length];
        var dt = new double[predicted.Length];
        for (int i = 0; i < dp.Length; i++)
        {
            dp[i] = (double)predicted[i] - control[i];
            dt[i] = (double)truth[i] - control[i];
        }
        return Correlation.Pearson(dp, dt);
    }

    /// <summary>Fraction of positions where the predicted label equals the true one.</summary>
    /// <param name="predicted">Predicted labels.</param>
    /// <param name="truth">True labels, same length.</param>
    /// <returns>The accuracy in [0, 1]; NaN for empty input.</returns>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth)
    {
        CheckLengths(predicted.Length, truth.Length);
        if (predicted.Length == 0) return double.NaN;
        int hits = 0;
        for (int i = 0; i < predicted.Length; i++) if (predicted[i] == truth[i]) hits++;
        return (double)hits / predicted.Length;
    }

    private static void CheckLengths(int a, int b)
    {
        if (a != b) throw new ArgumentException($"The inputs differ in length: {a} and {b}.");
    }
}
