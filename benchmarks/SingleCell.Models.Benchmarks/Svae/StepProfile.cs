using System.Diagnostics;
using SingleCell.Models.Distributions;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Benchmarks.Svae;

/// <summary>
/// Minimum-of-N timings of single pieces of an sVAE step on the benchmark shapes (`nb-micro`): the fused NB
/// likelihood forward + backward on [128, genes] in float32 and in double. The minimum over many repetitions
/// is the figure least disturbed by other jobs on the cores.
/// </summary>
internal static class StepProfile
{
    internal static void Run(int genes, int reps)
    {
        var g = new Generator(1);
        int rows = 128;
        var logits = Tensor.RandomNormal(g, [rows, genes], 0f, 1f);
        var library = Tensor.RandomUniform(g, [rows, 1], 1e4f, 3e4f);
        var theta = Tensor.RandomUniform(g, [genes], 0.5f, 20f);
        var xs = new float[rows * genes];
        for (int i = 0; i < xs.Length; i++) xs[i] = (float)Math.Floor(g.NextDouble() * 200);
        var x = Tensor.FromArray(xs, rows, genes);
        foreach (bool f32 in new[] { false, true, false, true })
        {
            NbRowKernels.Float32Enabled = f32;
            double fwd = double.MaxValue, bwd = double.MaxValue;
            for (int r = 0; r < reps; r++)
            {
                var z = logits.Detach(); z.RequiresGrad = true;
                var l = library.Detach(); l.RequiresGrad = true;
                var t = theta.Detach(); t.RequiresGrad = true;
                var sw = Stopwatch.StartNew();
                var y = NegativeBinomial.LogProbFromLogits(x, l, z, t).Sum();
                double a = sw.Elapsed.TotalMilliseconds;
                y.Backward();
                double b = sw.Elapsed.TotalMilliseconds - a;
                fwd = Math.Min(fwd, a); bwd = Math.Min(bwd, b);
            }
            Console.WriteLine(FormattableString.Invariant($"NB softmax likelihood [{rows}, {genes}] {(f32 ? "float32" : "double ")}: forward {fwd:F3} ms, backward {bwd:F3} ms (min of {reps})"));
        }
        NbRowKernels.Float32Enabled = true;
    }
}
