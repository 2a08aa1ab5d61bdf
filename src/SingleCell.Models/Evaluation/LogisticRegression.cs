using SingleCell.Models.Data;

namespace SingleCell.Models.Evaluation;

/// <summary>
/// Multinomial logistic regression on standardised features with an L2 penalty, fitted by full-batch
/// Adam in double precision: the linear probe used to score embeddings (frozen cell embeddings, PCA
/// scores) on a labelled split of cells. Deterministic: no randomness, fixed iteration order.
/// </summary>
/// <remarks>
/// Minimises (1/n) Σ_i −log softmax(W x̃_i + b)_{y_i} + (λ/2) ‖W‖² over W (classes × features) and b,
/// where x̃ is x standardised with the training mean and deviation (constant features get deviation 1).
/// </remarks>
public sealed class LogisticRegression
{
    private readonly double[] _mean, _scale, _w, _b;

    private LogisticRegression(int classes, double[] mean, double[] scale, double[] w, double[] b)
    {
        Classes = classes; _mean = mean; _scale = scale; _w = w; _b = b;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Fits the model.</summary>
    /// <param name="x">Samples × features.</param>
    /// <param name="labels">Class of each sample, 0 … <paramref name="classes"/> − 1.</param>
    /// <param name="classes">Number of classes (≥ 2).</param>
    /// <param name="l2">Penalty λ on the weights.</param>
    /// <param name="iterations">Full-batch Adam steps.</param>
    /// <param name="learningRate">Adam step size.</param>
    /// <exception cref="ArgumentException">Sizes do not fit, or a label is out of range.</exception>
    public static LogisticRegression Fit(DenseMatrix x, IReadOnlyList<int> labels, int classes, double l2 = 1e-3, int iterations = 300, double learningRate = 0.05)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count != x.Rows) throw new ArgumentException($"LogisticRegression: {labels.Count} labels for {x.Rows} samples.", nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        foreach (int y in labels) if ((uint)y >= (uint)classes) throw new ArgumentException($"LogisticRegression: label {y} is outside 0 … {classes - 1}.", nameof(labels));
        int n = x.Rows, f = x.Columns;
        var mean = new double[f]; var scale = new double[f];
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) mean[j] += x[i, j];
        for (int j = 0; j < f; j++) mean[j] /= Math.Max(n, 1);
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) { double d = x[i, j] - mean[j]; scale[j] += d * d; }
        for (int j = 0; j < f; j++) { double s = Math.Sqrt(scale[j] / Math.Max(n, 1)); scale[j] = s > 1e-12 ? s : 1; }
        var xs = new double[n * f];
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) xs[i * f + j] = (x[i, j] - mean[j]) / scale[j];

        int p = classes * f + classes;   // weights then biases
        var theta = new double[p]; var m = new double[p]; var v = new double[p]; var grad = new double[p];
        var logits = new double[classes];
        for (int t = 1; t <= iterations; t++)
        {
            Array.Clear(grad);
            for (int i = 0; i < n; i++)
            {
                var xi = xs.AsSpan(i * f, f);
                Scores(theta, xi, classes, f, logits);
                Softmax(logits);
                logits[labels[i]] -= 1;
                for (int c = 0; c < classes; c++)
                {
                    double g = logits[c] / n;
                    var gw = grad.AsSpan(c * f, f);
                    for (int j = 0; j < f; j++) gw[j] += g * xi[j];
                    grad[classes * f + c] += g;
                }
            }
            for (int k = 0; k < classes * f; k++) grad[k] += l2 * theta[k];
            double c1 = 1 - Math.Pow(0.9, t), c2 = 1 - Math.Pow(0.999, t);
            for (int k = 0; k < p; k++)
            {
                m[k] = 0.9 * m[k] + 0.1 * grad[k];
                v[k] = 0.999 * v[k] + 0.001 * grad[k] * grad[k];
                theta[k] -= learningRate * (m[k] / c1) / (Math.Sqrt(v[k] / c2) + 1e-8);
            }
        }
        return new LogisticRegression(classes, mean, scale, theta[..(classes * f)], theta[(classes * f)..]);
    }

    private static void Scores(double[] theta, ReadOnlySpan<double> xi, int classes, int f, double[] logits)
    {
        for (int c = 0; c < classes; c++)
        {
            double s = theta[classes * f + c];
            var w = theta.AsSpan(c * f, f);
            for (int j = 0; j < f; j++) s += w[j] * xi[j];
            logits[c] = s;
        }
    }

    private static void Softmax(double[] z)
    {
        double max = z.Max(), sum = 0;
        for (int c = 0; c < z.Length; c++) { z[c] = Math.Exp(z[c] - max); sum += z[c]; }
        for (int c = 0; c < z.Length; c++) z[c] /= sum;
    }

    /// <summary>The most probable class of each sample.</summary>
    /// <param name="x">Samples × the features fitted on.</param>
    /// <exception cref="ArgumentException">The feature count differs from the fit.</exception>
    public int[] Predict(DenseMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int f = _mean.Length;
        if (x.Columns != f) throw new ArgumentException($"LogisticRegression: {x.Columns} features; the model was fitted on {f}.", nameof(x));
        var theta = new double[_w.Length + _b.Length];
        _w.CopyTo(theta, 0); _b.CopyTo(theta, _w.Length);
        var xi = new double[f]; var logits = new double[Classes];
        var result = new int[x.Rows];
        for (int i = 0; i < x.Rows; i++)
        {
            for (int j = 0; j < f; j++) xi[j] = (x[i, j] - _mean[j]) / _scale[j];
            Scores(theta, xi, Classes, f, logits);
            int best = 0;
            for (int c = 1; c < Classes; c++) if (logits[c] > logits[best]) best = c;
            result[i] = best;
        }
        return result;
    }

    /// <summary>Fraction of samples whose predicted class equals the label.</summary>
    /// <param name="x">Samples × features.</param>
    /// <param name="labels">True classes.</param>
    public double Accuracy(DenseMatrix x, IReadOnlyList<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var p = Predict(x);
        if (p.Length != labels.Count) throw new ArgumentException($"LogisticRegression: {labels.Count} labels for {p.Length} samples.", nameof(labels));
        int correct = 0;
        for (int i = 0; i < p.Length; i++) if (p[i] == labels[i]) correct++;
        return p.Length == 0 ? double.NaN : (double)correct / p.Length;
    }
}
