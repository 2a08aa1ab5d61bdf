namespace SingleCell.Models.Training;

/// <summary>A progress report, sent after every optimisation step and at the end of every epoch.</summary>
/// <param name="Epoch">Zero-based epoch.</param>
/// <param name="MaxEpochs">The epoch limit.</param>
/// <param name="Step">Zero-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Losses">The latest loss terms (training step), or the epoch's means (end of epoch, with validation terms).</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="EstimatedRemaining">Extrapolated time to <paramref name="MaxEpochs"/> (early stopping may end sooner).</param>
/// <param name="EndOfEpoch">True for the report sent once an epoch (and its validation) has finished.</param>
public sealed record TrainingProgress(
    int Epoch, int MaxEpochs, int Step, int StepsPerEpoch,
    IReadOnlyDictionary<string, double> Losses, TimeSpan Elapsed, TimeSpan EstimatedRemaining, bool EndOfEpoch)
{
    /// <summary>Fraction of the work done, in [0, 1].</summary>
    public double Fraction => MaxEpochs == 0 ? 1 : Math.Min(1, (Epoch + (EndOfEpoch ? 1.0 : (Step + 1.0) / Math.Max(1, StepsPerEpoch))) / MaxEpochs);
}
