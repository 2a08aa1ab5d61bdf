using SingleCell.Models.Exceiver;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tests.Tensors;

namespace SingleCell.Models.Tests.Exceiver;

public class FusedFeedForwardTests
{
    [Test]
    public void Fused_matches_linear_gelu_linear_values_and_gradients()
    {
        // 300 tokens: several chunks of 128 and a partial one.
        var x = GradCheck.Rand(1, -2f, 2f, 3, 100, 4);
        var w1 = GradCheck.Rand(2, -1f, 1f, 64, 4); var b1 = GradCheck.Rand(3, -1f, 1f, 64);
        var w2 = GradCheck.Rand(4, -0.5f, 0.5f, 4, 64); var b2 = GradCheck.Rand(5, -1f, 1f, 4);
        var u = GradCheck.Rand(6, -1f, 1f, 3, 100, 4);
        Tensor[] Run(Func<Tensor[], Tensor> f, out Tensor y)
        {
            Tensor[] p = [x.Clone(), w1.Clone(), b1.Clone(), w2.Clone(), b2.Clone()];
            foreach (var t in p) t.RequiresGrad = true;
            y = f(p);
            y.Backward(u);
            return p.Select(t => t.Grad!).ToArray();
        }
        var gf = Run(p => FusedFeedForward.Forward(p[0], p[1], p[2], p[3], p[4]), out var yf);
        var gc = Run(p => Tensor.Linear(Tensor.Linear(p[0], p[1], p[2]).Gelu(), p[3], p[4]), out var yc);
        TensorAssert.Close(yf, yc, 1e-5, 2e-6, "output");
        string[] names = ["dx", "dW1", "db1", "dW2", "db2"];
        for (int i = 0; i < names.Length; i++) TensorAssert.Close(gf[i], gc[i], 1e-4, 1e-5, names[i]);
    }

    [Test]
    public void Fused_gradients_match_finite_differences() =>
        GradCheck.Check("fused feed-forward", p => FusedFeedForward.Forward(p[0], p[1], p[2], p[3], p[4]),
            [GradCheck.Rand(11, -1.5f, 1.5f, 5, 4), GradCheck.Rand(12, -1f, 1f, 16, 4), GradCheck.Rand(13, -1f, 1f, 16),
             GradCheck.Rand(14, -1f, 1f, 4, 16), GradCheck.Rand(15, -1f, 1f, 4)]);

    [Test]
    public void Gelu_matches_the_exact_erf_form_to_float_precision()
    {
        // One token with x = 1, W1 = identity column, b1 = grid: the hidden row is GELU(grid), read back through W2 = e_j.
        var grid = Enumerable.Range(0, 161).Select(i => -8f + 0.1f * i).ToArray();
        int f = grid.Length;
        foreach (int j in new[] { 0, 40, 75, 80, 85, 120, 160 })
        {
            var w2 = new float[f]; w2[j] = 1f;
            var y = FusedFeedForward.Forward(Tensor.FromArray([0f], 1, 1), Tensor.Zeros(f, 1), Tensor.FromArray(grid, f), Tensor.FromArray(w2, 1, f), Tensor.Zeros(1));
            double v = grid[j], exact = 0.5 * v * (1 + MathNet.Numerics.SpecialFunctions.Erf(v / Math.Sqrt(2)));
            Assert.That(y.Item(), Is.EqualTo(exact).Within(2e-6 + 1e-6 * Math.Abs(exact)), $"x = {v}");
        }
    }
}
