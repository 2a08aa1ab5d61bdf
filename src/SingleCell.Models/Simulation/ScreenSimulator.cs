using SingleCell.Models.Data;
using SingleCell.Models.Distributions;
using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Simulation;

/// <summary>A simulated perturbation screen: the cells as a GEARS-style <see cref="AnnData"/> and the true effects beside it.</summary>
/// <param name="Data">Cells × read-outs: X log-normalised, layer <c>counts</c>, obs <c>condition</c> (<c>ctrl</c>, <c>A+ctrl</c>, <c>A+B</c>) and <c>perturbation</c> (<c>control</c>, <c>A</c>, <c>A+B</c>).</param>
/// <param name="Conditions">Simulated perturbations (<c>A</c> or <c>A+B</c>), the rows of <see cref="TrueLogFoldChange"/>.</param>
/// <param name="TrueLogFoldChange">Conditions × read-outs: the natural-log fold change of the NB mean against control.</param>
/// <param name="Amplitude">Per condition: the effect amplitude (0 for a null perturbation; for pairs, the larger of the two).</param>
/// <param name="ControlMean">Per read-out: the control NB mean count before the cell size factor.</param>
/// <param name="Theta">Per read-out: the NB dispersion θ (variance μ + μ²/θ).</param>
/// <param name="PerturbableGenes">The perturbable genes.</param>
/// <param name="ReadoutGenes">The read-out genes (var names).</param>
/// <param name="GeneratingGraph">The sub-graph (perturbable ∪ read-out genes) the effects spread on.</param>
/// <param name="Options">The options the screen was simulated with.</param>
public sealed record SimulatedScreen(AnnData Data, string[] Conditions, DenseMatrix TrueLogFoldChange, double[] Amplitude, double[] ControlMean, double[] Theta,
    string[] PerturbableGenes, string[] ReadoutGenes, GeneGraph GeneratingGraph, ScreenSimulationOptions Options)
{
    /// <summary>
    /// The expected log-normalised profile of each condition (its pseudo-bulk mean over infinitely many cells), estimated
    /// from <paramref name="cells"/> fresh cells per condition drawn exactly as the screen's cells are. It is what a perfect
    /// predictor would output, so its test error against the screen's own (finite-cell) means is the floor set by
    /// measurement noise: the ceiling of what any predictor can reach on this screen.
    /// </summary>
    /// <param name="conditions">Conditions of <see cref="Conditions"/> (<c>A</c>, <c>A+B</c>; <c>A+ctrl</c> is accepted), or <c>ctrl</c> for the control profile.</param>
    /// <param name="cells">Fresh cells per condition, ≥ 1; the Monte Carlo error of an entry shrinks as 1/√cells.</param>
    /// <param name="seed">Seeds the fresh cells (independent of the screen's own cells for any seed).</param>
    /// <param name="cancellationToken">Checked between conditions.</param>
    /// <returns>One row per condition: the mean of log1p(x / Σx · TargetSum) per read-out.</returns>
    /// <exception cref="ArgumentException">A condition that the screen did not simulate.</exception>
    public float[][] ExpectedProfiles(IReadOnlyList<string> conditions, int cells, ulong seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 1);
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Conditions.Length; i++) row[Conditions[i]] = i;
        var lfc = new float[]?[conditions.Count];
        for (int k = 0; k < conditions.Count; k++)
        {
            string c = conditions[k].EndsWith("+ctrl", StringComparison.Ordinal) ? conditions[k][..^5] : conditions[k];
            if (c == "ctrl") continue;
            lfc[k] = row.TryGetValue(c, out int i) ? TrueLogFoldChange.Row(i).ToArray()
                : throw new ArgumentException($"Condition '{conditions[k]}' was not simulated in this screen.", nameof(conditions));
        }
        var result = new float[conditions.Count][];
        // Salted so that no fresh cell shares its generator state with a cell of the screen.
        ulong salt = seed ^ 0xD1B54A32D192ED03UL;
        Parallel.For(0, conditions.Count, new ParallelOptions { CancellationToken = cancellationToken }, k =>
        {
            int nR = ControlMean.Length;
            var sum = new double[nR];
            var counts = new double[nR];
            for (int c = 0; c < cells; c++)
            {
                double total = ScreenSimulator.SampleCell(new Generator(salt ^ (0x9E3779B97F4A7C15UL * (ulong)(k * (long)cells + c + 1))), lfc[k], ControlMean, Theta, Options, counts);
                if (total == 0) continue;
                for (int r = 0; r < nR; r++) if (counts[r] > 0) sum[r] += Math.Log(1 + counts[r] / total * Options.TargetSum);
            }
            result[k] = sum.Select(v => (float)(v / cells)).ToArray();
        });
        return result;
    }

    /// <summary>Writes <c>screen.h5ad</c> (the cells) and <c>truth.h5ad</c> (conditions × read-outs, X = true log fold change, obs <c>amplitude</c>) into <paramref name="directory"/>.</summary>
    /// <param name="directory">Created if missing.</param>
    public void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        Data.Write(Path.Combine(directory, "screen.h5ad"));
        var obs = new DataFrame(Conditions, "condition");
        obs.Add(new NumericColumn("amplitude", Amplitude));
        var truth = new AnnData(CellMatrix.FromDense(TrueLogFoldChange.Values, TrueLogFoldChange.Rows, TrueLogFoldChange.Columns), obs, Data.Var) { XWasDense = true };
        truth.Write(Path.Combine(directory, "truth.h5ad"));
    }
}

