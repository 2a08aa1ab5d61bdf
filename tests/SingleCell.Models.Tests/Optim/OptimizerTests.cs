using SingleCell.Models.NN;
using SingleCell.Models.Optim;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.NN.NNTestUtil;

namespace SingleCell.Models.Tests.Optim;

public class OptimizerTests
{
    private static Parameter P(params float[] values) => new(Tensor.FromArray(values));

    private static void SetGrad(Parameter p, params float[] g) => p.Grad = Tensor.FromArray(g);

    [Test, Category("SharedData")]
    public void Adam_three_steps_match_pytorch_reference()
    {
        // Coupled weight decay 1e-6, eps 0.01, lr 0.01 on Σ c·p². Parameters are O(1–4) and move by
        // ~0.01 per step; float32 rounding of p is ≤ 2.4e-7, so 2e-6 abs + 1e-6 rel after 3 steps.
        var c = ReferenceCase("adam_3_steps");
        var attrs = c.GetProperty("attrs");
        var coef = attrs.GetProperty("c").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var p = new Parameter(ToTensor(c.GetProperty("inputs").GetProperty("p0")));
        var opt = new Adam([p], learningRate: 0.01, eps: 0.01, weightDecay: 1e-6);
        var expected = ToDoubles(c.GetProperty("output"));
        var ct = Tensor.FromArray(coef);
        for (int step = 0; step < 3; step++)
        {
            opt.ZeroGrad();
            (ct * p.Value * p.Value).Sum().Backward();
            opt.Step();
            AssertClose(p.Value.AsReadOnlySpan(), expected.Skip(step * 6).Take(6).ToArray(), 2e-6, 1e-6, $"step {step + 1}");
        }
    }

    [TestCase(false, 200_003)]
    [TestCase(true, 200_003)]
    [TestCase(false, 65_536)]
    public void Adam_kernel_on_all_cores_is_bitwise_the_single_thread_kernel(bool amsgrad, int n)
    {
        var gen = new Generator(n);
        var k = new AdamKernel(0.01f, 0.9f, 0.1f, 0.999f, 0.001f, 1.7f, 1e-3f, -0.02f);
        var p1 = Tensor.RandomNormal(gen, [n]).ToArray();
        var g = Tensor.RandomNormal(gen, [n]).ToArray();
        var m1 = Tensor.RandomNormal(gen, [n]).ToArray();
        var v1 = Tensor.RandomUniform(gen, [n], 0f, 2f).ToArray();
        var x1 = Tensor.RandomUniform(gen, [n], 0f, 2f).ToArray();
        float[] p2 = (float[])p1.Clone(), m2 = (float[])m1.Clone(), v2 = (float[])v1.Clone(), x2 = (float[])x1.Clone();
        k.Apply(p1, g, m1, v1, amsgrad ? x1 : default);
        k.ApplyAllCores(p2, g, m2, v2, amsgrad ? x2 : default);
        Assert.That(p2, Is.EqualTo(p1));
        Assert.That(m2, Is.EqualTo(m1));
        Assert.That(v2, Is.EqualTo(v1));
        Assert.That(x2, Is.EqualTo(x1));
    }

