using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.NN.NNTestUtil;

namespace SingleCell.Models.Tests.NN;

public class LayerTests
{
    [Test]
    public void Dropout_eval_is_identity_and_train_keeps_the_mean()
    {
        var d = new Dropout(0.3f, 5);
        var x = Tensor.Ones(200, 500);
        d.Eval();
        Assert.That(d.Forward(x).ToArray(), Is.EqualTo(x.ToArray()));
        d.Train();
        var y = d.Forward(x).ToArray();
        double mean = y.Average(), zeros = y.Count(v => v == 0f) / (double)y.Length;
        // 1e5 Bernoulli(0.7)/0.7 draws: sd of the mean ≈ √(0.3/0.7/1e5) ≈ 0.002; 5 sd margins.
        Assert.That(mean, Is.EqualTo(1.0).Within(0.01));
        Assert.That(zeros, Is.EqualTo(0.3).Within(0.007));
        Assert.That(y.Where(v => v != 0f).All(v => Math.Abs(v - 1f / 0.7f) < 1e-6), Is.True);
    }

    [Test]
    public void Dropout_mask_fill_draws_the_same_stream_as_NextUInt64()
    {
        // The register-held fill of Dropout against one NextUInt64 per element: the same mask, bit for bit,
        // and the same generator state afterwards (the next draws agree).
        foreach (float p in new[] { 0f, 0.1f, 0.5f, 0.999f })
        {
            var a = new Generator(77); var b = new Generator(77);
            a.NextNormal(); b.NextNormal();
            float scale = 1f / (1f - p);
            ulong threshold = (ulong)Math.Ceiling(p * (double)(1UL << 53));
            var fast = new float[1027];
            a.FillKeepMask(fast, threshold, scale);
            var slow = new float[fast.Length];
            for (int i = 0; i < slow.Length; i++) slow[i] = scale * ((b.NextUInt64() >> 11) >= threshold ? 1 : 0);
            Assert.That(fast, Is.EqualTo(slow), $"p = {p}");
            Assert.That(a.NextUInt64(), Is.EqualTo(b.NextUInt64()), $"p = {p}");
            Assert.That(a.NextNormal(), Is.EqualTo(b.NextNormal()), $"p = {p}");
        }
    }

    [Test]
    public void Dropout_gradient_is_the_mask_and_masks_are_seeded()
    {
        var x = Tensor.RandomNormal(new Generator(1), [10, 10]);
        x.RequiresGrad = true;
        var y = new Dropout(0.5f, 42).Forward(x);
        y.Sum().Backward();
        var ys = y.ToArray(); var xs = x.ToArray(); var gs = x.Grad!.ToArray();
        for (int i = 0; i < ys.Length; i++) Assert.That(gs[i] * xs[i], Is.EqualTo(ys[i]).Within(1e-6));
        Assert.That(new Dropout(0.5f, 42).Forward(x).ToArray(), Is.EqualTo(ys));
    }

    [Test]
    public void Embedding_padding_row_is_zero_and_gets_no_gradient()
    {
        var emb = new Embedding(6, 4, new Generator(3), paddingIndex: 2);
        Assert.That(emb.Weight.Value.ToArray().Skip(8).Take(4), Is.All.EqualTo(0f));
        var idx = Tensor.FromArray([2f, 1f, 1f, 5f, 2f, 0f], 2, 3);
        var y = emb.Forward(idx);
        Assert.That(y.Shape, Is.EqualTo(new TensorShape(2, 3, 4)));
        y.Backward(Tensor.Ones(2, 3, 4));
        var g = emb.Weight.Grad!.ToArray();
        Assert.That(g.Skip(8).Take(4), Is.All.EqualTo(0f), "padding row");
        Assert.That(g.Skip(4).Take(4), Is.All.EqualTo(2f), "row 1 used twice");
        Assert.That(g.Skip(0).Take(4), Is.All.EqualTo(1f));
        Assert.That(g.Skip(12).Take(8), Is.All.EqualTo(0f), "rows 3, 4 unused");
        Assert.That(emb.Forward(idx).ToArray().Skip(4).Take(4), Is.EqualTo(emb.Weight.Value.ToArray().Skip(4).Take(4)));
    }

