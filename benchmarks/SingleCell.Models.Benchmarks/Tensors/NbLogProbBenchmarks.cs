using BenchmarkDotNet.Attributes;
using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Benchmarks.Tensors;

/// <summary>
/// The NB log-likelihood of the count models on a 128 × 2,000 mini-batch (per-gene θ, Poisson-like
/// counts with many zeros): the fused op against the same formula composed from engine ops (the
/// peer: what the fusion saves), forward and forward + backward.
/// </summary>
[MemoryDiagnoser]
public class NbLogProbBenchmarks
{
    private Tensor _x = null!, _mu = null!, _rTheta = null!;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(3);
        var mu = Tensor.RandomUniform(g, [128, 2000], 0.05f, 6f);
        var x = new float[mu.Size];
        var m = mu.ToArray();
        for (int i = 0; i < x.Length; i++) x[i] = (float)g.NextPoisson(m[i]);
        _x = Tensor.FromArray(x, 128, 2000);
        _mu = mu; _mu.RequiresGrad = true;
        _rTheta = Tensor.RandomNormal(g, [2000]); _rTheta.RequiresGrad = true;
    }

    [Benchmark(Baseline = true)]
    public float Composed_Forward()
    {
        using (Tensor.NoGrad()) return Composed().Sum().Item();
    }

    [Benchmark]
    public float Fused_Forward()
    {
        using (Tensor.NoGrad()) return new NegativeBinomial(_mu, _rTheta.Exp()).LogProb(_x).Sum().Item();
    }

    [Benchmark]
    public float Composed_ForwardBackward()
    {
        var s = Composed().Sum();
        s.Backward();
        _mu.Grad = null; _rTheta.Grad = null;
        return s.Item();
    }

    [Benchmark]
    public float Fused_ForwardBackward()
    {
        var s = new NegativeBinomial(_mu, _rTheta.Exp()).LogProb(_x).Sum();
        s.Backward();
        _mu.Grad = null; _rTheta.Grad = null;
        return s.Item();
    }

    /// <summary>scvi-tools' log_nb_positive written with ordinary ops.</summary>
    private Tensor Composed()
    {
        const float eps = 1e-8f;
        var theta = _rTheta.Exp();
        var logThetaMu = (theta + _mu + eps).Log();
        return theta * ((theta + eps).Log() - logThetaMu) + _x * ((_mu + eps).Log() - logThetaMu)
            + (_x + theta).LGamma() - theta.LGamma() - (_x + 1f).LGamma();
    }
}
