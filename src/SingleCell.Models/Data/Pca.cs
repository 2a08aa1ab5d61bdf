using MathNet.Numerics.LinearAlgebra;

namespace SingleCell.Models.Data;

/// <summary>Result of a principal component analysis.</summary>
/// <param name="Scores">Cells × components scores, row-major.</param>
/// <param name="Loadings">Components × genes loadings (unit rows), row-major.</param>
/// <param name="Variance">Variance explained by each component (ddof 1).</param>
/// <param name="Components">Number of components.</param>
public sealed record PcaResult(double[] Scores, double[] Loadings, double[] Variance, int Components);

/// <summary>Scaling and PCA of CSR matrices.</summary>
public static class Pca
{
    /// <summary>Centres each gene and scales it to unit variance (ddof 1), clipping at ±<paramref name="maxValue"/>; returns a dense row-major array.</summary>
    /// <param name="matrix">Cells × genes values.</param>
    /// <param name="maxValue">Clip value (scanpy <c>max_value</c>); null for none.</param>
    /// <remarks>z = (x − μ)/σ; genes with σ = 0 become 0 (scanpy sets σ to 1 there, giving the same zeros).</remarks>
    public static float[] Scale(CellMatrix matrix, double? maxValue = 10)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var (mean, variance) = HighlyVariableGenes.MeanVariance(matrix, 1);
        var dense = matrix.ToDense();
        int g = matrix.Columns;
        for (int i = 0; i < dense.Length; i++)
        {
            int j = i % g;
            double sd = Math.Sqrt(variance[j]);
            double z = sd > 0 ? (dense[i] - mean[j]) / sd : 0;
            if (maxValue is double c) z = Math.Clamp(z, -c, c);
            dense[i] = (float)z;
        }
        return dense;
    }

    /// <summary>PCA of the column-centred matrix by randomized SVD (Halko et al.) without densifying the input.</summary>
    /// <param name="matrix">Cells × genes values.</param>
    /// <param name="components">Number of components.</param>
    /// <param name="oversampling">Extra random directions.</param>
    /// <param name="powerIterations">Subspace power iterations.</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="cancellationToken">Cancels the computation.</param>
    /// <remarks>Products with the centred matrix use A·v − 1(μᵀv), so the CSR matrix is never densified; the small projected problem is solved with MathNet.</remarks>
    public static PcaResult Compute(CellMatrix matrix, int components, int oversampling = 10, int powerIterations = 4, int seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int n = matrix.Rows, g = matrix.Columns;
        int k = Math.Min(components + oversampling, Math.Min(n, g));
        if (components > k) throw new ArgumentOutOfRangeException(nameof(components), "More components than min(cells, genes).");
        var (mean, _) = HighlyVariableGenes.MeanVariance(matrix, 1);
        var rng = new Random(seed);
        var omega = Matrix<double>.Build.Dense(g, k, (_, _) => NextGaussian(rng));
        var y = MultiplyCentred(matrix, mean, omega);
        for (int it = 0; it < powerIterations; it++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var q0 = y.QR().Q.SubMatrix(0, n, 0, k);
            var z = MultiplyCentredTransposed(matrix, mean, q0).QR().Q.SubMatrix(0, g, 0, k);
            y = MultiplyCentred(matrix, mean, z);
        }
        var q = y.QR().Q.SubMatrix(0, n, 0, k);
        var b = MultiplyCentredTransposed(matrix, mean, q).Transpose(); // k × g
        var svd = b.Svd(true);
        var u = q * svd.U; // n × k
        var scores = new double[n * components];
        var loadings = new double[components * g];
        var variance = new double[components];
        for (int c = 0; c < components; c++)
        {
            double s = svd.S[c];
            // Sign convention: largest-|loading| entry positive.
            int arg = 0;
            for (int j = 1; j < g; j++) if (Math.Abs(svd.VT[c, j]) > Math.Abs(svd.VT[c, arg])) arg = j;
            double sign = svd.VT[c, arg] < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) scores[i * components + c] = sign * u[i, c] * s;
            for (int j = 0; j < g; j++) loadings[c * g + j] = sign * svd.VT[c, j];
            variance[c] = s * s / (n - 1);
        }
        return new PcaResult(scores, loadings, variance, components);
    }

    private static Matrix<double> MultiplyCentred(CellMatrix a, double[] mean, Matrix<double> v)
    {
        int k = v.ColumnCount;
        var result = Matrix<double>.Build.Dense(a.Rows, k);
        var shift = new double[k];
        for (int c = 0; c < k; c++) for (int j = 0; j < a.Columns; j++) shift[c] += mean[j] * v[j, c];
        for (int r = 0; r < a.Rows; r++)
            for (int c = 0; c < k; c++)
            {
                double s = -shift[c];
                for (int p = a.IndPtr[r]; p < a.IndPtr[r + 1]; p++) s += a.Values[p] * v[a.Indices[p], c];
                result[r, c] = s;
            }
        return result;
    }

    private static Matrix<double> MultiplyCentredTransposed(CellMatrix a, double[] mean, Matrix<double> u)
    {
        int k = u.ColumnCount;
        var result = Matrix<double>.Build.Dense(a.Columns, k);
        var colSum = new double[k];
        for (int c = 0; c < k; c++) for (int r = 0; r < a.Rows; r++) colSum[c] += u[r, c];
        for (int r = 0; r < a.Rows; r++)
            for (int p = a.IndPtr[r]; p < a.IndPtr[r + 1]; p++)
                for (int c = 0; c < k; c++) result[a.Indices[p], c] += a.Values[p] * u[r, c];
        for (int j = 0; j < a.Columns; j++) for (int c = 0; c < k; c++) result[j, c] -= mean[j] * colSum[c];
        return result;
    }

    private static double NextGaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
