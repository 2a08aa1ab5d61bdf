using System.Text.Json;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Gears;

public sealed partial class GearsModel
{
    private const int QueryBatch = 64;

    /// <summary>Mean prediction and mean truth over training-data cells (each predicted from its paired control).</summary>
    internal (float[] Predicted, float[] Observed) MeansOnTraining(int[] cells)
    {
        var data = _data!;
        int g = Schema.GeneCount;
        var pred = new double[g];
        var obs = data.Dataset.MeanOf(cells);
        Query(() =>
        {
            for (int s = 0; s < cells.Length; s += QueryBatch)
            {
                var chunk = cells[s..Math.Min(cells.Length, s + QueryBatch)];
                var x = Batches.Dense(data.Aligned.Matrix, chunk.Select(c => data.PairedControl[c]).ToArray());
                var (y, _, _) = Module.Forward(x, PerturbationIndices(chunk.Select(c => data.Dataset.Perturbations[c]).ToArray()));
                var v = y.AsReadOnlySpan();
                for (int i = 0; i < chunk.Length; i++) for (int j = 0; j < g; j++) pred[j] += v[i * g + j];
            }
            return 0;
        });
        return (pred.Select(v => (float)(v / cells.Length)).ToArray(), obs.Select(v => (float)v).ToArray());
    }

    /// <summary>
    /// One perturbation's mean prediction over the kept control cells, cross-gene state and log-variance. Without
    /// <see cref="GearsOptions.PygBatchingQuirk"/> the network's output is g(perturbation) + x for a control cell x, and
    /// the cross-gene state and log-variance do not depend on x (the gene and perturbation embeddings are shared by
    /// all cells; batch norm runs on its running statistics here), so the mean over the k kept controls is one forward
    /// pass from their mean expression: k times less work than <see cref="PredictOneOverControls"/>, equal to rounding.
    /// </summary>
    private (float[] Mean, float[] Cross, float[]? LogVar) PredictOne(string[] genes)
    {
        if (Options.PygBatchingQuirk) return PredictOneOverControls(genes);
        var controls = Module.ControlExpression;
        int k = controls.Shape[0], g = Schema.GeneCount;
        var idx = PerturbationIndices([genes])[0];
        return Query(() =>
        {
            var xs = controls.AsReadOnlySpan();
            var mean = new double[g];
            for (int i = 0; i < k; i++) for (int j = 0; j < g; j++) mean[j] += xs[i * g + j];
            var x = Tensor.FromArray(mean.Select(v => (float)(v / k)).ToArray(), 1, g);
            var (y, c, logVar) = Module.Forward(x, [idx]);
            return (y.AsReadOnlySpan().ToArray(), c.AsReadOnlySpan().ToArray(), logVar?.AsReadOnlySpan().ToArray());
        });
    }

