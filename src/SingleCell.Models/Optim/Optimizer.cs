using System.Globalization;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Optim;

/// <summary>A set of parameters sharing hyper-parameters (learning rate, weight decay), as a PyTorch param group.</summary>
public sealed class ParamGroup
{
    /// <summary>Creates a group; unset hyper-parameters take the optimiser's defaults.</summary>
    /// <param name="parameters">The parameters (each may appear in one group only).</param>
    /// <param name="learningRate">Learning rate of this group, or null for the optimiser's default.</param>
    /// <param name="weightDecay">Weight decay of this group, or null for the optimiser's default.</param>
    public ParamGroup(IEnumerable<Parameter> parameters, double? learningRate = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        LearningRate = learningRate ?? double.NaN;
        WeightDecay = weightDecay ?? double.NaN;
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Current learning rate (schedulers change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>The learning rate schedulers start from (set by the first scheduler attached, as PyTorch's <c>initial_lr</c>).</summary>
    public double? InitialLearningRate { get; set; }

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; set; }
}

/// <summary>Named tensors and scalars describing an optimiser's (or scheduler's) state; round-trips through <c>GetState</c>/<c>LoadState</c>.</summary>
public sealed class OptimizerState
{
    /// <summary>Per-parameter buffers such as <c>state.0.exp_avg</c>.</summary>
    public OrderedDictionary<string, Tensor> Tensors { get; } = new();

    /// <summary>Scalars such as <c>state.0.step</c> and <c>param_groups.0.lr</c>.</summary>
    public OrderedDictionary<string, double> Scalars { get; } = new();
}

/// <summary>
/// Base of gradient-descent optimisers: holds parameter groups and per-parameter state buffers, and
/// applies <see cref="Update"/> to every parameter with a gradient on <see cref="Step"/>.
/// </summary>
/// <remarks>
/// Parameters are updated in place (their tensors keep their identity). Parameters are numbered in
/// group order; state keys use these numbers (<c>state.{i}.{buffer}</c>), as PyTorch's state dict.
/// </remarks>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _groups;
    private readonly Dictionary<string, float[]>[] _buffers;
    private readonly long[] _steps;
    private float[] _scratch = [];

    /// <summary>Creates the optimiser.</summary>
    /// <param name="groups">Parameter groups.</param>
    /// <param name="learningRate">Default learning rate.</param>
    /// <param name="weightDecay">Default weight decay.</param>
    /// <exception cref="ArgumentException">No parameters, a parameter in two groups, or a negative rate.</exception>
    protected Optimizer(IEnumerable<ParamGroup> groups, double learningRate, double weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"Invalid learning rate {learningRate}.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Invalid weight decay {weightDecay}.");
        _groups = [.. groups];
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        int count = 0;
        foreach (var g in _groups)
        {
            if (double.IsNaN(g.LearningRate)) g.LearningRate = learningRate;
            if (double.IsNaN(g.WeightDecay)) g.WeightDecay = weightDecay;
            foreach (var p in g.Parameters)
            {
                if (!seen.Add(p)) throw new ArgumentException("A parameter appears more than once in the optimiser's groups.", nameof(groups));
                count++;
            }
        }
        if (count == 0) throw new ArgumentException("The optimiser got an empty parameter list.", nameof(groups));
        _buffers = new Dictionary<string, float[]>[count];
        for (int i = 0; i < count; i++) _buffers[i] = [];
        _steps = new long[count];
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Clears the gradients of all parameters (sets them to null).</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups) foreach (var p in g.Parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient (parameters without one are skipped and their step count does not advance).</summary>
    public void Step()
    {
        int index = 0;
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
            {
                var grad = p.Grad;
                if (grad != null)
                {
                    if (grad.Shape != p.Shape)
                        throw new InvalidOperationException($"{GetType().Name}: gradient of shape {grad.Shape} for parameter '{p.Value.Name}' of shape {p.Shape}.");
                    _steps[index]++;
                    Update(g, p.Data, grad.AsReadOnlySpan(), index, _steps[index]);
                }
                index++;
            }
    }

    /// <summary>Applies the update rule to one parameter.</summary>
    /// <param name="group">The parameter's group (hyper-parameters).</param>
    /// <param name="param">The values, updated in place.</param>
    /// <param name="grad">The gradient.</param>
    /// <param name="index">The parameter's number (for <see cref="Buffer"/>).</param>
    /// <param name="step">The parameter's step count, starting at 1.</param>
    protected abstract void Update(ParamGroup group, Span<float> param, ReadOnlySpan<float> grad, int index, long step);

    /// <summary>A per-parameter state buffer, created zero-filled on first use.</summary>
    /// <param name="index">The parameter's number.</param>
    /// <param name="name">Buffer name (e.g. <c>exp_avg</c>).</param>
    /// <param name="length">Number of elements.</param>
    /// <param name="created">Whether the buffer was just created.</param>
    protected float[] Buffer(int index, string name, int length, out bool created)
    {
        created = !_buffers[index].TryGetValue(name, out var b);
        if (created) { b = new float[length]; _buffers[index][name] = b; }
        return b!;
    }

    /// <summary>A scratch span of <paramref name="length"/> elements reused across updates (contents undefined).</summary>
    /// <param name="length">Number of elements.</param>
    protected Span<float> Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new float[length];
        return _scratch.AsSpan(0, length);
    }