/// <summary>
/// Simulates a CRISPR perturbation screen on a real gene network: effects spread along the network, effect
/// sizes are heavy-tailed, counts are negative binomial around a control profile, and cells are
/// log-normalised as real screens are.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>Genes: breadth-first from the best-connected node of the (symmetrised) network, every third gene
/// becomes a read-out and the others perturbable, until both quotas are met; so read-outs sit among the
/// perturbed genes' neighbourhoods.</item>
/// <item>Propagation: with S the symmetric normalised adjacency of that sub-graph (self-loops added) and a
/// seeded sign ±1 per undirected edge (<see cref="ScreenSimulationOptions.NegativeEdgeFraction"/> negative),
/// u_g = Σ_{l=1}^{H} d^{l−1} S_±^l e_g restricted to read-outs (d: <see cref="ScreenSimulationOptions.Decay"/>), scaled
/// to max |u_g| = 1; then functional sharing, v_g = (1 − β) u_g + β Σ_h S_gh u_h / Σ_h S_gh over g's perturbable
/// neighbours h (β: <see cref="ScreenSimulationOptions.FunctionalSharing"/>), so that network neighbours have
/// related effects; scaled to max |v̂_g| = 1, entries below <see cref="ScreenSimulationOptions.DetectionThreshold"/>
/// set to 0. How many genes move thus follows the network's neighbourhood sizes, from none to hundreds.</item>
/// <item>Amplitude (spike-and-slab with a log-normal slab): a_g = 0 with probability π₀ (many knock-downs
/// have no detectable transcriptional effect), otherwise log a_g ~ N(μ, σ²); a log-normal amplitude gives the
/// long right tail of effect sizes that genome-wide screens show, a few perturbations dominating. The log
/// fold change is e_g = clip(a_g v̂_g, ±max).</item>
/// <item>Pairs: e_AB = clip((1 + γ)(e_A + e_B)), γ ~ N(0, sd²): γ &gt; 0 synergy, γ &lt; 0 buffering.</item>
/// <item>Cells: control means μ_r log-normal, dispersions θ_r = θ·LogNormal(0, 0.5²), size factors
/// s_c ~ LogNormal(0, σ_s²); counts x ~ NB(s_c μ_r e^{e_r}, θ_r) drawn as Poisson(Gamma(θ, mean/θ));
/// X = log1p(x / Σx · target sum).</item>
/// </list>
/// Everything is drawn from seeded generators; the same options and graph give the same screen.
/// </remarks>
public static class ScreenSimulator
{
    /// <summary>Simulates a screen on <paramref name="network"/>.</summary>
    /// <param name="network">A real gene network (e.g. the GO or STRING graph of the human genes).</param>
    /// <param name="options">Settings; null means the defaults.</param>
    /// <param name="cancellationToken">Stops the simulation.</param>
    /// <exception cref="ArgumentException">The network has fewer nodes than perturbable + read-out genes.</exception>
    public static SimulatedScreen Simulate(GeneGraph network, ScreenSimulationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        var o = options ?? new ScreenSimulationOptions();
        o.Validate();
        int nP = o.PerturbableGenes, nR = o.ReadoutGenes;
        if (network.NodeCount < nP + nR) throw new ArgumentException($"The network has {network.NodeCount} nodes; {nP} perturbable + {nR} read-out genes are needed.", nameof(network));
        var rng = new Generator(o.Seed);
        var (pert, read) = ChooseGenes(network.Symmetrize(), nP, nR);
        var sub = network.Subgraph(pert.Concat(read).ToArray()).Symmetrize();
        var effects = Propagate(sub, nP, nR, o, rng.Fork(), cancellationToken);

        // Amplitudes and single effects.
        var amp = new double[nP];
        var arng = rng.Fork();
        for (int g = 0; g < nP; g++)
        {
            bool isNull = arng.NextDouble() < o.NullFraction;
            double z = arng.NextNormal();
            amp[g] = isNull ? 0 : Math.Exp(o.AmplitudeLogMean + o.AmplitudeLogSd * z);
        }
        var names = sub.Genes.ToArray();
        var conditions = new List<string>();
        var lfc = new List<float[]>();
        var amplitude = new List<double>();
        for (int g = 0; g < nP; g++)
        {
            var e = new float[nR];
            for (int r = 0; r < nR; r++) e[r] = (float)Math.Clamp(amp[g] * effects[g][r], -o.MaxLogFoldChange, o.MaxLogFoldChange);
            conditions.Add(names[g]);
            lfc.Add(e);
            amplitude.Add(amp[g]);
        }
        var prng = rng.Fork();
        var seen = new HashSet<(int, int)>();
        while (seen.Count < Math.Min(o.Pairs, nP * (nP - 1) / 2))
        {
            int a = prng.NextInt(nP), b = prng.NextInt(nP);
            if (a == b) continue;
            if (a > b) (a, b) = (b, a);
            if (!seen.Add((a, b))) continue;
            double gamma = o.InteractionSd * prng.NextNormal();
            var e = new float[nR];
            for (int r = 0; r < nR; r++) e[r] = (float)Math.Clamp((1 + gamma) * (lfc[a][r] + lfc[b][r]), -o.MaxLogFoldChange, o.MaxLogFoldChange);
            var pair = new[] { names[a], names[b] }.Order(StringComparer.Ordinal).ToArray();
            conditions.Add(string.Join('+', pair));
            lfc.Add(e);
            amplitude.Add(Math.Max(amp[a], amp[b]));
        }

        // Control profile.
        var crng = rng.Fork();
        var mu = new double[nR];
        var theta = new double[nR];
        for (int r = 0; r < nR; r++)
        {
            mu[r] = o.BaseMean * Math.Exp(o.BaseMeanLogSd * crng.NextNormal());
            theta[r] = o.Theta * Math.Exp(0.5 * crng.NextNormal());
        }
        var data = SampleCells(conditions, lfc, mu, theta, names[nP..], o, rng.NextUInt64(), cancellationToken);
        var truth = new DenseMatrix(conditions.Count, nR, lfc.SelectMany(e => e).ToArray());
        return new SimulatedScreen(data, conditions.ToArray(), truth, amplitude.ToArray(), mu, theta, names[..nP], names[nP..], sub, o);
    }

