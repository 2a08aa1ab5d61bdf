using SingleCell.Models.Data;
using SingleCell.Models.Graphs;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.Study;

/// <summary>The perturbation kernel and observed changes of one (screen, graph), and the ridge fit on them.</summary>
internal sealed class GraphRidgeFactoryCache
{
    private readonly GraphRidgeOptions _options;
    private readonly SparseRow[] _nodeRows;
    private readonly SparseRow[] _z;
    private readonly double[] _k;      // P × P
    private readonly double[][] _y;    // P × G changes
    private readonly int _p;

    public GraphRidgeFactoryCache(PerturbationScreen screen, GeneGraph graph, GraphRidgeOptions options, CancellationToken ct)
    {
        Screen = screen;
        Graph = graph;
        _options = options;
        _nodeRows = GraphDiffusion.NodeRows(graph, options.Hops, options.Decay, ct);
        _p = screen.Perturbations.Count;
        _z = screen.PerturbationGenes.Select(g => GraphDiffusion.Combine(graph, _nodeRows, g)).ToArray();
        _k = GraphDiffusion.Gram(_z, graph.NodeCount);
        _y = Enumerable.Range(0, _p).Select(screen.Change).ToArray();
    }

    public PerturbationScreen Screen { get; }

    public GeneGraph Graph { get; }

    public double[] KernelRow(string label, int[] train, IReadOnlyList<string> perturbable)
    {
        int p = Screen.IndexOf(label);
        var row = new double[train.Length];
        if (p >= 0)
        {
            for (int t = 0; t < train.Length; t++) row[t] = _k[(long)p * _p + train[t]];
            return row;
        }
        var genes = new ConditionParser().Parse(label);
        if (genes.Length == 0) return row; // control: the mean change
        foreach (var g in genes)
            if (!perturbable.Contains(g)) throw new ArgumentException($"Gene '{g}' of '{label}' is neither in the graph nor perturbed in the screen.", nameof(label));
        var z = GraphDiffusion.Combine(Graph, _nodeRows, genes);
        for (int t = 0; t < train.Length; t++) row[t] = GraphDiffusion.Dot(z, _z[train[t]]);
        return row;
    }

    public GraphRidgePredictor Fit(int[] train, int seed, CancellationToken ct)
    {
        double lambda;
        var grid = _options.Grid;
        int nVal = (int)Math.Round(train.Length * _options.ValidationFraction);
        double meanDiag = train.Average(t => _k[(long)t * _p + t]);
        if (meanDiag <= 0) meanDiag = 1;
        if (grid.Count == 1 || nVal < 1 || train.Length - nVal < 2) lambda = grid[grid.Count / 2] * meanDiag;
        else
        {
            var perm = (int[])train.Clone();
            new Generator(seed).Shuffle(perm.AsSpan());
            var val = perm[..nVal];
            var fit = perm[nVal..];
            Array.Sort(fit);
            double best = double.PositiveInfinity;
            lambda = grid[0] * meanDiag;
            foreach (double r in grid)
            {
                ct.ThrowIfCancellationRequested();
                var (alpha, mean) = Solve(fit, r * meanDiag);
                double err = 0;
                foreach (int v in val)
                {
                    var y = _y[v];
                    for (int g = 0; g < y.Length; g++)
                    {
                        double pred = mean[g];
                        for (int t = 0; t < fit.Length; t++) pred += _k[(long)v * _p + fit[t]] * alpha[t * y.Length + g];
                        err += (pred - y[g]) * (pred - y[g]);
                    }
                }
                if (err < best) { best = err; lambda = r * meanDiag; }
            }
        }
        var sorted = (int[])train.Clone();
        Array.Sort(sorted);
        var (a, m) = Solve(sorted, lambda);
        return new GraphRidgePredictor(this, sorted, a, m, lambda);
    }

    /// <summary>α = (K_LL + λI)⁻¹(Y_L − ȳ) by Cholesky; returns α (|L| × G, float) and ȳ.</summary>
    private (float[] Alpha, double[] Mean) Solve(int[] train, double lambda)
    {
        int n = train.Length, g = _y[0].Length;
        var mean = new double[g];
        foreach (int t in train) for (int j = 0; j < g; j++) mean[j] += _y[t][j] / n;
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) a[i * n + j] = _k[(long)train[i] * _p + train[j]] + (i == j ? lambda : 0);
        var b = new double[n * g];
        for (int i = 0; i < n; i++) for (int j = 0; j < g; j++) b[i * g + j] = _y[train[i]][j] - mean[j];
        Cholesky.Solve(a, n, b, g);
        var alpha = new float[n * g];
        for (int i = 0; i < alpha.Length; i++) alpha[i] = (float)b[i];
        return (alpha, mean);
    }
}

/// <summary>Dense Cholesky factorisation and solve for symmetric positive-definite systems (row-major).</summary>
internal static class Cholesky
{
    /// <summary>Solves A X = B in place (B is n × m, overwritten by X); A is overwritten by its factor.</summary>
    /// <exception cref="ArgumentException">A is not positive definite.</exception>
    public static void Solve(double[] a, int n, double[] b, int m)
    {
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
            if (!(d > 0)) throw new ArgumentException($"The matrix is not positive definite (pivot {j} is {d}).");
            d = Math.Sqrt(d);
            a[j * n + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
                a[i * n + j] = s / d;
            }
        }
        // Forward: L Y = B, row by row (each row of B is updated with a vector axpy).
        for (int i = 0; i < n; i++)
        {
            var bi = b.AsSpan(i * m, m);
            for (int k = 0; k < i; k++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.AsSpan(k * m, m), -a[i * n + k], bi, bi);
            System.Numerics.Tensors.TensorPrimitives.Divide(bi, a[i * n + i], bi);
        }
        // Backward: Lᵀ X = Y.
        for (int i = n - 1; i >= 0; i--)
        {
            var bi = b.AsSpan(i * m, m);
            for (int k = i + 1; k < n; k++) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.AsSpan(k * m, m), -a[k * n + i], bi, bi);
            System.Numerics.Tensors.TensorPrimitives.Divide(bi, a[i * n + i], bi);
        }
    }
}
