using System.Runtime.CompilerServices;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Graphs;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models.Selection.Study;

/// <summary>Settings of the stand-in <see cref="GraphRidgePredictor"/>.</summary>
/// <param name="Hops">Diffusion hops L of the perturbation features.</param>
/// <param name="Decay">Weight β of each further hop.</param>
/// <param name="RidgeGrid">Ridge strengths λ, relative to the mean kernel diagonal of the labelled set, tried on the validation split.</param>
/// <param name="ValidationFraction">Fraction of the labelled perturbations held out to choose λ (IterPert: 90/10).</param>
public sealed record GraphRidgeOptions(int Hops = 2, double Decay = 0.5, IReadOnlyList<double>? RidgeGrid = null, double ValidationFraction = 0.1)
{
    internal IReadOnlyList<double> Grid => RidgeGrid ?? [0.01, 0.1, 1, 10];
}

/// <summary>
/// The selection study's built-in, fast <b>stand-in</b> for GEARS: kernel ridge regression from a
/// perturbation's graph-diffusion features to its mean expression change. Not a published model.
/// </summary>
/// <remarks>
/// A perturbation p of genes G_p gets z_p = Σ_{g∈G_p} Σ_{l=0}^{L} β^l S^l e_g on the study's gene graph
/// (S: symmetric normalised adjacency with self-loops), and k(p, q) = z_pᵀz_q. With labelled set L and
/// observed changes Y_L (pseudo-bulk mean − control mean), the prediction is
/// Δ̂(p) = ȳ_L + k(p, L)(K_LL + λI)⁻¹(Y_L − ȳ_L). λ is chosen on a seeded 90/10 split of L from
/// <see cref="GraphRidgeOptions.RidgeGrid"/>, then the model is refitted on all of L. Like GEARS, it can only
/// generalise through the graph; genes outside the graph get the mean change. Its per-perturbation features
/// (<see cref="GetPerturbationFeatures"/>) are the predicted changes, as IterPert's <c>diff_effect</c> features.
/// </remarks>
public sealed class GraphRidgePredictor : IPerturbationPredictor
{
    private readonly GraphRidgeFactoryCache _cache;
    private readonly int[] _train;
    private readonly float[] _alpha;   // |L| × G
    private readonly double[] _mean;   // G

