using SingleCell.Models.Tensors;

namespace SingleCell.Models.NN;

/// <summary>
/// Parameter initialisers matching <c>torch.nn.init</c>, each drawing from an explicit
/// <see cref="Generator"/> and writing in place (no gradient is recorded).
/// </summary>
/// <remarks>
/// Fans are computed as PyTorch does: for a tensor of shape [out, in, …], fan_in = in · receptive
/// field and fan_out = out · receptive field, where the receptive field is the product of the
/// remaining dimensions; a rank-1 tensor has fan_in = fan_out = its length.
/// </remarks>
public static class Init
{
    /// <summary>Fan-in and fan-out of a weight shape (see the class remarks).</summary>
    /// <param name="shape">The weight shape, rank ≥ 1.</param>
    /// <exception cref="ArgumentException">Rank 0.</exception>
    public static (int FanIn, int FanOut) Fans(TensorShape shape)
    {
        if (shape.Rank == 0) throw new ArgumentException("Init: fans cannot be computed for a scalar.", nameof(shape));
        if (shape.Rank == 1) return (shape[0], shape[0]);
        int receptive = 1;
        for (int i = 2; i < shape.Rank; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>
    /// Kaiming (He) uniform initialisation in fan-in mode with the leaky-ReLU gain:
    /// U(−b, b), b = √3 · √(2 / (1 + a²)) / √fan_in. With a = √5 (PyTorch's Linear default) b = 1/√fan_in.
    /// </summary>
    /// <param name="tensor">Tensor to fill.</param>
    /// <param name="generator">Random source.</param>
    /// <param name="a">Negative slope of the rectifier that follows.</param>
    public static void KaimingUniform(Tensor tensor, Generator generator, double a = 0.0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int fanIn = Fans(tensor.Shape).FanIn;
        double gain = Math.Sqrt(2.0 / (1.0 + a * a));
        double bound = fanIn == 0 ? 0.0 : Math.Sqrt(3.0) * gain / Math.Sqrt(fanIn);
        Uniform(tensor, generator, -bound, bound);
    }

    /// <summary>Xavier (Glorot) uniform initialisation: U(−b, b), b = gain · √(6 / (fan_in + fan_out)).</summary>
    /// <param name="tensor">Tensor to fill.</param>
    /// <param name="generator">Random source.</param>
    /// <param name="gain">Scaling factor.</param>
    public static void XavierUniform(Tensor tensor, Generator generator, double gain = 1.0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        double bound = fanIn + fanOut == 0 ? 0.0 : gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        Uniform(tensor, generator, -bound, bound);
    }

    /// <summary>Fills with uniform draws on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="tensor">Tensor to fill.</param>
    /// <param name="generator">Random source.</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    public static void Uniform(Tensor tensor, Generator generator, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(generator);
        var s = tensor.Span;
        double w = high - low;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(low + w * generator.NextDouble());
    }

    /// <summary>Fills with normal draws N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    /// <param name="tensor">Tensor to fill.</param>
    /// <param name="generator">Random source.</param>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation.</param>
    public static void Normal(Tensor tensor, Generator generator, double mean = 0.0, double std = 1.0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(generator);
        var s = tensor.Span;
        for (int i = 0; i < s.Length; i++) s[i] = (float)(mean + std * generator.NextNormal());
    }

    /// <summary>Fills with zeros.</summary>
    /// <param name="tensor">Tensor to fill.</param>
    public static void Zeros(Tensor tensor) => Constant(tensor, 0f);

    /// <summary>Fills with ones.</summary>
    /// <param name="tensor">Tensor to fill.</param>
    public static void Ones(Tensor tensor) => Constant(tensor, 1f);

    /// <summary>Fills with <paramref name="value"/>.</summary>
    /// <param name="tensor">Tensor to fill.</param>
    /// <param name="value">The value.</param>
    public static void Constant(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Span.Fill(value);
    }
}
