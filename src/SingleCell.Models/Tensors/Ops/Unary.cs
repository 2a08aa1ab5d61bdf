using System.Numerics.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Records a unary op whose gradient is g · f′, with f′ computed by <paramref name="derivative"/> into a buffer.</summary>
    private Tensor Unary(Tensor r, string op, DerivativeRule derivative)
    {
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, op, [this], g =>
        {
            var d = NewBuffer(self.Size);
            if (d.Length == 0) return;
            if (d.Length >= ParallelElementwiseFloats) GradientOnAllCores(derivative, self._data, r._data, g._data, d);
            else
            {
                derivative(self.AsReadOnlySpan(), r.AsReadOnlySpan(), d);
                TensorPrimitives.Multiply(d, g.AsReadOnlySpan(), d);
            }
            self.AccumulateGradient(d);
        });
    }

    /// <summary>Writes f′(x) into <paramref name="dfdx"/> given the input and the output.</summary>
    private delegate void DerivativeRule(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dfdx);

    /// <param name="f">The element-wise function.</param>
    /// <param name="transcendental">Whether <paramref name="f"/> costs a vector log, exp or division per element rather than
    /// a pass over memory: such work is shared between the cores from <see cref="ParallelTranscendentalFloats"/> on.</param>
    private Tensor Map(Action<ReadOnlySpan<float>, Span<float>> f, bool transcendental = false)
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        if (Size >= (transcendental ? ParallelTranscendentalFloats : ParallelElementwiseFloats)) MapOnAllCores(f, _data, r._data, Size);
        else if (Size > 0) f(AsReadOnlySpan(), r.Span); // some TensorPrimitives kernels reject empty spans
        return r;
    }

    /// <summary>Element-wise work on at least this many floats (1 MiB) is shared between the cores.</summary>
    private const int ParallelElementwiseFloats = 1 << 18;

    /// <summary>
    /// Element-wise work costing a vector log, exp or division per element (1–3 ns per float on one core) is shared
    /// between the cores from this many floats on (32 KiB: several microseconds a part, against about one for the fork–join).
    /// </summary>
    private const int ParallelTranscendentalFloats = 1 << 13;

    // The two helpers below hold the closures, so that the small tensors of the common path allocate none.
    private static void MapOnAllCores(Action<ReadOnlySpan<float>, Span<float>> f, float[] x, float[] y, int n) =>
        ElementwiseParts(n, (start, length) => f(x.AsSpan(start, length), y.AsSpan(start, length)));

    private static void GradientOnAllCores(DerivativeRule derivative, float[] x, float[] y, float[] dy, float[] d) =>
        ElementwiseParts(d.Length, (start, length) =>
        {
            var part = d.AsSpan(start, length);
            derivative(x.AsSpan(start, length), y.AsSpan(start, length), part);
            TensorPrimitives.Multiply(part, dy.AsSpan(start, length), part);
        });

    /// <summary>
    /// Runs <paramref name="body"/>(start, length) over [0, <paramref name="n"/>) in one piece per core. Pieces start at
    /// multiples of 64 floats and each element is a function of its own inputs only, so the values do not depend on
    /// the split (a 1.4 M-element tanh and its gradient in the Diet Networks' auxiliary net were one core's work while
    /// the other waited).
    /// </summary>
    private static void ElementwiseParts(int n, Action<int, int> body)
    {
        int parts = ForkJoin.WorkerCount + 1;
        if (parts == 1) { body(0, n); return; }
        ForkJoin.For(parts, p =>
        {
            int from = (int)((long)n * p / parts) & ~63;
            int to = p == parts - 1 ? n : (int)((long)n * (p + 1) / parts) & ~63;
            body(from, to - from);
        });
    }

    /// <summary>eˣ.</summary>
    public Tensor Exp() => Unary(Map(TensorPrimitives.Exp, transcendental: true), "exp", static (x, y, d) => y.CopyTo(d));

    /// <summary>ln x (NaN below 0, −∞ at 0).</summary>
    public Tensor Log() => Unary(Map(TensorPrimitives.Log, transcendental: true), "log", static (x, y, d) => TensorPrimitives.Reciprocal(x, d));

    /// <summary>ln(1 + x), accurate near 0.</summary>
    public Tensor Log1p()
    {
        var r = Map(Elementwise.Log1p, transcendental: true);
        return Unary(r, "log1p", static (x, y, d) => { TensorPrimitives.Add(x, 1f, d); TensorPrimitives.Reciprocal(d, d); });
    }

    /// <summary>eˣ − 1, accurate near 0.</summary>
    public Tensor Expm1()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) { double v = x[i]; y[i] = (float)(Math.Abs(v) < 1e-5 ? v + 0.5 * v * v : Math.Exp(v) - 1.0); }
        return Unary(r, "expm1", static (x, y, d) => TensorPrimitives.Add(y, 1f, d));
    }

    /// <summary>√x.</summary>
    public Tensor Sqrt() => Unary(Map(TensorPrimitives.Sqrt), "sqrt", static (x, y, d) => { TensorPrimitives.Multiply(y, 2f, d); TensorPrimitives.Reciprocal(d, d); });

    /// <summary>|x|; the gradient at 0 is 0 (as PyTorch).</summary>
    public Tensor Abs() => Unary(Map(TensorPrimitives.Abs), "abs", static (x, y, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] > 0 ? 1f : x[i] < 0 ? -1f : 0f; });

    /// <summary>x².</summary>
    public Tensor Square() => Pow(2f);

    /// <summary>Clamps to [<paramref name="min"/>, <paramref name="max"/>]; the gradient is 1 inside and 0 outside (boundary included as PyTorch: 1 at equality).</summary>
    /// <param name="min">Lower bound (use <see cref="float.NegativeInfinity"/> for none).</param>
    /// <param name="max">Upper bound (use <see cref="float.PositiveInfinity"/> for none).</param>
    public Tensor Clamp(float min = float.NegativeInfinity, float max = float.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"clamp: min {min} exceeds max {max}.");
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) y[i] = x[i] < min ? min : x[i] > max ? max : x[i];
        return Unary(r, "clamp", (x, y, d) => { for (int i = 0; i < d.Length; i++) d[i] = x[i] >= min && x[i] <= max ? 1f : 0f; });
    }

    /// <summary>Logistic sigmoid 1 / (1 + e⁻ˣ).</summary>
    public Tensor Sigmoid() => Unary(Map(TensorPrimitives.Sigmoid, transcendental: true), "sigmoid", static (x, y, d) =>
    {
        // σ′ = σ(1 − σ)
        TensorPrimitives.Subtract(1f, y, d);
        TensorPrimitives.Multiply(d, y, d);
    });

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(Map(TensorPrimitives.Tanh, transcendental: true), "tanh", static (x, y, d) =>
    {
        // tanh′ = 1 − y²
        TensorPrimitives.Multiply(y, y, d);
        TensorPrimitives.Subtract(1f, d, d);
    });

    /// <summary>max(0, x); the gradient at 0 is 0.</summary>
    public Tensor Relu() => Unary(Map(static (x, y) => TensorPrimitives.Max(x, 0f, y)), "relu",
        static (x, y, d) => Elementwise.Step(x, 1f, 0f, d));

    /// <summary>x for x &gt; 0, else <paramref name="negativeSlope"/> · x.</summary>
    /// <param name="negativeSlope">Slope below zero (PyTorch default 0.01).</param>
    public Tensor LeakyRelu(float negativeSlope = 0.01f)
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) y[i] = x[i] > 0 ? x[i] : negativeSlope * x[i];
        return Unary(r, "leaky_relu", (x, y, d) => Elementwise.Step(x, 1f, negativeSlope, d));
    }

    /// <summary>GELU in its exact form x · Φ(x) = ½ x (1 + erf(x/√2)).</summary>
    public Tensor Gelu()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) y[i] = (float)(0.5 * x[i] * (1.0 + SpecialFunctions.Erf(x[i] * 0.70710678118654752)));
        return Unary(r, "gelu", static (x, y, d) =>
        {
            // d/dx xΦ(x) = Φ(x) + x φ(x)
            for (int i = 0; i < d.Length; i++)
            {
                double v = x[i];
                double cdf = 0.5 * (1.0 + SpecialFunctions.Erf(v * 0.70710678118654752));
                double pdf = 0.39894228040143268 * Math.Exp(-0.5 * v * v);
                d[i] = (float)(cdf + v * pdf);
            }
        });
    }

    /// <summary>ln(1 + eˣ) = max(x, 0) + log1p(e^−|x|), stable for all x (equals x in float32 above ~17, as PyTorch's threshold of 20 gives).</summary>
    public Tensor Softplus()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        Elementwise.Softplus(AsReadOnlySpan(), r.Span);
        // softplus′(x) = σ(x)
        return Unary(r, "softplus", static (x, y, d) => TensorPrimitives.Sigmoid(x, d));
    }

    /// <summary>ln |Γ(x)| (computed in double, rounded to float).</summary>
    public Tensor LGamma()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) y[i] = (float)SpecialFunctions.LogGamma(x[i]);
        return Unary(r, "lgamma", static (x, y, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)SpecialFunctions.Digamma(x[i]); });
    }

    /// <summary>ψ(x), the digamma function (computed in double); its gradient is the trigamma function.</summary>
    public Tensor Digamma()
    {
        var r = new Tensor(NewBuffer(Size), Shape);
        var x = AsReadOnlySpan(); var y = r.Span;
        for (int i = 0; i < y.Length; i++) y[i] = (float)SpecialFunctions.Digamma(x[i]);
        return Unary(r, "digamma", static (x, y, d) => { for (int i = 0; i < d.Length; i++) d[i] = (float)SpecialFunctions.Trigamma(x[i]); });
    }
}