    internal GraphRidgePredictor(GraphRidgeFactoryCache cache, int[] train, float[] alpha, double[] mean, double lambda)
    {
        _cache = cache;
        _train = train;
        _alpha = alpha;
        _mean = mean;
        Lambda = lambda;
        Schema = new DataSchema(null, MatrixValues.Finite, cache.Screen.Genes.ToArray(), [], []);
        PerturbableGenes = cache.Graph.Genes.Concat(cache.Screen.PerturbationGenes.SelectMany(g => g)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <inheritdoc/>
    public string Name => "graph-ridge (stand-in)";

    /// <inheritdoc/>
    public DataSchema Schema { get; }

    /// <inheritdoc/>
    public bool IsTrained => true;

    /// <inheritdoc/>
    public long ParameterCount => _alpha.Length + _mean.Length;

    /// <inheritdoc/>
    public TrainingHistory? History => null;

    /// <summary>The ridge strength chosen on the validation split.</summary>
    public double Lambda { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> PerturbableGenes { get; }

    /// <summary>Refits on the same labelled perturbations (deterministic; the result equals the current fit).</summary>
    /// <param name="trainer">Ignored.</param>
    /// <param name="progress">Ignored.</param>
    /// <param name="cancellationToken">Ignored.</param>
    /// <returns>An empty history (the fit is closed-form).</returns>
    public TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) => new();

    /// <summary>Mean IterPert metrics over the perturbations of <paramref name="data"/> (obs <c>condition</c>).</summary>
    /// <param name="data">Cells with a <c>condition</c> column and the model's genes.</param>
    public IReadOnlyDictionary<string, double> Evaluate(AnnData data)
    {
        var screen = PerturbationScreen.FromAnnData(data);
        if (!screen.Genes.SequenceEqual(Schema.Genes)) throw new DataSchemaException("Evaluate needs the genes of the training screen, in the same order.");
        var pred = Predict(screen.Perturbations);
        var m = PerturbationScreenMetrics.Mean(Enumerable.Range(0, screen.Perturbations.Count)
            .Select(p => PerturbationScreenMetrics.Compute(pred.Expression.Row(p), screen.Mean(p), screen.ControlMean, screen.DeGenes(p))).ToArray());
        return new Dictionary<string, double>
        {
            ["mse"] = m.Mse, ["mse_top20_de_non_dropout"] = m.MseTop20DeNonDropout,
            ["pearson_delta"] = m.PearsonDelta, ["frac_opposite_direction_top20_non_dropout"] = m.FracOppositeDirectionTop20NonDropout,
        };
    }

    /// <summary>Not supported: the stand-in lives only inside a study run.</summary>
    /// <param name="path">Ignored.</param>
    /// <param name="overwrite">Ignored.</param>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Save(string path, bool overwrite = false) => throw new NotSupportedException("The stand-in graph-ridge predictor is not persisted; it is refitted in milliseconds.");

    /// <inheritdoc/>
    public PerturbationPrediction Predict(IReadOnlyList<string> perturbations)
    {
        var change = ChangeMatrix(perturbations);
        var expr = (float[])change.Values.Clone();
        int g = _mean.Length;
        for (int i = 0; i < perturbations.Count; i++)
            for (int j = 0; j < g; j++) expr[i * g + j] += _cache.Screen.ControlMean[j];
        return new PerturbationPrediction(perturbations, Schema.Genes, new DenseMatrix(perturbations.Count, g, expr), change);
    }

    /// <inheritdoc/>
    public DenseMatrix GetPerturbationFeatures(IReadOnlyList<string> perturbations) => ChangeMatrix(perturbations);

    private DenseMatrix ChangeMatrix(IReadOnlyList<string> perturbations)
    {
        ArgumentNullException.ThrowIfNull(perturbations);
        int g = _mean.Length, l = _train.Length;
        var outv = new float[perturbations.Count * g];
        var kRows = new double[perturbations.Count][];
        for (int i = 0; i < perturbations.Count; i++) kRows[i] = _cache.KernelRow(perturbations[i], _train, PerturbableGenes);
        Parallel.For(0, perturbations.Count, i =>
        {
            var dst = outv.AsSpan(i * g, g);
            for (int j = 0; j < g; j++) dst[j] = (float)_mean[j];
            for (int t = 0; t < l; t++)
            {
                float w = (float)kRows[i][t];
                if (w != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(_alpha.AsSpan(t * g, g), w, dst, dst);
            }
        });
        return new DenseMatrix(perturbations.Count, g, outv);
    }
}

/// <summary>Trains <see cref="GraphRidgePredictor"/>s; caches the perturbation kernel per (screen, graph).</summary>
/// <param name="options">Settings; null means the defaults.</param>
public sealed class GraphRidgePredictorFactory(GraphRidgeOptions? options = null) : IPerturbationPredictorFactory
{
    private readonly GraphRidgeOptions _options = options ?? new GraphRidgeOptions();
    private readonly ConditionalWeakTable<GeneGraph, GraphRidgeFactoryCache> _caches = new();

    /// <inheritdoc/>
    public string Name => "graph-ridge";

    /// <inheritdoc/>
    public IPerturbationPredictor Train(PredictorTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Train.Count == 0) throw new ArgumentException("At least one labelled perturbation is needed.", nameof(request));
        GraphRidgeFactoryCache cache;
        lock (_caches)
        {
            if (!_caches.TryGetValue(request.Graph, out cache!) || !ReferenceEquals(cache.Screen, request.Screen))
            {
                cache = new GraphRidgeFactoryCache(request.Screen, request.Graph, _options, cancellationToken);
                _caches.AddOrUpdate(request.Graph, cache);
            }
        }
        return cache.Fit(request.Train.ToArray(), request.Seed, cancellationToken);
    }
}
