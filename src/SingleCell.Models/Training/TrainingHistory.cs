namespace SingleCell.Models.Training;

/// <summary>
/// Per-epoch means of every loss term, for training (<c>loss_train</c>, <c>elbo_train</c>, …) and
/// validation (<c>elbo_validation</c>, …), as scvi-tools' <c>model.history</c>.
/// </summary>
public sealed class TrainingHistory
{
    private readonly Dictionary<string, List<double>> _series = new(StringComparer.Ordinal);

    /// <summary>Number of completed epochs.</summary>
    public int Epochs { get; private set; }

    /// <summary>Why training stopped: "max_epochs", "early_stopping" or "cancelled".</summary>
    public string StopReason { get; internal set; } = "max_epochs";

    /// <summary>The epoch (zero-based) with the best monitored value, when early stopping was on.</summary>
    public int? BestEpoch { get; internal set; }

    /// <summary>The epoch whose parameters and buffers were put back at the end (best-weight restoration), or null.</summary>
    public int? RestoredEpoch { get; internal set; }

    /// <summary>Number of completed optimisation steps.</summary>
    public long Steps { get; internal set; }

    /// <summary>The items trained on.</summary>
    public int[] TrainIndices { get; internal init; } = [];

    /// <summary>The items validated on.</summary>
    public int[] ValidationIndices { get; internal init; } = [];

    /// <summary>Seconds of wall time per epoch.</summary>
    public IReadOnlyList<double> SecondsPerEpoch => Series("seconds");

    /// <summary>The names of the recorded series.</summary>
    public IEnumerable<string> Keys => _series.Keys;

    /// <summary>The values of one series, one per epoch (empty when never recorded).</summary>
    /// <param name="key">Series name, e.g. <c>elbo_validation</c>.</param>
    public IReadOnlyList<double> Series(string key) => _series.TryGetValue(key, out var s) ? s : [];

    /// <summary>The last value of a series.</summary>
    /// <param name="key">Series name.</param>
    /// <exception cref="KeyNotFoundException">The series was never recorded.</exception>
    public double Last(string key) =>
        _series.TryGetValue(key, out var s) && s.Count > 0 ? s[^1] : throw new KeyNotFoundException($"No history series '{key}'. Recorded: {string.Join(", ", _series.Keys)}.");

    internal void Record(string key, double value)
    {
        if (!_series.TryGetValue(key, out var s)) _series[key] = s = [];
        s.Add(value);
    }

    internal void EndEpoch() => Epochs++;
}