    /// <summary>BFS order from the best-connected node (then the next unvisited best-connected, for other components); every third node is a read-out.</summary>
    internal static (int[] Perturbable, int[] Readouts) ChooseGenes(GeneGraph sym, int nP, int nR)
    {
        int n = sym.NodeCount;
        var byDegree = Enumerable.Range(0, n).OrderByDescending(sym.OutDegree).ThenBy(i => i).ToArray();
        var visited = new bool[n];
        var pert = new List<int>(nP);
        var read = new List<int>(nR);
        int position = 0, next = 0;
        var queue = new Queue<int>();
        while (pert.Count < nP || read.Count < nR)
        {
            if (queue.Count == 0)
            {
                while (visited[byDegree[next]]) next++;
                visited[byDegree[next]] = true;
                queue.Enqueue(byDegree[next]);
            }
            int v = queue.Dequeue();
            bool wantRead = position++ % 3 == 2;
            if ((wantRead && read.Count < nR) || pert.Count >= nP) read.Add(v); else pert.Add(v);
            foreach (int u in sym.OutNeighbors(v)) if (!visited[u]) { visited[u] = true; queue.Enqueue(u); }
        }
        return (pert.ToArray(), read.ToArray());
    }

    /// <summary>Per perturbable gene, the normalised signed propagated effect on the read-outs (nP × nR).</summary>
    private static double[][] Propagate(GeneGraph sym, int nP, int nR, ScreenSimulationOptions o, Generator rng, CancellationToken ct)
    {
        var s = sym.NormalizedAdjacency();
        int n = s.NodeCount;
        // A sign per undirected edge, from a seeded hash of the unordered pair (symmetric by construction).
        ulong salt = rng.NextUInt64();
        double Sign(int a, int b)
        {
            if (a == b) return 1;
            ulong key = ((ulong)(uint)Math.Min(a, b) << 32 | (uint)Math.Max(a, b)) ^ salt;
            double u = (new Generator(key).NextUInt64() >> 11) * (1.0 / (1UL << 53));
            return u < o.NegativeEdgeFraction ? -1 : 1;
        }
        var signed = new double[n][];
        for (int u = 0; u < n; u++)
        {
            var nb = s.OutNeighbors(u);
            var w = s.OutWeights(u);
            signed[u] = new double[nb.Length];
            for (int k = 0; k < nb.Length; k++) signed[u][k] = w[k] * Sign(u, nb[k]);
        }
        var result = new double[nP][];
        Parallel.For(0, nP, new ParallelOptions { CancellationToken = ct }, g =>
        {
            var cur = new double[n];
            var next = new double[n];
            var acc = new double[n];
            cur[g] = 1;
            double scale = 1;
            for (int l = 1; l <= o.Hops; l++)
            {
                Array.Clear(next);
                for (int u = 0; u < n; u++)
                {
                    if (cur[u] == 0) continue;
                    var nb = s.OutNeighbors(u);
                    var w = signed[u];
                    for (int k = 0; k < nb.Length; k++) next[nb[k]] += cur[u] * w[k];
                }
                (cur, next) = (next, cur);
                for (int v = 0; v < n; v++) acc[v] += scale * cur[v];
                scale *= o.Decay;
            }
            var e = new double[nR];
            double max = 0;
            for (int r = 0; r < nR; r++) { e[r] = acc[nP + r]; max = Math.Max(max, Math.Abs(e[r])); }
            // Scaled to max 1 here so that the sharing step mixes profiles of equal weight.
            if (max > 0) for (int r = 0; r < nR; r++) e[r] /= max;
            result[g] = e;
        });
        var shared = Share(s, result, nP, nR, o.FunctionalSharing, ct);
        Parallel.For(0, nP, new ParallelOptions { CancellationToken = ct }, g =>
        {
            var e = shared[g];
            double max = 0;
            for (int r = 0; r < nR; r++) max = Math.Max(max, Math.Abs(e[r]));
            for (int r = 0; r < nR; r++)
            {
                double v = max > 0 ? e[r] / max : 0;
                e[r] = Math.Abs(v) < o.DetectionThreshold ? 0 : v;
            }
        });
        return shared;
    }

