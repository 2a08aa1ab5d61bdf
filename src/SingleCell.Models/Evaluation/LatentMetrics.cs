using MathNet.Numerics.LinearAlgebra;

namespace SingleCell.Models.Evaluation;

/// <summary>
/// The matching of estimated to true latent dimensions behind the mean correlation coefficient.
/// </summary>
/// <param name="Mcc">Mean of <paramref name="MatchedAbsCorrelations"/>.</param>
/// <param name="TrueDimensions">Matched true dimensions, increasing.</param>
/// <param name="EstimatedDimensions">The estimated dimension matched to each entry of <paramref name="TrueDimensions"/>.</param>
/// <param name="MatchedAbsCorrelations">|corr| of each matched pair.</param>
/// <param name="AbsCorrelations">The full d × d̂ matrix of |corr(true_i, estimated_j)| (undefined correlations as 0).</param>
public sealed record LatentMatching(
    double Mcc,
    int[] TrueDimensions,
    int[] EstimatedDimensions,
    double[] MatchedAbsCorrelations,
    double[,] AbsCorrelations);

/// <summary>
/// Identifiability metrics of learned latents against ground-truth latents (sVAE paper §4.1,
/// spec §1.9): the mean correlation coefficient (MCC) and the R² of a linear map.
/// </summary>
/// <remarks>
/// Latent matrices are n × d, one row per cell, <c>double[,]</c>; the <c>float</c> overloads take
/// row-major arrays (as tensors hold them) with the number of columns.
/// </remarks>
public static class LatentMetrics
{
    /// <summary>
    /// Mean correlation coefficient: |corr| between every true and estimated dimension, the
    /// matching that maximises the total |corr| (Hungarian algorithm on −|corr|), and the mean of
    /// the matched values (<c>svae.metrics.mean_corr_coef_np</c>).
    /// </summary>
    /// <param name="trueLatents">n × d ground-truth latents.</param>
    /// <param name="estimatedLatents">n × d̂ estimated latents (posterior means).</param>
    /// <param name="method">Pearson or Spearman correlation.</param>
    /// <returns>MCC in [0, 1]; min(d, d̂) pairs are matched.</returns>
    /// <remarks>
    /// An undefined correlation (a constant column, e.g. a collapsed latent) counts as 0, where
    /// scipy would fail on NaN.
    /// </remarks>
    /// <exception cref="ArgumentException">The row counts differ or are below 2.</exception>
    public static double Mcc(double[,] trueLatents, double[,] estimatedLatents, CorrelationMethod method = CorrelationMethod.Pearson)
        => MatchLatents(trueLatents, estimatedLatents, method).Mcc;

    /// <summary>MCC on row-major float arrays (see <see cref="Mcc(double[,], double[,], CorrelationMethod)"/>).</summary>
    /// <param name="trueLatents">Row-major n × <paramref name="trueDimensions"/> ground-truth latents.</param>
    /// <param name="trueDimensions">d, the columns of <paramref name="trueLatents"/>.</param>
    /// <param name="estimatedLatents">Row-major n × <paramref name="estimatedDimensions"/> estimated latents.</param>
    /// <param name="estimatedDimensions">d̂, the columns of <paramref name="estimatedLatents"/>.</param>
    /// <param name="method">Pearson or Spearman correlation.</param>
    /// <returns>MCC in [0, 1].</returns>
    /// <exception cref="ArgumentException">A length is not a multiple of its column count, or the row counts differ.</exception>
    public static double Mcc(ReadOnlySpan<float> trueLatents, int trueDimensions, ReadOnlySpan<float> estimatedLatents, int estimatedDimensions,
        CorrelationMethod method = CorrelationMethod.Pearson)
        => Mcc(RowMajor.ToMatrix(trueLatents, trueDimensions), RowMajor.ToMatrix(estimatedLatents, estimatedDimensions), method);

    /// <summary>The MCC with its matching (which estimated dimension stands for which true one).</summary>
    /// <param name="trueLatents">n × d ground-truth latents.</param>
    /// <param name="estimatedLatents">n × d̂ estimated latents.</param>
    /// <param name="method">Pearson or Spearman correlation.</param>
    /// <returns>The matching and its MCC.</returns>
    /// <exception cref="ArgumentException">The row counts differ or are below 2.</exception>
    public static LatentMatching MatchLatents(double[,] trueLatents, double[,] estimatedLatents, CorrelationMethod method = CorrelationMethod.Pearson)
    {
        var cc = Correlation.Cross(trueLatents, estimatedLatents, method);
        int d = cc.GetLength(0), dh = cc.GetLength(1);
        var negAbs = new double[d, dh];
        for (int i = 0; i < d; i++)
        {
            for (int j = 0; j < dh; j++)
            {
                double v = Math.Abs(cc[i, j]);
                if (double.IsNaN(v)) v = 0;
                cc[i, j] = v;
                negAbs[i, j] = -v;
            }
        }
        var assignment = LinearSumAssignment.Solve(negAbs);
        var matched = new double[assignment.Count];
        double sum = 0;
        for (int k = 0; k < matched.Length; k++)
        {
            matched[k] = cc[assignment.RowIndices[k], assignment.ColumnIndices[k]];
            sum += matched[k];
        }
        double mcc = matched.Length == 0 ? double.NaN : sum / matched.Length;
        return new LatentMatching(mcc, assignment.RowIndices, assignment.ColumnIndices, matched, cc);
    }

