using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// A trainable tensor owned by a <see cref="Module"/>: a thin handle around a leaf
/// <see cref="Tensor"/> whose <see cref="Tensor.RequiresGrad"/> is set.
/// </summary>
/// <remarks>
/// <see cref="Tensor"/> is sealed (its storage and autodiff bookkeeping are one type), so a
/// parameter is not a tensor subtype as in PyTorch but a handle that converts to its tensor
/// implicitly: <c>Tensor.Linear(x, Weight, Bias)</c> works with <c>Weight</c> a <see cref="Parameter"/>.
/// The handle's identity is stable; optimisers and <see cref="Module.LoadStateDict"/> update its
/// values in place, so tensors obtained from <see cref="Value"/> stay valid.
/// </remarks>
public sealed class Parameter
{
    /// <summary>Wraps <paramref name="value"/> (no copy) and sets its <see cref="Tensor.RequiresGrad"/>.</summary>
    /// <param name="value">A leaf tensor (not produced by a recorded operation).</param>
    /// <param name="requiresGrad">Whether the parameter is trainable (frozen parameters are skipped by backward).</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is not a leaf.</exception>
    public Parameter(Tensor value, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.IsLeaf)
            throw new ArgumentException($"A parameter must wrap a leaf tensor; this one was produced by '{value.GradFunction}'. Use Detach() or Clone().", nameof(value));
        Value = value;
        value.RequiresGrad = requiresGrad;
    }

    /// <summary>The parameter's tensor (a leaf).</summary>
    public Tensor Value { get; }

    /// <summary>The accumulated gradient of <see cref="Value"/>, or null.</summary>
    public Tensor? Grad
    {
        get => Value.Grad;
        set => Value.Grad = value;
    }

    /// <summary>Whether gradients are computed for this parameter.</summary>
    public bool RequiresGrad
    {
        get => Value.RequiresGrad;
        set => Value.RequiresGrad = value;
    }

    /// <summary>The shape of <see cref="Value"/>.</summary>
    public TensorShape Shape => Value.Shape;

    /// <summary>Number of elements.</summary>
    public int Size => Value.Size;

    /// <summary>Clears the gradient (sets it to null, as PyTorch's <c>set_to_none=True</c>).</summary>
    public void ZeroGrad() => Value.Grad = null;

    /// <summary>The parameter's values as a writable span (bypasses autodiff; for optimisers and initialisers).</summary>
    internal Span<float> Data => Value.Span;

    /// <summary>Overwrites the values with a copy of <paramref name="source"/> (same shape required).</summary>
    /// <param name="source">The new values.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Shape != Shape)
            throw new ArgumentException($"Parameter '{Value.Name}': cannot copy a tensor of shape {source.Shape} into shape {Shape}.", nameof(source));
        source.AsReadOnlySpan().CopyTo(Value.Span);
    }

    /// <summary>The parameter's tensor.</summary>
    /// <param name="parameter">The parameter.</param>
    public static implicit operator Tensor(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Value;
    }

    /// <summary>The tensor's description.</summary>
    public override string ToString() => "Parameter " + Value;
}
