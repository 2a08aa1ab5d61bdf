using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

/// <summary>
/// The one mechanism for defining a differentiable operation outside the engine's own op files —
/// fused kernels such as the NB/ZINB likelihoods, the relaxed-Bernoulli straight-through sample,
/// attention or graph propagation: compute the forward result into a buffer, wrap it, and record a
/// backward rule that accumulates gradients into the inputs.
/// </summary>
/// <remarks>
/// Contract: <see cref="StorageOf"/> exposes a tensor's backing array, which may be longer than the
/// tensor (pooled buffers); only the first <see cref="Tensor.Size"/> elements are the tensor's, and
/// an input's storage must never be written. A backward rule runs under <see cref="Tensor.NoGrad"/>,
/// receives the output gradient as a tensor of the result's shape, and passes each input gradient to
/// <see cref="AccumulateGradient"/> (shapes that broadcast to the input are summed down). Each fused
/// operation gets its own finite-difference gradient check.
/// </remarks>
public static class CustomOperation
{
    /// <summary>Whether a result computed from <paramref name="inputs"/> must record a backward rule (gradients on and some input requires one).</summary>
    /// <param name="inputs">The operation's tensor inputs.</param>
    public static bool NeedsGradient(params ReadOnlySpan<Tensor> inputs) => Tensor.NeedsGrad(inputs);

    /// <summary>A buffer of at least <paramref name="length"/> elements from the engine's pool; its contents are undefined.</summary>
    /// <param name="length">Elements needed.</param>
    public static float[] RentBuffer(int length) => BufferPool.Rent(length);

    /// <summary>Returns a buffer that nothing references any more to the pool.</summary>
    /// <param name="buffer">A buffer from <see cref="RentBuffer"/> that no tensor wraps.</param>
    public static void ReturnBuffer(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        BufferPool.Return(buffer);
    }

    /// <summary>The backing array of <paramref name="tensor"/> (row-major; may be longer than the tensor). Read-only for inputs.</summary>
    /// <param name="tensor">The tensor.</param>
    public static float[] StorageOf(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor._data;
    }

    /// <summary>The values of <paramref name="tensor"/> broadcast to <paramref name="shape"/>, row-major: its storage when the shapes are equal, else a fresh expanded copy.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="shape">A shape the tensor broadcasts to.</param>
    public static float[] BroadcastStorage(Tensor tensor, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.Shape == shape ? tensor._data : Tensor.ExpandTo(tensor, shape);
    }

    /// <summary>A tensor over <paramref name="storage"/> (no copy): the result of a forward kernel.</summary>
    /// <param name="storage">At least <paramref name="shape"/>.Size elements.</param>
    /// <param name="shape">The shape.</param>
    public static Tensor Wrap(float[] storage, TensorShape shape)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return new Tensor(storage, shape);
    }

    /// <summary>Records <paramref name="backward"/> as the gradient rule of <paramref name="result"/> (which then requires a gradient).</summary>
    /// <param name="result">The forward result (a fresh tensor, not an input).</param>
    /// <param name="name">The operation's name (shown by <see cref="Tensor.GradFunction"/> and in errors).</param>
    /// <param name="inputs">The tensors the rule sends gradients to.</param>
    /// <param name="backward">Receives the output gradient; calls <see cref="AccumulateGradient"/> per input.</param>
    public static Tensor Record(Tensor result, string name, Tensor[] inputs, Action<Tensor> backward)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(backward);
        return Tensor.Record(result, name, inputs, backward);
    }

    /// <summary>Adds <paramref name="gradient"/> (of shape <paramref name="gradientShape"/>, which must broadcast to the input's) into <paramref name="input"/>'s gradient.</summary>
    /// <param name="input">An input of the operation (ignored when it does not require a gradient).</param>
    /// <param name="gradient">The gradient values.</param>
    /// <param name="gradientShape">Their shape.</param>
    /// <param name="owned">True when the engine may keep <paramref name="gradient"/> (a rented buffer nobody else uses); false to have it copied.</param>
    public static void AccumulateGradient(Tensor input, float[] gradient, TensorShape gradientShape, bool owned = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(gradient);
        input.AccumulateGradient(gradient, gradientShape, owned);
    }
}
