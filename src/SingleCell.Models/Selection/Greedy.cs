namespace SingleCell.Models.Selection;

/// <summary>Greedy maximisation algorithm.</summary>
public enum GreedyAlgorithm
{
    /// <summary>Evaluate every remaining candidate at every step (Nemhauser et al.).</summary>
    Naive,
    /// <summary>CELF / accelerated lazy greedy (Minoux; Leskovec et al.): same result as naive, far fewer evaluations.</summary>
    Lazy,
    /// <summary>Stochastic greedy (Mirzasoleiman et al.): each step evaluates a seeded random sample of ⌈(n/k)·ln(1/ε)⌉ candidates.</summary>
    Stochastic,
}

/// <summary>Settings of <see cref="Greedy.Maximize"/>.</summary>
/// <param name="Algorithm">Which greedy variant.</param>
/// <param name="Epsilon">ε of stochastic greedy (expected guarantee 1 − 1/e − ε).</param>
/// <param name="Seed">Seed of the stochastic sampler.</param>
/// <param name="MaxDegreeOfParallelism">Threads for the naive scan (1 = sequential); results do not depend on it.</param>
public sealed record GreedyOptions(GreedyAlgorithm Algorithm = GreedyAlgorithm.Lazy, double Epsilon = 0.1, int Seed = 0, int MaxDegreeOfParallelism = 1);

