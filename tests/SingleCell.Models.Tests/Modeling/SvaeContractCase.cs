using SingleCell.Models.Data;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>The sVAE variants in the contract test.</summary>
public sealed class SvaeContractCase(SvaeVariant variant) : ModelContractCase
{
    private static readonly Lazy<SparseShiftSimulation> s_sim = new(() => SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
    {
        Interventions = 6, CellsPerIntervention = 12, LatentDimensions = 3, Genes = 15, FirstHeldOutIntervention = 4, Seed = 9,
    }));

    public override string Name => $"svae/{variant}";

    public override AnnData Data => s_sim.Value.Data;

    public override IModel Create(ulong seed) => SvaeModel.Create(Data, new SvaeSetup(SparseShiftSimulation.LabelKey),
        new SvaeOptions { Variant = variant, LatentDim = 3, HiddenDim = 8, Seed = seed, KlWarmupEpochs = 1 });

    public override IModel Load(string path) => SvaeModel.Load(path);

    public override float[] Outputs(IModel model, AnnData data)
    {
        var m = (SvaeModel)model;
        return [.. m.GetLatentRepresentation(data).Values, .. m.GetNormalizedExpression(data).Values];
    }

    public override TrainerOptions QuickTraining => base.QuickTraining;

    public override AnnData? WithUnknownCategory()
    {
        var d = Data;
        var copy = new AnnData(d.X!, d.ObsNames, d.VarNames);
        var labels = Enumerable.Range(0, d.NObs).Select(i => i == 0 ? "never-seen" : d.Obs[SparseShiftSimulation.LabelKey].GetString(i)).ToArray();
        copy.Obs.Add(CategoricalColumn.FromValues(SparseShiftSimulation.LabelKey, labels));
        return copy;
    }

    /// <summary>
    /// The VAE's label prior parameters (μ_a, λ) are registered for every variant but outside its loss;
    /// the sVAE's mask logits of labels absent from a batch still get a (zero) gradient.
    /// </summary>
    public override IReadOnlySet<string> ParametersWithoutGradient => variant is SvaeVariant.Vae or SvaeVariant.BetaVae
        ? new HashSet<string> { "action_prior_mean", "mask_logits" }
        : new HashSet<string>();
}
