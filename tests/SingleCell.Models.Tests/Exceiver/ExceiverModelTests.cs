using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Exceiver;

public class ExceiverModelTests
{
    internal static readonly ExceiverOptions Tiny = new() { Latents = 8, Layers = 1, FeedForward = 32, Seed = 5 };

    private static TrainerOptions Quick(int epochs) => new()
    {
        MaxEpochs = epochs, BatchSize = 16, LearningRate = 3e-3, Scheduler = SchedulerOptions.WarmupThenConstant(5, 0.2), EarlyStopping = false,
    };

    [TestCase(KeyPadding.Exclude)]
    [TestCase(KeyPadding.Additive)]
    public void Packed_encoder_matches_dense_multihead_attention_with_masks(KeyPadding padding)
    {
        var values = ExceiverPreprocessing.Prepare(ExceiverTestData.Counts(5, 12), ExceiverTestData.Counts(5, 12).VarNames, null, new ExceiverOptions()).Values;
        var module = new ExceiverModule(12, 0, Tiny with { KeyPadding = padding });
        var (mean, scale) = ExceiverPreprocessing.FitScaler(values, [0, 1, 2, 3, 4]);
        int[] rows = [0, 1, 4];
        var packed = ExceiverBatch.Build(values, rows, mean, scale, 10f, padding, 0, null);
        var emb = module.GeneEmbedding.Weight.Value;
        int n = packed.KeyIds.Length;
        var fused = module.Encoder.ForwardPacked(module.LatentQueries,
            Tensor.Embedding(emb, packed.KeyIds, [n], 12) * Tensor.FromArray(packed.KeyValues, n, 1), packed.Offsets, packed.KeyBias);

        // Dense reference: every gene a key ([B, G, d]), PyTorch-style masks through MultiheadAttention.
        var all = ExceiverBatch.Build(values, rows, mean, scale, 10f, KeyPadding.Additive, 0, null);
        var kv = Tensor.Embedding(emb, all.KeyIds, [3, 12], 12) * Tensor.FromArray(all.KeyValues, 3, 12, 1);
        bool[,]? mask = null; Tensor? bias = null;
        if (padding == KeyPadding.Exclude)
        {
            mask = new bool[3, 12];
            for (int i = 0; i < 36; i++) mask[i / 12, i % 12] = all.KeyBias![i] == 1f;
        }
        else bias = Tensor.FromArray(all.KeyBias!, 3, 12);
        var query = module.LatentQueries.Value.Unsqueeze(0) + Tensor.Zeros(3, Tiny.Latents, Tiny.LatentDim);
        var dense = module.Encoder.Forward(query, kv, mask, bias);
        TensorAssert.Close(fused, dense, 1e-4, 1e-5, $"encoder ({padding})");
    }

    [TestCase(KeyPadding.Exclude)]
    [TestCase(KeyPadding.Additive)]
    public void A_few_epochs_on_a_tiny_dataset_lower_the_loss(KeyPadding padding)
    {
        var model = ExceiverModel.Create(ExceiverTestData.Counts(120, 40), options: Tiny with { KeyPadding = padding });
        var h = model.Fit(Quick(12));
        var train = h.Series("mse_train"); var val = h.Series("mse_validation");
        Assert.That(model.MaskCount, Is.GreaterThan(0));
        Assert.That(train[^1], Is.LessThan(0.8 * train[0]), $"train MSE {string.Join(", ", train.Select(v => v.ToString("F3")))}");
        Assert.That(val.Min(), Is.LessThan(val[0]), "validation MSE improves");
        var e = model.Evaluate(ExceiverTestData.Counts(40, 40, seed: 9));
        Assert.That(e["mse"], Is.LessThan(e["mse_gene_mean"]), "below predicting each gene's training mean");
    }

    [Test]
    public void Cells_with_too_few_detected_genes_are_left_out_and_reported()
    {
        var data = ExceiverTestData.Counts(40, 40);
        var dense = data.X!.ToDense();
        for (int j = 2; j < 40; j++) dense[0 * 40 + j] = dense[1 * 40 + j] = 0;   // cells 0 and 1: at most 2 genes
        var sparse = new AnnData(CellMatrix.FromDense(dense, 40, 40), data.ObsNames, data.VarNames);
        var model = ExceiverModel.Create(sparse, options: Tiny);
        model.Fit(Quick(1));
        Assert.That(model.ExcludedCells, Is.EquivalentTo(new[] { 0, 1 }));
    }