    [Test]
    public void Embedding_max_norm_renormalises_looked_up_rows()
    {
        var emb = new Embedding(5, 8, new Generator(4), maxNorm: 1f);
        var before = emb.Weight.Value.ToArray();
        var y = emb.Forward([0, 3], 2);
        var w = emb.Weight.Value.ToArray();
        for (int r = 0; r < 5; r++)
        {
            double n0 = Math.Sqrt(before.Skip(r * 8).Take(8).Sum(v => (double)v * v));
            double n1 = Math.Sqrt(w.Skip(r * 8).Take(8).Sum(v => (double)v * v));
            if (r is 0 or 3) Assert.That(n1, Is.EqualTo(Math.Min(n0, 1.0)).Within(1e-5), $"row {r}");
            else Assert.That(n1, Is.EqualTo(n0), $"row {r} not looked up");
        }
        Assert.That(y.ToArray().Take(8), Is.EqualTo(w.Take(8)));
        Assert.Throws<ArgumentException>(() => emb.Forward([5]));
    }

    [Test]
    public void Activation_modules_apply_their_functions()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 0.5f, 3f]);
        Assert.That(new ReLU().Forward(x).ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 0.5f, 3f }));
        Assert.That(new LeakyReLU(0.1f).Forward(x).ToArray()[0], Is.EqualTo(-0.2f).Within(1e-7));
        Assert.That(new Sigmoid().Forward(x).ToArray()[2], Is.EqualTo(0.5f));
        Assert.That(new Tanh().Forward(x).ToArray()[4], Is.EqualTo((float)Math.Tanh(3)).Within(1e-6));
        Assert.That(new Softplus().Forward(x).ToArray()[2], Is.EqualTo((float)Math.Log(2)).Within(1e-6));
        Assert.That(new GELU().Forward(x).ToArray()[3], Is.EqualTo(0.345731f).Within(1e-5));
    }

    [Test]
    public void Every_parameter_of_every_layer_gets_a_gradient()
    {
        var g = new Generator(8);
        var x = Tensor.RandomNormal(g, [4, 6]);
        void Check(Module m, Func<Tensor> f)
        {
            m.ZeroGrad();
            f().Square().Sum().Backward();
            foreach (var p in m.NamedParameters()) Assert.That(p.Value.Grad, Is.Not.Null, $"{m.GetType().Name}: {p.Key}");
        }
        var lin = new Linear(6, 3, g); Check(lin, () => lin.Forward(x));
        var ln = new LayerNorm(6); Check(ln, () => ln.Forward(x) * x);
        var bn = new BatchNorm1d(6); Check(bn, () => bn.Forward(x) * x);
        var emb = new Embedding(5, 3, g); Check(emb, () => emb.Forward([1, 2, 4], 3));
        var x3 = Tensor.RandomNormal(g, [2, 3, 6]);
        var kv = Tensor.RandomNormal(g, [2, 4, 5]);
        var self = new MultiheadAttention(6, 2, g); Check(self, () => self.Forward(x3));
        var cross = new MultiheadAttention(6, 3, g); Check(cross, () => cross.Forward(x3, Tensor.RandomNormal(g, [2, 4, 6]), Tensor.RandomNormal(g, [2, 4, 6])).Output);
        var sep = new MultiheadAttention(6, 2, g, kdim: 5, vdim: 5); Check(sep, () => sep.Forward(x3, kv, kv).Output);
        var seq = new Sequential(new Linear(6, 8, g), new GELU(), new Dropout(0.1f, g), new LayerNorm(8), new Linear(8, 2, g));
        Check(seq, () => seq.Forward(x));
    }
}
