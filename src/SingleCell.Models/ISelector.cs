namespace SingleCell.Models;

/// <summary>
/// Chooses items (perturbations, genes, cells) to run or label, in order of preference.
/// </summary>
/// <remarks>
/// Items are integer ids in the selector's ground set (for graph-based selectors, node indices
/// of the gene graph). Implementations are deterministic for a given seed: the same inputs
/// give the same ranking and gains. Greedy rankings are nested, so the first k items of a
/// ranking for budget K ≥ k are the selection for budget k.
/// </remarks>
public interface ISelector
{
    /// <summary>A short name of the method (e.g. <c>graphreach</c>, <c>random</c>).</summary>
    string Name { get; }

    /// <summary>Selects up to <paramref name="budget"/> items from <paramref name="candidates"/>.</summary>
    /// <param name="candidates">Items that may be chosen.</param>
    /// <param name="budget">Number of items to add (fewer are returned if the candidates run out).</param>
    /// <param name="alreadySelected">Items chosen earlier (e.g. a previous round); they are not returned again and their effect is taken into account.</param>
    /// <param name="progress">Receives one report per chosen item.</param>
    /// <param name="cancellationToken">Stops the selection.</param>
    /// <returns>The chosen items in order, with the marginal gain of each pick.</returns>
    SelectionResult Select(IReadOnlyList<int> candidates, int budget, IReadOnlyList<int>? alreadySelected = null,
        IProgress<SelectionProgress>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>An ordered selection with the marginal gain of each pick.</summary>
/// <param name="Selected">Chosen items in the order they were picked.</param>
/// <param name="Gains">Marginal gain of each pick given the items before it (selector-specific score for baselines).</param>
/// <param name="Value">Objective value after the last pick (including <c>alreadySelected</c>); NaN for selectors without an objective.</param>
/// <param name="Evaluations">Number of marginal-gain evaluations performed.</param>
public sealed record SelectionResult(int[] Selected, double[] Gains, double Value, long Evaluations);

/// <summary>Progress of a selection: one report per chosen item.</summary>
/// <param name="Selected">Items chosen so far.</param>
/// <param name="Budget">Items requested.</param>
/// <param name="Item">The item just chosen.</param>
/// <param name="Gain">Its marginal gain.</param>
public readonly record struct SelectionProgress(int Selected, int Budget, int Item, double Gain);
