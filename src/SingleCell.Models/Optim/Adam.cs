using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SingleCell.Models.NN;

namespace SingleCell.Models.Optim;

/// <summary>
/// Adam, exactly as <c>torch.optim.Adam</c> (weight decay is coupled L2: added to the gradient):
/// g ← ∇ + λθ; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
/// θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε). With AMSGrad the running maximum of v is used.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimiser over one group.</summary>
    /// <param name="parameters">Parameters to train.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">λ (coupled L2).</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    public Adam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : this(Single(parameters), learningRate, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimiser over several groups.</summary>
    /// <param name="groups">Parameter groups (each may override the learning rate and weight decay).</param>
    /// <param name="learningRate">Default η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">Default λ.</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    /// <exception cref="ArgumentOutOfRangeException">A β outside [0, 1) or a negative ε.</exception>
    public Adam(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false)
        : base(groups, learningRate, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"Invalid beta1 {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"Invalid beta2 {beta2}.");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"Invalid eps {eps}.");
        Beta1 = beta1; Beta2 = beta2; Eps = eps; AmsGrad = amsgrad;
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>Whether the weight decay is decoupled (AdamW) rather than added to the gradient.</summary>
    protected virtual bool DecoupledWeightDecay => false;

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Span<float> param, ReadOnlySpan<float> grad, int index, long step)
    {
        int n = param.Length;
        double lr = group.LearningRate, wd = group.WeightDecay;
        if (DecoupledWeightDecay && wd != 0) TensorPrimitives.Multiply(param, (float)(1 - lr * wd), param);
        var m = Buffer(index, "exp_avg", n, out _);
        var v = Buffer(index, "exp_avg_sq", n, out _);
        double bc1 = 1 - Math.Pow(Beta1, step), bc2 = 1 - Math.Pow(Beta2, step);
        var k = new AdamKernel(
            coupledDecay: DecoupledWeightDecay ? 0f : (float)wd, beta1: (float)Beta1, oneMinusBeta1: (float)(1 - Beta1),
            beta2: (float)Beta2, oneMinusBeta2: (float)(1 - Beta2),
            invSqrtBc2: (float)(1 / Math.Sqrt(bc2)), eps: (float)Eps, stepSize: (float)(-lr / bc1));
        k.ApplyAllCores(param, grad, m, v, AmsGrad ? Buffer(index, "max_exp_avg_sq", n, out _) : null);
    }
}

