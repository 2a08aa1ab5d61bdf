using SingleCell.Models.Tensors;

namespace SingleCell.Models.Distributions;

/// <summary>How a loss reduces its per-element values.</summary>
public enum Reduction
{
    /// <summary>No reduction: one value per element (per row for cross-entropy).</summary>
    None,

    /// <summary>The mean (a one-element tensor of shape [1]).</summary>
    Mean,

    /// <summary>The sum (a one-element tensor of shape [1]).</summary>
    Sum,
}

/// <summary>Standard losses, as their PyTorch counterparts.</summary>
public static class Losses
{
    /// <summary>
    /// Categorical cross-entropy −log softmax(logits)[target] for logits [N, C] and class indices, as
    /// <c>torch.nn.functional.cross_entropy</c> (log-softmax fused, stable).
    /// </summary>
    /// <param name="logits">Unnormalised scores, shape [N, C].</param>
    /// <param name="targets">N class indices in [0, C).</param>
    /// <param name="reduction">Mean (default), sum, or none (shape [N]).</param>
    /// <exception cref="ArgumentException">Shapes disagree or a target is out of range.</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2)
            throw new ArgumentException($"cross_entropy: logits must have shape [N, C]; got {logits.Shape}.", nameof(logits));
        int n = logits.Shape[0], c = logits.Shape[1];
        if (targets.Length != n)
            throw new ArgumentException($"cross_entropy: {targets.Length} targets for logits of shape {logits.Shape}.", nameof(targets));
        foreach (int t in targets)
            if ((uint)t >= (uint)c) throw new ArgumentException($"cross_entropy: target {t} is out of range for {c} classes.", nameof(targets));
        var picked = logits.LogSoftmax(1).Gather(1, targets, [n, 1]).Reshape(n);
        var nll = picked.Neg();
        return Reduce(nll, reduction);
    }

    /// <summary>Mean squared error (a − b)², as <c>torch.nn.functional.mse_loss</c>.</summary>
    /// <param name="input">Predictions.</param>
    /// <param name="target">Targets (broadcast with <paramref name="input"/>).</param>
    /// <param name="reduction">Mean (default), sum, or none.</param>
    public static Tensor Mse(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        var d = input - target;
        return Reduce(d * d, reduction);
    }

    private static Tensor Reduce(Tensor t, Reduction reduction) => reduction switch
    {
        Reduction.None => t,
        Reduction.Sum => t.Sum().Reshape(1),
        _ => t.Mean().Reshape(1),
    };
}
