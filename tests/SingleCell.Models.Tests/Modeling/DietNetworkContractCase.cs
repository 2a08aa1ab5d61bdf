using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>Diet Networks in the contract test: a tiny Balding–Nichols set, fold 1 of 5.</summary>
public sealed class DietNetworkContractCase(DietEmbedding embedding, double gamma) : ModelContractCase
{
    private static readonly Lazy<AnnData> s_data = new(() => BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions
    {
        PopulationsPerSuperPopulation = [3], SamplesPerPopulation = 12, Snps = 20, Seed = 4,
    }).ToAnnData());

    public override string Name => $"diet/{embedding}{(gamma > 0 ? "+rec" : "")}";

    public override AnnData Data => s_data.Value;

    public override IModel Create(ulong seed) => DietNetworkModel.Create(Data, "population", new CrossValidationFolds(Data.NObs).Split(0),
        new DietNetworkOptions { Embedding = embedding, Gamma = gamma, FatWidth = 6, HiddenWidth = 5, EmbeddingUnits = 4, Seed = seed });

    public override IModel Load(string path) => DietNetworkModel.Load(path);

    public override float[] Outputs(IModel model, AnnData data)
    {
        var m = (DietNetworkModel)model;
        return [.. m.PredictProbabilities(data).Values, .. m.PredictedWeights().Values];
    }

    /// <summary>The plan drops incomplete batches (the paper's full batches only); the quick run keeps its one batch.</summary>
    public override TrainerOptions QuickTraining => base.QuickTraining with { DropLast = false };
}
