using System.Text.Json.Serialization.Metadata;
using SingleCell.Models.Data;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Modeling;

/// <summary>
/// The shared base of every model family (the "thin model" of scvi-tools): the options, the network,
/// the data schema and the aligned training data, training through a <see cref="TrainingPlan"/>, and
/// saving through <see cref="ModelCheckpoint"/>. A family adds its queries, its plan and a static
/// <c>Load</c> that calls <see cref="ModelCheckpoint.Load{TOptions, TModule}"/>.
/// </summary>
/// <typeparam name="TOptions">The family's options record.</typeparam>
public abstract class Model<TOptions> : IModel, INetworkOwner where TOptions : class
{
    /// <summary>Creates the model.</summary>
    /// <param name="options">Validated options.</param>
    /// <param name="network">The network.</param>
    /// <param name="schema">The data schema.</param>
    /// <param name="trainingData">The aligned data the model trains on; null for a model loaded from a checkpoint.</param>
    protected Model(TOptions options, Module network, DataSchema schema, AlignedData? trainingData)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Schema = schema ?? throw new ArgumentNullException(nameof(schema));
        TrainingData = trainingData;
    }

    /// <summary>The options the model was built with.</summary>
    public TOptions Options { get; }

    /// <summary>The network.</summary>
    protected Module Network { get; }

    Module INetworkOwner.Network => Network;

    /// <inheritdoc />
    public DataSchema Schema { get; }

    /// <summary>The aligned data the model was set up with, or null when loaded without data.</summary>
    protected AlignedData? TrainingData { get; set; }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public bool IsTrained { get; protected set; }

    /// <inheritdoc />
    public long ParameterCount
    {
        get
        {
            long n = 0;
            foreach (var kv in Network.NamedParameters()) if (kv.Value.RequiresGrad) n += kv.Value.Size;
            return n;
        }
    }

    /// <inheritdoc />
    public TrainingHistory? History { get; protected set; }

    /// <summary>The family's type name in checkpoints (e.g. <c>svae</c>).</summary>
    protected abstract string ModelType { get; }

    /// <summary>The options' source-generated JSON type information.</summary>
    protected abstract JsonTypeInfo<TOptions> OptionsJsonType { get; }

    /// <summary>Model-specific checkpoint metadata entries; none by default.</summary>
    protected virtual IReadOnlyDictionary<string, string>? CheckpointExtra => null;

    /// <inheritdoc />
    public abstract TrainingHistory Fit(TrainerOptions? trainer = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <inheritdoc />
    public abstract IReadOnlyDictionary<string, double> Evaluate(AnnData data);

    /// <inheritdoc />
    public void Save(string path, bool overwrite = false) =>
        ModelCheckpoint.Save(path, ModelType, Options, OptionsJsonType, Schema, IsTrained, Network, overwrite, CheckpointExtra);

    /// <summary>Runs the trainer on <paramref name="plan"/>, records the history, and marks the model trained once a step has completed.</summary>
    /// <param name="plan">The training plan.</param>
    /// <param name="trainer">The user's settings (null: the plan's defaults).</param>
    /// <param name="split">Explicit training and validation items; null for the trainer's seeded split.</param>
    /// <param name="progress">Progress receiver.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    protected TrainingHistory Train(TrainingPlan plan, TrainerOptions? trainer, (int[] Train, int[] Validation)? split,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var t = new Trainer(trainer);
        TrainingHistory? history = null;
        try
        {
            history = split is { } s ? t.Fit(plan, s.Train, s.Validation, progress, cancellationToken) : t.Fit(plan, progress, cancellationToken);
            return history;
        }
        catch (NonFiniteLossException e)
        {
            history = e.History;
            throw;
        }
        finally
        {
            if (history != null)
            {
                History = history;
                if (history.Steps > 0) IsTrained = true;
            }
        }
    }

    /// <summary>The training data, or an <see cref="InvalidOperationException"/> saying how to attach it.</summary>
    protected AlignedData RequireTrainingData() => TrainingData
        ?? throw new InvalidOperationException($"{Name}: this model was loaded without data; pass data to the query, or set it up again with Create.");

    /// <summary><paramref name="data"/> aligned to the schema, or the training data when null.</summary>
    /// <param name="data">New data or null.</param>
    protected AlignedData AlignedOrTraining(AnnData? data) => data == null ? RequireTrainingData() : Schema.Align(data);

    /// <summary>Runs <paramref name="query"/> with the network in eval mode and without gradients, restoring the mode after.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="query">The computation.</param>
    protected T Query<T>(Func<T> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        bool wasTraining = Network.IsTraining;
        Network.Eval();
        try
        {
            using (Tensor.NoGrad()) return query();
        }
        finally { Network.Train(wasTraining); }
    }
}

/// <summary>Reaches a model's network from inside the library and its tests (contract checks, tools).</summary>
internal interface INetworkOwner
{
    /// <summary>The network.</summary>
    Module Network { get; }
}
