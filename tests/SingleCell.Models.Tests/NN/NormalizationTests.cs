using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.NN.NNTestUtil;

namespace SingleCell.Models.Tests.NN;

public class NormalizationTests
{
    // Reference tolerances (float32 vs PyTorch float64): statistics are accumulated in double and the
    // values are O(1), so forward and gradients agree to a few float ulps (~1e-6); 2e-5 abs + 2e-5 rel
    // leaves room for the rstd-amplified rounding in dx.
    private const double RefAtol = 2e-5, RefRtol = 2e-5;

    // Finite differences: the float forward is evaluated at x ± h and the objective Σ y·r summed in
    // double. Rounding error ≈ ε_f·|Σ|y·r||/h ≈ 6e-8·10/5e-3 ≈ 1e-4; truncation ≈ h²·|f'''|/6 ≈ 1e-5.
    // Tolerance 1e-3 abs + 1e-2 rel is ~10× above both, yet far below any wrong-formula error (O(0.1–1)).
    private const float H = 5e-3f;
    private const double FdAtol = 1e-3, FdRtol = 1e-2;

    [Test, Category("SharedData")]
    public void LayerNorm_matches_pytorch_reference()
    {
        var c = ReferenceCase("layer_norm");
        var inputs = c.GetProperty("inputs");
        var ln = new LayerNorm(6);
        ln.Weight!.CopyFrom(ToTensor(inputs.GetProperty("w")));
        ln.Bias!.CopyFrom(ToTensor(inputs.GetProperty("b")));
        var x = ToTensor(inputs.GetProperty("x"), requiresGrad: true);
        var y = ln.Forward(x);
        AssertClose(y.AsReadOnlySpan(), ToDoubles(c.GetProperty("output")), RefAtol, RefRtol, "output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        var grads = c.GetProperty("grads");
        AssertClose(x.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("x")), RefAtol, RefRtol, "dx");
        AssertClose(ln.Weight.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("w")), RefAtol, RefRtol, "dw");
        AssertClose(ln.Bias.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("b")), RefAtol, RefRtol, "db");
    }

    [Test]
    public void BatchNorm1d_with_row_weights_equals_the_batch_with_the_rows_repeated()
    {
        // Rows 0..3 with multiplicities 3, 1, 2, 4: the weighted call must give the expanded batch's outputs,
        // running statistics and parameter gradients, and each row's input gradient summed over its copies.
        var gen = new Generator(11);
        var x = Tensor.RandomNormal(gen, [4, 5], 0.5f, 2f);
        var upstream = Tensor.RandomNormal(gen, [4, 5]); // the gradient of each distinct row (summed over its copies)
        float[] w = [3, 1, 2, 4];
        var expand = w.SelectMany((m, i) => Enumerable.Repeat(i, (int)m)).ToArray();
        var full = new BatchNorm1d(5); var weighted = new BatchNorm1d(5);
        foreach (var bn in new[] { full, weighted }) { bn.Weight!.CopyFrom(Tensor.FromArray([1f, 2f, 0.5f, -1f, 3f], 5)); bn.Bias!.CopyFrom(Tensor.FromArray([0f, 1f, -1f, 2f, 0.5f], 5)); }
        var xf = Tensor.FromArray(x.ToArray(), 4, 5); xf.RequiresGrad = true;
        var xw = Tensor.FromArray(x.ToArray(), 4, 5); xw.RequiresGrad = true;
        // Split each distinct row's gradient unevenly over its copies: only the sum may matter.
        var gFull = new float[expand.Length * 5];
        var seen = new int[4];
        for (int r = 0; r < expand.Length; r++)
        {
            int i = expand[r]; float share = w[i] == 1 ? 1f : (seen[i] == 0 ? 0.7f : 0.3f / (w[i] - 1));
            seen[i]++;
            for (int ch = 0; ch < 5; ch++) gFull[r * 5 + ch] = share * upstream.AsReadOnlySpan()[i * 5 + ch];
        }
        var yFull = full.Forward(xf.IndexSelect(0, expand));
        var yW = weighted.Forward(xw, w);
        for (int r = 0; r < expand.Length; r++)
            for (int ch = 0; ch < 5; ch++) Assert.That(yW.AsReadOnlySpan()[expand[r] * 5 + ch], Is.EqualTo(yFull.AsReadOnlySpan()[r * 5 + ch]).Within(1e-5), $"y[{r},{ch}]");
        yFull.Backward(Tensor.FromArray(gFull, expand.Length, 5));
        yW.Backward(upstream);
        AssertClose(xw.Grad!.AsReadOnlySpan(), xf.Grad!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-5, "dx (summed over copies)");
        AssertClose(weighted.Weight!.Grad!.AsReadOnlySpan(), full.Weight!.Grad!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-5, "dweight");
        AssertClose(weighted.Bias!.Grad!.AsReadOnlySpan(), full.Bias!.Grad!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-5, "dbias");
        AssertClose(weighted.RunningMean!.AsReadOnlySpan(), full.RunningMean!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-6, 1e-6, "running mean");
        AssertClose(weighted.RunningVar!.AsReadOnlySpan(), full.RunningVar!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-6, 1e-6, "running variance (unbiased with W = 10)");
        Assert.That(() => weighted.Forward(xw, [1f, 0f, 1f, 1f]), Throws.ArgumentException.With.Message.Contains("positive"));
        Assert.That(() => weighted.Forward(xw, [1f, 1f]), Throws.ArgumentException.With.Message.Contains("one weight per row"));
    }

    [TestCase(37)]
    [TestCase(150)]
    public void BatchNorm1d_row_weights_on_vector_widths_sum_rows_in_order_and_match_the_repeated_batch(int c)
    {
        // 37 channels (two 16-wide vector blocks and a scalar tail) or 150 (two 64-wide blocks, one 16-wide, a tail)
        // and 9 rows with multiplicities 1–4. The running mean is (1 − m)·0 + m·mean, so it shows the mean bit for
        // bit: weighted, it must equal the row-by-row double sum Σ w_b x_b / W; for the repeated batch (unweighted),
        // the row-by-row sum over the copies. Outputs and gradients must match the batch with each row repeated.
        const int rows = 9;
        var gen = new Generator(21);
        var x = Tensor.RandomNormal(gen, [rows, c], 1f, 3f);
        var upstream = Tensor.RandomNormal(gen, [rows, c]);
        float[] w = [1, 3, 2, 4, 1, 2, 3, 1, 2];
        var expand = w.SelectMany((m, i) => Enumerable.Repeat(i, (int)m)).ToArray();
        var full = new BatchNorm1d(c); var weighted = new BatchNorm1d(c);
        var xf = Tensor.FromArray(x.ToArray(), rows, c); xf.RequiresGrad = true;
        var xw = Tensor.FromArray(x.ToArray(), rows, c); xw.RequiresGrad = true;
        var yW = weighted.Forward(xw, w);
        var yFull = full.Forward(xf.IndexSelect(0, expand));
        var xs = x.ToArray();
        double total = w.Sum(v => (double)v);
        for (int ch = 0; ch < c; ch++)
        {
            double sum = 0;
            for (int b = 0; b < rows; b++) sum += w[b] * (double)xs[b * c + ch];
            double m = 0.1f; // the momentum, a float, as the update widens it
            float expectedRunning = (float)((1.0 - m) * 0f + m * (sum / total));
            Assert.That(weighted.RunningMean!.AsReadOnlySpan()[ch], Is.EqualTo(expectedRunning), $"running mean, channel {ch}");
            double copies = 0;
            foreach (int r in expand) copies += xs[r * c + ch];
            Assert.That(full.RunningMean!.AsReadOnlySpan()[ch], Is.EqualTo((float)((1.0 - m) * 0f + m * (copies / total))), $"unweighted running mean, channel {ch}");
        }
        for (int r = 0; r < expand.Length; r++)
            for (int ch = 0; ch < c; ch++) Assert.That(yW.AsReadOnlySpan()[expand[r] * c + ch], Is.EqualTo(yFull.AsReadOnlySpan()[r * c + ch]).Within(1e-5), $"y[{r},{ch}]");
        // Give each copy of a row the row's gradient divided among its copies: only the sum may matter.
        var gFull = new float[expand.Length * c];
        for (int r = 0; r < expand.Length; r++)
            for (int ch = 0; ch < c; ch++) gFull[r * c + ch] = upstream.AsReadOnlySpan()[expand[r] * c + ch] / w[expand[r]];
        yFull.Backward(Tensor.FromArray(gFull, expand.Length, c));
        yW.Backward(upstream);
        AssertClose(xw.Grad!.AsReadOnlySpan(), xf.Grad!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-4, "dx (summed over copies)");
        AssertClose(weighted.Weight!.Grad!.AsReadOnlySpan(), full.Weight!.Grad!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-4, "dweight");
        AssertClose(weighted.RunningVar!.AsReadOnlySpan(), full.RunningVar!.AsReadOnlySpan().ToArray().Select(v => (double)v).ToArray(), 1e-5, 1e-5, "running variance");
    }

    [Test, Category("SharedData")]
    public void BatchNorm1d_training_matches_pytorch_reference_and_updates_running_stats()
    {
        var c = ReferenceCase("batch_norm_train");
        var inputs = c.GetProperty("inputs");
        var bn = new BatchNorm1d(5, eps: 1e-3f, momentum: 0.01f);
        bn.Weight!.CopyFrom(ToTensor(inputs.GetProperty("w")));
        bn.Bias!.CopyFrom(ToTensor(inputs.GetProperty("b")));
        var x = ToTensor(inputs.GetProperty("x"), requiresGrad: true);
        var y = bn.Forward(x);
        AssertClose(y.AsReadOnlySpan(), ToDoubles(c.GetProperty("output")), RefAtol, RefRtol, "output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        var grads = c.GetProperty("grads");
        AssertClose(x.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("x")), RefAtol, RefRtol, "dx");
        AssertClose(bn.Weight.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("w")), RefAtol, RefRtol, "dw");
        AssertClose(bn.Bias.Grad!.AsReadOnlySpan(), ToDoubles(grads.GetProperty("b")), RefAtol, RefRtol, "db");

        // Running statistics by hand (double): mean and unbiased variance of each column, momentum 0.01.
        var xd = ToDoubles(inputs.GetProperty("x"));
        var expMean = new double[5]; var expVar = new double[5];
        for (int ch = 0; ch < 5; ch++)
        {
            double m = 0; for (int i = 0; i < 8; i++) m += xd[i * 5 + ch]; m /= 8;
            double v = 0; for (int i = 0; i < 8; i++) v += (xd[i * 5 + ch] - m) * (xd[i * 5 + ch] - m); v /= 7;
            expMean[ch] = 0.99 * 0 + 0.01 * m;
            expVar[ch] = 0.99 * 1 + 0.01 * v;
        }
        AssertClose(bn.RunningMean!.AsReadOnlySpan(), expMean, 1e-7, 1e-6, "running_mean");
        AssertClose(bn.RunningVar!.AsReadOnlySpan(), expVar, 1e-7, 1e-6, "running_var");
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(1f));
    }

    [Test]
    public void BatchNorm1d_running_stats_over_several_batches_and_eval_uses_them()
    {
        var g = new Generator(11);
        var bn = new BatchNorm1d(3); // momentum 0.1, eps 1e-5
        var rm = new double[3]; var rv = new double[] { 1, 1, 1 };
        for (int step = 0; step < 3; step++)
        {
            var x = Tensor.RandomNormal(g, [6, 3, 2], mean: step, std: 2f);
            bn.Forward(x);
            var xs = x.ToArray();
            for (int ch = 0; ch < 3; ch++)
            {
                var vals = new List<double>();
                for (int b = 0; b < 6; b++) for (int l = 0; l < 2; l++) vals.Add(xs[(b * 3 + ch) * 2 + l]);
                double m = vals.Average(), v = vals.Sum(t => (t - m) * (t - m)) / (vals.Count - 1);
                rm[ch] = 0.9 * rm[ch] + 0.1 * m;
                rv[ch] = 0.9 * rv[ch] + 0.1 * v;
            }
        }
        AssertClose(bn.RunningMean!.AsReadOnlySpan(), rm, 1e-6, 1e-5, "running_mean");
        AssertClose(bn.RunningVar!.AsReadOnlySpan(), rv, 1e-6, 1e-5, "running_var");
        bn.Eval();
        var before = bn.RunningMean.ToArray();
        var xe = Tensor.RandomNormal(g, [4, 3]);
        var y = bn.Forward(xe);
        Assert.That(bn.RunningMean.ToArray(), Is.EqualTo(before), "eval must not update running stats");
        var ys = y.ToArray(); var xs2 = xe.ToArray();
        var expected = new double[12];
        for (int i = 0; i < 12; i++) expected[i] = (xs2[i] - rm[i % 3]) / Math.Sqrt(rv[i % 3] + 1e-5);
        AssertClose(ys, expected, 1e-5, 1e-5, "eval output");
    }

    [Test]
    public void BatchNorm1d_without_momentum_keeps_a_cumulative_average()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        bn.Forward(Tensor.FromArray([1f, 3f], 2, 1));   // mean 2, unbiased var 2
        bn.Forward(Tensor.FromArray([5f, 9f], 2, 1));   // mean 7, unbiased var 8
        Assert.That(bn.RunningMean!.Item(), Is.EqualTo(4.5f).Within(1e-6));
        Assert.That(bn.RunningVar!.Item(), Is.EqualTo(5f).Within(1e-6));
        Assert.That(bn.NumBatchesTracked!.Item(), Is.EqualTo(2f));
    }

    [Test]
    public void BatchNorm1d_training_rejects_single_value_per_channel()
    {
        var bn = new BatchNorm1d(4);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 4)))!;
        Assert.That(ex.Message, Does.Contain("more than 1 value"));
        var ex2 = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(2, 5)))!;
        Assert.That(ex2.Message, Does.Contain("BatchNorm1d(4").And.Contain("[2, 5]"));
    }

    [Test]
    public void LayerNorm_finite_differences()
    {
        var g = new Generator(21);
        var ln = new LayerNorm(5);
        Init.Normal(ln.Weight!, g); Init.Normal(ln.Bias!, g);
        var x = Tensor.RandomNormal(g, [3, 5], std: 2f);
        x.RequiresGrad = true;
        var r = RandomArray(g, 15);
        CheckGradients(() => ln.Forward(x), r, [x, ln.Weight!, ln.Bias!], ["x", "weight", "bias"]);
    }

    [Test]
    public void BatchNorm1d_finite_differences_training_and_eval()
    {
        var g = new Generator(22);
        var bn = new BatchNorm1d(3);
        Init.Normal(bn.Weight!, g); Init.Normal(bn.Bias!, g);
        var x = Tensor.RandomNormal(g, [4, 3, 2], std: 1.5f);
        x.RequiresGrad = true;
        var r = RandomArray(g, 24);
        CheckGradients(() => bn.Forward(x), r, [x, bn.Weight!, bn.Bias!], ["x", "weight", "bias"]);
        bn.Eval();
        CheckGradients(() => bn.Forward(x), r, [x, bn.Weight!, bn.Bias!], ["x (eval)", "weight (eval)", "bias (eval)"]);
    }

    /// <summary>Analytic gradient of Σ f()·r against central differences for each tensor.</summary>
    internal static void CheckGradients(Func<Tensor> f, float[] r, Tensor[] wrt, string[] names, float h = H, double atol = FdAtol, double rtol = FdRtol)
    {
        foreach (var t in wrt) t.Grad = null;
        var y = f();
        y.Backward(Tensor.FromArray((float[])r.Clone(), y.Shape.ToArray()));
        for (int k = 0; k < wrt.Length; k++)
        {
            var analytic = wrt[k].Grad!.ToArray();
            double[] numeric;
            using (Tensor.NoGrad()) numeric = NumericGradient(() => Dot(f(), r), wrt[k], h);
            AssertClose(analytic, numeric, atol, rtol, names[k]);
        }
    }
}
