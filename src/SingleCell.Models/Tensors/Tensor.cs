using System.Runtime.CompilerServices;

namespace SingleCell.Models.Tensors;

/// <summary>
/// A dense, contiguous, row-major float32 tensor of rank 0 to 4 with reverse-mode automatic
/// differentiation (define-by-run, as in PyTorch).
/// </summary>
/// <remarks>
/// Tensors are ordinary garbage-collected objects: nothing has to be disposed. Operations build a
/// graph when any input has <see cref="RequiresGrad"/> set and gradient recording is on (see
/// <see cref="NoGrad"/>); <see cref="Backward(Tensor?)"/> walks it once in reverse, accumulates into
/// the <see cref="Grad"/> of the leaves, and frees the graph.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly float[] _data;
    private bool _requiresGrad;
    internal Node? _node;
    internal float[]? _pendingGrad;
    // Recorded operations that list this tensor as an input and whose backward has not yet run.
    internal int _pendingConsumers;
    // Set by MarkTapeOwned: the buffer is returned to the pool once those consumers (and its own node) have run.
    internal bool _tapeOwned;

    internal Tensor(float[] data, TensorShape shape)
    {
        if (data.Length < shape.Size)
            throw new ArgumentException($"Buffer of {data.Length} elements is too small for shape {shape}.");
        _data = data;
        Shape = shape;
    }

    /// <summary>The shape.</summary>
    public TensorShape Shape { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>An optional name, used in error messages and by modules for parameters.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Whether gradients are computed for this tensor. Settable on leaves only (tensors not produced
    /// by a recorded operation); results of recorded operations require a gradient when an input does.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a non-leaf tensor.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (_node != null && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf tensor; use Detach() to cut a tensor from its graph.");
            _requiresGrad = value;
        }
    }

    /// <summary>True when the tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => _node == null;

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward(Tensor?)"/>; null before.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The name of the operation that produced this tensor, or null for a leaf.</summary>
    public string? GradFunction => _node?.Op;

    /// <summary>The elements as a span over the tensor's storage (row-major). Writing through it bypasses autodiff.</summary>
    internal Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data.AsSpan(0, Shape.Size);
    }

    /// <summary>A read-only view of the elements in row-major order (no copy).</summary>
    public ReadOnlySpan<float> AsReadOnlySpan() => _data.AsSpan(0, Shape.Size);

    /// <summary>A copy of the elements in row-major order.</summary>
    public float[] ToArray() => _data.AsSpan(0, Shape.Size).ToArray();

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {Shape}.");
        return _data[0];
    }

    /// <summary>The element at the given indices (one per dimension).</summary>
    /// <param name="indices">Index along each axis.</param>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params ReadOnlySpan<int> indices]
    {
        get => _data[FlatIndex(indices)];
        set => _data[FlatIndex(indices)] = value;
    }

    private int FlatIndex(ReadOnlySpan<int> indices)
    {
        if (indices.Length != Rank)
            throw new ArgumentException($"Indexing a rank-{Rank} tensor of shape {Shape} needs {Rank} indices; got {indices.Length}.");
        int flat = 0;
        for (int i = 0; i < Rank; i++)
        {
            int d = Shape[i];
            if ((uint)indices[i] >= (uint)d)
                throw new IndexOutOfRangeException($"Index {indices[i]} is out of range for axis {i} of shape {Shape}.");
            flat = flat * d + indices[i];
        }
        return flat;
    }

    /// <summary>A tensor sharing this one's values but cut from the graph (no gradient flows through it).</summary>
    public Tensor Detach() => new(_data, Shape) { Name = Name };

    /// <summary>A deep copy of the values, cut from the graph.</summary>
    public Tensor Clone() => new(ToArray(), Shape);

    /// <summary>True when any element is NaN or ±∞.</summary>
    public bool HasNonFinite()
    {
        var s = AsReadOnlySpan();
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && s.Length >= 4 * System.Numerics.Vector<float>.Count)
        {
            // x − x is 0 for a finite x and NaN for ±∞ and NaN; a NaN stays in the running sum. Checked every 4,096 floats.
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(s);
            var sum = System.Numerics.Vector<float>.Zero;
            for (int v = 0; v < values.Length; v++)
            {
                var x = values[v];
                sum += x - x;
                if ((v & 255) == 255 && sum != System.Numerics.Vector<float>.Zero) return true;
            }
            if (sum != System.Numerics.Vector<float>.Zero) return true;
            i = values.Length * System.Numerics.Vector<float>.Count;
        }
        for (; i < s.Length; i++) if (!float.IsFinite(s[i])) return true;
        return false;
    }

    /// <summary>Clears <see cref="Grad"/> (sets it to null).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>The shape and, for small tensors, the values.</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder("Tensor");
        sb.Append(Shape);
        if (Size <= 16)
        {
            sb.Append(" {");
            var s = AsReadOnlySpan();
            for (int i = 0; i < s.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(s[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)); }
            sb.Append('}');
        }
        if (_node != null) sb.Append(" grad_fn=").Append(_node.Op);
        else if (RequiresGrad) sb.Append(" requires_grad");
        return sb.ToString();
    }

    // ---------------------------------------------------------------- factories

    internal static float[] NewBuffer(int size) => Kernels.BufferPool.Rent(size);

    /// <summary>A tensor of zeros.</summary>
    /// <param name="shape">Dimensions (0 to 4).</param>
    public static Tensor Zeros(params ReadOnlySpan<int> shape) { var s = new TensorShape(shape); Charge(s.Size); return new Tensor(new float[s.Size], s); }

    /// <summary>A tensor of ones.</summary>
    /// <param name="shape">Dimensions (0 to 4).</param>
    public static Tensor Ones(params ReadOnlySpan<int> shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    /// <param name="value">The fill value.</param>
    /// <param name="shape">Dimensions (0 to 4).</param>
    public static Tensor Full(float value, params ReadOnlySpan<int> shape)
    {
        var s = new TensorShape(shape);
        Charge(s.Size);
        var d = NewBuffer(s.Size);
        d.AsSpan().Fill(value);
        return new Tensor(d, s);
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    public static Tensor Scalar(float value) => new([value], default);

    /// <summary>Wraps <paramref name="data"/> (no copy: the tensor uses the array as its storage).</summary>
    /// <param name="data">Row-major values; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">Dimensions; when empty, a rank-1 tensor of <c>data.Length</c> elements.</param>
    /// <exception cref="ArgumentException">The length does not match the shape.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape.Length == 0 ? new TensorShape(data.Length) : new TensorShape(shape);
        if (s.Size != data.Length)
            throw new ArgumentException($"FromArray: {data.Length} values do not fill shape {s} ({s.Size} elements).", nameof(data));
        return new Tensor(data, s);
    }

    /// <summary>A tensor of the given shape built from a copy of <paramref name="values"/>.</summary>
    /// <param name="values">Row-major values.</param>
    /// <param name="shape">Dimensions.</param>
    public static Tensor FromSpan(ReadOnlySpan<float> values, params ReadOnlySpan<int> shape)
    {
        var s = new TensorShape(shape);
        if (s.Size != values.Length)
            throw new ArgumentException($"FromSpan: {values.Length} values do not fill shape {s} ({s.Size} elements).", nameof(values));
        return new Tensor(values.ToArray(), s);
    }

    /// <summary>The values start, start + step, … below end, as a rank-1 tensor (like <c>torch.arange</c>).</summary>
    /// <param name="start">First value.</param>
    /// <param name="end">Exclusive bound.</param>
    /// <param name="step">Increment, non-zero.</param>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0f) throw new ArgumentException("Arange: step must be non-zero.", nameof(step));
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / (double)step));
        var d = NewBuffer(n);
        for (int i = 0; i < n; i++) d[i] = (float)(start + i * (double)step);
        return new Tensor(d, new TensorShape(n));
    }

    /// <summary>The values 0, 1, …, <paramref name="end"/> − 1.</summary>
    /// <param name="end">Exclusive bound.</param>
    public static Tensor Arange(int end) => Arange(0f, end, 1f);

    /// <summary>Normal draws N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    /// <param name="generator">The random source.</param>
    /// <param name="shape">Dimensions.</param>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation.</param>
    public static Tensor RandomNormal(Generator generator, ReadOnlySpan<int> shape, float mean = 0f, float std = 1f)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var s = new TensorShape(shape);
        Charge(s.Size);
        var d = NewBuffer(s.Size);
        for (int i = 0; i < d.Length; i++) d[i] = (float)(mean + std * generator.NextNormal());
        return new Tensor(d, s);
    }

    /// <summary>Uniform draws on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="generator">The random source.</param>
    /// <param name="shape">Dimensions.</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    public static Tensor RandomUniform(Generator generator, ReadOnlySpan<int> shape, float low = 0f, float high = 1f)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var s = new TensorShape(shape);
        Charge(s.Size);
        var d = NewBuffer(s.Size);
        double w = high - (double)low;
        for (int i = 0; i < d.Length; i++) d[i] = (float)(low + w * generator.NextDouble());
        return new Tensor(d, s);
    }

    /// <summary>Bernoulli draws (1 with probability <paramref name="p"/>, else 0).</summary>
    /// <param name="generator">The random source.</param>
    /// <param name="shape">Dimensions.</param>
    /// <param name="p">Probability of a one, in [0, 1].</param>
    public static Tensor RandomBernoulli(Generator generator, ReadOnlySpan<int> shape, float p)
    {
        ArgumentNullException.ThrowIfNull(generator);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"RandomBernoulli: p = {p} is not in [0, 1].");
        var s = new TensorShape(shape);
        Charge(s.Size);
        var d = NewBuffer(s.Size);
        for (int i = 0; i < d.Length; i++) d[i] = generator.NextDouble() < p ? 1f : 0f;
        return new Tensor(d, s);
    }

    /// <summary>Bernoulli draws with per-element probabilities taken from <paramref name="probabilities"/> (no gradient).</summary>
    /// <param name="generator">The random source.</param>
    /// <param name="probabilities">Probabilities in [0, 1].</param>
    public static Tensor RandomBernoulli(Generator generator, Tensor probabilities)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(probabilities);
        var p = probabilities.AsReadOnlySpan();
        var d = NewBuffer(p.Length);
        for (int i = 0; i < d.Length; i++) d[i] = generator.NextDouble() < p[i] ? 1f : 0f;
        return new Tensor(d, probabilities.Shape);
    }

    /// <summary>A tensor of zeros with the shape of <paramref name="other"/>.</summary>
    /// <param name="other">Shape donor.</param>
    public static Tensor ZerosLike(Tensor other) { Charge(other.Size); return new(new float[other.Size], other.Shape); }

    /// <summary>A tensor of ones with the shape of <paramref name="other"/>.</summary>
    /// <param name="other">Shape donor.</param>
    public static Tensor OnesLike(Tensor other) { Charge(other.Size); var d = NewBuffer(other.Size); d.AsSpan().Fill(1f); return new Tensor(d, other.Shape); }
}