    [TestCase(false, false)]
    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public void Adam_update_matches_the_formula_in_double_on_every_vector_width(bool amsgrad, bool decoupled)
    {
        // 16·3 + 8 + 3 elements: the Vector512, Vector256 and scalar loops all run.
        const int n = 59;
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-3, wd = 0.05;
        var gen = new Generator(21);
        var start = Tensor.RandomNormal(gen, [n]).ToArray();
        var p = P((float[])start.Clone());
        Optimizer opt = decoupled
            ? new AdamW([p], learningRate: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd, amsgrad: amsgrad)
            : new Adam([p], learningRate: lr, beta1: b1, beta2: b2, eps: eps, weightDecay: wd, amsgrad: amsgrad);
        double[] th = start.Select(v => (double)v).ToArray(), m = new double[n], v2 = new double[n], vmax = new double[n];
        for (int step = 1; step <= 4; step++)
        {
            var g = Tensor.RandomNormal(gen, [n], 0f, step).ToArray();
            SetGrad(p, g);
            opt.Step();
            for (int i = 0; i < n; i++)
            {
                double gi = g[i];
                if (decoupled) th[i] *= 1 - lr * wd; else gi += wd * th[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                v2[i] = b2 * v2[i] + (1 - b2) * gi * gi;
                vmax[i] = Math.Max(vmax[i], v2[i]);
                double second = amsgrad ? vmax[i] : v2[i];
                th[i] -= lr / (1 - Math.Pow(b1, step)) * m[i] / (Math.Sqrt(second) / Math.Sqrt(1 - Math.Pow(b2, step)) + eps);
            }
            AssertClose(p.Value.AsReadOnlySpan(), th, 1e-6, 1e-5, $"step {step}");
        }
    }

    [Test]
    public void Sgd_momentum_dampening_weight_decay_closed_form()
    {
        var p = P(1f, -2f);
        var opt = new Sgd([p], learningRate: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01);
        SetGrad(p, 0.5f, 1f);
        opt.Step();
        // g1 = ∇ + λθ; b1 = g1; θ1 = θ − η b1
        double[] th = [1, -2], g = [0.5, 1];
        double[] b = new double[2];
        for (int i = 0; i < 2; i++) { double gi = g[i] + 0.01 * th[i]; b[i] = gi; th[i] -= 0.1 * b[i]; }
        AssertClose(p.Value.AsReadOnlySpan(), th, 1e-7, 1e-6, "step 1");
        SetGrad(p, -0.25f, 2f);
        opt.Step();
        g = [-0.25, 2];
        for (int i = 0; i < 2; i++) { double gi = g[i] + 0.01 * th[i]; b[i] = 0.9 * b[i] + 0.5 * gi; th[i] -= 0.1 * b[i]; }
        AssertClose(p.Value.AsReadOnlySpan(), th, 1e-7, 1e-6, "step 2");
    }

    [Test]
    public void Sgd_nesterov_closed_form()
    {
        var p = P(3f);
        var opt = new Sgd([p], learningRate: 0.5, momentum: 0.8, nesterov: true);
        SetGrad(p, 1f); opt.Step();             // b = 1; g = 1 + 0.8 = 1.8; θ = 3 − 0.9
        Assert.That(p.Value.Item(), Is.EqualTo(2.1f).Within(1e-6));
        SetGrad(p, 2f); opt.Step();             // b = 0.8 + 2 = 2.8; g = 2 + 2.24 = 4.24; θ = 2.1 − 2.12
        Assert.That(p.Value.Item(), Is.EqualTo(-0.02f).Within(1e-6));
        Assert.Throws<ArgumentException>(() => new Sgd([P(1f)], 0.1, momentum: 0, nesterov: true));
    }

    [Test]
    public void AdamW_one_step_closed_form_and_differs_from_coupled_Adam()
    {
        // Step 1: m̂ = g, v̂ = g², so θ₁ = θ(1 − ηλ) − η g / (|g| + ε).
        float[] th = [1f, -2f, 0.5f], g = [0.3f, -4f, 1e-3f];
        double lr = 0.1, wd = 0.2, eps = 1e-8;
        var p = P((float[])th.Clone());
        var opt = new AdamW([p], learningRate: lr, weightDecay: wd, eps: eps);
        SetGrad(p, g);
        opt.Step();
        var expected = th.Select((t, i) => t * (1 - lr * wd) - lr * g[i] / (Math.Abs(g[i]) + eps)).ToArray();
        AssertClose(p.Value.AsReadOnlySpan(), expected, 1e-7, 1e-6, "AdamW");

        var q = P((float[])th.Clone());
        var adam = new Adam([q], learningRate: lr, weightDecay: wd, eps: eps);
        SetGrad(q, g);
        adam.Step();
        var coupled = th.Select((t, i) => { double gi = g[i] + wd * t; return t - lr * gi / (Math.Abs(gi) + eps); }).ToArray();
        AssertClose(q.Value.AsReadOnlySpan(), coupled, 1e-7, 1e-6, "Adam (coupled)");
    }

    [Test]
    public void Param_groups_use_their_own_learning_rates_and_skip_parameters_without_gradients()
    {
        var a = P(1f); var b = P(1f); var c = P(1f);
        var opt = new Sgd([new ParamGroup([a]), new ParamGroup([b, c], learningRate: 0.5)], learningRate: 0.1);
        SetGrad(a, 1f); SetGrad(b, 1f);
        opt.Step();
        Assert.That(new[] { a.Value.Item(), b.Value.Item(), c.Value.Item() }, Is.EqualTo(new[] { 0.9f, 0.5f, 1f }));
        Assert.Throws<ArgumentException>(() => new Sgd([new ParamGroup([a]), new ParamGroup([a])], 0.1));
    }

    [Test]
    public void Clip_grad_norm_returns_total_norm_and_scales()
    {
        var a = P(0f, 0f); var b = P(0f);
        SetGrad(a, 3f, 0f); SetGrad(b, 4f);
        double total = GradientClipping.ClipGradNorm([a, b], 1.0);
        Assert.That(total, Is.EqualTo(5.0).Within(1e-12));
        double scale = 1.0 / (5.0 + 1e-6);
        Assert.That(a.Grad!.ToArray()[0], Is.EqualTo((float)(3 * scale)).Within(1e-7));
        Assert.That(b.Grad!.Item(), Is.EqualTo((float)(4 * scale)).Within(1e-7));
        // Below the threshold nothing changes.
        Assert.That(GradientClipping.ClipGradNorm([a, b], 10.0), Is.EqualTo(1.0).Within(1e-6));
        Assert.That(b.Grad!.Item(), Is.EqualTo((float)(4 * scale)).Within(1e-7));
        // Infinity norm and p = 1.
        SetGrad(a, -3f, 1f); SetGrad(b, 2f);
        Assert.That(GradientClipping.ClipGradNorm([a, b], 100, double.PositiveInfinity), Is.EqualTo(3.0));
        Assert.That(GradientClipping.ClipGradNorm([a, b], 100, 1.0), Is.EqualTo(6.0).Within(1e-12));
        SetGrad(b, float.NaN);
        Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm([a, b], 1.0, errorIfNonfinite: true));
    }

