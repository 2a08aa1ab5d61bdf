using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>max(x, 0) as a module.</summary>
public sealed class ReLU : Module<Tensor, Tensor>
{
    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.Relu();
}

/// <summary>GELU, exact erf form x·Φ(x), as a module.</summary>
public sealed class GELU : Module<Tensor, Tensor>
{
    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.Gelu();
}

/// <summary>tanh as a module.</summary>
public sealed class Tanh : Module<Tensor, Tensor>
{
    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.Tanh();
}

/// <summary>The logistic sigmoid 1 / (1 + e⁻ˣ) as a module.</summary>
public sealed class Sigmoid : Module<Tensor, Tensor>
{
    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}

/// <summary>Leaky ReLU, x for x ≥ 0 and slope·x otherwise, as a module.</summary>
/// <param name="negativeSlope">Slope for negative inputs (PyTorch default 0.01).</param>
public sealed class LeakyReLU(float negativeSlope = 0.01f) : Module<Tensor, Tensor>
{
    /// <summary>Slope for negative inputs.</summary>
    public float NegativeSlope { get; } = negativeSlope;

    /// <inheritdoc />
    protected override string Describe() => $"LeakyReLU({NegativeSlope})";

    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);
}

/// <summary>Softplus ln(1 + eˣ) (linear above 20, as PyTorch's default threshold) as a module.</summary>
public sealed class Softplus : Module<Tensor, Tensor>
{
    /// <summary>Applies the activation elementwise.</summary>
    /// <param name="input">Any tensor.</param>
    public override Tensor Forward(Tensor input) => input.Softplus();
}
