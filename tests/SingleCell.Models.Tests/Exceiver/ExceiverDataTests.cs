using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Modeling;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Exceiver;

public class ExceiverDataTests
{
    private static CellMatrix WithDetected(params int[] detected)
    {
        int g = detected.Max();
        var dense = new float[detected.Length * g];
        for (int c = 0; c < detected.Length; c++)
            for (int j = 0; j < detected[c]; j++) dense[c * g + j] = 1 + j % 4;
        return CellMatrix.FromDense(dense, detected.Length, g);
    }

    [TestCase(new[] { 10, 20, 40 }, 0.15, 3)]     // median 20
    [TestCase(new[] { 10, 21 }, 0.15, 2)]         // median 15.5 (mean of the middle two) → 2.325
    [TestCase(new[] { 3, 5, 8, 10 }, 0.15, 0)]    // median 6.5 → 0.975
    [TestCase(new[] { 1800, 200, 700 }, 0.15, 105)]
    public void Mask_count_is_floor_of_fraction_times_median_detected(int[] detected, double fraction, int expected) =>
        Assert.That(ExceiverPreprocessing.MaskCount(WithDetected(detected), Enumerable.Range(0, detected.Length).ToArray(), fraction), Is.EqualTo(expected));

    [Test]
    public void Masking_draws_distinct_detected_genes_uniformly()
    {
        // One cell, 20 genes, genes 0, 2, 4, … 18 detected.
        var dense = new float[20];
        for (int j = 0; j < 20; j += 2) dense[j] = j + 1;
        var m = CellMatrix.FromDense(dense, 1, 20);
        var mean = Enumerable.Range(0, 20).Select(j => 0.5f * j).ToArray();
        var scale = Enumerable.Repeat(2f, 20).ToArray();
        var gen = new Generator(3);
        var hits = new int[20];
        const int draws = 4000, masked = 3;
        for (int t = 0; t < draws; t++)
        {
            var b = ExceiverBatch.Build(m, [0], mean, scale, 10f, KeyPadding.Exclude, masked, gen);
            Assert.That(b.MaskIds.Distinct().Count(), Is.EqualTo(masked));
            for (int k = 0; k < masked; k++)
            {
                int gene = b.MaskIds[k];
                Assert.That(gene % 2, Is.EqualTo(0), "only detected genes are masked");
                Assert.That(b.Targets[k], Is.EqualTo(ExceiverPreprocessing.Standardize(gene + 1, mean[gene], scale[gene], 10f)));
                int key = gene / 2;   // packed keys are the detected genes in order
                Assert.That((b.KeyIds[key], b.KeyValues[key]), Is.EqualTo((20, 1f)), "masked keys carry the mask token and value 1");
                hits[gene]++;
            }
            Assert.That(b.KeyIds.Count(id => id == 20), Is.EqualTo(masked));
        }
        // Each detected gene is masked with probability 3/10; binomial sd over 4000 draws ≈ 29.
        for (int j = 0; j < 20; j += 2) Assert.That(hits[j], Is.EqualTo(draws * 0.3).Within(5 * 29), $"gene {j}");
    }