    [Test]
    public void Save_and_load_keep_vocabulary_scaler_mask_count_and_outputs()
    {
        var data = ExceiverTestData.Counts(60, 24);
        var model = ExceiverModel.Create(data, options: Tiny);
        model.Fit(Quick(2));
        var path = Path.Combine(Path.GetTempPath(), $"exceiver-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            var loaded = ExceiverModel.Load(path);
            Assert.That(loaded.GeneNames, Is.EqualTo(model.GeneNames));
            Assert.That(loaded.MaskCount, Is.EqualTo(model.MaskCount));
            Assert.That(loaded.Module.ScalerMean.ToArray(), Is.EqualTo(model.Module.ScalerMean.ToArray()));
            Assert.That(loaded.Module.ScalerScale.ToArray(), Is.EqualTo(model.Module.ScalerScale.ToArray()));
            Assert.That(loaded.GetLatentRepresentation(data).Values, Is.EqualTo(model.GetLatentRepresentation(data).Values));
            Assert.That(loaded.GetLatentRepresentation(data, CellEmbedding.Mean).Columns, Is.EqualTo(4));
            Assert.That(loaded.GetGeneEmbeddings(["g3"]).Values, Is.EqualTo(model.GetGeneEmbeddings().Row(3).ToArray()));
            Assert.That(loaded.Evaluate(data)["mse"], Is.EqualTo(model.Evaluate(data)["mse"]));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Fine_tuned_classifier_keeps_pretrained_weights_and_predicts_probabilities()
    {
        var data = ExceiverTestData.Counts(80, 24);
        var pre = ExceiverModel.Create(data, options: Tiny);
        pre.Fit(Quick(2));
        var clf = ExceiverModel.FineTune(pre, data, ExceiverTestData.TypeKey);
        Assert.That(clf.Classes, Is.EqualTo(new[] { "A", "B" }));
        Assert.That(clf.MaskCount, Is.EqualTo(pre.MaskCount));
        Assert.That(clf.GetLatentRepresentation(data).Values, Is.EqualTo(pre.GetLatentRepresentation(data).Values), "same encoder before fine-tuning");
        var h = clf.Fit(Quick(25) with { BatchSize = 8 });
        Assert.That(h.Keys, Does.Contain("cross_entropy_train"));
        TestContext.Out.WriteLine("CE: " + string.Join(", ", h.Series("cross_entropy_train").Select(v => v.ToString("F3"))));
        var p = clf.PredictProbabilities(data);
        for (int i = 0; i < p.Rows; i++) Assert.That(p.Row(i).ToArray().Sum(), Is.EqualTo(1f).Within(1e-5));
        Assert.That(clf.Evaluate(data)["accuracy"], Is.GreaterThan(0.9), "two well-separated types");
        Assert.Throws<InvalidOperationException>(() => pre.PredictProbabilities(data));
    }

    [Test]
    public void Released_configuration_has_the_checkpoint_parameter_counts()
    {
        // Spec §2.4: per self-attention layer 18,532; per cross-attention block 152; head 15; Q0 512; E (G+1)·4.
        var m = new ExceiverModule(100, 0, new ExceiverOptions());
        long Count(SingleCell.Models.NN.Module x) => x.NamedParameters().Sum(p => p.Value.Size);
        Assert.That(Count(m.Process[0]), Is.EqualTo(18_532));
        Assert.That(Count(m.Encoder), Is.EqualTo(152));
        Assert.That(Count(m.Decoder), Is.EqualTo(152));
        Assert.That(Count(m.HeadNorm) + Count(m.HeadLinear1) + Count(m.HeadLinear2), Is.EqualTo(15));
        Assert.That(m.LatentQueries.Size, Is.EqualTo(512));
        Assert.That(m.Process[7].Linear1.Weight.Value.ToArray(), Is.EqualTo(m.Process[0].Linear1.Weight.Value.ToArray()), "layers start identical");
        Assert.That(m.GeneEmbedding.Weight.Value.ToArray().Skip(400).Take(4), Is.All.EqualTo(0f), "mask token row is zero");
    }
}
