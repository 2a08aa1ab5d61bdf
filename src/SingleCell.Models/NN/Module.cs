using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Base class of neural-network building blocks, as <c>torch.nn.Module</c>: it owns parameters,
/// buffers (non-trained state such as running statistics) and child modules, all registered
/// explicitly under a name, and exposes them under hierarchical names such as
/// <c>encoder.layers.0.weight</c>.
/// </summary>
/// <remarks>
/// Registration is explicit (no reflection, so trimming and native AOT work): a subclass calls
/// <see cref="RegisterParameter(string, Parameter)"/>, <see cref="RegisterBuffer"/> and
/// <see cref="RegisterModule{T}"/> in its constructor. Anything not registered is invisible to
/// optimisers and checkpoints — a test that every parameter receives a gradient catches omissions.
/// </remarks>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Parameter>> _parameters = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _modules = [];
    private Module? _parent;
    private string? _localName;

    /// <summary>Whether the module is in training mode (the default) rather than evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>
    /// The module's dotted path from the root it is registered under (e.g. <c>encoder.layers.0</c>),
    /// or its type name when it is a root. Used in error messages.
    /// </summary>
    public string QualifiedName
    {
        get
        {
            if (_parent == null) return GetType().Name;
            var parts = new List<string>();
            for (var m = this; m._parent != null; m = m._parent) parts.Add(m._localName!);
            parts.Reverse();
            return string.Join('.', parts);
        }
    }

    /// <summary>A short description of the layer and its settings for error messages (e.g. <c>Linear(6 → 3)</c>).</summary>
    protected virtual string Describe() => GetType().Name;

    /// <summary>The layer description and, when registered in a parent, its path: <c>Linear(6 → 3) 'encoder.0'</c>.</summary>
    protected string Label => _parent == null ? Describe() : $"{Describe()} '{QualifiedName}'";

    /// <summary>Registers a trainable parameter under <paramref name="name"/> and returns it.</summary>
    /// <param name="name">Local name (no dots), unique within this module.</param>
    /// <param name="parameter">The parameter.</param>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is already used.</exception>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckName(name);
        parameter.Value.Name ??= name;
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Wraps <paramref name="value"/> in a <see cref="Parameter"/>, registers it and returns it.</summary>
    /// <param name="name">Local name (no dots), unique within this module.</param>
    /// <param name="value">A leaf tensor.</param>
    protected Parameter RegisterParameter(string name, Tensor value) => RegisterParameter(name, new Parameter(value));

    /// <summary>Registers a buffer: state saved in <see cref="StateDict"/> but not trained (e.g. running statistics).</summary>
    /// <param name="name">Local name (no dots), unique within this module.</param>
    /// <param name="buffer">The tensor; updated in place by the module.</param>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckName(name);
        _buffers.Add(new(name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module under <paramref name="name"/> and returns it.</summary>
    /// <typeparam name="T">The module type.</typeparam>
    /// <param name="name">Local name (no dots), unique within this module.</param>
    /// <param name="module">The child; it must not be this module or already have a parent.</param>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException("A module cannot be registered in itself.", nameof(module));
        if (module._parent != null)
            throw new ArgumentException($"Module {module.Describe()} is already registered as '{module.QualifiedName}'; create a new instance to use it twice.", nameof(module));
        module._parent = this;
        module._localName = name;
        module.SetTraining(IsTraining);
        _modules.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{Describe()}: invalid name '{name}' (must be non-empty and contain no dot).", nameof(name));
        foreach (var p in _parameters) if (p.Key == name) throw Duplicate(name);
        foreach (var b in _buffers) if (b.Key == name) throw Duplicate(name);
        foreach (var m in _modules) if (m.Key == name) throw Duplicate(name);
    }

    private ArgumentException Duplicate(string name) => new($"{Describe()}: the name '{name}' is already registered.", nameof(name));

    /// <summary>The direct children with their local names, in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> NamedChildren() => _modules;

    /// <summary>This module (named "") and all its descendants with hierarchical names, depth first.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> NamedModules()
    {
        var result = new List<KeyValuePair<string, Module>>();
        CollectModules("", result);
        return result;
    }

    private void CollectModules(string name, List<KeyValuePair<string, Module>> result)
    {
        result.Add(new(name, this));
        foreach (var m in _modules) m.Value.CollectModules(name.Length == 0 ? m.Key : name + "." + m.Key, result);
    }

    /// <summary>All parameters of this module and its descendants with hierarchical names, in registration order (depth first).</summary>
    public IReadOnlyList<KeyValuePair<string, Parameter>> NamedParameters()
    {
        var result = new List<KeyValuePair<string, Parameter>>();
        CollectParameters("", result);
        return result;
    }

    private void CollectParameters(string prefix, List<KeyValuePair<string, Parameter>> result)
    {
        foreach (var p in _parameters) result.Add(new(prefix + p.Key, p.Value));
        foreach (var m in _modules) m.Value.CollectParameters(prefix + m.Key + ".", result);
    }

    /// <summary>All parameters of this module and its descendants, in the order of <see cref="NamedParameters"/>.</summary>
    public IReadOnlyList<Parameter> Parameters()
    {
        var named = NamedParameters();
        var result = new Parameter[named.Count];
        for (int i = 0; i < result.Length; i++) result[i] = named[i].Value;
        return result;
    }

    /// <summary>All buffers of this module and its descendants with hierarchical names.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        CollectBuffers("", result);
        return result;
    }

    private void CollectBuffers(string prefix, List<KeyValuePair<string, Tensor>> result)
    {
        foreach (var b in _buffers) result.Add(new(prefix + b.Key, b.Value));
        foreach (var m in _modules) m.Value.CollectBuffers(prefix + m.Key + ".", result);
    }

    /// <summary>Total number of parameter elements (trainable or not).</summary>
    public long ParameterCount
    {
        get
        {
            long n = 0;
            foreach (var p in NamedParameters()) n += p.Value.Size;
            return n;
        }
    }

    /// <summary>Switches this module and its descendants to training mode (or evaluation mode when <paramref name="training"/> is false).</summary>
    /// <param name="training">The mode.</param>
    /// <returns>This module.</returns>
    public Module Train(bool training = true) { SetTraining(training); return this; }

    /// <summary>Switches this module and its descendants to evaluation mode (dropout off, running statistics used).</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    private void SetTraining(bool training)
    {
        IsTraining = training;
        foreach (var m in _modules) m.Value.SetTraining(training);
    }

    /// <summary>Clears the gradients of all parameters (sets them to null).</summary>
    public void ZeroGrad()
    {
        foreach (var p in NamedParameters()) p.Value.ZeroGrad();
    }

    /// <summary>
    /// Parameters and buffers by hierarchical name, parameters of each module before its buffers,
    /// as <c>state_dict()</c>. The tensors share storage with the module (detached views); clone
    /// them to keep a snapshot.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var dict = new OrderedDictionary<string, Tensor>();
        CollectState("", dict);
        return dict;
    }

    private void CollectState(string prefix, OrderedDictionary<string, Tensor> dict)
    {
        foreach (var p in _parameters) dict.Add(prefix + p.Key, p.Value.Value.Detach());
        foreach (var b in _buffers) dict.Add(prefix + b.Key, b.Value.Detach());
        foreach (var m in _modules) m.Value.CollectState(prefix + m.Key + ".", dict);
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into this module's parameters and buffers
    /// (in place), as <c>load_state_dict</c>. Everything is validated before anything is copied.
    /// </summary>
    /// <param name="stateDict">Tensors by hierarchical name.</param>
    /// <param name="strict">When true, keys missing from the dictionary or not present in the module are errors.</param>
    /// <returns>The missing and unexpected keys (both empty when <paramref name="strict"/>).</returns>
    /// <exception cref="ArgumentException">A shape differs (always), or keys are missing or unexpected (when strict);
    /// the message lists every offending key with both shapes.</exception>
    public LoadStateDictResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var own = new OrderedDictionary<string, Tensor>();
        CollectState("", own);
        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var kv in own)
        {
            if (!stateDict.TryGetValue(kv.Key, out var src)) { missing.Add(kv.Key); continue; }
            if (src.Shape != kv.Value.Shape)
                mismatched.Add($"'{kv.Key}': checkpoint shape {src.Shape}, module shape {kv.Value.Shape}");
        }
        var unexpected = new List<string>();
        foreach (var key in stateDict.Keys) if (!own.ContainsKey(key)) unexpected.Add(key);
        var errors = new List<string>();
        if (mismatched.Count > 0) errors.Add("size mismatch for " + string.Join("; ", mismatched));
        if (strict && missing.Count > 0) errors.Add("missing keys: " + string.Join(", ", missing));
        if (strict && unexpected.Count > 0) errors.Add("unexpected keys: " + string.Join(", ", unexpected));
        if (errors.Count > 0)
            throw new ArgumentException($"Error loading state dict into {Describe()}: {string.Join(". ", errors)}.", nameof(stateDict));
        foreach (var kv in own)
            if (stateDict.TryGetValue(kv.Key, out var src))
                src.AsReadOnlySpan().CopyTo(kv.Value.Span);
        return new LoadStateDictResult(missing, unexpected);
    }

    /// <summary>The module tree with parameter shapes, one line per module.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        Print(sb, "", 0);
        return sb.ToString();
    }

    private void Print(System.Text.StringBuilder sb, string name, int depth)
    {
        sb.Append(' ', depth * 2);
        if (name.Length > 0) sb.Append('(').Append(name).Append("): ");
        sb.Append(Describe()).Append('\n');
        foreach (var m in _modules) m.Value.Print(sb, m.Key, depth + 1);
    }
}

/// <summary>A module with one input and one output, as used by <see cref="Sequential"/>.</summary>
/// <typeparam name="TInput">The input type.</typeparam>
/// <typeparam name="TOutput">The output type.</typeparam>
public abstract class Module<TInput, TOutput> : Module
{
    /// <summary>Computes the module's output.</summary>
    /// <param name="input">The input.</param>
    public abstract TOutput Forward(TInput input);
}

/// <summary>Keys that <see cref="Module.LoadStateDict"/> did not find or did not expect (non-strict loading).</summary>
/// <param name="MissingKeys">Module keys absent from the dictionary (left unchanged).</param>
/// <param name="UnexpectedKeys">Dictionary keys the module does not have (ignored).</param>
public sealed record LoadStateDictResult(IReadOnlyList<string> MissingKeys, IReadOnlyList<string> UnexpectedKeys);