/// <summary>
/// The Adam update of one parameter in a single pass over its values (Vector512, Vector256 or
/// scalar): each element is read and written once instead of once per step of the formula.
/// </summary>
internal readonly struct AdamKernel(float coupledDecay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float invSqrtBc2, float eps, float stepSize)
{
    /// <summary>From this many values on, <see cref="ApplyAllCores"/> splits a parameter across the kernel threads.</summary>
    internal const int ParallelLength = 1 << 16;

    /// <summary>
    /// <see cref="Apply"/> over fixed ranges of the parameter on all kernel threads when it has at least
    /// <see cref="ParallelLength"/> values (e.g. the 2,000 × 128 layers of a wide model). Bitwise the same as
    /// <see cref="Apply"/>: each element's update is its own correctly rounded operations (products, fused
    /// multiply-adds, division, square root), the same in every vector width and in the scalar tail.
    /// </summary>
    internal unsafe void ApplyAllCores(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Span<float> vmax)
    {
        int n = param.Length;
        int parts = Math.Min(Tensors.Kernels.ForkJoin.WorkerCount + 1, n / (ParallelLength / 2));
        if (parts < 2 || grad.Length != n || m.Length != n || v.Length != n || (!vmax.IsEmpty && vmax.Length != n))
        {
            Apply(param, grad, m, v, vmax);
            return;
        }
        var kernel = this;
        bool ams = !vmax.IsEmpty;
        fixed (float* pp = param)
        fixed (float* pg = grad)
        fixed (float* pm = m)
        fixed (float* pv = v)
        fixed (float* px = vmax)
        {
            nint ap = (nint)pp, ag = (nint)pg, am = (nint)pm, av = (nint)pv, ax = (nint)px;
            Tensors.Kernels.ForkJoin.For(parts, t =>
            {
                // Ranges on 16-value boundaries; the last takes the rest.
                int lo = (int)((long)n * t / parts) & ~15, hi = t == parts - 1 ? n : (int)((long)n * (t + 1) / parts) & ~15;
                int len = hi - lo;
                kernel.Apply(new Span<float>((float*)ap + lo, len), new ReadOnlySpan<float>((float*)ag + lo, len),
                    new Span<float>((float*)am + lo, len), new Span<float>((float*)av + lo, len),
                    ams ? new Span<float>((float*)ax + lo, len) : default);
            });
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal void Apply(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Span<float> vmax)
    {
        bool ams = !vmax.IsEmpty;
        int n = param.Length, i = 0;
        ref float p = ref MemoryMarshal.GetReference(param);
        ref float gr = ref MemoryMarshal.GetReference(grad);
        ref float mr = ref MemoryMarshal.GetReference(m);
        ref float vr = ref MemoryMarshal.GetReference(v);
        ref float xr = ref MemoryMarshal.GetReference(vmax);
        if (Vector512.IsHardwareAccelerated)
        {
            var wd = Vector512.Create(coupledDecay); var b1 = Vector512.Create(beta1); var c1 = Vector512.Create(oneMinusBeta1);
            var b2 = Vector512.Create(beta2); var c2 = Vector512.Create(oneMinusBeta2); var ib = Vector512.Create(invSqrtBc2);
            var e = Vector512.Create(eps); var s = Vector512.Create(stepSize);
            for (; i + 16 <= n; i += 16)
            {
                var pv = Vector512.LoadUnsafe(ref p, (nuint)i);
                var g = Vector512.FusedMultiplyAdd(pv, wd, Vector512.LoadUnsafe(ref gr, (nuint)i));
                var mv = Vector512.FusedMultiplyAdd(g, c1, Vector512.LoadUnsafe(ref mr, (nuint)i) * b1);
                var vv = Vector512.FusedMultiplyAdd(g * g, c2, Vector512.LoadUnsafe(ref vr, (nuint)i) * b2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (ams) { vv = Vector512.Max(Vector512.LoadUnsafe(ref xr, (nuint)i), vv); vv.StoreUnsafe(ref xr, (nuint)i); }
                var denom = Vector512.FusedMultiplyAdd(Vector512.Sqrt(vv), ib, e);
                Vector512.FusedMultiplyAdd(mv / denom, s, pv).StoreUnsafe(ref p, (nuint)i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var wd = Vector256.Create(coupledDecay); var b1 = Vector256.Create(beta1); var c1 = Vector256.Create(oneMinusBeta1);
            var b2 = Vector256.Create(beta2); var c2 = Vector256.Create(oneMinusBeta2); var ib = Vector256.Create(invSqrtBc2);
            var e = Vector256.Create(eps); var s = Vector256.Create(stepSize);
            for (; i + 8 <= n; i += 8)
            {
                var pv = Vector256.LoadUnsafe(ref p, (nuint)i);
                var g = Vector256.FusedMultiplyAdd(pv, wd, Vector256.LoadUnsafe(ref gr, (nuint)i));
                var mv = Vector256.FusedMultiplyAdd(g, c1, Vector256.LoadUnsafe(ref mr, (nuint)i) * b1);
                var vv = Vector256.FusedMultiplyAdd(g * g, c2, Vector256.LoadUnsafe(ref vr, (nuint)i) * b2);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                if (ams) { vv = Vector256.Max(Vector256.LoadUnsafe(ref xr, (nuint)i), vv); vv.StoreUnsafe(ref xr, (nuint)i); }
                var denom = Vector256.FusedMultiplyAdd(Vector256.Sqrt(vv), ib, e);
                Vector256.FusedMultiplyAdd(mv / denom, s, pv).StoreUnsafe(ref p, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float pv = param[i];
            float g = MathF.FusedMultiplyAdd(pv, coupledDecay, grad[i]);
            float mv = m[i] = MathF.FusedMultiplyAdd(g, oneMinusBeta1, m[i] * beta1);
            float vv = v[i] = MathF.FusedMultiplyAdd(g * g, oneMinusBeta2, v[i] * beta2);
            if (ams) vv = vmax[i] = Math.Max(vmax[i], vv);
            param[i] = MathF.FusedMultiplyAdd(mv / MathF.FusedMultiplyAdd(MathF.Sqrt(vv), invSqrtBc2, eps), stepSize, pv);
        }
    }
}

/// <summary>
/// AdamW, exactly as <c>torch.optim.AdamW</c>: the weight decay is decoupled, θ ← θ(1 − ηλ) before
/// the Adam update (default λ = 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimiser over one group.</summary>
    /// <param name="parameters">Parameters to train.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">λ (decoupled).</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    public AdamW(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(parameters, learningRate, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <summary>Creates the optimiser over several groups.</summary>
    /// <param name="groups">Parameter groups (each may override the learning rate and weight decay).</param>
    /// <param name="learningRate">Default η.</param>
    /// <param name="beta1">β₁.</param>
    /// <param name="beta2">β₂.</param>
    /// <param name="eps">ε.</param>
    /// <param name="weightDecay">Default λ (decoupled).</param>
    /// <param name="amsgrad">Use the AMSGrad variant.</param>
    public AdamW(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false)
        : base(groups, learningRate, beta1, beta2, eps, weightDecay, amsgrad) { }

    /// <inheritdoc />
    protected override bool DecoupledWeightDecay => true;
}
