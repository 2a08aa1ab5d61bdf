using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.NN.NNTestUtil;

namespace SingleCell.Models.Tests.NN;

public class AttentionTests
{
    [Test, Category("SharedData")]
    public void Cross_attention_with_bool_key_padding_mask_matches_pytorch_reference()
    {
        // Float32 vs float64 PyTorch on O(1) values through two GEMMs, a softmax and two projections:
        // observed errors ~1e-6; tolerance 1e-5 abs + 1e-4 rel.
        const double atol = 1e-5, rtol = 1e-4;
        var c = ReferenceCase("multihead_cross_attention_bool_mask");
        var inputs = c.GetProperty("inputs");
        var mha = new MultiheadAttention(8, 2, new Generator(1));
        var sd = new Dictionary<string, Tensor>
        {
            ["in_proj_weight"] = ToTensor(inputs.GetProperty("in_proj_weight")),
            ["in_proj_bias"] = ToTensor(inputs.GetProperty("in_proj_bias")),
            ["out_proj.weight"] = ToTensor(inputs.GetProperty("out_proj_weight")),
            ["out_proj.bias"] = ToTensor(inputs.GetProperty("out_proj_bias")),
        };
        mha.LoadStateDict(sd); // strict: also proves the parameter names equal PyTorch's
        var maskJson = c.GetProperty("attrs").GetProperty("key_padding_mask");
        var mask = new bool[2, 5];
        int row = 0;
        foreach (var r in maskJson.EnumerateArray()) { int col = 0; foreach (var v in r.EnumerateArray()) mask[row, col++] = v.GetBoolean(); row++; }
        var q = ToTensor(inputs.GetProperty("q"), requiresGrad: true);
        var kv = ToTensor(inputs.GetProperty("kv"), requiresGrad: true);
        var (y, _) = mha.Forward(q, kv, kv, keyPaddingMask: mask);
        AssertClose(y.AsReadOnlySpan(), ToDoubles(c.GetProperty("output")), atol, rtol, "output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        var grads = c.GetProperty("grads");
        AssertClose(q.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("q")), atol, rtol, "dq");
        AssertClose(kv.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("kv")), atol, rtol, "dkv");
        AssertClose(mha.InProjWeight!.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("in_proj_weight")), atol, rtol, "d in_proj_weight");
        AssertClose(mha.InProjBias!.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("in_proj_bias")), atol, rtol, "d in_proj_bias");
        AssertClose(mha.OutProj.Weight.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("out_proj_weight")), atol, rtol, "d out_proj.weight");
        AssertClose(mha.OutProj.Bias!.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("out_proj_bias")), atol, rtol, "d out_proj.bias");
    }

    [Test]
    public void Parameter_names_and_initialisation_follow_pytorch()
    {
        var packed = new MultiheadAttention(8, 2, new Generator(2));
        Assert.That(packed.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias" }));
        Assert.That(packed.InProjWeight!.Shape, Is.EqualTo(new TensorShape(24, 8)));
        double xavier = Math.Sqrt(6.0 / (8 + 24));
        Assert.That(packed.InProjWeight.Value.ToArray().All(v => Math.Abs(v) <= xavier), Is.True);
        Assert.That(packed.InProjWeight.Value.ToArray().Max(), Is.GreaterThan(0.9 * xavier));
        Assert.That(packed.InProjBias!.Value.ToArray(), Is.All.EqualTo(0f));
        Assert.That(packed.OutProj.Bias!.Value.ToArray(), Is.All.EqualTo(0f));
        var sep = new MultiheadAttention(8, 2, new Generator(2), kdim: 3, vdim: 5, bias: false);
        Assert.That(sep.NamedParameters().Select(p => p.Key + sep.NamedParameters().First(q => q.Key == p.Key).Value.Shape),
            Is.EqualTo(new[] { "q_proj_weight[8, 8]", "k_proj_weight[8, 3]", "v_proj_weight[8, 5]", "out_proj.weight[8, 8]" }));
    }

    [Test]
    public void Masked_keys_get_zero_weight_and_weights_sum_to_one()
    {
        var g = new Generator(3);
        var mha = new MultiheadAttention(4, 2, g);
        var q = Tensor.RandomNormal(g, [2, 3, 4]);
        var kv = Tensor.RandomNormal(g, [2, 5, 4]);
        var mask = new bool[2, 5];
        mask[0, 1] = true; mask[1, 4] = true; mask[1, 0] = true;
        var (y, w) = mha.Forward(q, kv, kv, keyPaddingMask: mask, needWeights: true);
        Assert.That(w!.Shape, Is.EqualTo(new TensorShape(2, 3, 5)));
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < 3; i++)
            {
                double s = 0;
                for (int j = 0; j < 5; j++) { s += w[b, i, j]; if (mask[b, j]) Assert.That(w[b, i, j], Is.EqualTo(0f)); }
                Assert.That(s, Is.EqualTo(1.0).Within(1e-5));
            }
        // A large negative additive mask is equivalent to the boolean mask.
        var bias = Tensor.Zeros(2, 5);
        bias[0, 1] = -1e9f; bias[1, 4] = -1e9f; bias[1, 0] = -1e9f;
        var (y2, _) = mha.Forward(q, kv, kv, keyPaddingBias: bias);
        AssertClose(y2, y, 1e-6, 1e-5, "additive vs boolean mask");
        // Unbatched input gives the batch's first row.
        var (y3, _) = mha.Forward(q.Slice(0, 0, 1).Squeeze(0), kv.Slice(0, 0, 1).Squeeze(0), kv.Slice(0, 0, 1).Squeeze(0));
        var (y4, _) = mha.Forward(q, kv, kv);
        AssertClose(y3, y4.Slice(0, 0, 1).Squeeze(0), 1e-6, 1e-5, "unbatched");
    }

    [Test]
    public void Causal_mask_blocks_future_keys_and_per_head_weights_are_available()
    {
        var g = new Generator(6);
        var mha = new MultiheadAttention(4, 2, g);
        var x = Tensor.RandomNormal(g, [1, 4, 4]);
        var (_, w) = mha.Forward(x, x, x, attnMask: MultiheadAttention.CausalMask(4), needWeights: true, averageWeights: false);
        Assert.That(w!.Shape, Is.EqualTo(new TensorShape(1, 2, 4, 4)));
        for (int h = 0; h < 2; h++)
            for (int i = 0; i < 4; i++)
                for (int j = i + 1; j < 4; j++) Assert.That(w[0, h, i, j], Is.EqualTo(0f));
        Assert.That(w[0, 1, 0, 0], Is.EqualTo(1f).Within(1e-6));
    }

    [Test]
    public void Attention_dropout_acts_only_in_training()
    {
        var x = Tensor.RandomNormal(new Generator(1), [2, 3, 4]);
        var plain = new MultiheadAttention(4, 2, new Generator(9));
        var dropping = new MultiheadAttention(4, 2, new Generator(9), dropout: 0.5f);
        Assert.That(dropping.StateDict()["in_proj_weight"].ToArray(), Is.EqualTo(plain.StateDict()["in_proj_weight"].ToArray()));
        Assert.That(dropping.Forward(x).ToArray(), Is.Not.EqualTo(plain.Forward(x).ToArray()));
        dropping.Eval();
        Assert.That(dropping.Forward(x).ToArray(), Is.EqualTo(plain.Forward(x).ToArray()));
    }

    [Test]
    public void Self_attention_fast_path_equals_general_path()
    {
        var g = new Generator(4);
        var mha = new MultiheadAttention(6, 3, g);
        Init.Normal(mha.InProjBias!, g, std: 0.1);
        var x = Tensor.RandomNormal(g, [2, 4, 6]);
        var fast = mha.Forward(x);
        var general = mha.Forward(x, x.Clone(), x.Clone()).Output;
        AssertClose(fast, general, 1e-6, 1e-5, "self vs cross");
    }

    [Test]
    public void Attention_finite_differences_with_kdim_vdim_and_masks()
    {
        var g = new Generator(5);
        var mha = new MultiheadAttention(4, 2, g, kdim: 3, vdim: 5);
        Init.Normal(mha.InProjBias!, g, std: 0.3);
        Init.Normal(mha.OutProj.Bias!, g, std: 0.3);
        var q = Tensor.RandomNormal(g, [2, 2, 4]); q.RequiresGrad = true;
        var k = Tensor.RandomNormal(g, [2, 3, 3]); k.RequiresGrad = true;
        var v = Tensor.RandomNormal(g, [2, 3, 5]); v.RequiresGrad = true;
        var mask = new bool[2, 3]; mask[1, 2] = true;
        var attnMask = Tensor.RandomNormal(g, [2, 3], std: 0.5f);
        var r = RandomArray(g, 16);
        var wrt = new List<Tensor> { q, k, v };
        var names = new List<string> { "query", "key", "value" };
        foreach (var p in mha.NamedParameters()) { wrt.Add(p.Value); names.Add(p.Key); }
        NormalizationTests.CheckGradients(() => mha.Forward(q, k, v, keyPaddingMask: mask, attnMask: attnMask).Output, r, [.. wrt], [.. names]);
    }

    [Test]
    public void Shape_mismatch_names_the_layer_and_shapes()
    {
        var net = new Sequential(new Linear(4, 4, 1));
        var mha = new MultiheadAttention(8, 2, new Generator(1));
        var ex = Assert.Throws<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 5, 6), Tensor.Zeros(2, 5, 8)))!;
        Assert.That(ex.Message, Does.Contain("MultiheadAttention(E=8").And.Contain("[2, 5, 6]").And.Contain("[B, Lk, 8]"));
        var ex2 = Assert.Throws<ArgumentException>(() => mha.Forward(Tensor.Zeros(2, 3, 8), Tensor.Zeros(2, 5, 8), Tensor.Zeros(2, 5, 8), keyPaddingMask: new bool[2, 4]))!;
        Assert.That(ex2.Message, Does.Contain("[2, 4]").And.Contain("[2, 5]"));
        Assert.Throws<ArgumentException>(() => new MultiheadAttention(6, 4, new Generator(1)));
        Assert.That(net.Count, Is.EqualTo(1));
    }
}
