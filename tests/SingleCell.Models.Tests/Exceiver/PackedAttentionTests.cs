using SingleCell.Models.Exceiver;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tests.Tensors;

namespace SingleCell.Models.Tests.Exceiver;

public class PackedAttentionTests
{
    /// <summary>The unfused composition: per cell, scores = q kᵀ + bias per head, softmax, times v (engine ops only).</summary>
    private static Tensor Composed(Tensor q, Tensor k, Tensor v, int[] offsets, float[]? bias, int heads)
    {
        int nq = q.Shape[0], e = q.Shape[1], d = e / heads;
        var qh = q.Reshape(nq, heads, d).Permute(1, 0, 2);
        var cells = new List<Tensor>();
        for (int b = 0; b + 1 < offsets.Length; b++)
        {
            int start = offsets[b], len = offsets[b + 1] - start;
            if (len == 0) { cells.Add(Tensor.Zeros(nq, e)); continue; }
            var kh = k.Slice(0, start, len).Reshape(len, heads, d).Permute(1, 0, 2);
            var vh = v.Slice(0, start, len).Reshape(len, heads, d).Permute(1, 0, 2);
            var scores = Tensor.MatMul(qh, kh, transposeB: true);
            if (bias != null) scores += Tensor.FromArray(bias[start..(start + len)], len);
            cells.Add(Tensor.MatMul(scores.Softmax(-1), vh).Permute(1, 0, 2).Reshape(nq, e));
        }
        return Tensor.Stack(cells, 0);
    }

    private static float[] Bias(int n, int seed)
    {
        var g = new Generator(seed);
        var b = new float[n];
        for (int i = 0; i < n; i++) b[i] = g.NextDouble() < 0.5 ? 1f : 0f;
        return b;
    }

    [TestCase(1, false)]
    [TestCase(4, false)]
    [TestCase(4, true)]
    [TestCase(2, true)]
    public void Fused_matches_composed_values_and_gradients(int heads, bool withBias)
    {
        int nq = 5, e = 4;
        int[] offsets = [0, 7, 7, 19, 22];   // includes an empty cell
        int n = offsets[^1];
        var q = GradCheck.Rand(1, -1.5f, 1.5f, nq, e);
        var k = GradCheck.Rand(2, -2f, 2f, n, e);
        var v = GradCheck.Rand(3, -1f, 1f, n, e);
        var bias = withBias ? Bias(n, 4) : null;
        var u = GradCheck.Rand(5, -1f, 1f, offsets.Length - 1, nq, e);

        Tensor[] Grads(Func<Tensor, Tensor, Tensor, Tensor> f, out Tensor y)
        {
            var qq = q.Clone(); var kk = k.Clone(); var vv = v.Clone();
            qq.RequiresGrad = kk.RequiresGrad = vv.RequiresGrad = true;
            y = f(qq, kk, vv);
            y.Backward(u);
            return [qq.Grad!, kk.Grad!, vv.Grad!];
        }
        var gf = Grads((a, b, c) => PackedAttention.Forward(a, b, c, offsets, bias, heads), out var yf);
        var gc = Grads((a, b, c) => Composed(a, b, c, offsets, bias, heads), out var yc);
        TensorAssert.Close(yf, yc, 1e-5, 1e-6, "output");
        string[] names = ["dq", "dk", "dv"];
        for (int i = 0; i < 3; i++) TensorAssert.Close(gf[i], gc[i], 1e-4, 1e-5, names[i]);
    }

    [TestCase(4)]
    [TestCase(1)]
    public void Fused_gradients_match_finite_differences(int heads)
    {
        int[] offsets = [0, 5, 11];
        var bias = Bias(11, 9);
        GradCheck.Check($"packed attention, {heads} heads",
            x => PackedAttention.Forward(x[0], x[1], x[2], offsets, bias, heads),
            [GradCheck.Rand(11, -1f, 1f, 3, 4), GradCheck.Rand(12, -1f, 1f, 11, 4), GradCheck.Rand(13, -1f, 1f, 11, 4)]);
    }

    [Test]
    public void Fused_is_bitwise_reproducible()
    {
        int n = 3000;
        var offsets = Enumerable.Range(0, 31).Select(i => i * 100).ToArray();
        var q = GradCheck.Rand(1, -1f, 1f, 16, 4);
        var k = GradCheck.Rand(2, -1f, 1f, n, 4);
        var v = GradCheck.Rand(3, -1f, 1f, n, 4);
        float[][] Run()
        {
            var qq = q.Clone(); var kk = k.Clone(); qq.RequiresGrad = kk.RequiresGrad = true;
            var y = PackedAttention.Forward(qq, kk, v, offsets, null, 4);
            y.Sum().Backward();
            return [y.ToArray(), qq.Grad!.ToArray(), kk.Grad!.ToArray()];
        }
        var a = Run(); var b = Run();
        for (int i = 0; i < a.Length; i++) Assert.That(b[i], Is.EqualTo(a[i]));
    }

    [Test]
    public void Hand_example_exclude_versus_additive()
    {
        // One query (q = 1), head dimension 1; keys 0, ln 2 and 0 with values 1, 2, 3; the third gene has a zero count.
        var q = Tensor.FromArray([1f], 1, 1);
        // Exclude: only the two detected genes are keys: weights 1 : 2, output (1 + 4) / 3.
        var ex = PackedAttention.Forward(q, Tensor.FromArray([0f, MathF.Log(2)], 2, 1), Tensor.FromArray([1f, 2f], 2, 1), [0, 2], null, 1);
        Assert.That(ex.Item(), Is.EqualTo(5.0 / 3).Within(1e-6));
        // Additive (the reference): all three are keys and the zero-count gene's logit gets +1: weights 1 : 2 : e.
        var add = PackedAttention.Forward(q, Tensor.FromArray([0f, MathF.Log(2), 0f], 3, 1), Tensor.FromArray([1f, 2f, 3f], 3, 1), [0, 3], [0f, 0f, 1f], 1);
        Assert.That(add.Item(), Is.EqualTo((1 + 4 + 3 * Math.E) / (3 + Math.E)).Within(1e-6));
    }
}
