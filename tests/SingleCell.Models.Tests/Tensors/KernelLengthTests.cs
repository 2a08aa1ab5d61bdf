using System.Runtime.Intrinsics;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>
/// Element-wise and reduction kernels at every length from 0 to 2 × (widest vector) + 1, so every
/// vector body and tail path runs, against scalar double-precision references.
/// </summary>
public class KernelLengthTests
{
    private static readonly int s_maxLength = 2 * Math.Max(Vector512<float>.Count, Vector256<float>.Count) + 1;

    public static IEnumerable<int> Lengths() => Enumerable.Range(0, s_maxLength + 1).Concat([63, 64, 65, 6 * 512 + 7]);

    private static float[] Data(int n, int seed, float lo = -3f, float hi = 3f) =>
        n == 0 ? [] : Tensor.RandomUniform(new Generator(seed), [n], lo, hi).ToArray();

    private static Tensor T(float[] d) => Tensor.FromArray(d, d.Length);

    private static readonly (string Name, Func<Tensor, Tensor> Op, Func<double, double> Ref, float Lo, float Hi)[] s_unary =
    [
        ("exp", t => t.Exp(), Math.Exp, -3f, 3f),
        ("log", t => t.Log(), Math.Log, 0.1f, 5f),
        ("sqrt", t => t.Sqrt(), Math.Sqrt, 0f, 5f),
        ("sigmoid", t => t.Sigmoid(), x => 1 / (1 + Math.Exp(-x)), -8f, 8f),
        ("tanh", t => t.Tanh(), Math.Tanh, -4f, 4f),
        ("relu", t => t.Relu(), x => Math.Max(0, x), -3f, 3f),
        ("abs", t => t.Abs(), Math.Abs, -3f, 3f),
        ("neg", t => -t, x => -x, -3f, 3f),
        ("softplus", t => t.Softplus(), x => Math.Log(1 + Math.Exp(x)), -10f, 10f),
        ("log1p", t => t.Log1p(), x => Math.Log(1 + x), -0.9f, 3f),
        ("expm1", t => t.Expm1(), x => Math.Exp(x) - 1, -3f, 3f),
        ("add_scalar", t => t + 1.5f, x => x + 1.5, -3f, 3f),
        ("mul_scalar", t => t * -0.5f, x => x * -0.5, -3f, 3f),
    ];

    [TestCaseSource(nameof(Lengths))]
    public void Unary_kernels_match_scalar_reference(int n)
    {
        foreach (var (name, op, reference, lo, hi) in s_unary)
        {
            var x = Data(n, n + 1, lo, hi);
            var got = op(T(x)).ToArray();
            Assert.That(got.Length, Is.EqualTo(n), name);
            for (int i = 0; i < n; i++)
            {
                double e = reference(x[i]);
                Assert.That(got[i], Is.EqualTo(e).Within(2e-6 * Math.Max(1, Math.Abs(e))), $"{name}[{i}] of {n}");
            }
        }
    }

    [TestCaseSource(nameof(Lengths))]
    public void Relu_and_leaky_relu_gradients_are_the_step_function(int n)
    {
        var x = Data(n, n + 7);
        if (n > 2) { x[0] = 0f; x[1] = float.NaN; }   // the step at 0 (derivative 0 / slope) and NaN (not > 0)
        foreach (var (slope, name) in new[] { (0f, "relu"), (0.2f, "leaky_relu") })
        {
            var t = T((float[])x.Clone()); t.RequiresGrad = true;
            var y = name == "relu" ? t.Relu() : t.LeakyRelu(slope);
            var up = Data(n, n + 11);
            y.Backward(T(up));
            var g = t.Grad?.ToArray() ?? [];   // an empty input gets no gradient buffer
            Assert.That(g, Has.Length.EqualTo(n), name);
            for (int i = 0; i < n; i++)
                Assert.That(g[i], Is.EqualTo(up[i] * (x[i] > 0 ? 1f : slope)), $"{name}'({x[i]}) at {i} of {n}");
        }
    }

    [TestCase((1 << 13) - 1)]
    [TestCase(1 << 13)]
    [TestCase(12_800 + 7)]
    public void Transcendental_maps_shared_between_cores_equal_one_pass_bit_for_bit(int n)
    {
        // From 2^13 floats log, exp, log1p, sigmoid and tanh run in one piece per core (below, in one piece): either
        // way every element must be the whole-span kernel's value exactly.
        var x = Data(n, 5, 0.01f, 6f);
        void Same(string name, Func<Tensor, Tensor> op, Action<float[], float[]> whole)
        {
            var expected = new float[n];
            whole(x, expected);
            var got = op(T((float[])x.Clone())).ToArray();
            for (int i = 0; i < n; i++)
                if (BitConverter.SingleToInt32Bits(got[i]) != BitConverter.SingleToInt32Bits(expected[i])) Assert.Fail($"{name} at {i} of {n}: {got[i]} against {expected[i]}");
        }
        Same("log", t => t.Log(), (a, b) => System.Numerics.Tensors.TensorPrimitives.Log(a, b));
        Same("exp", t => t.Exp(), (a, b) => System.Numerics.Tensors.TensorPrimitives.Exp(a, b));
        Same("sigmoid", t => t.Sigmoid(), (a, b) => System.Numerics.Tensors.TensorPrimitives.Sigmoid(a, b));
        Same("tanh", t => t.Tanh(), (a, b) => System.Numerics.Tensors.TensorPrimitives.Tanh(a, b));
        Same("log1p", t => t.Log1p(), (a, b) => SingleCell.Models.Tensors.Kernels.Elementwise.Log1p(a, b));
    }