    /// <summary>
    /// Functional sharing: v'_g = (1 − β) v_g + β Σ_h w_gh v_h / Σ_h w_gh over the perturbable network neighbours h of g
    /// (w: the normalised adjacency). Perturbing any member of a functional neighbourhood then disrupts a common
    /// programme, as subunits of one complex give near-identical profiles in real screens; β = 0 keeps each gene's own
    /// spread only.
    /// </summary>
    private static double[][] Share(GeneGraph s, double[][] own, int nP, int nR, double beta, CancellationToken ct)
    {
        if (beta == 0) return own;
        var result = new double[nP][];
        Parallel.For(0, nP, new ParallelOptions { CancellationToken = ct }, g =>
        {
            var e = new double[nR];
            var nb = s.OutNeighbors(g);
            var w = s.OutWeights(g);
            double total = 0;
            for (int k = 0; k < nb.Length; k++)
            {
                if (nb[k] == g || nb[k] >= nP) continue;
                total += w[k];
                var v = own[nb[k]];
                for (int r = 0; r < nR; r++) e[r] += w[k] * v[r];
            }
            // A gene without perturbable neighbours keeps its own profile.
            double a = total > 0 ? beta : 0;
            for (int r = 0; r < nR; r++) e[r] = (1 - a) * own[g][r] + (total > 0 ? a * e[r] / total : 0);
            result[g] = e;
        });
        return result;
    }

