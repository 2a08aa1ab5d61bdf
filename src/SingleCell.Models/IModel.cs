using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models;

/// <summary>
/// What every model of the library offers: its data schema, training on the data it was set up with,
/// evaluation on new data (aligned to the schema), persistence and its size.
/// </summary>
/// <remarks>
/// A model is created from an <see cref="AnnData"/> and an options record, which fixes its
/// <see cref="Schema"/> (gene order, category codes). Each model type also implements
/// <see cref="IModel{TSelf}"/>, whose static <c>Load</c> reads a checkpoint written by <see cref="Save"/>.
/// What the families share beyond this is expressed by capability interfaces:
/// <see cref="ILatentModel"/>, <see cref="IPerturbationPredictor"/>, <see cref="IClassifier"/>.
/// </remarks>
public interface IModel
{
    /// <summary>A short name of the model family and variant (e.g. <c>sVAE+</c>).</summary>
    string Name { get; }

    /// <summary>The data schema: the matrix and its value kind, genes in model order, category codes. New data is aligned to it.</summary>
    DataSchema Schema { get; }

    /// <summary>True once at least one optimisation step has completed (or the model was loaded trained).</summary>
    bool IsTrained { get; }

    /// <summary>Number of trainable parameter elements.</summary>
    long ParameterCount { get; }

    /// <summary>The history of the last <see cref="Fit"/>, or null.</summary>
    TrainingHistory? History { get; }

    /// <summary>Trains the model on the data it was set up with.</summary>
    /// <param name="trainer">Training settings; unset values take the model's defaults.</param>
    /// <param name="progress">Receives progress after every step and epoch.</param>
    /// <param name="cancellationToken">Stops training before the next step; the model stays usable.</param>
    /// <exception cref="InvalidOperationException">The model was loaded without training data.</exception>
    TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The model's metrics on <paramref name="data"/>, aligned to <see cref="Schema"/>.</summary>
    /// <param name="data">Data with the model's genes (by name, any order) and known categories.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    IReadOnlyDictionary<string, double> Evaluate(AnnData data);

    /// <summary>Writes the model as a checkpoint (safetensors: the state dict, options and schema; see <see cref="ModelCheckpoint"/>).</summary>
    /// <param name="path">File path; written atomically.</param>
    /// <param name="overwrite">Replace an existing file.</param>
    void Save(string path, bool overwrite = false);
}

/// <summary>A model type that can be loaded from a checkpoint.</summary>
/// <typeparam name="TSelf">The model type.</typeparam>
public interface IModel<TSelf> : IModel where TSelf : IModel<TSelf>
{
    /// <summary>Loads a model saved by <see cref="IModel.Save"/>, without training data (queries take new data).</summary>
    /// <param name="path">The checkpoint.</param>
    /// <exception cref="CheckpointFormatException">The file is not a valid checkpoint of this model type; the message says why.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    static abstract TSelf Load(string path);
}

/// <summary>A model with a latent representation of cells.</summary>
public interface ILatentModel : IModel
{
    /// <summary>Width of the cell embedding.</summary>
    int LatentDimension { get; }

    /// <summary>Cell embeddings (cells × <see cref="LatentDimension"/>) of <paramref name="data"/>, aligned to the schema.</summary>
    /// <param name="data">The cells.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    DenseMatrix GetLatentRepresentation(AnnData data);
}

/// <summary>
/// A model that predicts the expression outcome of perturbations (single genes, <c>A</c>, or
/// combinations, <c>A+B</c>). Active-learning selectors reach models only through this interface.
/// </summary>
public interface IPerturbationPredictor : IModel
{
    /// <summary>The genes that can be perturbed (e.g. the nodes of the model's perturbation graph).</summary>
    IReadOnlyList<string> PerturbableGenes { get; }

    /// <summary>Mean predicted expression and its change against control for each perturbation.</summary>
    /// <param name="perturbations">Perturbations as <c>A</c> or <c>A+B</c>.</param>
    /// <exception cref="ArgumentException">A perturbation names a gene outside <see cref="PerturbableGenes"/>; the message names it.</exception>
    PerturbationPrediction Predict(IReadOnlyList<string> perturbations);

    /// <summary>Per-perturbation feature vectors for active learning (for GEARS, its cross-gene state averaged over a perturbation's cells, as IterPert uses).</summary>
    /// <param name="perturbations">Perturbations as <c>A</c> or <c>A+B</c>.</param>
    /// <exception cref="ArgumentException">A perturbation names an unknown gene.</exception>
    DenseMatrix GetPerturbationFeatures(IReadOnlyList<string> perturbations);
}

/// <summary>Predicted outcomes of perturbations: rows follow the requested perturbations, columns the model's genes.</summary>
/// <param name="Perturbations">The perturbations (rows).</param>
/// <param name="Genes">The genes (columns), in model order.</param>
/// <param name="Expression">Mean predicted expression.</param>
/// <param name="Change">Predicted expression minus the control mean.</param>
/// <param name="Uncertainty">Predicted log-variance per gene when the model estimates it, else null.</param>
public sealed record PerturbationPrediction(IReadOnlyList<string> Perturbations, IReadOnlyList<string> Genes,
    DenseMatrix Expression, DenseMatrix Change, DenseMatrix? Uncertainty = null);

/// <summary>A model that assigns samples to classes.</summary>
public interface IClassifier : IModel
{
    /// <summary>The classes, in the column order of <see cref="PredictProbabilities"/>.</summary>
    IReadOnlyList<string> Classes { get; }

    /// <summary>Class probabilities (samples × classes; each row sums to 1) for <paramref name="data"/>.</summary>
    /// <param name="data">The samples, aligned to the schema.</param>
    /// <exception cref="DataSchemaException">The data does not fit the schema.</exception>
    DenseMatrix PredictProbabilities(AnnData data);
}
