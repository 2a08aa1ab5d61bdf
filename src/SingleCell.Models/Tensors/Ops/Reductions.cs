using System.Numerics.Tensors;
using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tensors;

public sealed partial class Tensor
{
    /// <summary>Sum of all elements (a rank-0 tensor).</summary>
    public Tensor Sum()
    {
        var r = Scalar(Broadcasting.SumDeterministic(AsReadOnlySpan()));
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "sum", [this], g => { var d = NewBuffer(self.Size); d.AsSpan().Fill(g._data[0]); self.AccumulateGradient(d); });
    }

    /// <summary>Mean of all elements (a rank-0 tensor).</summary>
    public Tensor Mean() => Sum().MulScalar(1f / Math.Max(Size, 1));

    /// <summary>Sum over <paramref name="axis"/>.</summary>
    /// <param name="axis">The axis (negative counts from the end).</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor Sum(int axis, bool keepDim = false)
    {
        int ax = Shape.NormalizeAxis(axis, "sum");
        var so = Shape.Reduce(ax, keepDim);
        var r = new Tensor(SumAxis(AsReadOnlySpan(), Shape, ax), so);
        if (!NeedsGrad(this)) return r;
        var self = this;
        var keep = Shape.Reduce(ax, true);
        // The gradient of the kept-dim shape broadcasts back over the axis. ExpandTo returns a fresh
        // array, or g's own buffer when the axis has size 1, which AccumulateGradient never adopts.
        return Record(r, "sum", [this],
            g => self.AccumulateGradient(ExpandTo(new Tensor(g._data, keep), self.Shape), owned: true));
    }

    /// <summary>Mean over <paramref name="axis"/>.</summary>
    /// <param name="axis">The axis (negative counts from the end).</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor Mean(int axis, bool keepDim = false)
    {
        int ax = Shape.NormalizeAxis(axis, "mean");
        return Sum(ax, keepDim).MulScalar(1f / Math.Max(Shape[ax], 1));
    }

    /// <summary>Variance over <paramref name="axis"/>.</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="unbiased">Divide by n − 1 (Bessel's correction, PyTorch's default) instead of n.</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor Var(int axis, bool unbiased = true, bool keepDim = false)
    {
        int ax = Shape.NormalizeAxis(axis, "var");
        int n = Shape[ax];
        var centred = this - Mean(ax, keepDim: true);
        return centred.Square().Sum(ax, keepDim).MulScalar(1f / Math.Max(unbiased ? n - 1 : n, 1));
    }

    /// <summary>Maximum over <paramref name="axis"/>; the gradient goes to the first maximal element (as PyTorch's <c>max(dim)</c>).</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor Max(int axis, bool keepDim = false) => ArgReduce(axis, keepDim, true);

    /// <summary>Minimum over <paramref name="axis"/>; the gradient goes to the first minimal element.</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor Min(int axis, bool keepDim = false) => ArgReduce(axis, keepDim, false);

    /// <summary>Indices of the maxima over <paramref name="axis"/> (first on ties), row-major over the remaining axes.</summary>
    /// <param name="axis">The axis.</param>
    public int[] ArgMax(int axis)
    {
        int ax = Shape.NormalizeAxis(axis, "argmax");
        ArgIndices(ax, true, out var idx, out _);
        return idx;
    }

    private void ArgIndices(int ax, bool max, out int[] indices, out float[] values)
    {
        int outer = Shape.SizeBefore(ax), n = Shape[ax], inner = Shape.SizeAfter(ax);
        if (n == 0) throw new ArgumentException($"{(max ? "max" : "min")}: cannot reduce an empty axis of shape {Shape}.");
        indices = new int[outer * inner];
        values = new float[outer * inner];
        var x = AsReadOnlySpan();
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int baseIdx = o * n * inner + i;
                float best = x[baseIdx]; int bi = 0;
                for (int k = 1; k < n; k++)
                {
                    float v = x[baseIdx + k * inner];
                    if (float.IsNaN(best)) break;
                    if (float.IsNaN(v) || (max ? v > best : v < best)) { best = v; bi = k; }
                }
                indices[o * inner + i] = bi;
                values[o * inner + i] = best;
            }
    }

    private Tensor ArgReduce(int axis, bool keepDim, bool max)
    {
        int ax = Shape.NormalizeAxis(axis, max ? "max" : "min");
        ArgIndices(ax, max, out var idx, out var vals);
        var r = new Tensor(vals, Shape.Reduce(ax, keepDim));
        if (!NeedsGrad(this)) return r;
        var self = this;
        int n = Shape[ax], inner = Shape.SizeAfter(ax);
        return Record(r, max ? "max" : "min", [this], g =>
        {
            var d = new float[self.Size];
            var gs = g.AsReadOnlySpan();
            for (int j = 0; j < idx.Length; j++)
            {
                int o = j / inner, i = j % inner;
                d[o * n * inner + idx[j] * inner + i] = gs[j];
            }
            self.AccumulateGradient(d);
        });
    }

    /// <summary>ln Σ exp(x) over <paramref name="axis"/>, computed stably (max-shifted).</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="keepDim">Keep the reduced axis with size 1.</param>
    public Tensor LogSumExp(int axis, bool keepDim = false)
    {
        int ax = Shape.NormalizeAxis(axis, "logsumexp");
        int outer = Shape.SizeBefore(ax), n = Shape[ax], inner = Shape.SizeAfter(ax);
        var x = AsReadOnlySpan();
        var vals = new float[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                float m = float.NegativeInfinity;
                for (int k = 0; k < n; k++) m = MathF.Max(m, x[b + k * inner]);
                if (float.IsNegativeInfinity(m)) { vals[o * inner + i] = m; continue; }
                double s = 0;
                for (int k = 0; k < n; k++) s += Math.Exp(x[b + k * inner] - m);
                vals[o * inner + i] = (float)(m + Math.Log(s));
            }
        var r = new Tensor(vals, Shape.Reduce(ax, keepDim));
        if (!NeedsGrad(this)) return r;
        var self = this;
        return Record(r, "logsumexp", [this], g =>
        {
            // ∂/∂x_k = softmax_k
            var d = NewBuffer(self.Size);
            var gs = g.AsReadOnlySpan();
            var xs = self.AsReadOnlySpan();
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int b = o * n * inner + i;
                    float lse = vals[o * inner + i], gg = gs[o * inner + i];
                    for (int k = 0; k < n; k++) d[b + k * inner] = float.IsNegativeInfinity(lse) ? 0f : gg * MathF.Exp(xs[b + k * inner] - lse);
                }
            self.AccumulateGradient(d);
        });
    }

    /// <summary>Sums over one axis of a contiguous tensor: [outer, n, inner] → [outer, inner], fixed order.</summary>
    internal static float[] SumAxis(ReadOnlySpan<float> x, TensorShape shape, int ax)
    {
        int outer = shape.SizeBefore(ax), n = shape[ax], inner = shape.SizeAfter(ax);
        var result = new float[outer * inner];
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) result[o] = Broadcasting.SumDeterministic(x.Slice(o * n, n));
            return result;
        }
        for (int o = 0; o < outer; o++)
        {
            var dst = result.AsSpan(o * inner, inner);
            for (int k = 0; k < n; k++) TensorPrimitives.Add(dst, x.Slice((o * n + k) * inner, inner), dst);
        }
        return result;
    }
}