    [TestCase(1 << 18)]
    [TestCase((1 << 18) + 4_321)]
    public void Large_unary_ops_shared_between_cores_equal_one_pass_bit_for_bit(int n)
    {
        // Above 2^18 floats an element-wise op and its gradient run in one piece per core; the result must be
        // the one-piece result exactly (forward: TensorPrimitives over the whole span; backward: (1 − y²)·g).
        var x = Data(n, 3, -4f, 4f);
        var up = Data(n, 4);
        var t = T((float[])x.Clone()); t.RequiresGrad = true;
        var y = t.Tanh();
        var expected = new float[n];
        System.Numerics.Tensors.TensorPrimitives.Tanh(x, expected);
        Assert.That(y.ToArray(), Is.EqualTo(expected));
        y.Backward(T(up));
        var g = t.Grad!.ToArray();
        for (int i = 0; i < n; i++)
        {
            float d = 1f - expected[i] * expected[i];
            if (g[i] != d * up[i]) Assert.Fail($"gradient at {i} of {n}: {g[i]} against {d * up[i]}");
        }
        var e = new float[n];
        System.Numerics.Tensors.TensorPrimitives.Exp(x, e);
        Assert.That(T(x).Exp().ToArray(), Is.EqualTo(e));
    }

    [Test]
    public void Log1p_and_softplus_keep_relative_accuracy_at_tiny_and_large_arguments()
    {
        // Repeated to 16 + 8 + 3 elements, so the Vector512, Vector256 and scalar loops each see every value.
        float[] values = [1e-10f, -1e-8f, 3e-7f, 1e-5f, -1e-3f, 0.5f, 1e3f, 1e30f, 0f, -0.999f];
        var x = Enumerable.Range(0, 27).Select(i => values[i % values.Length]).ToArray();
        var got = Tensor.FromArray(x, x.Length).Log1p().ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            double e = x[i] < 1e-3 && x[i] > -1e-3 ? x[i] - x[i] * (double)x[i] / 2 + Math.Pow(x[i], 3) / 3 : Math.Log(1 + (double)x[i]);
            Assert.That(got[i], Is.EqualTo(e).Within(3e-7 * Math.Abs(e)), $"log1p({x[i]}) at {i}");
        }
        float[] special = [-1f, float.PositiveInfinity, -2f, float.NaN];
        var edge = Tensor.FromArray(Enumerable.Range(0, 27).Select(i => special[i % 4]).ToArray(), 27).Log1p().ToArray();
        for (int i = 0; i < edge.Length; i++)
        {
            float expected = (i % 4) switch { 0 => float.NegativeInfinity, 1 => float.PositiveInfinity, _ => float.NaN };
            Assert.That(edge[i], Is.EqualTo(expected), $"log1p({special[i % 4]}) at {i}");
        }
        var s = new[] { -80f, -30f, -20f, -1f, 0f, 1f, 15f, 25f, 80f };
        var sp = Tensor.FromArray(s, s.Length).Softplus().ToArray();
        for (int i = 0; i < s.Length; i++)
        {
            double e = s[i] > 30 ? s[i] : s[i] < -20 ? Math.Exp(s[i]) * (1 - Math.Exp(s[i]) / 2) : Math.Log(1 + Math.Exp(s[i]));
            Assert.That(sp[i], Is.EqualTo(e).Within(3e-7 * Math.Abs(e)), $"softplus({s[i]})");
        }
    }

    [TestCaseSource(nameof(Lengths))]
    public void Binary_kernels_match_scalar_reference(int n)
    {
        var a = Data(n, 2 * n + 1);
        var b = Data(n, 2 * n + 2, 0.5f, 2f);
        var ops = new (string, Func<Tensor, Tensor, Tensor>, Func<float, float, float>)[]
        {
            ("add", (x, y) => x + y, (x, y) => x + y),
            ("sub", (x, y) => x - y, (x, y) => x - y),
            ("mul", (x, y) => x * y, (x, y) => x * y),
            ("div", (x, y) => x / y, (x, y) => x / y),
            ("max", Tensor.Maximum, MathF.Max),
        };
        foreach (var (name, op, reference) in ops)
        {
            var got = op(T(a), T(b)).ToArray();
            for (int i = 0; i < n; i++) Assert.That(got[i], Is.EqualTo(reference(a[i], b[i])), $"{name}[{i}] of {n}");
            // Broadcast of a scalar on each side.
            if (n > 0)
            {
                var right = op(T(a), Tensor.Scalar(b[0])).ToArray();
                var left = op(Tensor.Scalar(a[0]), T(b)).ToArray();
                for (int i = 0; i < n; i++)
                {
                    Assert.That(right[i], Is.EqualTo(reference(a[i], b[0])), $"{name} right-scalar [{i}] of {n}");
                    Assert.That(left[i], Is.EqualTo(reference(a[0], b[i])), $"{name} left-scalar [{i}] of {n}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Lengths))]
    public void Reductions_match_double_reference(int n)
    {
        var a = Data(n, 3 * n + 1);
        double sum = a.Sum(v => (double)v);
        Assert.That(T(a).Sum().Item(), Is.EqualTo(sum).Within(1e-5 * (1 + a.Sum(v => Math.Abs((double)v)))), "sum");
        if (n == 0) return;
        Assert.That(T(a).Max(0).Item(), Is.EqualTo(a.Max()), "max");
        double m = a.Max();
        double lse = m + Math.Log(a.Sum(v => Math.Exp(v - m)));
        Assert.That(T(a).LogSumExp(0).Item(), Is.EqualTo(lse).Within(1e-5 * Math.Max(1, Math.Abs(lse))), "logsumexp");
        var sm = T(a).Softmax().ToArray();
        for (int i = 0; i < n; i++) Assert.That(sm[i], Is.EqualTo(Math.Exp(a[i] - lse)).Within(1e-6), $"softmax[{i}]");
    }
}
