namespace SingleCell.Models.Selection;

/// <summary>
/// A set function f over the ground set {0, …, <see cref="Count"/> − 1} with cached state for
/// fast incremental (marginal-gain) evaluation: the current set S, f(S), and whatever
/// sufficient statistics the function needs.
/// </summary>
/// <remarks>
/// All functions in this namespace are normalised (f(∅) = 0), monotone (f(S ∪ {i}) ≥ f(S)) and
/// submodular (gains shrink as S grows) on their documented domain, which is what gives greedy
/// maximisation its (1 − 1/e) guarantee. <see cref="Gain"/> does not change the state and may
/// be called from several threads at once; <see cref="Add"/> and <see cref="Reset"/> may not.
/// </remarks>
public abstract class SetFunction
{
    private bool[] _inSet = Array.Empty<bool>();
    private readonly List<int> _selected = new();

    /// <summary>Size of the ground set.</summary>
    public abstract int Count { get; }

    /// <summary>f(S) for the current set S.</summary>
    public double Value { get; private set; }

    /// <summary>The current set S in insertion order.</summary>
    public IReadOnlyList<int> Selected => _selected;

    /// <summary>Whether <paramref name="item"/> is in the current set.</summary>
    /// <param name="item">An item.</param>
    public bool Contains(int item) => _inSet.Length > item && _inSet[item];

    /// <summary>The marginal gain f(S ∪ {item}) − f(S); 0 for an item already in S.</summary>
    /// <param name="item">An item of the ground set.</param>
    /// <exception cref="ArgumentOutOfRangeException">The item is outside the ground set.</exception>
    public double Gain(int item)
    {
        if ((uint)item >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(item), $"Item {item} is outside the ground set 0..{Count - 1}.");
        return Contains(item) ? 0 : GainCore(item);
    }

    /// <summary>Adds <paramref name="item"/> to S and updates the cached state.</summary>
    /// <param name="item">An item of the ground set.</param>
    /// <returns>The marginal gain realised (0 if the item was already in S).</returns>
    public double Add(int item)
    {
        if ((uint)item >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(item), $"Item {item} is outside the ground set 0..{Count - 1}.");
        if (_inSet.Length != Count) _inSet = new bool[Count];
        if (_inSet[item]) return 0;
        double g = AddCore(item);
        _inSet[item] = true;
        _selected.Add(item);
        Value += g;
        return g;
    }

    /// <summary>Empties S (f(∅) = 0).</summary>
    public void Reset()
    {
        if (_inSet.Length != Count) _inSet = new bool[Count];
        else Array.Clear(_inSet);
        _selected.Clear();
        Value = 0;
        ResetCore();
    }

    /// <summary>f(<paramref name="items"/>), computed from scratch; leaves the state at that set.</summary>
    /// <param name="items">The set (repeats are ignored).</param>
    public double Evaluate(ReadOnlySpan<int> items)
    {
        Reset();
        foreach (int i in items) Add(i);
        return Value;
    }

    /// <summary>The gain of an item not in S, from the cached state; must not change the state.</summary>
    /// <param name="item">An item not in S.</param>
    protected abstract double GainCore(int item);

    /// <summary>Adds an item not in S to the cached state.</summary>
    /// <param name="item">An item not in S.</param>
    /// <returns>Its marginal gain.</returns>
    protected abstract double AddCore(int item);

    /// <summary>Clears the cached state to the empty set.</summary>
    protected abstract void ResetCore();

    /// <summary>Throws if <paramref name="m"/> holds a negative or non-finite value.</summary>
    /// <param name="m">A matrix.</param>
    /// <param name="name">Parameter name for the message.</param>
    protected static void RequireNonNegative(Data.CellMatrix m, string name)
    {
        var v = m.Values;
        for (int i = 0; i < v.Length; i++)
            if (!(v[i] >= 0) || float.IsInfinity(v[i]))
                throw new ArgumentException($"{name} must hold finite non-negative values; entry {i} is {v[i]}.", name);
    }
}
