using SingleCell.Models.Data;
using SingleCell.Models.Gears;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Selection.Study;

/// <summary>
/// GEARS in the loop of the selection study (IterPert's protocol): at every budget a fresh model is built on
/// the labelled perturbations' cells and all controls, with the study's graph as its perturbation graph, a
/// seeded 90/10 split of the labelled perturbations for validation, batch 256 and the request's epochs.
/// </summary>
/// <param name="options">GEARS options (the seed is replaced by the request's).</param>
/// <param name="batchSize">Mini-batch size (IterPert: 256).</param>
public sealed class GearsPredictorFactory(GearsOptions? options = null, int batchSize = 256) : IPerturbationPredictorFactory
{
    /// <inheritdoc/>
    public string Name => "gears";

    /// <inheritdoc/>
    public IPerturbationPredictor Train(PredictorTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var data = request.Screen.Subset(request.Train);
        var labelled = request.Train.Select(p => PerturbationScreen.ToCanonical(request.Screen.Perturbations[p])).ToArray();
        var rng = new Generator((ulong)request.Seed ^ 0x5EEDUL);
        var shuffled = labelled.OrderBy(_ => rng.NextDouble()).ToArray();
        int nValidation = labelled.Length >= 10 ? labelled.Length / 10 : 0;
        var split = new GearsSplit([.. shuffled[nValidation..], "ctrl"], shuffled[..nValidation], new Dictionary<string, IReadOnlyList<string>>());
        var model = GearsModel.Create(data, new GearsSetup(request.Screen.ConditionKey), request.Graph, split,
            (options ?? new GearsOptions()) with { Seed = (ulong)request.Seed });
        model.Fit(new TrainerOptions { MaxEpochs = request.Epochs, BatchSize = batchSize, Seed = (ulong)request.Seed }, progress, cancellationToken);
        return model;
    }

    /// <summary>GEARS embeds a perturbation through its genes' nodes in the graph: each gene must be one (as GEARS itself requires).</summary>
    /// <param name="genes">The perturbed genes.</param>
    /// <param name="graph">The study's graph.</param>
    public bool CanPredict(IReadOnlyList<string> genes, Graphs.GeneGraph graph)
    {
        ArgumentNullException.ThrowIfNull(genes);
        ArgumentNullException.ThrowIfNull(graph);
        return genes.All(g => graph.IndexOf(g) >= 0);
    }
}
