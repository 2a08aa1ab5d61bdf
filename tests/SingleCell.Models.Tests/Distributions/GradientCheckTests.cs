using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>
/// Central finite differences of the fused NB/ZINB kernels (and the composed likelihoods) against
/// their analytic backward passes. The objective is Σ u ⊙ f with a fixed random upstream u, summed in
/// double. Steps are h = 1e-2 · max(|v|, 0.1): perturbing one element changes only its own output
/// (or, for per-gene θ, one column), so the float32 rounding error of the difference quotient is about
/// 6e-8 · Σ|u f| / h ≲ 1e-4 for these magnitudes, and the O(h²) truncation is of the same order; the
/// tolerance 2e-3 · (1 + |analytic|) leaves an order of magnitude of margin while still catching any
/// wrong term (the smallest term of ∂/∂θ here is ≈ 0.05).
/// </summary>
[NonParallelizable]
public class GradientCheckTests
{
    private static void Check(Func<Tensor[], Tensor> f, Tensor[] inputs, string what, bool richardson = false)
    {
        foreach (var t in inputs) t.RequiresGrad = true;
        var y = f(inputs);
        var gen = new Generator(11);
        var up = Tensor.RandomNormal(gen, y.Shape.ToArray());
        y.Backward(up);
        var us = up.ToArray();
        double Objective()
        {
            using (Tensor.NoGrad())
            {
                var v = f(inputs).AsReadOnlySpan();
                double s = 0;
                for (int i = 0; i < v.Length; i++) s += (double)us[i] * v[i];
                return s;
            }
        }
        for (int k = 0; k < inputs.Length; k++)
        {
            var t = inputs[k];
            var grad = t.Grad!.ToArray();
            for (int i = 0; i < t.Size; i++)
            {
                float v = t.AsReadOnlySpan()[i];
                float h = 1e-2f * Math.Max(Math.Abs(v), 0.1f);
                var data = t._data;
                double Central(float step)
                {
                    data[i] = v + step; double fp = Objective();
                    data[i] = v - step; double fm = Objective();
                    data[i] = v;
                    return (fp - fm) / (2.0 * step);
                }
                // Richardson: (4 D(2h) − D(4h)) / 3 cancels the O(h²) term, so larger steps can be taken where
                // the float32 rounding of the outputs (row sums of many genes) would swamp D(h).
                double fd = richardson ? (4 * Central(2 * h) - Central(4 * h)) / 3 : Central(h);
                Assert.That(grad[i], Is.EqualTo(fd).Within(2e-3 * (1 + Math.Abs(grad[i]))), $"{what}: input {k} element {i}");
            }
        }
    }

    private static Tensor Counts() => Tensor.FromArray([0, 1, 5, 30, 2, 0, 0, 100, 7, 3, 1, 0], 3, 4);

    [Test]
    public void Nb_log_prob_gradients_match_finite_differences()
    {
        var gen = new Generator(5);
        var mu = Tensor.RandomUniform(gen, [3, 4], 0.5f, 20f);
        var theta = Tensor.RandomUniform(gen, [4], 0.3f, 4f);
        var x = Counts();
        Check(p => new NegativeBinomial(p[0], p[1]).LogProb(x), [mu, theta], "nb");
    }

    [Test]
    public void Nb_log_prob_gradients_with_full_theta_and_large_counts_match_finite_differences()
    {
        var gen = new Generator(6);
        var mu = Tensor.RandomUniform(gen, [2, 3], 1f, 50f);
        var theta = Tensor.RandomUniform(gen, [2, 3], 0.5f, 30f);
        var x = Tensor.FromArray([0, 40, 17, 300, 3, 25], 2, 3); // 17, 25, 40, 300 use the lgamma/digamma path
        Check(p => new NegativeBinomial(p[0], p[1]).LogProb(x), [mu, theta], "nb full theta");
    }

    [Test]
    public void Nb_softmax_likelihood_gradients_match_finite_differences()
    {
        var gen = new Generator(12);
        var logits = Tensor.RandomNormal(gen, [3, 4], 0f, 1.5f);
        var library = Tensor.RandomUniform(gen, [3, 1], 20f, 150f);
        var theta = Tensor.RandomUniform(gen, [4], 0.3f, 4f);
        var x = Counts();
        Check(p => NegativeBinomial.LogProbFromLogits(x, p[0], p[1], p[2]), [library, logits, theta], "nb softmax");
    }

    [Test]
    public void Nb_softmax_likelihood_gradients_match_finite_differences_over_a_full_vector_and_a_tail()
    {
        // 21 genes: one full 16-gene float32 vector and a tail of 5; counts from 0 to 23 on both sides
        // of the log Γ / ψ shift at 8.
        var gen = new Generator(13);
        var logits = Tensor.RandomNormal(gen, [2, 21], 0f, 1f);
        var library = Tensor.RandomUniform(gen, [2, 1], 50f, 150f);
        var theta = Tensor.RandomUniform(gen, [21], 0.3f, 6f);
        var xs = new float[42];
        for (int i = 0; i < xs.Length; i++) xs[i] = i % 7 == 0 ? 0 : (float)Math.Floor(gen.NextDouble() * 24);
        var x = Tensor.FromArray(xs, 2, 21);
        // The analytic gradients come from the float32 rows; the finite differences from the double rows
        // (the objective runs under NoGrad), whose forward error is far below the difference quotient's
        // resolution — the float32 forward is checked against the double one in NbSoftmaxLikelihoodTests.
        bool saved = NbRowKernels.Float32Enabled;
        try
        {
            Check(p =>
            {
                NbRowKernels.Float32Enabled = Tensor.IsGradEnabled;
                return NegativeBinomial.LogProbFromLogits(x, p[0], p[1], p[2]);
            }, [library, logits, theta], "nb softmax 21 genes", richardson: true);
        }
        finally { NbRowKernels.Float32Enabled = saved; }
    }

    [Test]
    public void Zinb_log_prob_gradients_match_finite_differences()
    {
        var gen = new Generator(7);
        var mu = Tensor.RandomUniform(gen, [3, 4], 0.5f, 20f);
        var theta = Tensor.RandomUniform(gen, [4], 0.3f, 4f);
        var pi = Tensor.RandomNormal(gen, [3, 4], 0f, 2f);
        var x = Counts();
        Check(p => new ZeroInflatedNegativeBinomial(p[0], p[1], p[2]).LogProb(x), [mu, theta, pi], "zinb");
    }

    [Test]
    public void Normal_log_prob_and_kl_gradients_match_finite_differences()
    {
        var gen = new Generator(8);
        var loc = Tensor.RandomNormal(gen, [2, 3]);
        var scale = Tensor.RandomUniform(gen, [2, 3], 0.5f, 2f);
        var value = Tensor.RandomNormal(gen, [2, 3]);
        Check(p => new Normal(p[0], p[1]).LogProb(value), [loc, scale], "normal log_prob");
        var loc2 = Tensor.RandomNormal(gen, [2, 3]);
        var scale2 = Tensor.RandomUniform(gen, [2, 3], 0.5f, 2f);
        var loc3 = Tensor.RandomNormal(gen, [2, 3]);
        Check(p => Normal.KlDivergence(new Normal(p[0], p[1]), new Normal(p[2], Tensor.OnesLike(p[2]))), [loc2, scale2, loc3], "normal kl");
    }
}
