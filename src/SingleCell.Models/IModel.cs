using SingleCell.Models.Data;
using SingleCell.Models.Training;

namespace SingleCell.Models;

/// <summary>
/// What every model of the library offers: training on the data it was set up with, evaluation on
/// new data (checked against the stored data schema), persistence and its size.
/// </summary>
/// <remarks>
/// A model is created from an <see cref="AnnData"/> and an options record, which fixes its data
/// schema (gene order, label categories). Each model type also has a static <c>Load</c>.
/// </remarks>
public interface IModel
{
    /// <summary>A short name of the model family and variant (e.g. <c>sVAE+</c>).</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Fit"/> has completed at least once (or the model was loaded trained).</summary>
    bool IsTrained { get; }

    /// <summary>Number of trainable parameters.</summary>
    long ParameterCount { get; }

    /// <summary>The history of the last <see cref="Fit"/>, or null.</summary>
    TrainingHistory? History { get; }

    /// <summary>Trains the model on the data it was set up with.</summary>
    /// <param name="trainer">Training settings; null for the model's defaults.</param>
    /// <param name="progress">Receives progress after every step and epoch.</param>
    /// <param name="cancellationToken">Stops training after the current step.</param>
    TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>The model's metrics on <paramref name="data"/> (aligned to the stored schema).</summary>
    /// <param name="data">Data with the same genes (by name) and labels as the training data.</param>
    IReadOnlyDictionary<string, double> Evaluate(AnnData data);

    /// <summary>Writes the model (weights as safetensors, options and schema as JSON metadata).</summary>
    /// <param name="path">File path; written atomically.</param>
    /// <param name="overwrite">Replace an existing file.</param>
    void Save(string path, bool overwrite = false);
}
