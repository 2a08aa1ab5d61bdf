using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Tests.Exceiver;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>The Exceiver (pretraining and classifier variants) in the contract test.</summary>
/// <param name="classifier">Whether the model has a class token and head.</param>
public sealed class ExceiverContractCase(bool classifier) : ModelContractCase
{
    private static readonly Lazy<AnnData> s_data = new(() => ExceiverTestData.Counts(40, 24, seed: 3));

    public override string Name => classifier ? "exceiver/classifier" : "exceiver";

    public override AnnData Data => s_data.Value;

    // RequireAllGenes: the contract's missing-gene check (by default a missing gene counts as not detected).
    public override IModel Create(ulong seed) => ExceiverModel.Create(Data, new ExceiverSetup(LabelKey: classifier ? ExceiverTestData.TypeKey : null),
        new ExceiverOptions { Latents = 6, Layers = 2, FeedForward = 16, Seed = seed, RequireAllGenes = true });

    public override IModel Load(string path) => ExceiverModel.Load(path);

    public override float[] Outputs(IModel model, AnnData data)
    {
        var m = (ExceiverModel)model;
        float[] outputs = [.. m.GetLatentRepresentation(data).Values];
        if (m.MaskCount > 0) outputs = [.. outputs, .. m.PredictMasked(data, 1).Prediction.Predicted.Values];
        if (classifier) outputs = [.. outputs, .. m.PredictProbabilities(data).Values];
        return outputs;
    }

    // The reference drops the last incomplete batch; a one-batch quick run must keep it.
    public override TrainerOptions QuickTraining => base.QuickTraining with { DropLast = false };

    public override AnnData? WithUnknownCategory()
    {
        if (!classifier) return null;
        var d = Data;
        var copy = new AnnData(d.X!, d.ObsNames, d.VarNames);
        var labels = Enumerable.Range(0, d.NObs).Select(i => i == 0 ? "never-seen" : d.Obs[ExceiverTestData.TypeKey].GetString(i)).ToArray();
        copy.Obs.Add(CategoricalColumn.FromValues(ExceiverTestData.TypeKey, labels));
        return copy;
    }
}
