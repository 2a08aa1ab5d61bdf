namespace SingleCell.Models.Optim;

/// <summary>
/// Runs schedulers one after another, switching at the given milestones, as
/// <c>torch.optim.lr_scheduler.SequentialLR</c> (e.g. a linear warm-up followed by cosine annealing).
/// At epoch t the active scheduler is the one after the last milestone ≤ t, evaluated at t minus that
/// milestone (its own epoch restarts at 0, as PyTorch's <c>step(0)</c>).
/// </summary>
public sealed class SequentialLR : LrScheduler
{
    private readonly LrScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Creates the chain.</summary>
    /// <param name="optimizer">The optimiser (every scheduler must drive it).</param>
    /// <param name="schedulers">The schedulers, in order.</param>
    /// <param name="milestones">Epochs at which the next scheduler takes over; one fewer than the schedulers, increasing.</param>
    /// <exception cref="ArgumentException">Counts do not match, milestones do not increase, or a scheduler drives another optimiser.</exception>
    public SequentialLR(Optimizer optimizer, IReadOnlyList<LrScheduler> schedulers, IReadOnlyList<int> milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedulers);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedulers.Count == 0 || milestones.Count != schedulers.Count - 1)
            throw new ArgumentException($"SequentialLR: {schedulers.Count} schedulers need {Math.Max(0, schedulers.Count - 1)} milestones; got {milestones.Count}.", nameof(milestones));
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentException("SequentialLR: milestones must be positive and increasing.", nameof(milestones));
        foreach (var s in schedulers)
            if (!ReferenceEquals(s.Optimizer, optimizer))
                throw new ArgumentException("SequentialLR: every scheduler must drive the same optimiser.", nameof(schedulers));
        _schedulers = [.. schedulers];
        _milestones = [.. milestones];
        Initialize();
    }

    /// <inheritdoc />
    public override double LearningRateAt(double baseRate, int epoch)
    {
        int idx = 0;
        while (idx < _milestones.Length && _milestones[idx] <= epoch) idx++;
        int start = idx == 0 ? 0 : _milestones[idx - 1];
        return _schedulers[idx].LearningRateAt(baseRate, epoch - start);
    }
}
