namespace SingleCell.Models.Training;

/// <summary>Training produced NaN or ±∞; the message names the epoch, the step and the loss term.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="step">Zero-based step within the epoch.</param>
    /// <param name="term">The loss term (or parameter gradient) that was not finite.</param>
    /// <param name="value">Its value.</param>
    public NonFiniteLossException(int epoch, int step, string term, double value)
        : base($"Training stopped: '{term}' is {value} at epoch {epoch}, step {step}. " +
               "Lower the learning rate, enable gradient clipping, or check the input for invalid values.")
    {
        Epoch = epoch; Step = step; Term = term; Value = value;
    }

    /// <summary>Zero-based epoch.</summary>
    public int Epoch { get; }

    /// <summary>Zero-based step within the epoch.</summary>
    public int Step { get; }

    /// <summary>The offending term.</summary>
    public string Term { get; }

    /// <summary>Its value.</summary>
    public double Value { get; }

    /// <summary>The history up to the failure (completed epochs and steps), set by the trainer.</summary>
    public TrainingHistory? History { get; internal set; }
}
