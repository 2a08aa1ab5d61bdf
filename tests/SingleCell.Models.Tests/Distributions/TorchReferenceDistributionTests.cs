using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;
using static SingleCell.Models.Tests.Distributions.DistributionReference;

namespace SingleCell.Models.Tests.Distributions;

/// <summary>
/// Likelihoods and losses against PyTorch (float64) values of the shared reference file. Inputs are
/// rounded to float32, so tolerances allow for that rounding times the op's sensitivity, plus the
/// float32 rounding of the result.
/// </summary>
[Category("SharedData")]
public class TorchReferenceDistributionTests
{
    private static Tensor XFromAttrs(System.Text.Json.JsonElement c)
    {
        var rows = c.GetProperty("attrs").GetProperty("x").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        return Tensor.FromArray(rows.SelectMany(r => r).ToArray(), rows.Length, rows[0].Length);
    }

    // NB/ZINB: outputs up to |20|; μ rounded to float32 (relative 6e-8) times ∂/∂μ (≤ 5) times μ (≤ 21)
    // gives ≈ 1e-5 absolute, hence 3e-5 absolute + 1e-6 relative. Gradients: 1e-4 absolute + 1e-4 relative
    // (θ gradients sum three rows and involve ψ differences of float-rounded arguments).
    [Test]
    public void Nb_log_prob_matches_torch_forward_and_gradients()
    {
        var c = Case("nb_log_prob");
        var inputs = c.GetProperty("inputs");
        var mu = ToTensor(inputs.GetProperty("mu"), true);
        var theta = ToTensor(inputs.GetProperty("theta"), true);
        var y = new NegativeBinomial(mu, theta, c.GetProperty("attrs").GetProperty("eps").GetDouble()).LogProb(XFromAttrs(c));
        AssertClose(y.AsReadOnlySpan(), Values(c.GetProperty("output")), 3e-5, 1e-6, "nb output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        AssertClose(mu.Grad!.AsReadOnlySpan(), Values(c.GetProperty("grads").GetProperty("mu")), 1e-4, 1e-4, "nb dmu");
        AssertClose(theta.Grad!.AsReadOnlySpan(), Values(c.GetProperty("grads").GetProperty("theta")), 1e-4, 1e-4, "nb dtheta");
    }

    [Test]
    public void Zinb_log_prob_matches_torch_forward_and_gradients()
    {
        var c = Case("zinb_log_prob");
        var inputs = c.GetProperty("inputs");
        var mu = ToTensor(inputs.GetProperty("mu"), true);
        var theta = ToTensor(inputs.GetProperty("theta"), true);
        var pi = ToTensor(inputs.GetProperty("pi"), true);
        var y = new ZeroInflatedNegativeBinomial(mu, theta, pi).LogProb(XFromAttrs(c));
        AssertClose(y.AsReadOnlySpan(), Values(c.GetProperty("output")), 3e-5, 1e-6, "zinb output");
        y.Backward(ToTensor(c.GetProperty("upstream")));
        var g = c.GetProperty("grads");
        AssertClose(mu.Grad!.AsReadOnlySpan(), Values(g.GetProperty("mu")), 1e-4, 1e-4, "zinb dmu");
        AssertClose(theta.Grad!.AsReadOnlySpan(), Values(g.GetProperty("theta")), 1e-4, 1e-4, "zinb dtheta");
        AssertClose(pi.Grad!.AsReadOnlySpan(), Values(g.GetProperty("pi")), 1e-5, 1e-4, "zinb dpi");
    }

    // KL values ≤ 2.1 composed of a few float32 ops: 1e-5 absolute + 1e-5 relative; gradients the same.
    [Test]
    public void Normal_kl_matches_torch_forward_and_gradients()
    {
        var c = Case("normal_kl_to_normal");
        var inputs = c.GetProperty("inputs");
        var m1 = ToTensor(inputs.GetProperty("m1"), true);
        var v1 = ToTensor(inputs.GetProperty("v1"), true);
        var m2 = ToTensor(inputs.GetProperty("m2"), true);
        var kl = Normal.KlDivergence(Normal.FromVariance(m1, v1), new Normal(m2, Tensor.OnesLike(m2)));
        AssertClose(kl.AsReadOnlySpan(), Values(c.GetProperty("output")), 1e-5, 1e-5, "kl output");
        kl.Backward(ToTensor(c.GetProperty("upstream")));
        var g = c.GetProperty("grads");
        AssertClose(m1.Grad!.AsReadOnlySpan(), Values(g.GetProperty("m1")), 1e-5, 1e-5, "kl dm1");
        AssertClose(v1.Grad!.AsReadOnlySpan(), Values(g.GetProperty("v1")), 1e-5, 1e-5, "kl dv1");
        AssertClose(m2.Grad!.AsReadOnlySpan(), Values(g.GetProperty("m2")), 1e-5, 1e-5, "kl dm2");
    }

    // Mean cross-entropy of 3 rows of 5 logits in float32: 1e-6 absolute + 1e-6 relative.
    [Test]
    public void Cross_entropy_mean_matches_torch()
    {
        var c = Case("cross_entropy_mean");
        var a = ToTensor(c.GetProperty("inputs").GetProperty("a"), true);
        var targets = c.GetProperty("attrs").GetProperty("target").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var loss = Losses.CrossEntropy(a, targets);
        Assert.That(loss.Shape.ToArray(), Is.EqualTo(new[] { 1 }));
        AssertClose(loss.AsReadOnlySpan(), Values(c.GetProperty("output")), 1e-6, 1e-6, "ce output");
        loss.Backward(ToTensor(c.GetProperty("upstream")));
        AssertClose(a.Grad!.AsReadOnlySpan(), Values(c.GetProperty("grads").GetProperty("a")), 1e-6, 1e-5, "ce da");
    }

    [Test]
    public void Mse_mean_matches_torch()
    {
        var c = Case("mse_mean");
        var a = ToTensor(c.GetProperty("inputs").GetProperty("a"), true);
        var b = ToTensor(c.GetProperty("inputs").GetProperty("b"), true);
        var loss = Losses.Mse(a, b);
        AssertClose(loss.AsReadOnlySpan(), Values(c.GetProperty("output")), 1e-6, 1e-6, "mse output");
        loss.Backward(ToTensor(c.GetProperty("upstream")));
        AssertClose(a.Grad!.AsReadOnlySpan(), Values(c.GetProperty("grads").GetProperty("a")), 1e-6, 1e-5, "mse da");
        AssertClose(b.Grad!.AsReadOnlySpan(), Values(c.GetProperty("grads").GetProperty("b")), 1e-6, 1e-5, "mse db");
    }
}
