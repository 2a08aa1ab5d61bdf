using Microsoft.Extensions.Logging;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Exceiver;

/// <summary>How a cell embedding is read from the processed latents Z′ [N_q, d_q].</summary>
public enum CellEmbedding
{
    /// <summary>Z′ flattened to N_q · d_q values (the reference notebook's 512-d embedding).</summary>
    Flatten,

    /// <summary>The mean of the N_q latents (d_q values).</summary>
    Mean,
}

/// <summary>Predictions for masked genes: one row per cell, one column per masked position.</summary>
/// <param name="Genes">Vocabulary indices of the masked genes (cells × M).</param>
/// <param name="Predicted">Predicted standardised values.</param>
/// <param name="Observed">Observed standardised values (the targets).</param>
public sealed record MaskedPrediction(int[,] Genes, DenseMatrix Predicted, DenseMatrix Observed);

public sealed partial class ExceiverModel
{
    private const int QueryBatch = 64;

    /// <summary>Reads <paramref name="data"/> onto the vocabulary (logged), or returns the training data's matrix when null.</summary>
    private CellMatrix ValuesOf(AnnData? data)
    {
        if (data == null) return RequireTrainingData().Matrix;
        var input = ExceiverPreprocessing.Prepare(data, Schema.Genes, Setup.Layer, Options);
        if (input.UnknownGenes > 0 || input.MissingGenes > 0)
            Logger?.LogInformation("Exceiver: {Unknown} genes of the data are outside the vocabulary (ignored); {Missing} vocabulary genes are absent (not detected).",
                input.UnknownGenes, input.MissingGenes);
        return input.Values;
    }

    private float[] Mean => Module.ScalerMean.ToArray();

    private float[] Scale => Module.ScalerScale.ToArray();

    /// <summary>Runs <paramref name="body"/> on unmasked batches of all cells of <paramref name="values"/> in eval mode.</summary>
    private void ForBatches(CellMatrix values, Action<int, ExceiverBatch, Tensor> body) => Query(() =>
    {
        var mean = Mean; var scale = Scale;
        for (int start = 0; start < values.Rows; start += QueryBatch)
        {
            var rows = Enumerable.Range(start, Math.Min(QueryBatch, values.Rows - start)).ToArray();
            var batch = ExceiverBatch.Build(values, rows, mean, scale, Options.Clip, Options.KeyPadding, 0, null);
            body(start, batch, Module.Latents(batch));
        }
        return 0;
    });

    /// <summary>Cell embeddings from the processed latents (no masking): flattened (N_q · d_q values) or mean-pooled (d_q).</summary>
    /// <param name="data">Cells (genes matched by name to the vocabulary); null for the training data.</param>
    /// <param name="pooling">How Z′ becomes a vector.</param>
    /// <exception cref="DataSchemaException">The data does not fit the vocabulary.</exception>
    public DenseMatrix GetLatentRepresentation(AnnData? data, CellEmbedding pooling)
    {
        var values = ValuesOf(data);
        int nq = Options.Latents, dq = Options.LatentDim, width = pooling == CellEmbedding.Flatten ? nq * dq : dq;
        var result = new float[(long)values.Rows * width];
        ForBatches(values, (start, _, z) =>
        {
            var zs = z.AsReadOnlySpan();
            int b = z.Shape[0];
            if (pooling == CellEmbedding.Flatten) { zs.CopyTo(result.AsSpan(start * width)); return; }
            for (int i = 0; i < b; i++)
                for (int q = 0; q < nq; q++)
                    for (int c = 0; c < dq; c++) result[(start + i) * width + c] += zs[(i * nq + q) * dq + c] / nq;
        });
        return new DenseMatrix(values.Rows, width, result);
    }

    /// <inheritdoc />
    public DenseMatrix GetLatentRepresentation(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return GetLatentRepresentation(data, CellEmbedding.Flatten);
    }

    /// <summary>Gene embeddings: rows of the embedding table for <paramref name="genes"/> (by name), or for the whole vocabulary.</summary>
    /// <param name="genes">Gene names; null for every vocabulary gene in order.</param>
    /// <exception cref="ArgumentException">A gene is not in the vocabulary; the message names it.</exception>
    public DenseMatrix GetGeneEmbeddings(IReadOnlyList<string>? genes = null)
    {
        genes ??= GeneNames;
        var index = new Dictionary<string, int>(GeneNames.Count, StringComparer.Ordinal);
        for (int g = 0; g < GeneNames.Count; g++) index.TryAdd(GeneNames[g], g);
        int d = Options.GeneDim;
        var w = Module.GeneEmbedding.Weight.Value.AsReadOnlySpan();
        var result = new float[genes.Count * d];
        for (int i = 0; i < genes.Count; i++)
        {
            if (!index.TryGetValue(genes[i], out int g)) throw new ArgumentException($"Gene '{genes[i]}' is not in the Exceiver's vocabulary of {GeneNames.Count} genes.", nameof(genes));
            w.Slice(g * d, d).CopyTo(result.AsSpan(i * d, d));
        }
        return new DenseMatrix(genes.Count, d, result);
    }