    /// <summary>One perturbation predicted from every kept control cell and averaged (the reference for <see cref="PredictOne"/>).</summary>
    internal (float[] Mean, float[] Cross, float[]? LogVar) PredictOneOverControls(string[] genes)
    {
        var controls = Module.ControlExpression;
        int k = controls.Shape[0], g = Schema.GeneCount, h = Options.Hidden;
        var sum = new double[g]; var cross = new double[h]; double[]? lv = Options.Uncertainty ? new double[g] : null;
        var idx = PerturbationIndices([genes])[0];
        Query(() =>
        {
            for (int s = 0; s < k; s += QueryBatch)
            {
                int n = Math.Min(QueryBatch, k - s);
                var x = controls.Slice(0, s, n);
                var (y, c, logVar) = Module.Forward(x, Enumerable.Repeat(idx, n).ToArray());
                var v = y.AsReadOnlySpan(); var cv = c.AsReadOnlySpan();
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < g; j++) sum[j] += v[i * g + j];
                    for (int d = 0; d < h; d++) cross[d] += cv[i * h + d];
                }
                if (lv != null) { var l = logVar!.AsReadOnlySpan(); for (int i = 0; i < n; i++) for (int j = 0; j < g; j++) lv[j] += l[i * g + j]; }
            }
            return 0;
        });
        return (sum.Select(v => (float)(v / k)).ToArray(), cross.Select(v => (float)(v / k)).ToArray(), lv?.Select(v => (float)(v / k)).ToArray());
    }

    private string[] Genes(string perturbation)
    {
        var parser = new ConditionParser(_layout.Setup.ControlLabels);
        var genes = parser.Parse(perturbation);
        if (genes.Length == 0) throw new ArgumentException($"GEARS: '{perturbation}' names no perturbed gene.");
        foreach (var gene in genes)
            if (!_pertIndex.ContainsKey(gene)) throw new ArgumentException($"GEARS: gene '{gene}' of '{perturbation}' is not in the model's GO perturbation graph ({_pertIndex.Count} genes).");
        return genes;
    }

    /// <summary>Mean predicted expression from the kept control cells, its change against the control mean, and the log-variance when trained with uncertainty.</summary>
    /// <param name="perturbations">Perturbations as <c>A</c>, <c>A+ctrl</c> or <c>A+B</c>.</param>
    /// <exception cref="ArgumentException">A perturbation names a gene outside the GO graph, or no gene.</exception>
    public PerturbationPrediction Predict(IReadOnlyList<string> perturbations)
    {
        ArgumentNullException.ThrowIfNull(perturbations);
        int g = Schema.GeneCount;
        var expr = new float[perturbations.Count * g];
        var change = new float[perturbations.Count * g];
        float[]? unc = Options.Uncertainty ? new float[perturbations.Count * g] : null;
        var cbar = Module.ControlMean.AsReadOnlySpan();
        for (int p = 0; p < perturbations.Count; p++)
        {
            var (mean, _, lv) = PredictOne(Genes(perturbations[p]));
            for (int j = 0; j < g; j++) { expr[p * g + j] = mean[j]; change[p * g + j] = mean[j] - cbar[j]; }
            if (unc != null) lv!.CopyTo(unc, p * g);
        }
        return new PerturbationPrediction(perturbations.ToArray(), Schema.Genes, new DenseMatrix(perturbations.Count, g, expr),
            new DenseMatrix(perturbations.Count, g, change), unc == null ? null : new DenseMatrix(perturbations.Count, g, unc));
    }

    /// <summary>The cross-gene state averaged over the kept control cells, per perturbation (IterPert's features).</summary>
    /// <param name="perturbations">Perturbations as <c>A</c> or <c>A+B</c>.</param>
    public DenseMatrix GetPerturbationFeatures(IReadOnlyList<string> perturbations)
    {
        ArgumentNullException.ThrowIfNull(perturbations);
        int h = Options.Hidden;
        var f = new float[perturbations.Count * h];
        for (int p = 0; p < perturbations.Count; p++) PredictOne(Genes(perturbations[p])).Cross.CopyTo(f, p * h);
        return new DenseMatrix(perturbations.Count, h, f);
    }

    /// <summary>Learned perturbation embeddings after the GO convolution (GO-graph genes × hidden).</summary>
    public DenseMatrix GetPerturbationEmbeddings() => Query(() =>
    {
        var w = Module.PerturbationEmbedding.Weight.Value;
        return new DenseMatrix(w.Shape[0], w.Shape[1], w.ToArray());
    });

    /// <summary>
    /// GEARS' metrics on <paramref name="data"/> (aligned to the schema): for every non-control condition, the mean
    /// prediction from the kept controls against the observed mean, with DE genes ranked in the data itself; averaged.
    /// </summary>
    /// <param name="data">Observed cells with the condition column and control cells.</param>
    public override IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var prep = new GearsData(Schema.Align(data), _layout.Setup, Options.Seed);
        var scores = Score(prep, prep.Dataset.CellsByCondition.Keys.Where(c => c != "ctrl"), Predict);
        return Average(scores.Values);
    }

    /// <summary>Per-condition metrics of a predictor on prepared data.</summary>
    internal static Dictionary<string, Dictionary<string, double>> Score(GearsData prep, IEnumerable<string> conditions, Func<IReadOnlyList<string>, PerturbationPrediction> predict)
    {
        var result = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var control = prep.ControlMean;
        foreach (var cond in conditions)
        {
            var cells = prep.Dataset.CellsByCondition[cond];
            var mean = prep.Dataset.MeanOf(cells);
            var sd = new float[mean.Length];
            var dense = Batches.Dense(prep.Aligned.Matrix, cells).AsReadOnlySpan();
            for (int i = 0; i < cells.Length; i++)
                for (int j = 0; j < mean.Length; j++) { double d = dense[i * mean.Length + j] - mean[j]; sd[j] += (float)(d * d); }
            for (int j = 0; j < sd.Length; j++) sd[j] = MathF.Sqrt(sd[j] / Math.Max(1, cells.Length - 1));
            var pred = predict([cond]).Expression.Row(0);
            var de = prep.De[cond];
            result[cond] = PerturbationOutcomeMetrics.Compute(pred, mean.Select(v => (float)v).ToArray(), control, sd, de.TopGenes, de.TopNonDropoutGenes);
        }
        return result;
    }

    internal static Dictionary<string, double> Average(IEnumerable<Dictionary<string, double>> rows)
    {
        var list = rows.ToList();
        return PerturbationOutcomeMetrics.Names.ToDictionary(n => n, n => list.Count == 0 ? double.NaN : list.Average(r => r[n]));
    }

    /// <summary>Metrics of this model per test subgroup of <see cref="Split"/>, on its training data.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> EvaluateSplit() =>
        EvaluateSplit(Predict);

    /// <summary>Metrics of any predictor per test subgroup of <see cref="Split"/>, on this model's data (the baselines use it).</summary>
    /// <param name="predict">The predictor's <see cref="IPerturbationPredictor.Predict"/>.</param>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> EvaluateSplit(Func<IReadOnlyList<string>, PerturbationPrediction> predict)
    {
        RequireTrainingData();
        var split = Split ?? throw new InvalidOperationException("GEARS: no split.");
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>(StringComparer.Ordinal);
        foreach (var (group, conds) in split.Test)
            result[group] = Average(Score(_data!, conds, predict).Values);
        return result;
    }

    /// <summary>Loads a GEARS checkpoint (graphs, kept control cells and control mean included), without data.</summary>
    /// <param name="path">The checkpoint.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid GEARS checkpoint.</exception>
    public static GearsModel Load(string path)
    {
        GearsLayout? layout = null;
        var loaded = ModelCheckpoint.Load(path, Type, GearsJson.Default.GearsOptions, o => o.Validate(), (o, info) =>
        {
            if (!info.Extra.TryGetValue("gears.layout", out var json)) throw new CheckpointFormatException($"Checkpoint '{path}' lacks 'gears.layout'.");
            try { layout = JsonSerializer.Deserialize(json, GearsJson.Default.GearsLayout); }
            catch (JsonException e) { throw new CheckpointFormatException($"Checkpoint '{path}': 'gears.layout' is not valid ({e.Message}).", e); }
            if (layout?.Setup?.PerturbationKey == null || layout.PerturbationGenes == null || layout.PerturbationGenes.Any(x => x == null)
                || layout.CoexpressionEdges < 0 || layout.GoEdges < 0 || layout.ControlCells < 1 || layout.PerturbationGenes.Count < 1)
                throw new CheckpointFormatException($"Checkpoint '{path}': 'gears.layout' is incomplete or out of range.");
            return new GearsModule(info.Schema.GeneCount, layout.PerturbationGenes.Count, layout.CoexpressionEdges, layout.GoEdges, layout.ControlCells, o);
        });
        try
        {
            loaded.Module.RebuildGraphs();
            return new GearsModel(loaded.Options, loaded.Module, loaded.Info.Schema, layout!, null) { IsTrained = loaded.Info.IsTrained };
        }
        catch (ArgumentException e) { throw new CheckpointFormatException($"Checkpoint '{path}': {e.Message}", e); }
    }
}
