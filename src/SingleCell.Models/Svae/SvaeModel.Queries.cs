using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

public sealed partial class SvaeModel
{
    private const int QueryBatch = 512;

    /// <summary>Counts and labels of <paramref name="data"/> aligned to the schema, or the model's own.</summary>
    private (AlignedData Data, int[] Labels) On(AnnData? data)
    {
        var aligned = AlignedOrTraining(data);
        return (aligned, LabelsOf(aligned));
    }

    private static int[] AllOrGiven(int[]? cells, int n) => cells ?? Enumerable.Range(0, n).ToArray();

    /// <summary>Runs <paramref name="body"/> over batches of <paramref name="cells"/> in eval mode without gradients.</summary>
    private void ForBatches(int[] cells, Action<int, int[]> body) => Query(() =>
    {
        for (int start = 0; start < cells.Length; start += QueryBatch)
            body(start, cells[start..Math.Min(cells.Length, start + QueryBatch)]);
        return 0;
    });

    private static int[] Pick(int[] labels, int[] cells)
    {
        var l = new int[cells.Length];
        for (int i = 0; i < l.Length; i++) l[i] = labels[cells[i]];
        return l;
    }

    /// <summary>Posterior means of the latent variables (cells × p), in eval mode.</summary>
    /// <param name="data">Data to embed (aligned to the schema); null for the model's own cells.</param>
    /// <param name="cells">Row indices into that data; null for all.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    public DenseMatrix GetLatentRepresentation(AnnData? data = null, int[]? cells = null)
    {
        var (src, _) = On(data);
        var ids = AllOrGiven(cells, src.CellCount);
        int p = Options.LatentDim;
        var result = new float[ids.Length * p];
        ForBatches(ids, (start, batch) =>
        {
            var (m, _) = Module.Inference(Batches.Dense(src.Matrix, batch));
            m.AsReadOnlySpan().CopyTo(result.AsSpan(start * p));
        });
        return new DenseMatrix(ids.Length, p, result);
    }

    DenseMatrix ILatentModel.GetLatentRepresentation(AnnData data) => GetLatentRepresentation(data, null);

    /// <summary>
    /// The intervention graph: π = σ(λ) (or the frozen mask after the transfer protocol) and μ_a per
    /// label. For the VAE and β-VAE, which ignore labels, π is all zeros.
    /// </summary>
    /// <param name="threshold">Inclusion threshold on π.</param>
    public InterventionGraph GetInterventionGraph(double threshold = 0.5)
    {
        int k = LabelNames.Count, p = Options.LatentDim;
        var logits = ((Tensor)Module.MaskLogits).AsReadOnlySpan();
        var mu = ((Tensor)Module.PriorMean).AsReadOnlySpan();
        var frozen = Module.IsMaskFrozen ? Module.FrozenMask.AsReadOnlySpan() : default;
        var pi = new double[k, p]; var t = new bool[k, p]; var shift = new double[k, p];
        for (int a = 0; a < k; a++)
            for (int i = 0; i < p; i++)
            {
                double v = frozen.IsEmpty ? 1.0 / (1.0 + Math.Exp(-logits[a * p + i])) : frozen[a * p + i];
                pi[a, i] = Options.UsesLabelPrior ? v : 0;
                t[a, i] = pi[a, i] > threshold;
                shift[a, i] = mu[a * p + i];
            }
        return new InterventionGraph(LabelNames, pi, t, shift);
    }

    /// <summary>Decoded expression frequencies ρ = softmax(decoder(z̄)) at the posterior mean, times <paramref name="librarySize"/> (cells × genes).</summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own cells.</param>
    /// <param name="cells">Row indices; null for all.</param>
    /// <param name="librarySize">Scale (1 gives frequencies summing to 1 per cell).</param>
    public DenseMatrix GetNormalizedExpression(AnnData? data = null, int[]? cells = null, double librarySize = 1)
    {
        var (src, _) = On(data);
        var ids = AllOrGiven(cells, src.CellCount);
        int g = GeneNames.Count;
        var result = new float[ids.Length * g];
        ForBatches(ids, (start, batch) =>
        {
            var (m, _) = Module.Inference(Batches.Dense(src.Matrix, batch));
            var rho = Module.Decode(m).AsReadOnlySpan();
            for (int i = 0; i < rho.Length; i++) result[start * g + i] = (float)(rho[i] * librarySize);
        });
        return new DenseMatrix(ids.Length, g, result);
    }

    /// <summary>Per-cell negative ELBO (one posterior sample, unweighted KL), in eval mode.</summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own cells.</param>
    /// <param name="cells">Row indices; null for all.</param>
    public double[] GetElbo(AnnData? data = null, int[]? cells = null)
    {
        var (src, labels) = On(data);
        return Elbo(src, labels, AllOrGiven(cells, src.CellCount));
    }

