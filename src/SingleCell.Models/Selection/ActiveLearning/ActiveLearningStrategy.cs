using SingleCell.Models.Data;

namespace SingleCell.Models.Selection.ActiveLearning;

/// <summary>
/// A batch active-learning acquisition: given per-item features from the current predictor, the
/// pool and the labelled set, it chooses the next batch of items to label (run in the lab).
/// </summary>
/// <remarks>
/// Items are row numbers of <see cref="ActiveLearningState.Features"/> (in the selection study: the
/// non-test perturbations). Every strategy is deterministic for a given seed and state. The
/// strategies follow the BMDAL framework (Holzmüller et al. 2023) as IterPert runs it (spec §3):
/// features enter through the linear kernel k(x, x') = xᵀx'.
/// </remarks>
public interface IActiveLearningStrategy
{
    /// <summary>A short method name (e.g. <c>coreset</c>).</summary>
    string Name { get; }

    /// <summary>Chooses up to <paramref name="batchSize"/> distinct pool items.</summary>
    /// <param name="state">Features, pool and labelled set.</param>
    /// <param name="batchSize">Items to choose (fewer if the pool runs out).</param>
    /// <param name="seed">Seed of any random choice.</param>
    /// <param name="cancellationToken">Stops the selection.</param>
    /// <returns>The chosen items in the order they were picked.</returns>
    int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default);
}

/// <summary>What an <see cref="IActiveLearningStrategy"/> sees in one round.</summary>
public sealed class ActiveLearningState
{
    /// <summary>Creates the state.</summary>
    /// <param name="features">Items × feature dimensions (e.g. the predictor's per-perturbation features).</param>
    /// <param name="pool">Items that may be chosen (unlabelled).</param>
    /// <param name="labelled">Items already labelled.</param>
    /// <exception cref="ArgumentException">An item is outside the feature rows, repeats, or is both pooled and labelled; or a feature is not finite.</exception>
    public ActiveLearningState(DenseMatrix features, IReadOnlyList<int> pool, IReadOnlyList<int> labelled)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(labelled);
        foreach (float v in features.Values)
            if (!float.IsFinite(v)) throw new ArgumentException("Active-learning features must be finite.", nameof(features));
        var seen = new bool[features.Rows];
        foreach (var (list, name) in new[] { (pool, nameof(pool)), (labelled, nameof(labelled)) })
            foreach (int i in list)
            {
                if ((uint)i >= (uint)features.Rows) throw new ArgumentException($"Item {i} is outside the {features.Rows} feature rows.", name);
                if (seen[i]) throw new ArgumentException($"Item {i} appears twice in the pool and labelled set.", name);
                seen[i] = true;
            }
        Features = features;
        Pool = pool.Order().ToArray();
        Labelled = labelled.ToArray();
    }

    /// <summary>Items × dimensions.</summary>
    public DenseMatrix Features { get; }

    /// <summary>Pool items, ascending (ties in every strategy go to the smaller item).</summary>
    public int[] Pool { get; }

    /// <summary>Labelled items, in the order given.</summary>
    public int[] Labelled { get; }

    /// <summary>Number of items (feature rows).</summary>
    public int Count => Features.Rows;
}

/// <summary>Uniform random batch (seeded partial Fisher–Yates over the pool).</summary>
public sealed class RandomStrategy : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "random";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var pool = (int[])state.Pool.Clone();
        var rng = new Tensors.Generator(seed);
        int k = Math.Min(batchSize, pool.Length);
        for (int i = 0; i < k; i++)
        {
            int j = i + rng.NextInt(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }
}

/// <summary>
/// Core-Set (Sener and Savarese 2018; BMDAL <c>maxdist</c> with train): greedy k-center on feature
/// distances d²(i, j) = k(i,i) + k(j,j) − 2k(i,j), initialised from the labelled set; each pick is
/// the pool item farthest from everything labelled or picked. With no labelled item the first pick
/// is the item with the largest k(i,i) (farthest from the origin, BMDAL's convention).
/// </summary>
public sealed class CoreSetStrategy : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "coreset";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        return KernelGreedy.KCenter(new LinearKernel(state.Features), state.Pool, state.Labelled, batchSize, cancellationToken);
    }
}

/// <summary>
/// IterPert's acquisition (Huang et al. 2023; spec §3): the linear feature kernel K₀ and each prior
/// kernel are divided by their largest entry, averaged, and greedy k-center runs on the averaged
/// kernel's distance, initialised from the labelled set (<c>maxdist_prior</c>, <c>sel_with_train</c>).
/// </summary>
/// <remarks>
/// IterPert averages eight downloaded prior kernels (Perturb-seq in RPE1, optical screens, ESM,
/// BioGPT, node2vec, …). They are not available here; the study passes the ones we can build
/// (GO-graph and STRING diffusion kernels, co-expression where the perturbed genes are measured).
/// </remarks>
/// <param name="priorKernels">Symmetric PSD items × items kernels (row-major n × n), aligned with the feature rows.</param>
public sealed class IterPertStrategy(IReadOnlyList<double[]> priorKernels) : IActiveLearningStrategy
{
    /// <inheritdoc/>
    public string Name => "iterpert";

    /// <inheritdoc/>
    public int[] SelectBatch(ActiveLearningState state, int batchSize, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = state.Count;
        var k = new LinearKernel(state.Features).Dense(cancellationToken);
        Normalise(k);
        foreach (var p in priorKernels)
        {
            if (p.Length != (long)n * n) throw new ArgumentException($"A prior kernel has {p.Length} entries; expected {n} × {n}.", nameof(priorKernels));
            double max = MaxOf(p);
            for (int i = 0; i < k.Length; i++) k[i] += max > 0 ? p[i] / max : 0;
        }
        double scale = 1.0 / (1 + priorKernels.Count);
        for (int i = 0; i < k.Length; i++) k[i] *= scale;
        return KernelGreedy.KCenter(new DenseKernel(k, n), state.Pool, state.Labelled, batchSize, cancellationToken);
    }

    private static void Normalise(double[] k)
    {
        double max = MaxOf(k);
        if (max > 0) for (int i = 0; i < k.Length; i++) k[i] /= max;
    }

    private static double MaxOf(double[] k)
    {
        double max = 0;
        foreach (double v in k) if (v > max) max = v;
        return max;
    }
}