    /// <summary>The state: per-parameter buffers and step counts, and each group's hyper-parameters.</summary>
    public virtual OptimizerState GetState()
    {
        var s = new OptimizerState();
        int index = 0;
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var g = _groups[gi];
            string gp = string.Create(CultureInfo.InvariantCulture, $"param_groups.{gi}.");
            s.Scalars[gp + "lr"] = g.LearningRate;
            s.Scalars[gp + "weight_decay"] = g.WeightDecay;
            if (g.InitialLearningRate is double ilr) s.Scalars[gp + "initial_lr"] = ilr;
            foreach (var p in g.Parameters)
            {
                string sp = string.Create(CultureInfo.InvariantCulture, $"state.{index}.");
                if (_steps[index] > 0) s.Scalars[sp + "step"] = _steps[index];
                foreach (var kv in _buffers[index])
                    s.Tensors[sp + kv.Key] = Tensor.FromArray((float[])kv.Value.Clone(), p.Shape.ToArray());
                index++;
            }
        }
        return s;
    }

    /// <summary>Restores a state from <see cref="GetState"/> of an optimiser of the same type over parameters of the same shapes.</summary>
    /// <param name="state">The state.</param>
    /// <exception cref="ArgumentException">A buffer's shape differs from its parameter's, or a key names an unknown parameter or group.</exception>
    public virtual void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var shapes = new List<TensorShape>();
        foreach (var g in _groups) foreach (var p in g.Parameters) shapes.Add(p.Shape);
        var newBuffers = new Dictionary<string, float[]>[shapes.Count];
        for (int i = 0; i < newBuffers.Length; i++) newBuffers[i] = [];
        var newSteps = new long[shapes.Count];
        foreach (var kv in state.Tensors)
        {
            var (index, name) = ParseStateKey(kv.Key, shapes.Count);
            if (kv.Value.Shape != shapes[index])
                throw new ArgumentException($"{GetType().Name}.LoadState: '{kv.Key}' has shape {kv.Value.Shape}; parameter {index} has shape {shapes[index]}.", nameof(state));
            newBuffers[index][name] = kv.Value.ToArray();
        }
        foreach (var kv in state.Scalars)
        {
            if (kv.Key.StartsWith("state.", StringComparison.Ordinal))
            {
                var (index, name) = ParseStateKey(kv.Key, shapes.Count);
                if (name != "step") throw new ArgumentException($"{GetType().Name}.LoadState: unknown scalar '{kv.Key}'.", nameof(state));
                newSteps[index] = (long)kv.Value;
            }
            else if (kv.Key.StartsWith("param_groups.", StringComparison.Ordinal))
            {
                var parts = kv.Key.Split('.');
                if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int gi) || gi >= _groups.Count)
                    throw new ArgumentException($"{GetType().Name}.LoadState: '{kv.Key}' names no parameter group (there are {_groups.Count}).", nameof(state));
            }
            else throw new ArgumentException($"{GetType().Name}.LoadState: unknown key '{kv.Key}'.", nameof(state));
        }
        for (int i = 0; i < newBuffers.Length; i++) { _buffers[i] = newBuffers[i]; _steps[i] = newSteps[i]; }
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            string gp = string.Create(CultureInfo.InvariantCulture, $"param_groups.{gi}.");
            if (state.Scalars.TryGetValue(gp + "lr", out double lr)) _groups[gi].LearningRate = lr;
            if (state.Scalars.TryGetValue(gp + "weight_decay", out double wd)) _groups[gi].WeightDecay = wd;
            if (state.Scalars.TryGetValue(gp + "initial_lr", out double ilr)) _groups[gi].InitialLearningRate = ilr;
        }
        LoadHyperParameters(state);
    }

    /// <summary>Restores optimiser-specific scalars (overridden by optimisers that save any).</summary>
    /// <param name="state">The state.</param>
    protected virtual void LoadHyperParameters(OptimizerState state) { }

    private (int Index, string Name) ParseStateKey(string key, int count)
    {
        var parts = key.Split('.');
        if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= count)
            throw new ArgumentException($"{GetType().Name}.LoadState: '{key}' names no parameter (there are {count}).");
        return (index, parts[2]);
    }

    /// <summary>Wraps a flat parameter list as one group.</summary>
    /// <param name="parameters">The parameters.</param>
    protected static IEnumerable<ParamGroup> Single(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return [new ParamGroup(parameters)];
    }
}