/// <summary>
/// Greedy maximisation of a monotone submodular <see cref="SetFunction"/> under a cardinality
/// budget, with deterministic tie-breaking: among equal gains the smallest item id wins.
/// </summary>
/// <remarks>
/// Naive and lazy greedy return the identical ranking and gains (lazy re-evaluates only stale
/// upper bounds; with ties ordered by item id it pops the same argmax). The greedy value is
/// ≥ (1 − 1/e) · OPT for monotone submodular f. Rankings are nested: the first k picks for
/// budget K are the picks for budget k, so one run serves every budget.
/// </remarks>
public static class Greedy
{
    /// <summary>Runs greedy maximisation; <paramref name="function"/> is reset first and holds the final set afterwards.</summary>
    /// <param name="function">The objective.</param>
    /// <param name="budget">Number of items to add.</param>
    /// <param name="options">Algorithm, ε and seed; null means lazy greedy.</param>
    /// <param name="candidates">Items that may be chosen; null means the whole ground set.</param>
    /// <param name="alreadySelected">Items added first (not reported).</param>
    /// <param name="progress">One report per pick.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static SelectionResult Maximize(SetFunction function, int budget, GreedyOptions? options = null, IReadOnlyList<int>? candidates = null,
        IReadOnlyList<int>? alreadySelected = null, IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        options ??= new GreedyOptions();
        function.Reset();
        if (alreadySelected is not null) foreach (int i in alreadySelected) function.Add(i);
        var pool = CandidatePool(function, candidates);
        budget = Math.Min(budget, pool.Length);
        var picks = new int[budget];
        var gains = new double[budget];
        long evals = options.Algorithm switch
        {
            GreedyAlgorithm.Naive => RunNaive(function, pool, picks, gains, options.MaxDegreeOfParallelism, progress, cancellationToken),
            GreedyAlgorithm.Lazy => RunLazy(function, pool, picks, gains, progress, cancellationToken),
            _ => RunStochastic(function, pool, picks, gains, options.Epsilon, options.Seed, progress, cancellationToken),
        };
        return new SelectionResult(picks, gains, function.Value, evals);
    }

    /// <summary>The marginal gains of a given ordered selection under <paramref name="function"/> (to score baselines).</summary>
    /// <param name="function">The objective; it is reset first.</param>
    /// <param name="order">Items in pick order.</param>
    /// <param name="alreadySelected">Items added first.</param>
    public static SelectionResult Score(SetFunction function, IReadOnlyList<int> order, IReadOnlyList<int>? alreadySelected = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(order);
        function.Reset();
        if (alreadySelected is not null) foreach (int i in alreadySelected) function.Add(i);
        var gains = new double[order.Count];
        for (int k = 0; k < order.Count; k++) gains[k] = function.Add(order[k]);
        return new SelectionResult(order.ToArray(), gains, function.Value, order.Count);
    }

    private static int[] CandidatePool(SetFunction f, IReadOnlyList<int>? candidates)
    {
        var seen = new bool[f.Count];
        var pool = new List<int>(candidates?.Count ?? f.Count);
        if (candidates is null) { for (int i = 0; i < f.Count; i++) if (!f.Contains(i)) pool.Add(i); return pool.ToArray(); }
        foreach (int c in candidates)
        {
            if ((uint)c >= (uint)f.Count) throw new ArgumentOutOfRangeException(nameof(candidates), $"Candidate {c} is outside the ground set 0..{f.Count - 1}.");
            if (seen[c] || f.Contains(c)) continue;
            seen[c] = true;
            pool.Add(c);
        }
        pool.Sort(); // ids ascending: ties go to the smallest id in every algorithm
        return pool.ToArray();
    }

    private static bool Better(double g, int i, double bestG, int best) => g > bestG || (g == bestG && i < best);

    private static void Pick(SetFunction f, int step, int item, int[] picks, double[] gains, IProgress<SelectionProgress>? progress)
    {
        picks[step] = item;
        gains[step] = f.Add(item);
        progress?.Report(new SelectionProgress(step + 1, picks.Length, item, gains[step]));
    }

    private static long RunNaive(SetFunction f, int[] pool, int[] picks, double[] gains, int dop, IProgress<SelectionProgress>? progress, CancellationToken ct)
    {
        var alive = new List<int>(pool);
        long evals = 0;
        for (int step = 0; step < picks.Length; step++)
        {
            ct.ThrowIfCancellationRequested();
            int best = -1, bestPos = -1;
            double bestG = double.NegativeInfinity;
            if (dop == 1 || alive.Count < 1024)
            {
                for (int p = 0; p < alive.Count; p++)
                {
                    int i = alive[p];
                    double g = f.Gain(i);
                    if (best < 0 || Better(g, i, bestG, best)) { best = i; bestG = g; bestPos = p; }
                }
            }
            else
            {
                int chunks = 64, size = (alive.Count + chunks - 1) / chunks;
                var cb = new (int Item, int Pos, double Gain)[chunks];
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = dop, CancellationToken = ct }, c =>
                {
                    var r = (Item: -1, Pos: -1, Gain: double.NegativeInfinity);
                    for (int p = c * size; p < Math.Min(alive.Count, (c + 1) * size); p++)
                    {
                        int i = alive[p];
                        double g = f.Gain(i);
                        if (r.Item < 0 || Better(g, i, r.Gain, r.Item)) r = (i, p, g);
                    }
                    cb[c] = r;
                });
                foreach (var r in cb) if (r.Item >= 0 && (best < 0 || Better(r.Gain, r.Item, bestG, best))) (best, bestPos, bestG) = (r.Item, r.Pos, r.Gain);
            }
            evals += alive.Count;
            alive.RemoveAt(bestPos);
            Pick(f, step, best, picks, gains, progress);
        }
        return evals;
    }

    private sealed class GainOrder : IComparer<(double Gain, int Item)>
    {
        public static readonly GainOrder Instance = new();
        public int Compare((double Gain, int Item) x, (double Gain, int Item) y)
        {
            int c = y.Gain.CompareTo(x.Gain); // larger gain first
            return c != 0 ? c : x.Item.CompareTo(y.Item);
        }
    }

    private static long RunLazy(SetFunction f, int[] pool, int[] picks, double[] gains, IProgress<SelectionProgress>? progress, CancellationToken ct)
    {
        var evaluatedAt = new int[f.Count];
        var items = new (int, (double, int))[pool.Length];
        for (int p = 0; p < pool.Length; p++) { int i = pool[p]; items[p] = (i, (f.Gain(i), i)); }
        long evals = pool.Length;
        var heap = new PriorityQueue<int, (double Gain, int Item)>(items, GainOrder.Instance);
        for (int step = 0; step < picks.Length; step++)
        {
            ct.ThrowIfCancellationRequested();
            while (true)
            {
                heap.TryPeek(out int top, out _);
                if (evaluatedAt[top] == step)
                {
                    heap.Dequeue();
                    Pick(f, step, top, picks, gains, progress);
                    break;
                }
                double g = f.Gain(top);
                evals++;
                evaluatedAt[top] = step;
                heap.DequeueEnqueue(top, (g, top));
            }
        }
        return evals;
    }

    private static long RunStochastic(SetFunction f, int[] pool, int[] picks, double[] gains, double epsilon, int seed,
        IProgress<SelectionProgress>? progress, CancellationToken ct)
    {
        if (!(epsilon > 0 && epsilon < 1)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"ε must be in (0, 1); got {epsilon}.");
        var rng = new Random(seed);
        var remaining = (int[])pool.Clone();
        int alive = remaining.Length;
        int sample = picks.Length == 0 ? 0 : Math.Max(1, (int)Math.Ceiling(pool.Length / (double)picks.Length * Math.Log(1 / epsilon)));
        long evals = 0;
        for (int step = 0; step < picks.Length; step++)
        {
            ct.ThrowIfCancellationRequested();
            int s = Math.Min(sample, alive);
            int best = -1, bestPos = -1;
            double bestG = double.NegativeInfinity;
            for (int k = 0; k < s; k++)
            {
                int j = k + rng.Next(alive - k); // partial Fisher–Yates over the alive prefix
                (remaining[k], remaining[j]) = (remaining[j], remaining[k]);
                int i = remaining[k];
                double g = f.Gain(i);
                if (best < 0 || Better(g, i, bestG, best)) { best = i; bestG = g; bestPos = k; }
            }
            evals += s;
            remaining[bestPos] = remaining[--alive];
            Pick(f, step, best, picks, gains, progress);
        }
        return evals;
    }
}
