using SingleCell.Models.Data;

namespace SingleCell.Models.Selection;

/// <summary>
/// Weighted coverage: each item covers a set of elements; f(S) = Σ_{e ∈ ∪_{i∈S} C_i} w_e.
/// Monotone submodular for w ≥ 0.
/// </summary>
public sealed class WeightedCoverage : SetFunction
{
    private readonly int[] _ptr;
    private readonly int[] _elements;
    private readonly double[] _weights;
    private readonly bool[] _covered;

    /// <summary>Creates the function from item → element lists in CSR form.</summary>
    /// <param name="itemPtr">Offsets, length items + 1.</param>
    /// <param name="elements">Covered element ids.</param>
    /// <param name="elementWeights">Weight per element (≥ 0); null gives weight 1 to every element.</param>
    /// <param name="elementCount">Number of elements (required when weights are null).</param>
    /// <exception cref="ArgumentException">Malformed offsets, element ids out of range or negative weights.</exception>
    public WeightedCoverage(int[] itemPtr, int[] elements, double[]? elementWeights = null, int elementCount = -1)
    {
        ArgumentNullException.ThrowIfNull(itemPtr);
        ArgumentNullException.ThrowIfNull(elements);
        if (itemPtr.Length == 0 || itemPtr[0] != 0 || itemPtr[^1] != elements.Length)
            throw new ArgumentException($"itemPtr must start at 0 and end at elements.Length = {elements.Length}.", nameof(itemPtr));
        int m = elementWeights?.Length ?? elementCount;
        if (m < 0) throw new ArgumentException("Give elementWeights or elementCount.", nameof(elementCount));
        for (int k = 0; k < elements.Length; k++)
            if ((uint)elements[k] >= (uint)m) throw new ArgumentException($"Element {elements[k]} is outside 0..{m - 1}.", nameof(elements));
        if (elementWeights is not null)
            foreach (double w in elementWeights)
                if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException($"Element weights must be finite and ≥ 0; found {w}.", nameof(elementWeights));
        _ptr = itemPtr;
        _elements = elements;
        _weights = elementWeights ?? Enumerable.Repeat(1.0, m).ToArray();
        _covered = new bool[m];
    }

    /// <inheritdoc/>
    public override int Count => _ptr.Length - 1;

    /// <summary>Number of elements.</summary>
    public int ElementCount => _weights.Length;

    /// <summary>The elements covered by <paramref name="item"/>.</summary>
    /// <param name="item">An item.</param>
    public ReadOnlySpan<int> CoveredBy(int item) => _elements.AsSpan(_ptr[item], _ptr[item + 1] - _ptr[item]);

    /// <inheritdoc/>
    protected override double GainCore(int item)
    {
        double g = 0;
        for (int k = _ptr[item]; k < _ptr[item + 1]; k++)
        {
            int e = _elements[k];
            if (!_covered[e]) g += _weights[e];
        }
        return g;
    }

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        double g = 0;
        for (int k = _ptr[item]; k < _ptr[item + 1]; k++)
        {
            int e = _elements[k];
            if (_covered[e]) continue;
            _covered[e] = true;
            g += _weights[e];
        }
        return g;
    }

    /// <inheritdoc/>
    protected override void ResetCore() => Array.Clear(_covered);
}

/// <summary>
/// Saturated coverage (apricot): f(S) = Σ_v min(Σ_{x∈S} s(x, v), α · Σ_{u∈V} s(u, v)) over a
/// non-negative similarity with items as rows and the universe as columns. Monotone submodular.
/// </summary>
public sealed class SaturatedCoverage : SetFunction
{
    private readonly CellMatrix _s;
    private readonly double[] _cap;
    private readonly double[] _cur;

    /// <summary>Creates the function.</summary>
    /// <param name="similarity">Items × universe similarities (≥ 0).</param>
    /// <param name="alpha">Saturation fraction α &gt; 0 (apricot default 0.1).</param>
    /// <exception cref="ArgumentException">Negative similarities.</exception>
    public SaturatedCoverage(CellMatrix similarity, double alpha = 0.1)
    {
        ArgumentNullException.ThrowIfNull(similarity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(alpha);
        RequireNonNegative(similarity, nameof(similarity));
        _s = similarity;
        _cap = new double[similarity.Columns];
        for (int k = 0; k < similarity.Indices.Length; k++) _cap[similarity.Indices[k]] += similarity.Values[k];
        for (int v = 0; v < _cap.Length; v++) _cap[v] *= alpha;
        _cur = new double[similarity.Columns];
    }

    /// <inheritdoc/>
    public override int Count => _s.Rows;

    /// <inheritdoc/>
    protected override double GainCore(int item)
    {
        var idx = _s.RowIndices(item);
        var val = _s.RowValues(item);
        double g = 0;
        for (int k = 0; k < idx.Length; k++)
        {
            int v = idx[k];
            double c = _cur[v], cap = _cap[v];
            g += Math.Min(c + val[k], cap) - Math.Min(c, cap);
        }
        return g;
    }

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        double g = GainCore(item);
        var idx = _s.RowIndices(item);
        var val = _s.RowValues(item);
        for (int k = 0; k < idx.Length; k++) _cur[idx[k]] += val[k];
        return g;
    }

    /// <inheritdoc/>
    protected override void ResetCore() => Array.Clear(_cur);
}

/// <summary>The concave function φ of a <see cref="FeatureBased"/> objective.</summary>
public enum ConcaveFunction
{
    /// <summary>φ(x) = √x.</summary>
    Sqrt,
    /// <summary>φ(x) = log(1 + x).</summary>
    Log1p,
    /// <summary>φ(x) = x / (1 + x).</summary>
    Sigmoid,
}

/// <summary>
/// Feature-based (concave of modular) function: f(S) = Σ_d φ(Σ_{i∈S} x_{id}) with x ≥ 0 and
/// concave non-decreasing φ, φ(0) = 0. Monotone submodular.
/// </summary>
public sealed class FeatureBased : SetFunction
{
    private readonly CellMatrix _x;
    private readonly ConcaveFunction _phi;
    private readonly double[] _cur;

    /// <summary>Creates the function.</summary>
    /// <param name="features">Items × features, non-negative.</param>
    /// <param name="phi">The concave function.</param>
    /// <exception cref="ArgumentException">Negative features.</exception>
    public FeatureBased(CellMatrix features, ConcaveFunction phi = ConcaveFunction.Sqrt)
    {
        ArgumentNullException.ThrowIfNull(features);
        RequireNonNegative(features, nameof(features));
        _x = features;
        _phi = phi;
        _cur = new double[features.Columns];
    }

    /// <inheritdoc/>
    public override int Count => _x.Rows;

    private double Phi(double v) => _phi switch
    {
        ConcaveFunction.Sqrt => Math.Sqrt(v),
        ConcaveFunction.Log1p => Math.Log(1 + v),
        _ => v / (1 + v),
    };

    /// <inheritdoc/>
    protected override double GainCore(int item)
    {
        var idx = _x.RowIndices(item);
        var val = _x.RowValues(item);
        double g = 0;
        for (int k = 0; k < idx.Length; k++)
        {
            double c = _cur[idx[k]];
            g += Phi(c + val[k]) - Phi(c);
        }
        return g;
    }

    /// <inheritdoc/>
    protected override double AddCore(int item)
    {
        double g = GainCore(item);
        var idx = _x.RowIndices(item);
        var val = _x.RowValues(item);
        for (int k = 0; k < idx.Length; k++) _cur[idx[k]] += val[k];
        return g;
    }

    /// <inheritdoc/>
    protected override void ResetCore() => Array.Clear(_cur);
}
