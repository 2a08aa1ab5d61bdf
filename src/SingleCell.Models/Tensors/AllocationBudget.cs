namespace SingleCell.Models.Tensors;

/// <summary>Thrown inside a <see cref="Tensor.LimitAllocations"/> scope when a factory would exceed the budget.</summary>
internal sealed class AllocationBudgetExceededException(long requested, long remaining)
    : Exception($"A tensor of {requested:N0} elements exceeds the remaining allocation budget of {remaining:N0} elements.")
{
    internal long Requested { get; } = requested;
}

public sealed partial class Tensor
{
    [ThreadStatic] private static long t_budget;
    [ThreadStatic] private static bool t_budgetActive;

    /// <summary>
    /// Limits the elements that tensor factories (<see cref="Zeros"/>, <see cref="Full"/>, the random
    /// factories…) may create on this thread until the scope is disposed: checkpoint loading builds a
    /// module under a budget implied by the file, so options claiming a huge network fail before the
    /// memory is taken.
    /// </summary>
    internal static AllocationScope LimitAllocations(long elements)
    {
        var scope = new AllocationScope(t_budgetActive, t_budget);
        t_budgetActive = true;
        t_budget = elements;
        return scope;
    }

    private static void Charge(long elements)
    {
        if (!t_budgetActive) return;
        if (elements > t_budget) throw new AllocationBudgetExceededException(elements, t_budget);
        t_budget -= elements;
    }

    internal readonly struct AllocationScope(bool wasActive, long previous) : IDisposable
    {
        public void Dispose() { t_budgetActive = wasActive; t_budget = previous; }
    }
}
