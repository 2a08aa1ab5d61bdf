namespace SingleCell.Models.Evaluation;

/// <summary>Binary classification scores of an estimated graph against the true one.</summary>
/// <param name="Precision">TP / (TP + FP); 0 when nothing is predicted (scikit-learn's zero-division value).</param>
/// <param name="Recall">TP / (TP + FN); 0 when nothing is true.</param>
/// <param name="F1">2·TP / (2·TP + FP + FN); 0 when both are empty.</param>
/// <param name="TruePositives">Edges in both graphs.</param>
/// <param name="FalsePositives">Edges only in the estimated graph.</param>
/// <param name="FalseNegatives">Edges only in the true graph.</param>
/// <param name="Permutation">For each true latent j, the estimated latent aligned to it (row j of the aligned adjacency is row <c>Permutation[j]</c> of the learned one).</param>
public sealed record GraphScores(
    double Precision,
    double Recall,
    double F1,
    int TruePositives,
    int FalsePositives,
    int FalseNegatives,
    int[] Permutation);

/// <summary>
/// Scores of the learned intervention → latent graph (sVAE paper §4.1, spec §1.9, the code of
/// <c>entry_points/demo.py</c>): learned adjacencies, alignment of learned to true latents by
/// signed correlation, and precision / recall / F1.
/// </summary>
/// <remarks>
/// Adjacencies are p × K <c>bool[,]</c>: row = latent dimension, column = intervention (the
/// transposed orientation of the K × p parameters, as the code compares them).
/// </remarks>
public static class GraphMetrics
{
    /// <summary>The sVAE / sVAE+ graph: latent i is a target of intervention a when π[a, i] &gt; threshold.</summary>
    /// <param name="inclusionProbabilities">K × p inclusion probabilities π = σ(λ).</param>
    /// <param name="threshold">Strict threshold; 0.5 in the paper (Ĝ = 1[π &gt; 0.5]).</param>
    /// <returns>The p × K adjacency 1[πᵀ &gt; threshold].</returns>
    public static bool[,] AdjacencyFromProbabilities(double[,] inclusionProbabilities, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(inclusionProbabilities);
        int k = inclusionProbabilities.GetLength(0), p = inclusionProbabilities.GetLength(1);
        var a = new bool[p, k];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < p; i++)
                a[i, c] = inclusionProbabilities[c, i] > threshold;
        return a;
    }

    /// <summary>
    /// The VAE / iVAE heuristic of paper App. D.1: each intervention targets the
    /// <paramref name="top"/> latents with the largest |μ_a| (2 in the paper).
    /// </summary>
    /// <param name="interventionMeans">K × p intervention prior means μ_A.</param>
    /// <param name="top">How many latents per intervention (at most p).</param>
    /// <returns>The p × K adjacency with <paramref name="top"/> ones per column.</returns>
    /// <remarks>Ties in |μ| go to the higher latent index, as the last entries of a stable ascending argsort (numpy's default sort leaves ties unspecified).</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> is negative or above p.</exception>
    public static bool[,] AdjacencyFromTopMeans(double[,] interventionMeans, int top = 2)
    {
        ArgumentNullException.ThrowIfNull(interventionMeans);
        int k = interventionMeans.GetLength(0), p = interventionMeans.GetLength(1);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, p);
        var a = new bool[p, k];
        var order = new int[p];
        var keys = new double[p];
        for (int c = 0; c < k; c++)
        {
            for (int i = 0; i < p; i++) { order[i] = i; keys[i] = Math.Abs(interventionMeans[c, i]); }
            // Descending |μ|, higher index first on ties.
            Array.Sort(order, (x, y) =>
            {
                int cmp = keys[y].CompareTo(keys[x]);
                return cmp != 0 ? cmp : y.CompareTo(x);
            });
            for (int t = 0; t < top; t++) a[order[t], c] = true;
        }
        return a;
    }

    /// <summary>The true graph: latent i is a target of intervention a when prior_mean[a, i] ≠ 0.</summary>
    /// <param name="priorMean">K × p ground-truth intervention prior means (<c>adata.uns["prior_mean"]</c>).</param>
    /// <returns>The p × K adjacency 1[|prior_meanᵀ| &gt; 0].</returns>
    public static bool[,] TrueAdjacency(double[,] priorMean)
    {
        ArgumentNullException.ThrowIfNull(priorMean);
        int k = priorMean.GetLength(0), p = priorMean.GetLength(1);
        var b = new bool[p, k];
        for (int c = 0; c < k; c++)
            for (int i = 0; i < p; i++)
                b[i, c] = Math.Abs(priorMean[c, i]) > 0;
        return b;
    }

    /// <summary>
    /// Aligns learned latents to true latents by <b>signed</b> Pearson correlation:
    /// <c>w = −corr(ẑ, z)</c> (p × p), <c>perm = linear_sum_assignment(wᵀ)[1]</c>.
    /// </summary>
    /// <param name="estimatedLatents">n × p estimated latents.</param>
    /// <param name="trueLatents">n × p ground-truth latents.</param>
    /// <returns>perm: for each true latent j, the estimated latent matched to it.</returns>
    /// <remarks>Undefined correlations (constant columns) count as 0.</remarks>
    /// <exception cref="ArgumentException">The dimensions differ (the metric needs p̂ = p) or the row counts differ.</exception>
    public static int[] AlignLatents(double[,] estimatedLatents, double[,] trueLatents)
    {
        ArgumentNullException.ThrowIfNull(estimatedLatents);
        ArgumentNullException.ThrowIfNull(trueLatents);
        int p = trueLatents.GetLength(1);
        if (estimatedLatents.GetLength(1) != p)
            throw new ArgumentException($"Graph alignment needs as many estimated latents as true ones; got {estimatedLatents.GetLength(1)} and {p}.", nameof(estimatedLatents));
        var corr = Correlation.Cross(estimatedLatents, trueLatents); // (ẑ_i, z_j)
        var wT = new double[p, p];
        for (int i = 0; i < p; i++)
            for (int j = 0; j < p; j++)
                wT[j, i] = double.IsNaN(corr[i, j]) ? 0 : -corr[i, j];
        return LinearSumAssignment.Solve(wT).ColumnIndices;
    }

    /// <summary>
    /// Precision, recall and F1 of the learned graph after aligning its latents to the true ones
    /// (<see cref="AlignLatents"/>), flattened over all interventions.
    /// </summary>
    /// <param name="learnedAdjacency">p × K learned adjacency (<see cref="AdjacencyFromProbabilities"/> or <see cref="AdjacencyFromTopMeans"/>).</param>
    /// <param name="estimatedLatents">n × p estimated latents (training cells).</param>
    /// <param name="trueLatents">n × p ground-truth latents of the same cells.</param>
    /// <param name="priorMean">K × p ground-truth prior means; all K interventions are scored, held-out ones included.</param>
    /// <returns>The scores and the alignment used.</returns>
    /// <exception cref="ArgumentException">Shapes disagree.</exception>
    public static GraphScores Score(bool[,] learnedAdjacency, double[,] estimatedLatents, double[,] trueLatents, double[,] priorMean)
    {
        ArgumentNullException.ThrowIfNull(learnedAdjacency);
        ArgumentNullException.ThrowIfNull(priorMean);
        int p = priorMean.GetLength(1), k = priorMean.GetLength(0);
        if (learnedAdjacency.GetLength(0) != p || learnedAdjacency.GetLength(1) != k)
            throw new ArgumentException($"learnedAdjacency is {learnedAdjacency.GetLength(0)} × {learnedAdjacency.GetLength(1)}; expected p × K = {p} × {k}.", nameof(learnedAdjacency));
        if (trueLatents.GetLength(1) != p)
            throw new ArgumentException($"trueLatents has {trueLatents.GetLength(1)} columns; priorMean has p = {p}.", nameof(trueLatents));
        var perm = AlignLatents(estimatedLatents, trueLatents);
        var aligned = new bool[p, k];
        for (int j = 0; j < p; j++)
            for (int c = 0; c < k; c++)
                aligned[j, c] = learnedAdjacency[perm[j], c];
        var scores = Score(aligned, TrueAdjacency(priorMean));
        return scores with { Permutation = perm };
    }

    /// <summary>Precision, recall and F1 of a predicted binary matrix against a true one, entry by entry.</summary>
    /// <param name="predicted">Predicted edges.</param>
    /// <param name="truth">True edges, same shape.</param>
    /// <returns>The scores (identity <see cref="GraphScores.Permutation"/> over rows).</returns>
    /// <exception cref="ArgumentException">Shapes differ.</exception>
    public static GraphScores Score(bool[,] predicted, bool[,] truth)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(truth);
        int rows = truth.GetLength(0), columns = truth.GetLength(1);
        if (predicted.GetLength(0) != rows || predicted.GetLength(1) != columns)
            throw new ArgumentException($"predicted is {predicted.GetLength(0)} × {predicted.GetLength(1)} but truth is {rows} × {columns}.", nameof(predicted));
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                bool yp = predicted[i, j], yt = truth[i, j];
                if (yp && yt) tp++;
                else if (yp) fp++;
                else if (yt) fn++;
            }
        }
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        double f1 = 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
        var identity = new int[rows];
        for (int i = 0; i < rows; i++) identity[i] = i;
        return new GraphScores(precision, recall, f1, tp, fp, fn, identity);
    }
}
