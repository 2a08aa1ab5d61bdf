using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Training;

/// <summary>A copy of a module's parameters and buffers (and optionally an optimiser's state), restorable in place.</summary>
internal sealed class StateSnapshot
{
    private readonly KeyValuePair<string, Tensor>[] _live;
    private readonly float[][] _copies;
    private OptimizerState? _optimizer;

    private StateSnapshot(KeyValuePair<string, Tensor>[] live)
    {
        _live = live;
        _copies = new float[live.Length][];
        for (int i = 0; i < live.Length; i++) _copies[i] = new float[live[i].Value.Size];
    }

    /// <summary>A snapshot of every parameter and buffer of <paramref name="module"/>.</summary>
    internal static StateSnapshot OfState(Module module) => new([.. module.StateDict()]);

    /// <summary>A snapshot of the buffers only (running statistics change in forward passes).</summary>
    internal static StateSnapshot OfBuffers(Module module) => new([.. module.NamedBuffers()]);

    internal int Epoch { get; private set; } = -1;

    internal void Capture(Optimizer? optimizer = null, int epoch = -1)
    {
        for (int i = 0; i < _live.Length; i++) _live[i].Value.AsReadOnlySpan().CopyTo(_copies[i]);
        _optimizer = optimizer?.GetState();
        Epoch = epoch;
    }

    internal void Restore(Optimizer? optimizer = null)
    {
        for (int i = 0; i < _live.Length; i++) _copies[i].CopyTo(_live[i].Value.Span);
        if (optimizer != null && _optimizer != null) optimizer.LoadState(_optimizer);
    }

    internal static bool AllFinite(Module module)
    {
        foreach (var kv in module.StateDict())
            if (kv.Value.HasNonFinite()) return false;
        return true;
    }
}
