using SingleCell.Models.Data;

namespace SingleCell.Models.Selection;

/// <summary>
/// Graph cut: f(S) = α · Σ_{x∈S} Σ_{v∈V} s(x, v) − Σ_{x∈S} Σ_{y∈S} s(x, y) over a symmetric
/// non-negative similarity (square: the universe is the ground set).
/// </summary>
/// <remarks>
/// Submodular for any α; monotone when α ≥ 2 (then every gain α·r_i − 2·Σ_{y∈S} s(i,y) − s(i,i)
/// is ≥ 0 because Σ_{y∈S∪{i}} s(i,y) ≤ r_i = Σ_v s(i,v)). The default is α = 2; apricot's α = 1
/// is not monotone in general. Symmetry is the caller's responsibility.
/// </remarks>
public sealed class GraphCut : SetFunction
{
    private readonly CellMatrix _s;
    private readonly double _alpha;
    private readonly double[] _rowSum;
    private readonly double[] _diag;
    private readonly double[] _cross;

    /// <summary>Creates the function.</summary>
    /// <param name="similarity">Square symmetric similarity (≥ 0).</param>
    /// <param name="alpha">Weight α of the coverage term (≥ 2 for monotonicity).</param>
    /// <exception cref="ArgumentException">Not square, or negative values.</exception>
    public GraphCut(CellMatrix similarity, double alpha = 2.0)
    {
        ArgumentNullException.ThrowIfNull(similarity);
        if (similarity.Rows != similarity.Columns) throw new ArgumentException($"Graph cut needs a square similarity; got {similarity.Rows} × {similarity.Columns}.", nameof(similarity));
        RequireNonNegative(similarity, nameof(similarity));
        _s = similarity;
        _alpha = alpha;
        int n = similarity.Rows;
        _rowSum = new double[n];
        _diag = new double[n];
        _cross = new double[n];
        for (int i = 0; i < n; i++)
        {
            var idx = similarity.RowIndices(i);
            var val = similarity.RowValues(i);
            for (int k = 0; k < idx.Length; k++)
            {
                _rowSum[i] += val[k];
                if (idx[k] == i) _diag[i] = val[k];
            }
        }
    }

    /// <inheritdoc/>
    public override int Count => _s.Rows;

    /// <inheritdoc/>
    protected override double GainCore(int item) => _alpha * _rowSum[item] - 2 * _cross[item] - _diag[item];

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        double g = GainCore(item);
        var idx = _s.RowIndices(item);
        var val = _s.RowValues(item);
        for (int k = 0; k < idx.Length; k++) _cross[idx[k]] += val[k];
        return g;
    }

    /// <inheritdoc/>
    protected override void ResetCore() => Array.Clear(_cross);
}
