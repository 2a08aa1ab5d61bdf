using System.Numerics.Tensors;
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
        var tmp = Scratch(2 * n);
        var g = tmp[..n];
        var denom = tmp[n..];
        grad.CopyTo(g);
        if (wd != 0)
        {
            if (DecoupledWeightDecay) TensorPrimitives.Multiply(param, (float)(1 - lr * wd), param);
            else TensorPrimitives.MultiplyAdd(param, (float)wd, g, g);
        }
        var m = Buffer(index, "exp_avg", n, out _);
        var v = Buffer(index, "exp_avg_sq", n, out _);
        TensorPrimitives.Multiply(m, (float)Beta1, m);
        TensorPrimitives.MultiplyAdd(g, (float)(1 - Beta1), m, m);
        TensorPrimitives.Multiply(v, (float)Beta2, v);
        TensorPrimitives.Multiply(g, g, denom);
        TensorPrimitives.MultiplyAdd(denom, (float)(1 - Beta2), v, v);
        double bc1 = 1 - Math.Pow(Beta1, step), bc2 = 1 - Math.Pow(Beta2, step);
        ReadOnlySpan<float> second = v;
        if (AmsGrad)
        {
            var vmax = Buffer(index, "max_exp_avg_sq", n, out _);
            TensorPrimitives.Max(vmax, v, vmax);
            second = vmax;
        }
        TensorPrimitives.Sqrt(second, denom);
        TensorPrimitives.Multiply(denom, (float)(1 / Math.Sqrt(bc2)), denom);
        TensorPrimitives.Add(denom, (float)Eps, denom);
        TensorPrimitives.Divide(m, denom, g);
        TensorPrimitives.MultiplyAdd(g, (float)(-lr / bc1), param, param);
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
