using SingleCell.Models.NN;

namespace SingleCell.Models.Training;

/// <summary>
/// What the <see cref="Trainer"/> needs of a model: its network, how many items (cells) it trains
/// on, and the loss of a mini-batch. Models implement it with a small adapter over their data.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The network whose trainable parameters are optimised; switched between train and eval mode by the trainer.</summary>
    Module Module { get; }

    /// <summary>Number of items available for training and validation (indices 0 … count − 1).</summary>
    int ItemCount { get; }

    /// <summary>The loss of the items <paramref name="batch"/> (indices into 0 … <see cref="ItemCount"/> − 1).</summary>
    /// <param name="batch">The mini-batch's item indices.</param>
    /// <param name="context">Epoch, step, KL weight and mode.</param>
    LossOutput Loss(ReadOnlySpan<int> batch, LossContext context);
}

/// <summary>Where in training a loss is computed.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="Step">Zero-based step within the epoch.</param>
/// <param name="KlWeight">The KL warm-up weight w ∈ [0, 1] (scvi-tools' <c>kl_weight</c>).</param>
/// <param name="IsTraining">True for optimisation steps, false for validation.</param>
/// <param name="TrainItemCount">Number of training items (scvi-tools' <c>n_obs</c>, which the sVAE+ loss scales by).</param>
public readonly record struct LossContext(int Epoch, int Step, double KlWeight, bool IsTraining, int TrainItemCount);
