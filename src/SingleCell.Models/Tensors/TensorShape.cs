using System.Runtime.CompilerServices;

namespace SingleCell.Models.Tensors;

/// <summary>
/// The shape of a <see cref="Tensor"/>: rank 0 to 4, stored inline (a small value type, so creating
/// and comparing shapes never allocates).
/// </summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    /// <summary>The largest rank a tensor may have.</summary>
    public const int MaxRank = 4;

    private readonly int _d0, _d1, _d2, _d3;

    /// <summary>Creates a shape from its dimensions.</summary>
    /// <param name="dims">0 to 4 non-negative dimensions.</param>
    /// <exception cref="ArgumentException">More than four dimensions, or a negative one.</exception>
    public TensorShape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"Tensors have rank 0 to {MaxRank}; got rank {dims.Length} ({Format(dims)}).", nameof(dims));
        long size = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0) throw new ArgumentException($"Negative dimension in shape {Format(dims)}.", nameof(dims));
            size *= dims[i];
        }
        if (size > Array.MaxLength)
            throw new ArgumentException($"Shape {Format(dims)} has {size} elements; at most {Array.MaxLength} are supported.", nameof(dims));
        Rank = dims.Length;
        _d0 = dims.Length > 0 ? dims[0] : 0;
        _d1 = dims.Length > 1 ? dims[1] : 0;
        _d2 = dims.Length > 2 ? dims[2] : 0;
        _d3 = dims.Length > 3 ? dims[3] : 0;
        _size = (int)size;
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; }

    private readonly int _size;

    /// <summary>Number of elements (1 for a scalar, including <c>default(TensorShape)</c>).</summary>
    public int Size => Rank == 0 ? 1 : _size;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int a = axis < 0 ? axis + Rank : axis;
            if ((uint)a >= (uint)Rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a rank-{Rank} shape {this}.");
            return a switch { 0 => _d0, 1 => _d1, 2 => _d2, _ => _d3 };
        }
    }

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var result = new int[Rank];
        for (int i = 0; i < Rank; i++) result[i] = this[i];
        return result;
    }

    /// <summary>Row-major strides (in elements) of a contiguous tensor of this shape.</summary>
    public int[] Strides()
    {
        var s = new int[Rank];
        int acc = 1;
        for (int i = Rank - 1; i >= 0; i--) { s[i] = acc; acc *= this[i]; }
        return s;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>.</summary>
    public int SizeBefore(int axis) { int p = 1; for (int i = 0; i < axis; i++) p *= this[i]; return p; }

    /// <summary>Product of the dimensions after <paramref name="axis"/>.</summary>
    public int SizeAfter(int axis) { int p = 1; for (int i = axis + 1; i < Rank; i++) p *= this[i]; return p; }

    /// <summary>Normalises a possibly negative axis, throwing with the op name when it is out of range.</summary>
    internal int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Math.Max(Rank, 1) || (Rank == 0))
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for shape {this}.");
        return a;
    }

    /// <summary>The shape with dimension <paramref name="axis"/> replaced (keepdim) or removed.</summary>
    internal TensorShape Reduce(int axis, bool keepDim)
    {
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++)
        {
            if (i == axis) { if (keepDim) d[r++] = 1; }
            else d[r++] = this[i];
        }
        return new TensorShape(d[..r]);
    }

    /// <inheritdoc />
    public bool Equals(TensorShape other) =>
        Rank == other.Rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3);

    /// <summary>Shape equality.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <summary>The shape as PyTorch prints it, e.g. <c>[128, 2000]</c>.</summary>
    public override string ToString() => Format(ToArray());

    internal static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new System.Text.StringBuilder("[");
        for (int i = 0; i < dims.Length; i++) { if (i > 0) sb.Append(", "); sb.Append(dims[i]); }
        return sb.Append(']').ToString();
    }

    /// <summary>The NumPy broadcast of two shapes.</summary>
    /// <exception cref="ArgumentException">The shapes are not broadcast-compatible; the message names <paramref name="op"/> and both shapes.</exception>
    internal static TensorShape Broadcast(TensorShape a, TensorShape b, string op)
    {
        if (a == b) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> d = stackalloc int[MaxRank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i}: {da} vs {db}).");
            d[i] = da == 1 ? db : da;
        }
        return new TensorShape(d[..rank]);
    }
}