    private double[] Elbo(AlignedData src, int[] labels, int[] ids)
    {
        var result = new double[ids.Length];
        ForBatches(ids, (start, batch) =>
        {
            var x = Batches.Dense(src.Matrix, batch);
            var lib = x.Sum(1, keepDim: true);
            var (m, v) = Module.Inference(x);
            var z = Module.Sample(m, v);
            var kl = SvaeModule.KlToUnitPrior(m, v, Module.PriorMeanOf(Pick(labels, batch))).AsReadOnlySpan();
            var ll = Module.LogLikelihood(x, lib, Module.DecodeLogits(z)).AsReadOnlySpan();
            for (int i = 0; i < batch.Length; i++) result[start + i] = -ll[i] + kl[i];
        });
        return result;
    }

    /// <summary>
    /// Importance-weighted estimate of log p(x) per cell with <paramref name="particles"/> samples from
    /// q(z | x) (the IWELBO the paper's I-NLL uses): log (1/S) Σ exp(log p(x|z) + log p(z|a) − log q(z|x)).
    /// </summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own cells.</param>
    /// <param name="cells">Row indices; null for all.</param>
    /// <param name="particles">Importance samples S (the paper uses 1000).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public double[] GetMarginalLogLikelihood(AnnData? data = null, int[]? cells = null, int particles = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particles, 1);
        var (src, labels) = On(data);
        var ids = AllOrGiven(cells, src.CellCount);
        var result = new double[ids.Length];
        ForBatches(ids, (start, batch) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var x = Batches.Dense(src.Matrix, batch);
            var lib = x.Sum(1, keepDim: true);
            var (m, v) = Module.Inference(x);
            var posterior = Normal.FromVariance(m, v);
            var prior = new Normal(Module.PriorMeanOf(Pick(labels, batch)), Tensor.OnesLike(m));
            int b = batch.Length;
            var logW = new double[b, particles];
            for (int t = 0; t < particles; t++)
            {
                var z = Module.Sample(m, v);
                var ll = Module.LogLikelihood(x, lib, Module.DecodeLogits(z)).AsReadOnlySpan();
                var lp = prior.LogProb(z).Sum(1).AsReadOnlySpan();
                var lq = posterior.LogProb(z).Sum(1).AsReadOnlySpan();
                for (int i = 0; i < b; i++) logW[i, t] = (double)ll[i] + lp[i] - lq[i];
            }
            for (int i = 0; i < b; i++)
            {
                double max = double.NegativeInfinity;
                for (int t = 0; t < particles; t++) max = Math.Max(max, logW[i, t]);
                double s = 0;
                for (int t = 0; t < particles; t++) s += Math.Exp(logW[i, t] - max);
                result[start + i] = max + Math.Log(s) - Math.Log(particles);
            }
        });
        return result;
    }

    /// <summary>
    /// The paper's aggregation: mean of <paramref name="values"/> within each label, then the mean over
    /// labels with more than <paramref name="minCells"/> cells (controls form their own group).
    /// </summary>
    /// <param name="values">One value per cell of <paramref name="cells"/>.</param>
    /// <param name="cells">Cells of the model's data.</param>
    /// <param name="minCells">Labels with this many cells or fewer are left out.</param>
    public double AggregateByLabel(double[] values, int[] cells, int minCells = 10) =>
        AggregateOverLabels(values, Pick(CellLabels.ToArray(), cells), minCells);

    private static double AggregateOverLabels(double[] values, IReadOnlyList<int> labels, int minCells)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sums = new Dictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < labels.Count; i++)
        {
            var (s, c) = sums.GetValueOrDefault(labels[i]);
            sums[labels[i]] = (s + values[i], c + 1);
        }
        var means = sums.Values.Where(v => v.Count > minCells).Select(v => v.Sum / v.Count).ToList();
        return means.Count == 0 ? double.NaN : means.Average();
    }

    /// <summary>Mean negative ELBO per cell (<c>elbo</c>) and its per-label aggregate (<c>elbo_by_label</c>) on <paramref name="data"/>.</summary>
    /// <param name="data">Data with the model's genes and labels.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    public override IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var aligned = Schema.Align(data);
        var labels = LabelsOf(aligned);
        var elbo = Elbo(aligned, labels, Enumerable.Range(0, aligned.CellCount).ToArray());
        return new Dictionary<string, double>
        {
            ["elbo"] = elbo.Average(),
            ["elbo_by_label"] = AggregateOverLabels(elbo, labels, 10),
        };
    }
}
