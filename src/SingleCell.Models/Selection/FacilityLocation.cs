using SingleCell.Models.Data;

namespace SingleCell.Models.Selection;

/// <summary>
/// Facility location: f(S) = Σ_{v∈V} max_{x∈S} s(x, v) (0 for S = ∅) over a non-negative
/// similarity with items as rows and the universe V as columns, dense or sparse (k-NN).
/// Monotone submodular.
/// </summary>
/// <remarks>
/// The cache holds cur_v = max_{x∈S} s(x, v); a gain is Σ over the item's stored entries of
/// max(0, s(i, v) − cur_v), so a sparse row costs O(its non-zeros) (apricot's scheme, spec §5.3).
/// </remarks>
public sealed class FacilityLocation : SetFunction
{
    private readonly CellMatrix _s;
    private readonly double[] _cur;

    /// <summary>Creates the function from a sparse items × universe similarity.</summary>
    /// <param name="similarity">Non-negative similarities; unstored entries are 0.</param>
    /// <exception cref="ArgumentException">Negative or non-finite similarities.</exception>
    public FacilityLocation(CellMatrix similarity)
    {
        ArgumentNullException.ThrowIfNull(similarity);
        RequireNonNegative(similarity, nameof(similarity));
        _s = similarity;
        _cur = new double[similarity.Columns];
    }

    /// <summary>Creates the function from a dense row-major items × universe similarity.</summary>
    /// <param name="similarity">Row-major values (≥ 0).</param>
    /// <param name="items">Number of rows.</param>
    /// <param name="universe">Number of columns.</param>
    public static FacilityLocation FromDense(ReadOnlySpan<float> similarity, int items, int universe)
        => new(CellMatrix.FromDense(similarity, items, universe));

    /// <inheritdoc/>
    public override int Count => _s.Rows;

    /// <summary>The similarity matrix.</summary>
    public CellMatrix Similarity => _s;

    /// <inheritdoc/>
    protected override double GainCore(int item)
    {
        var idx = _s.RowIndices(item);
        var val = _s.RowValues(item);
        double g = 0;
        for (int k = 0; k < idx.Length; k++)
        {
            double d = val[k] - _cur[idx[k]];
            if (d > 0) g += d;
        }
        return g;
    }

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        var idx = _s.RowIndices(item);
        var val = _s.RowValues(item);
        double g = 0;
        for (int k = 0; k < idx.Length; k++)
        {
            double d = val[k] - _cur[idx[k]];
            if (d > 0) { g += d; _cur[idx[k]] = val[k]; }
        }
        return g;
    }

    /// <inheritdoc/>
    protected override void ResetCore() => Array.Clear(_cur);
}