    private static Sequential Mlp(int seed) =>
        new(new Linear(5, 16, new Generator(seed)), new GELU(), new LayerNorm(16), new Linear(16, 1, new Generator(seed + 1)));

    private static float[] Train(Sequential net, Optimizer opt, int steps, int dataSeed)
    {
        var g = new Generator(dataSeed);
        for (int s = 0; s < steps; s++)
        {
            var x = Tensor.RandomNormal(g, [8, 5]);
            var y = Tensor.RandomNormal(g, [8, 1]);
            opt.ZeroGrad();
            (net.Forward(x) - y).Square().Mean().Backward();
            opt.Step();
        }
        return net.Parameters().SelectMany(p => p.Value.ToArray()).ToArray();
    }

    [Test]
    public void Same_seed_gives_bitwise_equal_parameters_after_adam_steps()
    {
        var n1 = Mlp(7); var n2 = Mlp(7);
        var p1 = Train(n1, new Adam(n1.Parameters(), 1e-2), 5, 99);
        var p2 = Train(n2, new Adam(n2.Parameters(), 1e-2), 5, 99);
        Assert.That(p2, Is.EqualTo(p1));
        var n3 = Mlp(8);
        Assert.That(Train(n3, new Adam(n3.Parameters(), 1e-2), 5, 99), Is.Not.EqualTo(p1));
    }

    [Test]
    public void State_save_restore_gives_identical_subsequent_steps()
    {
        foreach (var make in new Func<IEnumerable<Parameter>, Optimizer>[]
        {
            ps => new Adam(ps, 1e-2, weightDecay: 1e-3, amsgrad: true),
            ps => new AdamW(ps, 1e-2),
            ps => new Sgd(ps, 1e-2, momentum: 0.9, nesterov: true),
        })
        {
            var net = Mlp(3);
            var opt = make(net.Parameters());
            Train(net, opt, 3, 1);
            var modelState = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
            var optState = opt.GetState();
            var continued = Train(net, opt, 3, 2);

            var net2 = Mlp(100);
            net2.LoadStateDict(modelState);
            var opt2 = make(net2.Parameters());
            opt2.LoadState(optState);
            Assert.That(Train(net2, opt2, 3, 2), Is.EqualTo(continued), opt.GetType().Name);
        }
    }

    [Test]
    public void Load_state_rejects_mismatched_shapes()
    {
        var opt = new Adam([P(1f, 2f)], 0.1);
        var state = new OptimizerState();
        state.Tensors["state.0.exp_avg"] = Tensor.Zeros(3);
        var ex = Assert.Throws<ArgumentException>(() => opt.LoadState(state))!;
        Assert.That(ex.Message, Does.Contain("[3]").And.Contain("[2]"));
        state = new OptimizerState();
        state.Tensors["state.4.exp_avg"] = Tensor.Zeros(2);
        Assert.Throws<ArgumentException>(() => opt.LoadState(state));
    }
}
