using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Distributions;

public class OtherDistributionTests
{
    [Test]
    public void Straight_through_relaxed_bernoulli_is_hard_forward_with_the_soft_gradient()
    {
        var gen = new Generator(21);
        var logits = Tensor.RandomNormal(gen, [3, 5], 0f, 2f); logits.RequiresGrad = true;
        var noiseData = new float[15];
        for (int i = 0; i < noiseData.Length; i++) { double u = gen.NextDouble(); noiseData[i] = (float)(Math.Log(u) - Math.Log(1 - u)); }
        var noise = Tensor.FromArray(noiseData, 3, 5);
        float tau = 0.7f;
        var rb = new RelaxedBernoulli(logits, tau);
        var hard = rb.RSampleWithNoise(noise, hard: true);
        var up = Tensor.RandomNormal(gen, [3, 5]);
        hard.Backward(up);
        var hardGrad = logits.Grad!.ToArray();

        var ls = logits.ToArray();
        for (int i = 0; i < 15; i++)
        {
            double s = 1 / (1 + Math.Exp(-(ls[i] + noiseData[i]) / tau));
            Assert.That(hard.AsReadOnlySpan()[i], Is.EqualTo(s > 0.5 ? 1f : 0f), $"hard value {i}");
            Assert.That(hardGrad[i], Is.EqualTo(up.AsReadOnlySpan()[i] * s * (1 - s) / tau).Within(1e-6), $"gradient {i}");
        }

        // The same as the gradient of the soft sample.
        logits.ZeroGrad();
        var soft = rb.RSampleWithNoise(noise, hard: false);
        soft.Backward(up);
        Assert.That(logits.Grad!.ToArray(), Is.EqualTo(hardGrad).Within(1e-6f));
    }

    [Test]
    public void Relaxed_bernoulli_hard_draws_follow_sigmoid_of_the_logits()
    {
        // With logistic noise and τ = 1, P(s > ½) = σ(logit) exactly.
        int n = 100_000;
        var logits = Tensor.Full(0.8f, n);
        var y = new RelaxedBernoulli(logits).RSample(new Generator(31), hard: true).AsReadOnlySpan();
        double mean = 0; foreach (var v in y) { Assert.That(v is 0f or 1f); mean += v; }
        mean /= n;
        double p = 1 / (1 + Math.Exp(-0.8));
        Assert.That(mean, Is.EqualTo(p).Within(5 * Math.Sqrt(p * (1 - p) / n)));
    }

    [Test]
    public void Bernoulli_log_prob_is_stable_for_extreme_logits()
    {
        var logits = Tensor.FromArray([-100f, -5f, 0f, 5f, 100f]);
        var ones = new Bernoulli(logits).LogProb(Tensor.Ones(5)).AsReadOnlySpan();
        var zeros = new Bernoulli(logits).LogProb(Tensor.Zeros(5)).AsReadOnlySpan();
        double[] l = [-100, -5, 0, 5, 100];
        for (int i = 0; i < 5; i++)
        {
            double sp = Math.Max(l[i], 0) + Math.Log(1 + Math.Exp(-Math.Abs(l[i])));
            Assert.That(ones[i], Is.EqualTo(l[i] - sp).Within(1e-5 + 1e-6 * Math.Abs(l[i])), $"x=1 logit={l[i]}");
            Assert.That(zeros[i], Is.EqualTo(-sp).Within(1e-5 + 1e-6 * Math.Abs(l[i])), $"x=0 logit={l[i]}");
        }
    }

    [Test]
    public void Normal_log_prob_and_entropy_match_closed_forms()
    {
        var loc = Tensor.FromArray([0f, 1.5f, -2f]);
        var scale = Tensor.FromArray([1f, 0.25f, 3f]);
        var value = Tensor.FromArray([0.3f, 1f, 4f]);
        var n = new Normal(loc, scale);
        var lp = n.LogProb(value).AsReadOnlySpan();
        var h = n.Entropy().AsReadOnlySpan();
        for (int i = 0; i < 3; i++)
        {
            var d = new MathNet.Numerics.Distributions.Normal(loc.AsReadOnlySpan()[i], scale.AsReadOnlySpan()[i]);
            Assert.That(lp[i], Is.EqualTo(d.DensityLn(value.AsReadOnlySpan()[i])).Within(1e-5));
            Assert.That(h[i], Is.EqualTo(d.Entropy).Within(1e-5));
        }
    }

    [Test]
    public void Normal_rsample_is_reparameterised()
    {
        var loc = Tensor.FromArray([1f, 2f]); loc.RequiresGrad = true;
        var scale = Tensor.FromArray([0.5f, 3f]); scale.RequiresGrad = true;
        var z = new Normal(loc, scale).RSample(new Generator(4));
        z.Sum().Backward();
        Assert.That(loc.Grad!.ToArray(), Is.EqualTo(new[] { 1f, 1f }));
        var eps = Tensor.RandomNormal(new Generator(4), [2]).ToArray();
        Assert.That(scale.Grad!.ToArray(), Is.EqualTo(eps).Within(1e-6f));
    }

    [Test]
    public void Cross_entropy_reductions_and_validation()
    {
        var logits = Tensor.FromArray([1f, 2f, 3f, 0f, 0f, 0f], 2, 3);
        var none = Losses.CrossEntropy(logits, [2, 0], Reduction.None).ToArray();
        double lse = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        Assert.That(none[0], Is.EqualTo(lse - 3).Within(1e-6));
        Assert.That(none[1], Is.EqualTo(Math.Log(3)).Within(1e-6));
        Assert.That(Losses.CrossEntropy(logits, [2, 0], Reduction.Sum).Item(), Is.EqualTo(none[0] + none[1]).Within(1e-6));
        Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(logits, [3, 0]));
        Assert.Throws<ArgumentException>(() => Losses.CrossEntropy(logits, [0]));
    }
}