    /// <summary>
    /// In-sample R² of the least-squares linear map (with intercept) from the estimated latents to
    /// the true latents, averaged uniformly over the true dimensions:
    /// <c>LinearRegression().fit(ẑ, z).score(ẑ, z)</c> in scikit-learn.
    /// </summary>
    /// <param name="estimatedLatents">n × d̂ estimated latents (the regressors).</param>
    /// <param name="trueLatents">n × d ground-truth latents (the targets).</param>
    /// <returns>The mean over true dimensions of 1 − SS_res / SS_tot.</returns>
    /// <remarks>
    /// Solved by Householder QR (MathNet.Numerics) on centred data, which is the intercept fit.
    /// When the regressors are rank-deficient (a constant or duplicated latent) the projection is
    /// taken on the singular vectors above a relative tolerance instead, which gives the same
    /// fitted values as scikit-learn's minimum-norm solution. A constant target dimension scores 1
    /// if fitted exactly and 0 otherwise, as scikit-learn's <c>force_finite</c>.
    /// </remarks>
    /// <exception cref="ArgumentException">The row counts differ or are below 2.</exception>
    public static double LinearR2(double[,] estimatedLatents, double[,] trueLatents)
    {
        ArgumentNullException.ThrowIfNull(estimatedLatents);
        ArgumentNullException.ThrowIfNull(trueLatents);
        int n = estimatedLatents.GetLength(0), p = estimatedLatents.GetLength(1), d = trueLatents.GetLength(1);
        if (trueLatents.GetLength(0) != n)
            throw new ArgumentException($"estimatedLatents has {n} rows but trueLatents has {trueLatents.GetLength(0)}.", nameof(trueLatents));
        if (n < 2) throw new ArgumentException($"R² needs at least 2 samples; got {n}.", nameof(estimatedLatents));
        var x = Centered(estimatedLatents);
        var y = Centered(trueLatents);
        var fitted = Project(x, y);
        double total = 0;
        for (int j = 0; j < d; j++)
        {
            double ssRes = 0, ssTot = 0;
            for (int i = 0; i < n; i++)
            {
                double r = y[i, j] - fitted[i, j];
                ssRes += r * r;
                ssTot += y[i, j] * y[i, j];
            }
            total += ssTot > 0 ? 1 - ssRes / ssTot : ssRes == 0 ? 1 : 0;
        }
        return d == 0 ? double.NaN : total / d;
    }

    /// <summary>R² on row-major float arrays (see <see cref="LinearR2(double[,], double[,])"/>).</summary>
    /// <param name="estimatedLatents">Row-major n × <paramref name="estimatedDimensions"/> estimated latents.</param>
    /// <param name="estimatedDimensions">d̂.</param>
    /// <param name="trueLatents">Row-major n × <paramref name="trueDimensions"/> ground-truth latents.</param>
    /// <param name="trueDimensions">d.</param>
    /// <returns>The uniform-average in-sample R².</returns>
    /// <exception cref="ArgumentException">A length is not a multiple of its column count, or the row counts differ.</exception>
    public static double LinearR2(ReadOnlySpan<float> estimatedLatents, int estimatedDimensions, ReadOnlySpan<float> trueLatents, int trueDimensions)
        => LinearR2(RowMajor.ToMatrix(estimatedLatents, estimatedDimensions), RowMajor.ToMatrix(trueLatents, trueDimensions));

    private static Matrix<double> Centered(double[,] a)
    {
        var m = Matrix<double>.Build.DenseOfArray(a);
        for (int j = 0; j < m.ColumnCount; j++)
        {
            double mean = 0;
            for (int i = 0; i < m.RowCount; i++) mean += m[i, j];
            mean /= m.RowCount;
            for (int i = 0; i < m.RowCount; i++) m[i, j] -= mean;
        }
        return m;
    }

    /// <summary>Least-squares fitted values of <paramref name="y"/> on the columns of <paramref name="x"/>.</summary>
    private static Matrix<double> Project(Matrix<double> x, Matrix<double> y)
    {
        int n = x.RowCount, p = x.ColumnCount;
        if (p == 0) return Matrix<double>.Build.Dense(n, y.ColumnCount);
        if (p <= n)
        {
            var qr = x.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
            double maxDiag = 0;
            for (int k = 0; k < p; k++) maxDiag = Math.Max(maxDiag, Math.Abs(qr.R[k, k]));
            double tol = maxDiag * Math.Max(n, p) * 1e-12;
            bool fullRank = maxDiag > 0;
            for (int k = 0; k < p && fullRank; k++) fullRank = Math.Abs(qr.R[k, k]) > tol;
            if (fullRank) return x * qr.Solve(y);
        }
        // Rank-deficient: project on the left singular vectors with non-negligible singular values.
        var svd = x.Svd(computeVectors: true);
        double sMax = svd.S.Count > 0 ? svd.S[0] : 0;
        double sTol = sMax * Math.Max(n, p) * 1e-12;
        var fitted = Matrix<double>.Build.Dense(n, y.ColumnCount);
        for (int k = 0; k < svd.S.Count; k++)
        {
            if (!(svd.S[k] > sTol)) break;
            var uk = svd.U.Column(k);
            var coefficients = y.TransposeThisAndMultiply(uk); // uₖᵀ y, one per target
            fitted += uk.OuterProduct(coefficients);
        }
        return fitted;
    }
}
