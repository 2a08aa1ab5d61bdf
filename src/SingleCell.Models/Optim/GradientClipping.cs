using SingleCell.Models.NN;

namespace SingleCell.Models.Optim;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales the gradients of <paramref name="parameters"/> in place so that their total norm (the
    /// p-norm of all gradient elements together) is at most <paramref name="maxNorm"/>: each gradient is
    /// multiplied by min(1, maxNorm / (total + 1e-6)). Parameters without a gradient are ignored.
    /// </summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="maxNorm">Largest allowed total norm.</param>
    /// <param name="normType">The p of the norm (use <see cref="double.PositiveInfinity"/> for the max-norm).</param>
    /// <param name="errorIfNonfinite">Throw when the total norm is NaN or infinite instead of clipping.</param>
    /// <returns>The total norm before clipping.</returns>
    /// <exception cref="InvalidOperationException">The norm is not finite and <paramref name="errorIfNonfinite"/> is set.</exception>
    public static double ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm, double normType = 2.0, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), $"Invalid norm type {normType}.");
        var withGrad = new List<Parameter>();
        foreach (var p in parameters) if (p.Grad != null) withGrad.Add(p);
        if (withGrad.Count == 0) return 0.0;
        double total = 0;
        bool inf = double.IsPositiveInfinity(normType);
        foreach (var p in withGrad)
        {
            var g = p.Grad!.AsReadOnlySpan();
            for (int i = 0; i < g.Length; i++)
            {
                double a = Math.Abs((double)g[i]);
                if (inf) total = double.IsNaN(a) || a > total ? a : total;
                else total += normType == 2.0 ? a * a : Math.Pow(a, normType);
            }
        }
        if (!inf) total = normType == 2.0 ? Math.Sqrt(total) : Math.Pow(total, 1.0 / normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException($"The total norm of order {normType} of the gradients is non-finite ({total}), so it cannot be clipped.");
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1.0)
        {
            float c = (float)coef;
            foreach (var p in withGrad)
                System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad!.Span, c, p.Grad.Span);
        }
        return total;
    }

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>] in place.</summary>
    /// <param name="parameters">The parameters.</param>
    /// <param name="clipValue">Largest allowed magnitude.</param>
    public static void ClipGradValue(IEnumerable<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (p.Grad == null) continue;
            var w = p.Grad.Span;
            for (int i = 0; i < w.Length; i++) w[i] = Math.Clamp(w[i], -clipValue, clipValue);
        }
    }
}
