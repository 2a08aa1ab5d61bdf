using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.NN;

/// <summary>
/// Clears parameter gradients between optimisation steps and hands the buffers that the previous
/// backward pass produced back to the engine's pool, so the next backward pass reuses them. A
/// gradient that someone else set (not one remembered here) is only dropped, never recycled.
/// </summary>
internal sealed class GradientRecycler(IReadOnlyList<Parameter> parameters)
{
    private readonly float[]?[] _produced = new float[]?[parameters.Count];

    /// <summary>Returns the remembered buffers to the pool and clears every gradient.</summary>
    internal void ReleaseAndClear()
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].Grad;
            if (grad != null && _produced[i] != null && ReferenceEquals(grad._data, _produced[i])) BufferPool.Return(grad._data);
            _produced[i] = null;
            parameters[i].ZeroGrad();
        }
    }

    /// <summary>Remembers the gradient buffers the last backward pass produced (dead once the optimiser has used them).</summary>
    internal void Remember()
    {
        for (int i = 0; i < parameters.Count; i++) _produced[i] = parameters[i].Grad?._data;
    }
}