    /// <summary>
    /// One cell's counts: a log-normal size factor, then per read-out NB(size · μ_r · e^{lfc_r}, θ_r) as Poisson–Gamma.
    /// </summary>
    /// <param name="g">The cell's generator.</param>
    /// <param name="lfc">The condition's log fold changes; null for a control cell.</param>
    /// <param name="mu">Control NB means.</param>
    /// <param name="theta">NB dispersions.</param>
    /// <param name="o">Options (the size factor's spread).</param>
    /// <param name="counts">Receives the counts, one per read-out.</param>
    /// <returns>The cell's total count.</returns>
    internal static double SampleCell(Generator g, float[]? lfc, double[] mu, double[] theta, ScreenSimulationOptions o, double[] counts)
    {
        double size = Math.Exp(o.LibrarySizeLogSd * g.NextNormal());
        double total = 0;
        for (int r = 0; r < mu.Length; r++)
        {
            double mean = size * mu[r] * (lfc is null ? 1 : Math.Exp(lfc[r]));
            double rate = g.NextGamma(theta[r]) * mean / theta[r];
            double x = rate > 0 ? g.NextPoisson(rate) : 0;
            counts[r] = x;
            total += x;
        }
        return total;
    }

    private static AnnData SampleCells(List<string> conditions, List<float[]> lfc, double[] mu, double[] theta, string[] readouts,
        ScreenSimulationOptions o, ulong seed, CancellationToken ct)
    {
        int nR = mu.Length;
        int cells = o.ControlCells + conditions.Count * o.CellsPerPerturbation;
        var condOf = new int[cells]; // −1 = control
        for (int c = 0; c < cells; c++) condOf[c] = c < o.ControlCells ? -1 : (c - o.ControlCells) / o.CellsPerPerturbation;
        var rowIdx = new int[cells][];
        var rowCounts = new float[cells][];
        // One count buffer per worker thread, not per cell.
        Parallel.For(0, cells, new ParallelOptions { CancellationToken = ct }, () => new double[nR], (c, _, x) =>
        {
            SampleCell(new Generator(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(c + 1))), condOf[c] < 0 ? null : lfc[condOf[c]], mu, theta, o, x);
            var idx = new List<int>();
            var val = new List<float>();
            for (int r = 0; r < nR; r++) if (x[r] > 0) { idx.Add(r); val.Add((float)x[r]); }
            rowIdx[c] = idx.ToArray();
            rowCounts[c] = val.ToArray();
            return x;
        }, _ => { });
        var ptr = new int[cells + 1];
        for (int c = 0; c < cells; c++) ptr[c + 1] = ptr[c] + rowIdx[c].Length;
        var indices = new int[ptr[cells]];
        var counts = new float[ptr[cells]];
        var logn = new float[ptr[cells]];
        for (int c = 0; c < cells; c++)
        {
            rowIdx[c].CopyTo(indices, ptr[c]);
            rowCounts[c].CopyTo(counts, ptr[c]);
            double total = rowCounts[c].Sum(v => (double)v);
            for (int k = 0; k < rowCounts[c].Length; k++) logn[ptr[c] + k] = (float)Math.Log(1 + rowCounts[c][k] / total * o.TargetSum);
        }
        var obsNames = Enumerable.Range(0, cells).Select(c => $"cell{c}").ToArray();
        var obs = new DataFrame(obsNames);
        obs.Add(CategoricalColumn.FromValues("condition", condOf.Select(k => k < 0 ? "ctrl" : conditions[k].Contains('+') ? conditions[k] : conditions[k] + "+ctrl").ToArray()));
        obs.Add(CategoricalColumn.FromValues("perturbation", condOf.Select(k => k < 0 ? "control" : conditions[k]).ToArray()));
        var var = new DataFrame(readouts, "gene_symbol");
        var data = new AnnData(new CellMatrix(cells, nR, ptr, indices, logn, validate: false), obs, var);
        data.Layers["counts"] = new CellMatrix(cells, nR, (int[])ptr.Clone(), (int[])indices.Clone(), counts, validate: false);
        return data;
    }
}