    [Test]
    public void Batches_exclude_and_additive_layouts()
    {
        var m = CellMatrix.FromDense([0, 2, 0, 5, 1, 0, 0, 0, 3, 0, 0, 7], 3, 4);
        float[] mean = [0.1f, 0.2f, 0.3f, 0.4f], scale = [1f, 2f, 0.5f, 1f];
        var ex = ExceiverBatch.Build(m, [0, 2], mean, scale, 10f, KeyPadding.Exclude, 0, null);
        Assert.That(ex.Offsets, Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(ex.KeyIds, Is.EqualTo(new[] { 1, 3, 0, 3 }));
        Assert.That(ex.KeyBias, Is.Null);
        Assert.That(ex.KeyValues[1], Is.EqualTo((5 - 0.4f) / 1f + 1f));
        var add = ExceiverBatch.Build(m, [0], mean, scale, 10f, KeyPadding.Additive, 0, null);
        Assert.That(add.KeyIds, Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(add.KeyBias, Is.EqualTo(new[] { 1f, 0f, 1f, 0f }));
        Assert.That(add.KeyValues[2], Is.EqualTo((0 - 0.3f) / 0.5f + 1f), "zero-count genes carry their standardised zero");
    }

    [Test]
    public void Detected_mean_baseline_averages_each_genes_detected_values_over_the_training_cells()
    {
        // 4 cells × 3 genes; gene 2 is never detected among the training rows {0, 1, 2}; row 3 is not a training row.
        var values = CellMatrix.FromDense([
            1f, 0f, 0f,
            3f, 2f, 0f,
            0f, 4f, 0f,
            9f, 9f, 9f], 4, 3);
        float[] mean = [0.5f, 1f, 0f], scale = [2f, 1f, 1f];
        var dm = ExceiverTrainingPlan.DetectedMeans(values, [0, 1, 2], mean, scale, clip: 2.5f);
        // gene 0: ((1 − 0.5)/2 + 1 + (3 − 0.5)/2 + 1) / 2 = (1.25 + 2.25) / 2 = 1.75
        // gene 1: (min((2 − 1)/1, 2.5) + 1 + min((4 − 1)/1, 2.5) + 1) / 2 = (2 + 3.5) / 2 = 2.75 (the second clipped)
        // gene 2: never detected → 1, the gene's overall mean in standardised units
        Assert.That(dm, Is.EqualTo(new[] { 1.75f, 2.75f, 1f }).Within(1e-6f));
    }

    [Test]
    public void Scaler_fits_population_moments_and_round_trips()
    {
        var m = CellMatrix.FromDense([1, 0, 2, 3, 0, 0, 5, 1, 4], 3, 3);
        var (mean, scale) = ExceiverPreprocessing.FitScaler(m, [0, 1, 2]);
        double[][] cols = [[1, 3, 5], [0, 0, 1], [2, 0, 4]];
        for (int j = 0; j < 3; j++)
        {
            double mu = cols[j].Average(), sd = Math.Sqrt(cols[j].Select(x => (x - mu) * (x - mu)).Average());
            Assert.That(mean[j], Is.EqualTo(mu).Within(1e-6));
            Assert.That(scale[j], Is.EqualTo(sd).Within(1e-6));
        }
        var constant = ExceiverPreprocessing.FitScaler(CellMatrix.FromDense([2, 2], 2, 1), [0, 1]);
        Assert.That(constant.Scale[0], Is.EqualTo(1f), "zero deviation becomes 1, as scikit-learn");
        foreach (float x in new[] { 0f, 0.7f, 3.2f })
        {
            float v = ExceiverPreprocessing.Standardize(x, mean[0], scale[0], 10f);
            Assert.That(ExceiverPreprocessing.Unstandardize(v, mean[0], scale[0]), Is.EqualTo(x).Within(1e-5));
        }
        Assert.That(ExceiverPreprocessing.Standardize(100f, 0f, 1f, 10f), Is.EqualTo(11f), "clip at 10, then + 1");
    }

    [Test]
    public void Counts_are_detected_and_normalised_once()
    {
        var counts = ExceiverTestData.Counts(10, 8);
        var opts = new ExceiverOptions();
        var fromCounts = ExceiverPreprocessing.Prepare(counts, counts.VarNames, null, opts);
        Assert.That(fromCounts.Detected, Is.EqualTo(InputScale.Counts));
        // log1p(x · 1e4 / total) by hand for one entry.
        var x = counts.X!;
        int r = 3; double total = x.RowValues(r).ToArray().Sum(v => (double)v);
        int j = x.RowIndices(r)[0];
        Assert.That(fromCounts.Values[r, j], Is.EqualTo(Math.Log(1 + x[r, j] * 1e4 / total)).Within(1e-5));
        // The log-normalised matrix given back is used as it is (not normalised again).
        var logn = new AnnData(fromCounts.Values, counts.ObsNames, counts.VarNames);
        var again = ExceiverPreprocessing.Prepare(logn, counts.VarNames, null, opts);
        Assert.That(again.Detected, Is.EqualTo(InputScale.LogNormalized));
        Assert.That(again.Values.Values, Is.EqualTo(fromCounts.Values.Values));
        var scaled = new AnnData(CellMatrix.FromDense([-0.5f, 1f], 1, 2), ["c"], ["a", "b"]);
        Assert.Throws<DataSchemaException>(() => ExceiverPreprocessing.Prepare(scaled, ["a", "b"], null, opts));
    }

    [Test]
    public void Genes_are_matched_by_name_with_unknown_and_missing_counted()
    {
        var data = new AnnData(CellMatrix.FromDense([1, 2, 3, 4, 0, 6], 2, 3), ["c0", "c1"], ["B", "X", "A"]);
        string[] vocab = ["A", "B", "C"];
        var input = ExceiverPreprocessing.Prepare(data, vocab, null, new ExceiverOptions());
        Assert.That((input.UnknownGenes, input.MissingGenes), Is.EqualTo((1, 1)));
        Assert.That(input.Values[0, 0], Is.EqualTo(MathF.Log(1 + 3 * 1e4f / 6)).Within(1e-4), "gene A moved to column 0");
        Assert.That(input.Values[1, 2], Is.EqualTo(0f), "missing gene C is not detected");
        Assert.Throws<DataSchemaException>(() => ExceiverPreprocessing.Prepare(data, vocab, null, new ExceiverOptions { RequireAllGenes = true }));
        Assert.Throws<DataSchemaException>(() => ExceiverPreprocessing.Prepare(data, ["Q"], null, new ExceiverOptions()));
        Assert.That(ExceiverPreprocessing.Vocabulary([data, new AnnData(CellMatrix.FromDense([1], 1, 1), ["c"], ["C"])]), Is.EqualTo(new[] { "B", "X", "A", "C" }));
    }
}
