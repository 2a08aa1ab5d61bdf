using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// this += <paramref name="alpha"/> · <paramref name="other"/>, in place (like <c>add_</c>); for
    /// parameter updates. Not recorded: call it inside <see cref="NoGrad"/> on tensors that require
    /// a gradient, as PyTorch requires.
    /// </summary>
    /// <param name="other">Same shape as this tensor.</param>
    /// <param name="alpha">Scale of <paramref name="other"/>.</param>
    /// <exception cref="InvalidOperationException">Called on a tensor that requires a gradient while recording is on.</exception>
    public Tensor AddInPlace(Tensor other, float alpha = 1f)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckInPlace("add_");
        if (other.Shape != Shape) throw new ArgumentException($"add_: shapes {Shape} and {other.Shape} differ.");
        if (alpha == 1f) TensorPrimitives.Add(Span, other.AsReadOnlySpan(), Span);
        else TensorPrimitives.MultiplyAdd(other.AsReadOnlySpan(), alpha, Span, Span);
        return this;
    }

    /// <summary>this ·= <paramref name="factor"/>, in place (like <c>mul_</c>).</summary>
    /// <param name="factor">The factor.</param>
    public Tensor MulInPlace(float factor)
    {
        CheckInPlace("mul_");
        TensorPrimitives.Multiply(Span, factor, Span);
        return this;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place (like <c>fill_</c>).</summary>
    /// <param name="value">The value.</param>
    public Tensor FillInPlace(float value)
    {
        CheckInPlace("fill_");
        Span.Fill(value);
        return this;
    }

    /// <summary>Copies the values of <paramref name="source"/> into this tensor (like <c>copy_</c>).</summary>
    /// <param name="source">Same number of elements.</param>
    public Tensor CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckInPlace("copy_");
        if (source.Size != Size) throw new ArgumentException($"copy_: {source.Shape} has {source.Size} elements; {Shape} has {Size}.");
        source.AsReadOnlySpan().CopyTo(Span);
        return this;
    }

    private void CheckInPlace(string op)
    {
        if (_node != null)
            throw new InvalidOperationException($"{op}: in-place changes to a tensor produced by a recorded operation ({_node.Op}) would corrupt its graph.");
        if (_requiresGrad && IsGradEnabled)
            throw new InvalidOperationException($"{op}: a leaf that requires a gradient can only be changed in place inside Tensor.NoGrad().");
    }
}
