using System.Numerics.Tensors;
using SingleCell.Models.NN;

namespace SingleCell.Models.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and (coupled L2)
/// weight decay, exactly as <c>torch.optim.SGD</c>:
/// g ← ∇ + λθ; b ← g (first step) or μb + (1 − τ)g; g ← g + μb (Nesterov) or b; θ ← θ − η g.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimiser over one group.</summary>
    /// <param name="parameters">Parameters to train.</param>
    /// <param name="learningRate">η.</param>
    /// <param name="momentum">μ (0: none).</param>
    /// <param name="dampening">τ.</param>
    /// <param name="weightDecay">λ (coupled L2).</param>
    /// <param name="nesterov">Use Nesterov momentum (needs μ &gt; 0 and τ = 0).</param>
    public Sgd(IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this(Single(parameters), learningRate, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Creates the optimiser over several groups.</summary>
    /// <param name="groups">Parameter groups (each may override the learning rate and weight decay).</param>
    /// <param name="learningRate">Default η.</param>
    /// <param name="momentum">μ (0: none).</param>
    /// <param name="dampening">τ.</param>
    /// <param name="weightDecay">Default λ.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <exception cref="ArgumentException">Nesterov without momentum or with dampening; a negative momentum.</exception>
    public Sgd(IEnumerable<ParamGroup> groups, double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(groups, learningRate, weightDecay)
    {
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), $"Invalid momentum {momentum}.");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.", nameof(nesterov));
        Momentum = momentum; Dampening = dampening; Nesterov = nesterov;
    }

    /// <summary>μ.</summary>
    public double Momentum { get; }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override void Update(ParamGroup group, Span<float> param, ReadOnlySpan<float> grad, int index, long step)
    {
        var g = Scratch(param.Length);
        grad.CopyTo(g);
        if (group.WeightDecay != 0) TensorPrimitives.MultiplyAdd(param, (float)group.WeightDecay, g, g);
        if (Momentum != 0)
        {
            var buf = Buffer(index, "momentum_buffer", param.Length, out bool created);
            if (created) g.CopyTo(buf);
            else
            {
                TensorPrimitives.Multiply(buf, (float)Momentum, buf);
                TensorPrimitives.MultiplyAdd(g, (float)(1 - Dampening), buf, buf);
            }
            if (Nesterov) TensorPrimitives.MultiplyAdd(buf, (float)Momentum, g, g);
            else buf.CopyTo(g);
        }
        TensorPrimitives.MultiplyAdd(g, (float)-group.LearningRate, param, param);
    }
}
