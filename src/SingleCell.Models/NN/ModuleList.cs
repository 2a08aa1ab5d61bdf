using System.Collections;
using System.Globalization;

namespace SingleCell.Models.NN;

/// <summary>A list of child modules registered as <c>0</c>, <c>1</c>, … (<c>torch.nn.ModuleList</c>), for networks of variable depth.</summary>
/// <typeparam name="T">The module type.</typeparam>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> _items = [];

    /// <summary>Creates the list with the given modules.</summary>
    /// <param name="modules">Initial modules.</param>
    public ModuleList(params IEnumerable<T> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends and registers a module.</summary>
    /// <param name="module">The module (not registered elsewhere).</param>
    public ModuleList<T> Add(T module)
    {
        RegisterModule(_items.Count.ToString(CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    protected override string Describe() => $"ModuleList({_items.Count})";
}

/// <summary>Child modules registered under given names (<c>torch.nn.ModuleDict</c>), in insertion order.</summary>
/// <typeparam name="T">The module type.</typeparam>
public sealed class ModuleDict<T> : Module, IReadOnlyDictionary<string, T> where T : Module
{
    private readonly Dictionary<string, T> _items = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Adds and registers a module under <paramref name="name"/> (no dots; unique).</summary>
    /// <param name="name">The key.</param>
    /// <param name="module">The module.</param>
    public ModuleDict<T> Add(string name, T module)
    {
        RegisterModule(name, module);
        _items.Add(name, module);
        _order.Add(name);
        return this;
    }

    /// <inheritdoc />
    public T this[string key] => _items.TryGetValue(key, out var m) ? m
        : throw new KeyNotFoundException($"{Label}: no module '{key}' (keys: {string.Join(", ", _order)}).");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _order;

    /// <inheritdoc />
    public IEnumerable<T> Values => _order.Select(k => _items[k]);

    /// <inheritdoc />
    public int Count => _order.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T value) => _items.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _order.Select(k => new KeyValuePair<string, T>(k, _items[k])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    protected override string Describe() => $"ModuleDict({_order.Count})";
}
