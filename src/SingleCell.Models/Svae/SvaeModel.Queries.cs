using SingleCell.Models.Data;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Svae;

public sealed partial class SvaeModel
{
    private const int QueryBatch = 512;

    /// <summary>Counts and labels of <paramref name="data"/> aligned to the model's schema, or the model's own.</summary>
    private SvaeModel On(AnnData? data)
    {
        if (data == null) return this;
        var counts = CountsOf(data, Setup);
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < data.NVars; j++) position[data.VarNames[j]] = j;
        var map = new int[GeneNames.Count];
        bool identity = data.NVars == GeneNames.Count;
        for (int g = 0; g < map.Length; g++)
        {
            if (!position.TryGetValue(GeneNames[g], out map[g]))
                throw new ArgumentException($"sVAE: gene '{GeneNames[g]}' of the model's schema is not in the data ({data.NVars} genes).");
            identity &= map[g] == g;
        }
        if (!identity) counts = Reorder(counts, map);
        var raw = LabelStrings(data, Setup.PerturbationKey);
        var controls = new HashSet<string>(Setup.ControlLabels ?? [], StringComparer.Ordinal);
        var index = LabelNames.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (controls.Contains(raw[i])) labels[i] = -1;
            else if (!index.TryGetValue(raw[i], out labels[i]))
                throw new ArgumentException($"sVAE: cell '{data.ObsNames[i]}' has label '{raw[i]}', which is not among the model's {LabelNames.Count} labels.");
        }
        return new SvaeModel(Module, Setup, (string[])GeneNames, (string[])LabelNames, counts, labels) { IsTrained = IsTrained };
    }

    private static CellMatrix Reorder(CellMatrix m, int[] map)
    {
        var inverse = new int[m.Columns];
        Array.Fill(inverse, -1);
        for (int g = 0; g < map.Length; g++) inverse[map[g]] = g;
        var ptr = new int[m.Rows + 1];
        var idx = new List<int>(); var val = new List<float>();
        var row = new List<(int, float)>();
        for (int r = 0; r < m.Rows; r++)
        {
            row.Clear();
            var ri = m.RowIndices(r); var rv = m.RowValues(r);
            for (int k = 0; k < ri.Length; k++) if (inverse[ri[k]] >= 0) row.Add((inverse[ri[k]], rv[k]));
            row.Sort((a, b) => a.Item1.CompareTo(b.Item1));
            foreach (var (c, v) in row) { idx.Add(c); val.Add(v); }
            ptr[r + 1] = idx.Count;
        }
        return new CellMatrix(m.Rows, map.Length, ptr, idx.ToArray(), val.ToArray());
    }

    private static int[] AllOrGiven(int[]? cells, int n) => cells ?? Enumerable.Range(0, n).ToArray();

    /// <summary>Runs <paramref name="body"/> over the cells in batches, in eval mode without gradients.</summary>
    private void ForBatches(int[] cells, Action<int, int[]> body)
    {
        bool wasTraining = Module.IsTraining;
        Module.Eval();
        try
        {
            using (Tensor.NoGrad())
                for (int start = 0; start < cells.Length; start += QueryBatch)
                    body(start, cells[start..Math.Min(cells.Length, start + QueryBatch)]);
        }
        finally { Module.Train(wasTraining); }
    }

    /// <summary>Posterior means E[z | x] (the code's <c>qz.loc</c>), cells × latents, in eval mode.</summary>
    /// <param name="data">Data to embed (aligned to the schema); null for the model's own.</param>
    /// <param name="cells">Rows to embed; null for all.</param>
    public float[,] GetLatentRepresentation(AnnData? data = null, int[]? cells = null)
    {
        var src = On(data);
        var ids = AllOrGiven(cells, src._counts.Rows);
        int p = Options.LatentDim;
        var result = new float[ids.Length, p];
        ForBatches(ids, (start, batch) =>
        {
            var (m, _) = Module.Inference(src.Batch(batch));
            var s = m.AsReadOnlySpan();
            for (int i = 0; i < batch.Length; i++)
                for (int j = 0; j < p; j++) result[start + i, j] = s[i * p + j];
        });
        return result;
    }

    /// <summary>The intervention graph π = σ(λ) and its targets π &gt; <paramref name="threshold"/> (paper §3.4).</summary>
    /// <param name="threshold">Inclusion threshold (0.5 in the paper).</param>
    public InterventionGraph GetInterventionGraph(double threshold = 0.5)
    {
        int k = LabelNames.Count, p = Options.LatentDim;
        var logits = ((Tensor)Module.MaskLogits).AsReadOnlySpan();
        var mu = ((Tensor)Module.PriorMean).AsReadOnlySpan();
        var pi = new double[k, p]; var t = new bool[k, p]; var shift = new double[k, p];
        for (int a = 0; a < k; a++)
            for (int i = 0; i < p; i++)
            {
                double v = Module.FixedMask?[a * p + i] ?? 1.0 / (1.0 + Math.Exp(-logits[a * p + i]));
                pi[a, i] = Options.UsesLabelPrior ? v : 0;
                t[a, i] = pi[a, i] > threshold;
                shift[a, i] = mu[a * p + i];
            }
        return new InterventionGraph(LabelNames, pi, t, shift);
    }

    /// <summary>Decoder frequencies ρ(E[z | x]) × <paramref name="librarySize"/>, cells × genes (scvi-tools' <c>get_normalized_expression</c> with one sample at the posterior mean).</summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own.</param>
    /// <param name="cells">Rows; null for all.</param>
    /// <param name="librarySize">Scale of each row (1: frequencies that sum to 1).</param>
    public float[,] GetNormalizedExpression(AnnData? data = null, int[]? cells = null, double librarySize = 1)
    {
        var src = On(data);
        var ids = AllOrGiven(cells, src._counts.Rows);
        int g = GeneNames.Count;
        var result = new float[ids.Length, g];
        ForBatches(ids, (start, batch) =>
        {
            var (m, _) = Module.Inference(src.Batch(batch));
            var rho = Module.Decode(m).AsReadOnlySpan();
            for (int i = 0; i < batch.Length; i++)
                for (int j = 0; j < g; j++) result[start + i, j] = (float)(rho[i * g + j] * librarySize);
        });
        return result;
    }

    /// <summary>Per-cell negative ELBO, −log p(x | z) + KL(q ‖ p) with one posterior sample, unweighted (as the code's <c>get_elbo</c>).</summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own.</param>
    /// <param name="cells">Rows; null for all.</param>
    public double[] GetElbo(AnnData? data = null, int[]? cells = null)
    {
        var src = On(data);
        var ids = AllOrGiven(cells, src._counts.Rows);
        var result = new double[ids.Length];
        ForBatches(ids, (start, batch) =>
        {
            var x = src.Batch(batch);
            var lib = x.Sum(1, keepDim: true);
            var (m, v) = Module.Inference(x);
            var z = Module.Sample(m, v);
            var kl = SvaeModule.KlToUnitPrior(m, v, Module.PriorMeanOf(src.LabelsOf(batch))).AsReadOnlySpan();
            var ll = Module.LogLikelihood(x, lib, Module.DecodeLogits(z)).AsReadOnlySpan();
            for (int i = 0; i < batch.Length; i++) result[start + i] = -ll[i] + kl[i];
        });
        return result;
    }

    /// <summary>
    /// Importance-sampled log p(x | a) per cell (IWELBO, spec §1.7 step 5):
    /// logsumexp_t[log p(x | z_t) + log N(z_t; γ⊙μ_a, I) − log q(z_t | x)] − log T.
    /// </summary>
    /// <param name="data">Data (aligned to the schema); null for the model's own.</param>
    /// <param name="cells">Rows; null for all.</param>
    /// <param name="particles">T (1,000 in the code, 5,000 in the paper).</param>
    /// <param name="cancellationToken">Checked between batches.</param>
    public double[] GetMarginalLogLikelihood(AnnData? data = null, int[]? cells = null, int particles = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(particles, 1);
        var src = On(data);
        var ids = AllOrGiven(cells, src._counts.Rows);
        var result = new double[ids.Length];
        const double HalfLog2Pi = 0.91893853320467274;
        ForBatches(ids, (start, batch) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            var x = src.Batch(batch);
            var lib = x.Sum(1, keepDim: true);
            var (m, v) = Module.Inference(x);
            var labels = src.LabelsOf(batch);
            int b = batch.Length, p = Options.LatentDim;
            var logW = new double[b, particles];
            var ms = m.ToArray(); var vs = v.ToArray();
            for (int t = 0; t < particles; t++)
            {
                var z = Module.Sample(m, v);
                var pm = Module.PriorMeanOf(labels).AsReadOnlySpan();
                var ll = Module.LogLikelihood(x, lib, Module.DecodeLogits(z)).AsReadOnlySpan();
                var zs = z.AsReadOnlySpan();
                for (int i = 0; i < b; i++)
                {
                    double lp = 0, lq = 0;
                    for (int j = 0; j < p; j++)
                    {
                        int o = i * p + j;
                        double dz = zs[o] - pm[o];
                        lp += -0.5 * dz * dz - HalfLog2Pi;
                        double e = zs[o] - ms[o];
                        lq += -0.5 * e * e / vs[o] - 0.5 * Math.Log(vs[o]) - HalfLog2Pi;
                    }
                    logW[i, t] = ll[i] + lp - lq;
                }
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

    /// <summary>Per-label means of per-cell values, over labels with more than <paramref name="minCells"/> cells, then their mean (the code's <c>agg=True</c>).</summary>
    /// <param name="values">One value per cell in <paramref name="cells"/>.</param>
    /// <param name="cells">The cells the values belong to.</param>
    /// <param name="minCells">Labels with this many cells or fewer are skipped (10 in the code).</param>
    public double AggregateByLabel(double[] values, int[] cells, int minCells = 10)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(cells);
        var sums = new Dictionary<int, (double Sum, int Count)>();
        for (int i = 0; i < cells.Length; i++)
        {
            int l = _labels[cells[i]];
            var (s, c) = sums.GetValueOrDefault(l);
            sums[l] = (s + values[i], c + 1);
        }
        var means = sums.Values.Where(v => v.Count > minCells).Select(v => v.Sum / v.Count).ToList();
        return means.Count == 0 ? double.NaN : means.Average();
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        var src = On(data);
        var cells = Enumerable.Range(0, src._counts.Rows).ToArray();
        var elbo = src.GetElbo();
        return new Dictionary<string, double>
        {
            ["elbo"] = elbo.Average(),
            ["elbo_by_label"] = src.AggregateByLabel(elbo, cells),
        };
    }
}
