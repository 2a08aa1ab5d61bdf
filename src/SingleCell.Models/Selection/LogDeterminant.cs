using SingleCell.Models.Data;

namespace SingleCell.Models.Selection;

/// <summary>
/// Log-determinant (D-optimal design) function f(S) = log det(I + α K_SS) for a symmetric
/// positive semi-definite kernel K; monotone submodular. Used as a clearly labelled stand-in
/// for the paper's MaxSpec criterion, whose definition we could not read (spec §1.4).
/// </summary>
/// <remarks>
/// Incremental Cholesky (as in fast greedy MAP inference): for each item i the cache holds
/// c_i = L⁻¹ α K_{S,i} implicitly through d²_i = 1 + α K_ii − ‖c_i‖², and the gain is log d²_i.
/// Adding j costs O(n · |S|) time; the cache takes O(n · |S|) memory.
/// </remarks>
public sealed class LogDeterminant : SetFunction
{
    private readonly CellMatrix _k;
    private readonly double _alpha;
    private readonly double[] _d2;
    private readonly List<double[]> _e = new();
    private readonly double[] _row;

    /// <summary>Creates the function.</summary>
    /// <param name="kernel">Square symmetric PSD kernel (sparse; unstored entries are 0).</param>
    /// <param name="alpha">Scale α &gt; 0.</param>
    /// <exception cref="ArgumentException">The kernel is not square.</exception>
    public LogDeterminant(CellMatrix kernel, double alpha = 1.0)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Rows != kernel.Columns) throw new ArgumentException($"The kernel must be square; got {kernel.Rows} × {kernel.Columns}.", nameof(kernel));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        _k = kernel;
        _alpha = alpha;
        _d2 = new double[kernel.Rows];
        _row = new double[kernel.Rows];
        ResetCore();
    }

    /// <inheritdoc/>
    public override int Count => _k.Rows;

    /// <inheritdoc/>
    protected override double GainCore(int item) => Math.Log(Math.Max(_d2[item], 1e-300));

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        int n = Count;
        double gain = GainCore(item);
        double dj = Math.Sqrt(Math.Max(_d2[item], 1e-300));
        Array.Clear(_row);
        var idx = _k.RowIndices(item);
        var val = _k.RowValues(item);
        for (int k = 0; k < idx.Length; k++) _row[idx[k]] = _alpha * val[k];
        var e = new double[n];
        for (int v = 0; v < n; v++)
        {
            double s = _row[v];
            foreach (var prev in _e) s -= prev[item] * prev[v];
            double ev = s / dj;
            e[v] = ev;
            _d2[v] -= ev * ev;
        }
        _e.Add(e);
        return gain;
    }

    /// <inheritdoc/>
    protected override void ResetCore()
    {
        _e.Clear();
        for (int i = 0; i < _d2.Length; i++) _d2[i] = 1 + _alpha * _k[i, i];
    }
}
