using System.Numerics.Tensors;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Softmax over <paramref name="axis"/> (max-shifted, fused forward and backward).</summary>
    /// <param name="axis">The axis (default: last).</param>
    public Tensor Softmax(int axis = -1) => SoftmaxCore(axis, log: false);

    /// <summary>Log-softmax over <paramref name="axis"/> (x − logsumexp(x), fused).</summary>
    /// <param name="axis">The axis (default: last).</param>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxCore(axis, log: true);

    private Tensor SoftmaxCore(int axis, bool log)
    {
        string name = log ? "log_softmax" : "softmax";
        int ax = Shape.NormalizeAxis(axis, name);
        int outer = Shape.SizeBefore(ax), n = Shape[ax], inner = Shape.SizeAfter(ax);
        var x = AsReadOnlySpan();
        var y = NewBuffer(Size);
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) SoftmaxRow(x.Slice(o * n, n), y.AsSpan(o * n, n), log);
        }
        else
        {
            var row = new float[n]; var outRow = new float[n];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int b = o * n * inner + i;
                    for (int k = 0; k < n; k++) row[k] = x[b + k * inner];
                    SoftmaxRow(row, outRow, log);
                    for (int k = 0; k < n; k++) y[b + k * inner] = outRow[k];
                }
        }
        var r = new Tensor(y, Shape);
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, name, [this], g =>
        {
            var gs = g.AsReadOnlySpan();
            var d = NewBuffer(self.Size);
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int b = o * n * inner + i;
                    if (log)
                    {
                        // d = g − softmax · Σg
                        float sg = 0f;
                        for (int k = 0; k < n; k++) sg += gs[b + k * inner];
                        for (int k = 0; k < n; k++) d[b + k * inner] = gs[b + k * inner] - MathF.Exp(y[b + k * inner]) * sg;
                    }
                    else
                    {
                        // d = y ∘ (g − Σ g∘y)
                        float dot = 0f;
                        for (int k = 0; k < n; k++) dot += gs[b + k * inner] * y[b + k * inner];
                        for (int k = 0; k < n; k++) d[b + k * inner] = y[b + k * inner] * (gs[b + k * inner] - dot);
                    }
                }
            self.AccumulateGradient(d);
        });
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        if (x.Length == 0) return;
        float m = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(m)) { y.Fill(log ? float.NegativeInfinity : float.NaN); return; }
        TensorPrimitives.Subtract(x, m, y);
        if (log)
        {
            // y = (x − m) − ln Σ exp(x − m)
            var tmp = x.Length <= 1024 ? stackalloc float[x.Length] : new float[x.Length];
            TensorPrimitives.Exp(y, tmp);
            float lse = MathF.Log(TensorPrimitives.Sum(tmp));
            TensorPrimitives.Subtract(y, lse, y);
        }
        else
        {
            TensorPrimitives.Exp(y, y);
            float s = TensorPrimitives.Sum(y);
            TensorPrimitives.Multiply(y, 1f / s, y);
        }
    }
}