    /// <summary>
    /// Masks n_mask detected genes of every eligible cell (fixed per cell by <paramref name="seed"/>) and
    /// predicts their standardised values; cells with fewer than 2·n_mask detected genes are skipped.
    /// </summary>
    /// <param name="data">Cells; null for the training data.</param>
    /// <param name="seed">Seed of the masks.</param>
    /// <returns>The predictions and the rows of <paramref name="data"/> they belong to.</returns>
    /// <exception cref="InvalidOperationException">The model has not been fitted (n_mask unknown).</exception>
    public (MaskedPrediction Prediction, int[] Cells) PredictMasked(AnnData? data = null, ulong seed = 0)
    {
        if (MaskCount == 0) throw new InvalidOperationException("Exceiver: n_mask is set by the first Fit; fit the model first.");
        return PredictMasked(ValuesOf(data), seed);
    }

    private (MaskedPrediction Prediction, int[] Cells) PredictMasked(CellMatrix values, ulong seed)
    {
        int m = MaskCount;
        var cells = Enumerable.Range(0, values.Rows).Where(c => values.RowIndices(c).Length >= 2 * m).ToArray();
        var genes = new int[cells.Length, m];
        var pred = new float[cells.Length * m]; var obs = new float[cells.Length * m];
        Query(() =>
        {
            var mean = Mean; var scale = Scale;
            for (int start = 0; start < cells.Length; start += QueryBatch)
            {
                var rows = cells[start..Math.Min(cells.Length, start + QueryBatch)];
                var batch = ExceiverBatch.Build(values, rows, mean, scale, Options.Clip, Options.KeyPadding, m, null, c => ExceiverBatch.FixedMaskGenerator(seed, c));
                var y = Module.PredictGenes(Module.Latents(batch), batch.MaskIds, m).AsReadOnlySpan();
                y.CopyTo(pred.AsSpan(start * m));
                batch.Targets.CopyTo(obs.AsSpan(start * m));
                for (int i = 0; i < rows.Length; i++)
                    for (int k = 0; k < m; k++) genes[start + i, k] = batch.MaskIds[i * m + k];
            }
            return 0;
        });
        return (new MaskedPrediction(genes, new DenseMatrix(cells.Length, m, pred), new DenseMatrix(cells.Length, m, obs)), cells);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model is a pretraining model without classes.</exception>
    public DenseMatrix PredictProbabilities(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (Classes.Count == 0) throw new InvalidOperationException("Exceiver: this is a pretraining model; create a classifier with FineTune or a LabelKey.");
        return PredictProbabilities(ValuesOf(data));
    }

    private DenseMatrix PredictProbabilities(CellMatrix values)
    {
        int c = Classes.Count;
        var result = new float[values.Rows * c];
        ForBatches(values, (start, _, z) => Module.ClassLogits(z).Softmax(-1).AsReadOnlySpan().CopyTo(result.AsSpan(start * c)));
        return new DenseMatrix(values.Rows, c, result);
    }

    /// <summary>
    /// Masked-value MSE on <paramref name="data"/> with fixed masks (<c>mse</c>), the MSE of predicting each
    /// gene's training mean (<c>mse_gene_mean</c>: standardised value 1), the number of cells scored, and for
    /// the classifier the accuracy on the data's labels (<c>accuracy</c>).
    /// </summary>
    /// <param name="data">Cells with genes matched by name (and, for the classifier, the label column).</param>
    /// <exception cref="DataSchemaException">The data does not fit the vocabulary, or has an unknown class.</exception>
    public override IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var values = ValuesOf(data);
        var codes = Classes.Count > 0 ? LabelCodes(data) : [];
        var result = new Dictionary<string, double>();
        if (MaskCount > 0)
        {
            var (p, cells) = PredictMasked(values, Options.Seed);
            double se = 0, seMean = 0;
            var pv = p.Predicted.Values; var ov = p.Observed.Values;
            for (int i = 0; i < pv.Length; i++) { se += Math.Pow(pv[i] - ov[i], 2); seMean += Math.Pow(ov[i] - 1.0, 2); }
            result["mse"] = pv.Length == 0 ? double.NaN : se / pv.Length;
            result["mse_gene_mean"] = pv.Length == 0 ? double.NaN : seMean / pv.Length;
            result["cells"] = cells.Length;
        }
        if (Classes.Count > 0)
        {
            var prob = PredictProbabilities(values);
            int correct = 0;
            for (int i = 0; i < codes.Length; i++)
            {
                var row = prob.Row(i);
                int best = 0;
                for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
                if (best == codes[i]) correct++;
            }
            result["accuracy"] = codes.Length == 0 ? double.NaN : (double)correct / codes.Length;
        }
        return result;
    }
}
