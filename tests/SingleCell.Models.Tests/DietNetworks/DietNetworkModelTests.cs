using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tests.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.DietNetworks;

public class DietNetworkModelTests
{
    private static SimulatedGenotypes Small(ulong seed = 5) => BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions
    {
        PopulationsPerSuperPopulation = [2, 2], SamplesPerPopulation = 40, Snps = 600, SuperPopulationFst = 0.1, PopulationFst = 0.05, Seed = seed,
    });

    private static (DietNetworkModel Model, int[] Labels, string[] Classes) Create(SimulatedGenotypes sim, DietNetworkOptions options)
    {
        var classes = sim.Populations.Distinct().Order(StringComparer.Ordinal).ToArray();
        var labels = sim.Populations.Select(p => Array.IndexOf(classes, p)).ToArray();
        var split = new CrossValidationFolds(sim.Genotypes.Samples).Split(0);
        return (DietNetworkModel.Create(sim.Genotypes, sim.SnpNames, classes, labels, split, options), labels, classes);
    }

    [TestCase(DietEmbedding.Raw, 0.0)]
    [TestCase(DietEmbedding.Histogram, 2.0)]
    [TestCase(DietEmbedding.None, 2.0)]
    public void PredictedWeightLayerGradientMatchesFiniteDifferences(DietEmbedding embedding, double gamma)
    {
        // Tiny network: the loss through the fat GEMM with predicted W_e, the auxiliary tanh layer and (raw
        // end2end) the trainable projection of the transposed data, down to the embedding E itself.
        var sim = BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions { PopulationsPerSuperPopulation = [2], SamplesPerPopulation = 6, Snps = 7, Seed = 2 });
        var classes = new[] { "S1P1", "S1P2" };
        var labels = sim.Populations.Select(p => Array.IndexOf(classes, p)).ToArray();
        var split = new FoldSplit(0, [0, 1, 2, 6, 7, 8], [3, 9], [4, 5, 10, 11]);
        var model = DietNetworkModel.Create(sim.Genotypes, sim.SnpNames, classes, labels, split,
            new DietNetworkOptions { Embedding = embedding, Gamma = gamma, FatWidth = 4, HiddenWidth = 3, EmbeddingUnits = 3, DropoutRate = 0, AuxiliaryInitScale = 0.5 });
        var module = model.Module;
        module.Eval(); // BatchNorm with fixed statistics: the loss is a smooth function of the weights.
        var x = DietTrainingPlan.StandardizedBatch(module, sim.Genotypes, [0, 1, 2, 6, 7, 8]);
        var inputs = new List<Tensor>();
        if (module.Embedding != null) inputs.Add(module.Embedding);
        if (module.Projection != null) inputs.Add(module.Projection.Weight);
        if (module.Encoder != null) inputs.Add(((SingleCell.Models.NN.Linear)module.Encoder.NamedChildren()[0].Value).Weight);
        if (module.FatWeight != null) inputs.Add(module.FatWeight);
        inputs.Add(module.FatBias);
        GradCheck.Check($"diet {embedding} γ={gamma}", _ =>
        {
            var (logits, rec) = module.Forward(x);
            return rec == null ? logits : Tensor.Concat([logits, rec], 1);
        }, [.. inputs], h: 2e-3, rtol: 1e-2, atol: 1e-2);
    }

    [Test]
    public void FewEpochsOnSimulatedDataBeatChanceByFar()
    {
        var sim = Small();
        var (model, _, classes) = Create(sim, new DietNetworkOptions { Seed = 3 });
        var history = model.Fit(new TrainerOptions { MaxEpochs = 25, LearningRate = 3e-3, BatchSize = 32, Seed = 1 });
        Assert.That(history.Steps, Is.GreaterThan(0));
        Assert.That(model.IsTrained);
        double error = model.EvaluateTest()["error_percent"];
        double chance = 100.0 * (1 - 1.0 / classes.Length);
        TestContext.Out.WriteLine($"test error {error:F1} % (chance {chance:F0} %), best epoch {history.BestEpoch}");
        Assert.That(error, Is.LessThan(chance / 3), "a few epochs should classify 4 populations far better than chance");
        foreach (var kv in model.Module.NamedParameters())
            if (kv.Value.Shape.Rank == 2 && kv.Value.RequiresGrad)
                for (int r = 0; r < kv.Value.Shape[0]; r++)
                {
                    double s = 0;
                    for (int c = 0; c < kv.Value.Shape[1]; c++) { double v = kv.Value.Value[r, c]; s += v * v; }
                    Assert.That(Math.Sqrt(s), Is.LessThanOrEqualTo(1.0 + 1e-5), $"{kv.Key} row {r} breaks the max-norm constraint");
                }
    }

    [Test]
    public void SaveLoadGivesIdenticalProbabilitiesAndTheSchemaGuardsSnps()
    {
        var sim = Small(9);
        var (model, _, _) = Create(sim, new DietNetworkOptions { Gamma = 5 });
        model.Fit(new TrainerOptions { MaxEpochs = 2, BatchSize = 32 });
        var data = sim.ToAnnData();
        var before = model.PredictProbabilities(data);
        var path = Path.Combine(Path.GetTempPath(), $"diet-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = DietNetworkModel.Load(path);
            Assert.That(loaded.PredictProbabilities(data).Values, Is.EqualTo(before.Values));
            Assert.That(loaded.Classes, Is.EqualTo(model.Classes));
            Assert.That(loaded.Name, Is.EqualTo("histogram+rec"));
            Assert.That(loaded.PredictedWeights().Values, Is.EqualTo(model.PredictedWeights().Values));
            Assert.That(loaded.Evaluate(data)["accuracy"], Is.EqualTo(model.Evaluate(data)["accuracy"]));
            var fewer = PopulationLabels.SelectSamples(data, [0, 1]);
            var dropped = new AnnData(fewer.X!.SelectColumns(Enumerable.Range(1, 599).ToArray()), fewer.ObsNames, fewer.VarNames[1..]);
            Assert.Throws<DataSchemaException>(() => loaded.PredictProbabilities(dropped));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void ParameterCountsFollowThePaperArithmetic()
    {
        var sim = Small();
        // Histogram over 4 classes: aux 12·100 + 100; the rest (fat bias, BN, 100×100 and output layers) is shared by every variant.
        long head = 100 + 2 * 100 + 100 * 100 + 100 + 2 * 100 + 100 * 4 + 4;
        Assert.That(Create(sim, new DietNetworkOptions()).Model.ParameterCount, Is.EqualTo(12 * 100 + 100 + head));
        Assert.That(Create(sim, new DietNetworkOptions { Embedding = DietEmbedding.None }).Model.ParameterCount, Is.EqualTo(600L * 100 + head));
        var split = new CrossValidationFolds(sim.Genotypes.Samples).Split(0);
        Assert.That(Create(sim, new DietNetworkOptions { Embedding = DietEmbedding.Raw }).Model.ParameterCount, Is.EqualTo(split.Train.Length * 100L + 100 + 100 * 100 + 100 + head));
        Assert.That(Create(sim, new DietNetworkOptions { Embedding = DietEmbedding.RandomProjection }).Model.ParameterCount, Is.EqualTo(100 * 100 + 100 + head));
    }

    [Test]
    public void Snp2VecCodesAreSeededFiniteAndFeedTheModel()
    {
        var sim = Small();
        var rows = Enumerable.Range(0, 60).ToArray();
        var a = Snp2Vec.Embed(sim.Genotypes, rows, units: 8, epochs: 2, seed: 3);
        Assert.That(a, Has.Length.EqualTo(600 * 8));
        Assert.That(a.All(float.IsFinite));
        Assert.That(Snp2Vec.Embed(sim.Genotypes, rows, units: 8, epochs: 2, seed: 3), Is.EqualTo(a));
        var (model, _, _) = Create(sim, new DietNetworkOptions { Embedding = DietEmbedding.Snp2Vec, EmbeddingUnits = 8, Snp2VecEpochs = 2 });
        var e = model.SnpEmbedding()!;
        Assert.That((e.Rows, e.Columns), Is.EqualTo((600, 8)));
        for (int c = 0; c < 8; c++)
        {
            double s = 0;
            for (int j = 0; j < 600; j++) s += (double)e[j, c] * e[j, c];
            Assert.That(s, Is.EqualTo(1).Within(1e-4).Or.EqualTo(0), "columns are unit-norm over SNPs");
        }
        Assert.That(model.Fit(new TrainerOptions { MaxEpochs = 1, BatchSize = 32 }).Steps, Is.GreaterThan(0));
    }

    [Test, Category("SharedData")]
    public void HapMap3ReadsIntoAnnDataWithEveryFounderLabelled()
    {
        var bed = SharedData.Require("genotypes/HM3_thinned_autosomal_overlap.bed");
        var data = GenotypeFiles.ReadPlink(bed[..^4]);
        Assert.That((data.NObs, data.NVars), Is.EqualTo((957, 14079)));
        var join = PopulationLabels.Join(data, PopulationLabels.Read(SharedData.Require("genotypes/relationships_w_pops_121708.txt"), LabelFormat.HapMap));
        Assert.That(join.Unlabelled, Is.Empty);
        var col = (SingleCell.Models.Data.CategoricalColumn)data.Obs["population"];
        Assert.That(col.Categories, Has.Length.EqualTo(11));
        Assert.That(col.Codes.Count(c => col.Categories[c] == "MKK"), Is.EqualTo(140));
    }
}
