using SingleCell.Models.Graphs;
using SingleCell.Models.Training;

namespace SingleCell.Models.Selection.Study;

/// <summary>What a predictor is trained on at one budget of the study.</summary>
/// <param name="Screen">The screen (all cells; <see cref="PerturbationScreen.Subset"/> gives the training cells).</param>
/// <param name="Graph">The gene graph the model may use (the study's graph, after any graph noise).</param>
/// <param name="Train">The labelled perturbations (indices into <see cref="PerturbationScreen.Perturbations"/>).</param>
/// <param name="Seed">Seed of this training (initialisation, 90/10 split, batches).</param>
/// <param name="Epochs">Epochs (IterPert: 20); ignored by predictors without epochs.</param>
public sealed record PredictorTrainingRequest(PerturbationScreen Screen, GeneGraph Graph, IReadOnlyList<int> Train, int Seed, int Epochs);

/// <summary>
/// Trains a fresh <see cref="IPerturbationPredictor"/> on the labelled perturbations: the study retrains from
/// scratch at every budget, as IterPert does.
/// </summary>
/// <remarks>
/// The GEARS model plugs in with one line, e.g.
/// <code>new DelegatePredictorFactory("gears", (r, p, ct) => GearsStudy.Train(r, p, ct))</code>
/// where the delegate builds the model on <c>r.Screen.Subset(r.Train)</c> with <c>r.Graph</c> as its
/// perturbation graph and fits it for <c>r.Epochs</c> epochs (hidden 64, batch 256, 90/10 split).
/// </remarks>
public interface IPerturbationPredictorFactory
{
    /// <summary>A short name of the predictor (recorded in the results).</summary>
    string Name { get; }

    /// <summary>Trains a predictor from scratch.</summary>
    /// <param name="request">Screen, graph, labelled perturbations, seed and epochs.</param>
    /// <param name="progress">Training progress, if the predictor reports any.</param>
    /// <param name="cancellationToken">Stops training.</param>
    IPerturbationPredictor Train(PredictorTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the predictor can be trained on, and predict, a perturbation of <paramref name="genes"/> with the study's
    /// graph; the study leaves the others out of pool and test (<see cref="SelectionStudy.LeftOut"/>). Default: every one.
    /// </summary>
    /// <param name="genes">The perturbed genes.</param>
    /// <param name="graph">The study's gene graph (graph noise changes edges, never nodes).</param>
    bool CanPredict(IReadOnlyList<string> genes, GeneGraph graph) => true;
}

/// <summary>A factory from a delegate (how a model family such as GEARS joins the study).</summary>
/// <param name="name">The predictor's name.</param>
/// <param name="train">Trains a predictor for a request.</param>
public sealed class DelegatePredictorFactory(string name, Func<PredictorTrainingRequest, IProgress<TrainingProgress>?, CancellationToken, IPerturbationPredictor> train)
    : IPerturbationPredictorFactory
{
    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public IPerturbationPredictor Train(PredictorTrainingRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        => train(request, progress, cancellationToken);
}
