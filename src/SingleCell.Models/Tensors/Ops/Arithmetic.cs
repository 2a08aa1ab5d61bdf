using System.Numerics.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Element-wise sum with NumPy broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Binary(BinaryOp.Add, a, b, "add");

    /// <summary>Element-wise difference with NumPy broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Binary(BinaryOp.Subtract, a, b, "sub");

    /// <summary>Element-wise product with NumPy broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Binary(BinaryOp.Multiply, a, b, "mul");

    /// <summary>Element-wise quotient with NumPy broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Binary(BinaryOp.Divide, a, b, "div");

    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(Tensor a, float b) => a.AddScalar(b);

    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(float a, Tensor b) => b.AddScalar(a);

    /// <summary>Subtracts a constant.</summary>
    public static Tensor operator -(Tensor a, float b) => a.AddScalar(-b);

    /// <summary>Subtracts from a constant.</summary>
    public static Tensor operator -(float a, Tensor b) => b.Neg().AddScalar(a);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(Tensor a, float b) => a.MulScalar(b);

    /// <summary>Multiplies by a constant.</summary>
    public static Tensor operator *(float a, Tensor b) => b.MulScalar(a);

    /// <summary>Divides by a constant.</summary>
    public static Tensor operator /(Tensor a, float b) => a.MulScalar(1f / b);

    /// <summary>Divides a constant by each element.</summary>
    public static Tensor operator /(float a, Tensor b) => b.Reciprocal().MulScalar(a);

    /// <summary>Element-wise maximum of two tensors (broadcasting); the gradient goes to the larger input (to <paramref name="a"/> on ties).</summary>
    /// <param name="a">First input.</param>
    /// <param name="b">Second input.</param>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax(a, b, true);

    /// <summary>Element-wise minimum of two tensors (broadcasting); the gradient goes to the smaller input (to <paramref name="a"/> on ties).</summary>
    /// <param name="a">First input.</param>
    /// <param name="b">Second input.</param>
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax(a, b, false);

    private static Tensor Binary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var so = TensorShape.Broadcast(a.Shape, b.Shape, name);
        var r = new Tensor(NewBuffer(so.Size), so);
        Broadcasting.Binary(op, a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, r.Span, so);
        if (!NeedsGrad(a, b)) return r;
        return Record(r, name, [a, b], g =>
        {
            switch (op)
            {
                case BinaryOp.Add:
                    a.AccumulateGradient(g._data, so, owned: false);
                    b.AccumulateGradient(g._data, so, owned: false);
                    break;
                case BinaryOp.Subtract:
                    a.AccumulateGradient(g._data, so, owned: false);
                    if (b._requiresGrad) b.AccumulateGradient(Negated(g.AsReadOnlySpan()), so, owned: true);
                    break;
                case BinaryOp.Multiply:
                    if (a._requiresGrad) a.AccumulateGradient(Times(g, b, so), so, owned: true);
                    if (b._requiresGrad) b.AccumulateGradient(Times(g, a, so), so, owned: true);
                    break;
                case BinaryOp.Divide:
                    if (a._requiresGrad)
                    {
                        var ga = NewBuffer(so.Size);
                        Broadcasting.Binary(BinaryOp.Divide, g.AsReadOnlySpan(), so, b.AsReadOnlySpan(), b.Shape, ga, so);
                        a.AccumulateGradient(ga, so, owned: true);
                    }
                    if (b._requiresGrad)
                    {
                        // d(a/b)/db = -(a/b)/b = -out/b
                        var gb = NewBuffer(so.Size);
                        Broadcasting.Binary(BinaryOp.Divide, r.AsReadOnlySpan(), so, b.AsReadOnlySpan(), b.Shape, gb, so);
                        TensorPrimitives.Multiply(gb, g.AsReadOnlySpan(), gb);
                        TensorPrimitives.Negate(gb, gb);
                        b.AccumulateGradient(gb, so, owned: true);
                    }
                    break;
            }
        });
    }

    private static float[] Negated(ReadOnlySpan<float> g) { var d = NewBuffer(g.Length); TensorPrimitives.Negate(g, d); return d; }

    /// <summary>g ∘ other, broadcast to the output shape.</summary>
    private static float[] Times(Tensor g, Tensor other, TensorShape so)
    {
        var d = NewBuffer(so.Size);
        Broadcasting.Binary(BinaryOp.Multiply, g.AsReadOnlySpan(), so, other.AsReadOnlySpan(), other.Shape, d, so);
        return d;
    }

    private static Tensor MinMax(Tensor a, Tensor b, bool max)
    {
        string name = max ? "maximum" : "minimum";
        var so = TensorShape.Broadcast(a.Shape, b.Shape, name);
        var r = new Tensor(NewBuffer(so.Size), so);
        Broadcasting.Binary(max ? BinaryOp.Maximum : BinaryOp.Minimum, a.AsReadOnlySpan(), a.Shape, b.AsReadOnlySpan(), b.Shape, r.Span, so);
        if (!NeedsGrad(a, b)) return r;
        return Record(r, name, [a, b], g =>
        {
            // Mask: 1 where the output came from a (ties go to a), broadcast to the output shape.
            var ea = ExpandTo(a, so);
            var gs = g.AsReadOnlySpan(); var rs = r.AsReadOnlySpan();
            var ga = new float[so.Size];
            var gb = new float[so.Size];
            for (int i = 0; i < ga.Length; i++)
            {
                if (ea[i] == rs[i]) ga[i] = gs[i]; else gb[i] = gs[i];
            }
            a.AccumulateGradient(ga, so, owned: true);
            b.AccumulateGradient(gb, so, owned: true);
        });
    }

    /// <summary>The values of <paramref name="t"/> broadcast to <paramref name="shape"/> (a new buffer).</summary>
    internal static float[] ExpandTo(Tensor t, TensorShape shape)
    {
        if (t.Shape == shape) return t._data;
        var d = new float[shape.Size];
        Broadcasting.Binary(BinaryOp.Add, t.AsReadOnlySpan(), t.Shape, d, shape, d, shape);
        return d;
    }

    /// <summary>This tensor broadcast to <paramref name="shape"/> (like <c>expand</c> followed by <c>contiguous</c>); differentiable.</summary>
    /// <param name="shape">Target shape; this tensor's shape must broadcast to it.</param>
    public Tensor BroadcastTo(params ReadOnlySpan<int> shape)
    {
        var so = new TensorShape(shape);
        if (TensorShape.Broadcast(Shape, so, "broadcast_to") != so)
            throw new ArgumentException($"broadcast_to: shape {Shape} cannot be broadcast to {so}.");
        var r = new Tensor(so == Shape ? ToArray() : ExpandTo(this, so), so);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "broadcast_to", [this], g => self.AccumulateGradient(g._data, so, owned: false));
    }

    /// <summary>Negation, −x.</summary>
    public Tensor Neg()
    {
        var r = new Tensor(Negated(AsReadOnlySpan()), Shape);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "neg", [this], g => self.AccumulateGradient(Negated(g.AsReadOnlySpan())));
    }

    /// <summary>x + c for a constant c.</summary>
    /// <param name="c">The constant.</param>
    public Tensor AddScalar(float c)
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        TensorPrimitives.Add(AsReadOnlySpan(), c, r.Span);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "add_scalar", [this], g => self.AccumulateGradient(g._data, owned: false));
    }

    /// <summary>x · c for a constant c.</summary>
    /// <param name="c">The constant.</param>
    public Tensor MulScalar(float c)
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        TensorPrimitives.Multiply(AsReadOnlySpan(), c, r.Span);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "mul_scalar", [this], g =>
        {
            var d = NewBuffer(self.Size);
            TensorPrimitives.Multiply(g.AsReadOnlySpan(), c, d);
            self.AccumulateGradient(d);
        });
    }

    /// <summary>1 / x.</summary>
    public Tensor Reciprocal()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        TensorPrimitives.Reciprocal(AsReadOnlySpan(), r.Span);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "reciprocal", [this], g =>
        {
            // d(1/x) = -1/x² = -r²
            var d = NewBuffer(self.Size);
            TensorPrimitives.Multiply(r.AsReadOnlySpan(), r.AsReadOnlySpan(), d);
            TensorPrimitives.Multiply(d, g.AsReadOnlySpan(), d);
            TensorPrimitives.Negate(d, d);
            self.AccumulateGradient(d);
        });
    }

    /// <summary>x^p for a constant exponent (like <c>torch.pow(x, p)</c>).</summary>
    /// <param name="p">The exponent.</param>
    public Tensor Pow(float p)
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan();
        var y = r.Span;
        if (p == 2f) TensorPrimitives.Multiply(x, x, y);
        else if (p == 1f) x.CopyTo(y);
        else TensorPrimitives.Pow(x, p, y);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "pow", [this], g =>
        {
            var xs = self.AsReadOnlySpan();
            var gs = g.AsReadOnlySpan();
            var d = NewBuffer(self.Size);
            if (p == 2f) { TensorPrimitives.Multiply(xs, 2f, d); TensorPrimitives.Multiply(d, gs, d); }
            else
            {
                // p · x^(p-1) · g; p = 0 gives 0 everywhere (as PyTorch).
                for (int i = 0; i < d.Length; i++) d[i] = p == 0f ? 0f : gs[i] * p * MathF.Pow(xs[i], p - 1f);
            }
            self.AccumulateGradient(d);
        });
    }

    /// <summary>x^y element-wise with broadcasting; gradients to both (∂/∂y = x^y · ln x).</summary>
    /// <param name="exponent">The exponents.</param>
    public Tensor Pow(Tensor exponent)
    {
        ArgumentNullException.ThrowIfNull(exponent);
        var so = TensorShape.Broadcast(Shape, exponent.Shape, "pow");
        var xa = ExpandTo(this, so);
        var ya = ExpandTo(exponent, so);
        var r = new Tensor(NewBuffer(so.Size), so);
        var rs = r.Span;
        for (int i = 0; i < rs.Length; i++) rs[i] = MathF.Pow(xa[i], ya[i]);
        if (!NeedsGrad(this, exponent)) return r;
        var self = this;
        return Record(r, "pow", [this, exponent], g =>
        {
            var gs = g.AsReadOnlySpan(); var outv = r.AsReadOnlySpan();
            if (self._requiresGrad)
            {
                var d = NewBuffer(so.Size);
                for (int i = 0; i < d.Length; i++) d[i] = ya[i] == 0f ? 0f : gs[i] * ya[i] * MathF.Pow(xa[i], ya[i] - 1f);
                self.AccumulateGradient(d, so, owned: true);
            }
            if (exponent._requiresGrad)
            {
                var d = NewBuffer(so.Size);
                for (int i = 0; i < d.Length; i++) d[i] = xa[i] == 0f && ya[i] >= 0f ? 0f : gs[i] * outv[i] * MathF.Log(xa[i]);
                exponent.AccumulateGradient(d, so, owned: true);
            }
        });
    }

    /// <summary>
    /// Selects <paramref name="whenTrue"/> where <paramref name="condition"/> is non-zero and
    /// <paramref name="whenFalse"/> elsewhere (all three broadcast together), like <c>torch.where</c>.
    /// The gradient flows only to the chosen input.
    /// </summary>
    /// <param name="condition">Mask; non-zero means true. Not differentiated.</param>
    /// <param name="whenTrue">Values where the mask is true.</param>
    /// <param name="whenFalse">Values where the mask is false.</param>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        var so = TensorShape.Broadcast(TensorShape.Broadcast(condition.Shape, whenTrue.Shape, "where"), whenFalse.Shape, "where");
        var c = ExpandTo(condition, so); var t = ExpandTo(whenTrue, so); var f = ExpandTo(whenFalse, so);
        var r = new Tensor(NewBuffer(so.Size), so);
        var rs = r.Span;
        for (int i = 0; i < rs.Length; i++) rs[i] = c[i] != 0f ? t[i] : f[i];
        if (!NeedsGrad(whenTrue, whenFalse)) return r;
        return Record(r, "where", [whenTrue, whenFalse], g =>
        {
            var gs = g.AsReadOnlySpan();
            var gt = new float[so.Size]; var gf = new float[so.Size];
            for (int i = 0; i < gt.Length; i++) { if (c[i] != 0f) gt[i] = gs[i]; else gf[i] = gs[i]; }
            whenTrue.AccumulateGradient(gt, so, owned: true);
            whenFalse.AccumulateGradient(gf, so, owned: true);
        });
    }

    /// <summary>Replaces elements where <paramref name="mask"/> is non-zero by <paramref name="value"/> (like <c>masked_fill</c>); no gradient flows to replaced elements.</summary>
    /// <param name="mask">Mask broadcastable to this tensor's shape.</param>
    /// <param name="value">The fill value (may be −∞ for attention masks).</param>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (TensorShape.Broadcast(Shape, mask.Shape, "masked_fill") != Shape)
            throw new ArgumentException($"masked_fill: mask shape {mask.Shape} does not broadcast to {Shape}.");
        var m = ExpandTo(mask, Shape);
        var r = new Tensor(ToArray(), Shape);
        var rs = r.Span;
        for (int i = 0; i < rs.Length; i++) if (m[i] != 0f) rs[i] = value;
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "masked_fill", [this], g =>
        {
            var d = g.ToArray();
            for (int i = 0; i < d.Length; i++) if (m[i] != 0f) d[i] = 0f;
            self.AccumulateGradient(d);
        });
    }
}
