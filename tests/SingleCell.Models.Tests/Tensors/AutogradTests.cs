using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Tensors;

public class AutogradTests
{
    [Test]
    public void Gradients_accumulate_across_backward_calls()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3); x.RequiresGrad = true;
        (x * x).Sum().Backward();
        (x * 3f).Sum().Backward();
        // d/dx (x²) + d/dx (3x) = 2x + 3
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 5f, 7f, 9f }));
    }

    [Test]
    public void A_tensor_used_twice_gets_both_contributions()
    {
        var x = Tensor.FromArray([2f], 1); x.RequiresGrad = true;
        var y = x.Exp();
        var z = (y * y + y).Sum(); // e^{2x} + e^x → 2e^{2x} + e^x
        z.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(2 * Math.Exp(4) + Math.Exp(2)).Within(1e-5).Percent);
    }

    [Test]
    public void Backward_frees_the_graph_and_a_second_call_says_so()
    {
        var x = Tensor.FromArray([1f, 2f], 2); x.RequiresGrad = true;
        var loss = (x.Exp() * 2f).Sum();
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.That(ex!.Message, Does.Contain("already freed"));
    }

    [Test]
    public void A_second_loss_through_a_freed_shared_subgraph_throws_instead_of_dropping_its_gradient()
    {
        var x = Tensor.FromArray([1f, 2f], 2); x.RequiresGrad = true;
        var h = x.Exp();
        var l1 = (h * 2f).Sum();
        var l2 = (h * h).Sum();
        l1.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => l2.Backward());
        Assert.That(ex!.Message, Does.Contain("already freed").And.Contain("exp"));
        // Summing the losses first gives both contributions: d/dx (2eˣ + e²ˣ) = 2eˣ + 2e²ˣ.
        x.Grad = null;
        var g = x.Exp();
        ((g * 2f).Sum() + (g * g).Sum()).Backward();
        var grad = x.Grad!.ToArray();
        for (int i = 0; i < 2; i++)
            Assert.That(grad[i], Is.EqualTo(2 * Math.Exp(i + 1) + 2 * Math.Exp(2 * (i + 1))).Within(1e-4).Percent);
    }

    [Test]
    public void Intermediate_values_stay_readable_after_backward()
    {
        var x = Tensor.FromArray([0f, 1f], 2); x.RequiresGrad = true;
        var h = x.Exp();
        h.Sum().Backward();
        Assert.That(h.ToArray(), Is.EqualTo(new[] { 1f, MathF.Exp(1f) }));
        Assert.That(h.Grad, Is.Null, "non-leaf tensors keep no gradient");
    }

    [Test]
    public void NoGrad_scope_records_nothing_and_nests()
    {
        var x = Tensor.Ones(3); x.RequiresGrad = true;
        Tensor y;
        using (Tensor.NoGrad())
        {
            using (Tensor.NoGrad()) { }
            Assert.That(Tensor.IsGradEnabled, Is.False);
            y = x * 2f;
        }
        Assert.That(Tensor.IsGradEnabled, Is.True);
        Assert.That(y.RequiresGrad, Is.False);
        Assert.That((x * 2f).RequiresGrad, Is.True);
    }

    [Test]
    public void Detach_cuts_the_graph()
    {
        var x = Tensor.FromArray([3f], 1); x.RequiresGrad = true;
        var y = x * x.Detach(); // gradient only through the first factor: d/dx = x
        y.Sum().Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(3f));
    }

    [Test]
    public void Backward_without_gradient_on_a_non_scalar_is_an_error()
    {
        var x = Tensor.Ones(2, 2); x.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => (x * 2f).Backward());
        Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).Sum().Backward());
    }

    [Test]
    public void Deep_chains_do_not_overflow_the_stack()
    {
        var x = Tensor.FromArray([1f], 1); x.RequiresGrad = true;
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1f;
        y.Sum().Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(1f));
    }

    [Test]
    public void Shape_mismatch_names_the_op_and_both_shapes()
    {
        var a = Tensor.Zeros(3, 4); var b = Tensor.Zeros(5, 4);
        var ex = Assert.Throws<ArgumentException>(() => _ = a + b);
        Assert.That(ex!.Message, Does.Contain("add").And.Contain("[3, 4]").And.Contain("[5, 4]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.That(ex!.Message, Does.Contain("matmul").And.Contain("[2, 3]").And.Contain("[4, 5]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Linear(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)));
        Assert.That(ex!.Message, Does.Contain("linear").And.Contain("[2, 3]").And.Contain("[4, 5]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros(6).Reshape(4, 2));
        Assert.That(ex!.Message, Does.Contain("reshape").And.Contain("[6]").And.Contain("[4, 2]"));
    }

    [Test]
    public void NaN_in_a_loss_is_detectable()
    {
        var x = Tensor.FromArray([-1f, 1f], 2);
        var loss = x.Log().Sum();
        Assert.That(float.IsNaN(loss.Item()), Is.True);
        Assert.That(loss.HasNonFinite(), Is.True);
        Assert.That(x.Exp().HasNonFinite(), Is.False);
    }

    [Test]
    public void HasNonFinite_finds_one_bad_value_anywhere()
    {
        // Lengths around the vector width and the vector path's chunk of 4,096 floats; the bad value at every
        // kind of position (first, in a vector, at a chunk edge, in the scalar tail, last).
        foreach (int n in new[] { 1, 7, 31, 32, 33, 100, 4095, 4096, 4097, 10_000 })
        {
            var values = Tensor.RandomNormal(new Generator(n), [n], 0f, 1e30f).ToArray();
            values[n / 2] = -0f;
            Assert.That(Tensor.FromArray((float[])values.Clone(), n).HasNonFinite(), Is.False, $"n = {n}, all finite");
            foreach (int at in new[] { 0, n / 3, Math.Max(0, n - 9), n - 1, Math.Min(n - 1, 4095), Math.Min(n - 1, 4096) }.Distinct())
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    var copy = (float[])values.Clone();
                    copy[at] = bad;
                    Assert.That(Tensor.FromArray(copy, n).HasNonFinite(), Is.True, $"n = {n}, {bad} at {at}");
                }
        }
    }

    [Test]
    public void Factories_give_the_documented_values()
    {
        Assert.That(Tensor.Arange(5).ToArray(), Is.EqualTo(new[] { 0f, 1f, 2f, 3f, 4f }));
        Assert.That(Tensor.Arange(1f, 2f, 0.25f).ToArray(), Is.EqualTo(new[] { 1f, 1.25f, 1.5f, 1.75f }));
        Assert.That(Tensor.Full(2.5f, 2, 2).ToArray(), Is.All.EqualTo(2.5f));
        Assert.That(Tensor.Zeros(2, 3).Shape.ToArray(), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(Tensor.Scalar(3f).Rank, Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(1, 1, 1, 1, 1));
    }

    [Test]
    public void Random_factories_are_seeded_and_have_the_right_moments()
    {
        var a = Tensor.RandomNormal(new Generator(7), [100_000], 1f, 2f);
        var b = Tensor.RandomNormal(new Generator(7), [100_000], 1f, 2f);
        Assert.That(a.ToArray(), Is.EqualTo(b.ToArray()));
        double mean = a.ToArray().Average(), var = a.ToArray().Select(v => (v - mean) * (v - mean)).Average();
        // Standard errors: 2/√n ≈ 0.0063 for the mean; ≈ 4·√(2/n) ≈ 0.018 for the variance. 5 SE bounds.
        Assert.That(mean, Is.EqualTo(1.0).Within(0.032));
        Assert.That(var, Is.EqualTo(4.0).Within(0.09));
        var u = Tensor.RandomUniform(new Generator(1), [100_000], -1f, 3f).ToArray();
        Assert.That(u.Min(), Is.GreaterThanOrEqualTo(-1f));
        Assert.That(u.Max(), Is.LessThan(3f));
        Assert.That(u.Average(), Is.EqualTo(1.0).Within(5 * 4 / Math.Sqrt(12 * 100_000.0)));
        var bern = Tensor.RandomBernoulli(new Generator(2), [100_000], 0.3f).ToArray();
        Assert.That(bern.Average(), Is.EqualTo(0.3).Within(5 * Math.Sqrt(0.21 / 100_000)));
        Assert.That(bern.All(v => v == 0f || v == 1f));
    }
}

public class BufferPoolTests
{
    [Test]
    public void Recycled_gradient_buffers_never_alias_live_values()
    {
        // Sizes above the pool threshold, several steps: values the user holds stay intact, and the
        // gradients of each step equal those of a fresh computation.
        var gen = new Generator(3);
        var w = Tensor.RandomNormal(gen, [64, 96]); w.RequiresGrad = true;
        var x = Tensor.RandomNormal(gen, [128, 96]);
        float[]? firstGrad = null;
        var kept = new List<(Tensor T, float[] Values)>();
        for (int step = 0; step < 5; step++)
        {
            w.ZeroGrad();
            var h = Tensor.Linear(x, w).Tanh();
            var s = (h * h).Sum(1).Exp().Mean();
            kept.Add((h, h.ToArray()));
            s.Backward();
            firstGrad ??= w.Grad!.ToArray();
            Assert.That(w.Grad!.ToArray(), Is.EqualTo(firstGrad), $"step {step}");
        }
        foreach (var (t, values) in kept) Assert.That(t.ToArray(), Is.EqualTo(values));
    }

    [Test]
    public void Pass_through_and_aliased_inputs_give_exact_gradients_across_steps()
    {
        // y = Σ c ⊙ f(x) with f a chain of reshapes, r + r, (d − d) + d, a broadcast add, a constant and an index_add
        // whose source is its own input: every rule passes its output gradient on or adds copies of it, so the
        // gradient is 4c exactly, step after step, while the intermediates the test holds keep their values.
        var gen = new Generator(5);
        var x = Tensor.RandomNormal(gen, [32, 64]); x.RequiresGrad = true;
        var c = Tensor.RandomNormal(gen, [32, 64]);
        var bias = Tensor.RandomNormal(gen, [64]);
        var expected = c.ToArray().Select(v => 4 * v).ToArray();
        var held = new List<(Tensor T, float[] Values)>();
        for (int step = 0; step < 4; step++)
        {
            x.ZeroGrad();
            var r = x.Reshape(64, 32).Reshape(32, 64);
            var d = r + r;
            var e = d - d + d;
            var f = (e + bias) + 1f;
            var h = f.IndexAdd(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31], f);
            held.AddRange([(r, r.ToArray()), (d, d.ToArray()), (e, e.ToArray()), (f, f.ToArray())]);
            (h * c).Sum().Backward();
            Assert.That(x.Grad!.ToArray(), Is.EqualTo(expected), $"step {step}");
        }
        foreach (var (t, values) in held) Assert.That(t.ToArray(), Is.EqualTo(values));
    }

    [Test]
    public void Gradients_of_two_backward_passes_add_up_exactly()
    {
        // Two backward passes without zeroing: the second dW is added into the first (buffers of the pool's sizes),
        // the sum is exactly twice one pass, and a third pass after zeroing gives one pass again.
        var gen = new Generator(8);
        var w = Tensor.RandomNormal(gen, [64, 96]); w.RequiresGrad = true;
        var x = Tensor.RandomNormal(gen, [128, 96]);
        Tensor Loss() => (Tensor.Linear(x, w).Tanh() * 3f).Sum();
        Loss().Backward();
        var once = w.Grad!.ToArray();
        Loss().Backward();
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(once.Select(v => v + v).ToArray()));
        w.ZeroGrad();
        Loss().Backward();
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(once));
    }
}
