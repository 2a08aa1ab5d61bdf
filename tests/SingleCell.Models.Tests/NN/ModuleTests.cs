using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.NN.NNTestUtil;

namespace SingleCell.Models.Tests.NN;

public class ModuleTests
{
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block(Generator g)
        {
            Layers = RegisterModule("layers", new Sequential(new Linear(4, 5, g), new ReLU(), new Linear(5, 3, g)));
            Norm = RegisterModule("norm", new LayerNorm(3));
        }

        public Sequential Layers { get; }

        public LayerNorm Norm { get; }

        public override Tensor Forward(Tensor input) => Norm.Forward(Layers.Forward(input));
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(Generator g)
        {
            Encoder = RegisterModule("encoder", new Block(g));
            Bn = RegisterModule("bn", new BatchNorm1d(3));
            Scale = RegisterParameter("scale", Tensor.Ones(3));
        }

        public Block Encoder { get; }

        public BatchNorm1d Bn { get; }

        public Parameter Scale { get; }

        public override Tensor Forward(Tensor input) => Bn.Forward(Encoder.Forward(input)) * Scale;
    }

    [Test]
    public void Hierarchical_names_counts_and_buffers()
    {
        var net = new Net(new Generator(1));
        var names = net.NamedParameters().Select(p => p.Key).ToArray();
        Assert.That(names, Is.EqualTo(new[]
        {
            "scale", "encoder.layers.0.weight", "encoder.layers.0.bias", "encoder.layers.2.weight", "encoder.layers.2.bias",
            "encoder.norm.weight", "encoder.norm.bias", "bn.weight", "bn.bias",
        }));
        Assert.That(net.ParameterCount, Is.EqualTo(3 + 20 + 5 + 15 + 3 + 3 + 3 + 3 + 3));
        Assert.That(net.NamedBuffers().Select(b => b.Key), Is.EqualTo(new[] { "bn.running_mean", "bn.running_var", "bn.num_batches_tracked" }));
        var sd = net.StateDict();
        Assert.That(sd.Count, Is.EqualTo(names.Length + 3));
        Assert.That(sd.Keys.Last(), Is.EqualTo("bn.num_batches_tracked"));
        Assert.That(net.Encoder.Layers[2].QualifiedName, Is.EqualTo("encoder.layers.2"));
        Assert.That(net.NamedModules().Select(m => m.Key), Is.EqualTo(new[]
        {
            "", "encoder", "encoder.layers", "encoder.layers.0", "encoder.layers.1", "encoder.layers.2", "encoder.norm", "bn",
        }));
    }

    [Test]
    public void Train_and_eval_propagate()
    {
        var net = new Net(new Generator(1));
        Assert.That(net.Encoder.Norm.IsTraining, Is.True);
        net.Eval();
        Assert.That(net.Encoder.Layers[0].IsTraining || net.Bn.IsTraining, Is.False);
        net.Train();
        Assert.That(net.Bn.IsTraining, Is.True);
    }

    [Test]
    public void Every_parameter_gets_a_gradient()
    {
        var g = new Generator(3);
        var net = new Net(g);
        var x = Tensor.RandomNormal(g, [6, 4]);
        net.Forward(x).Square().Sum().Backward();
        foreach (var p in net.NamedParameters()) Assert.That(p.Value.Grad, Is.Not.Null, p.Key);
        net.ZeroGrad();
        foreach (var p in net.NamedParameters()) Assert.That(p.Value.Grad, Is.Null, p.Key);
    }

    [Test]
    public void State_dict_round_trip_gives_identical_outputs()
    {
        var a = new Net(new Generator(1));
        var b = new Net(new Generator(2));
        var x = Tensor.RandomNormal(new Generator(9), [6, 4]);
        a.Forward(x); // updates running stats
        a.Eval(); b.Eval();
        var snapshot = new Dictionary<string, Tensor>();
        foreach (var kv in a.StateDict()) snapshot[kv.Key] = kv.Value.Clone();
        var result = b.LoadStateDict(snapshot);
        Assert.That(result.MissingKeys, Is.Empty);
        Assert.That(b.Forward(x).ToArray(), Is.EqualTo(a.Forward(x).ToArray()));
    }

    [Test]
    public void Load_state_dict_reports_missing_unexpected_and_mismatched_keys()
    {
        var net = new Net(new Generator(1));
        var sd = new Dictionary<string, Tensor>();
        foreach (var kv in net.StateDict()) sd[kv.Key] = kv.Value.Clone();
        sd.Remove("encoder.norm.bias");
        sd["extra.weight"] = Tensor.Zeros(2);
        var ex = Assert.Throws<ArgumentException>(() => net.LoadStateDict(sd))!;
        Assert.That(ex.Message, Does.Contain("missing keys: encoder.norm.bias"));
        Assert.That(ex.Message, Does.Contain("unexpected keys: extra.weight"));
        var lenient = net.LoadStateDict(sd, strict: false);
        Assert.That(lenient.MissingKeys, Is.EqualTo(new[] { "encoder.norm.bias" }));
        Assert.That(lenient.UnexpectedKeys, Is.EqualTo(new[] { "extra.weight" }));
        sd["encoder.norm.bias"] = Tensor.Zeros(3);
        sd["encoder.layers.0.weight"] = Tensor.Zeros(5, 3);
        sd["encoder.norm.weight"] = Tensor.Full(7f, 3);
        ex = Assert.Throws<ArgumentException>(() => net.LoadStateDict(sd, strict: false))!;
        Assert.That(ex.Message, Does.Contain("encoder.layers.0.weight").And.Contain("[5, 3]").And.Contain("[5, 4]"));
        Assert.That(net.Encoder.Norm.Weight!.Value.ToArray(), Is.All.EqualTo(1f), "nothing is copied when validation fails");
    }

    [Test]
    public void Duplicate_and_dotted_names_are_rejected()
    {
        var seq = new Sequential();
        var lin = new Linear(2, 2, 1);
        seq.Add(lin);
        Assert.Throws<ArgumentException>(() => seq.Add(lin)); // already has a parent
    }

    [Test]
    public void Init_fans_and_bounds_follow_torch_nn_init()
    {
        Assert.That(Init.Fans(new TensorShape(8, 3, 5)), Is.EqualTo((15, 40)));
        Assert.That(Init.Fans(new TensorShape(7)), Is.EqualTo((7, 7)));
        var t = Tensor.Zeros(50, 20);
        Init.KaimingUniform(t, new Generator(1)); // a = 0: bound √6/√20
        Assert.That(t.ToArray().Max(v => Math.Abs(v)), Is.LessThanOrEqualTo(Math.Sqrt(6.0 / 20)).And.GreaterThan(0.95 * Math.Sqrt(6.0 / 20)));
        Init.XavierUniform(t, new Generator(1), gain: 2);
        Assert.That(t.ToArray().Max(v => Math.Abs(v)), Is.LessThanOrEqualTo(2 * Math.Sqrt(6.0 / 70)).And.GreaterThan(1.9 * Math.Sqrt(6.0 / 70)));
        Init.Normal(t, new Generator(1), mean: 1, std: 0.5);
        Assert.That(t.ToArray().Average(), Is.EqualTo(1.0).Within(0.05));
        Init.Zeros(t);
        Assert.That(t.ToArray(), Is.All.EqualTo(0f));
    }

    [Test]
    public void Linear_init_matches_pytorch_bounds()
    {
        var lin = new Linear(16, 64, new Generator(5));
        float bound = 1f / 4f;
        Assert.That(lin.Weight.Value.ToArray().All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(lin.Bias!.Value.ToArray().All(v => Math.Abs(v) <= bound), Is.True);
        Assert.That(lin.Weight.Value.ToArray().Max(), Is.GreaterThan(0.9 * bound));
        Assert.That(new Linear(16, 64, new Generator(5)).Weight.Value.ToArray(), Is.EqualTo(lin.Weight.Value.ToArray()));
    }

    [Test]
    public void Linear_shape_mismatch_names_layer_and_shapes()
    {
        var seq = new Sequential(new Linear(6, 3, 1));
        var ex = Assert.Throws<ArgumentException>(() => seq.Forward(Tensor.Zeros(4, 5)))!;
        Assert.That(ex.Message, Does.Contain("Linear(6 → 3)").And.Contain("'0'").And.Contain("[4, 5]").And.Contain("[3, 6]"));
    }

    [Test, Category("SharedData")]
    public void Linear_matches_pytorch_reference()
    {
        // Float32 GEMM of length-6 dot products on O(1) data: errors ~1e-6; tolerance 1e-5 abs + 1e-5 rel.
        var c = ReferenceCase("linear");
        var inputs = c.GetProperty("inputs");
        var lin = new Linear(6, 3, 1);
        lin.Weight.CopyFrom(ToTensor(inputs.GetProperty("w")));
        lin.Bias!.CopyFrom(ToTensor(inputs.GetProperty("b")));
        var x = ToTensor(inputs.GetProperty("x"), requiresGrad: true);
        var y = lin.Forward(x);
        AssertClose(y.AsReadOnlySpan(), ToDoubles(c.GetProperty("output")), 1e-5, 1e-5, "output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        var grads = c.GetProperty("grads");
        AssertClose(x.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("x")), 1e-5, 1e-5, "dx");
        AssertClose(lin.Weight.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("w")), 1e-5, 1e-5, "dw");
        AssertClose(lin.Bias.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("b")), 1e-5, 1e-5, "db");
    }
}
