using SingleCell.Models.DietNetworks;
using SingleCell.Models.NN;
using SingleCell.Models.Tensors;
using SingleCell.Models.Tests.Tensors;

namespace SingleCell.Models.Tests.DietNetworks;

public class Snp2VecTests
{
    [Test]
    public void BitsEncodeEachSnpAsTwoBitsPerSample()
    {
        // Samples × SNPs: s0 = [0, 1, 2], s1 = [2, missing, 1]; rows in the order s1, s0.
        var g = new GenotypeMatrix(2, 3, [0, 1, 2, 2, -1, 1]);
        var bits = Snp2Vec.Bits(g, [1, 0]);
        // SNP j: [x=2, x≥1] of s1, then of s0.
        Assert.That(bits, Is.EqualTo(new byte[]
        {
            1, 1, 0, 0, // SNP 0: s1 = 2, s0 = 0
            0, 0, 0, 1, // SNP 1: s1 missing (as 0), s0 = 1
            0, 1, 1, 1, // SNP 2: s1 = 1, s0 = 2
        }));
    }

    [Test]
    public void LossIsBinaryCrossEntropyOfTheCleanBitsAndItsGradientMatchesFiniteDifferences()
    {
        var module = new Snp2Vec.Snp2VecModule(inputs: 6, units: 3, seed: 4);
        var clean = Tensor.FromArray([1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1], 3, 6);
        var noisy = Tensor.FromArray([1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 1], 3, 6);
        // Independent value: −mean[x log σ(z) + (1 − x) log(1 − σ(z))] in double from the decoder's logits.
        float[] z;
        using (Tensor.NoGrad()) z = module.Decoder.Forward(module.Encode(noisy)).ToArray();
        var x = clean.ToArray();
        double expected = 0;
        for (int i = 0; i < z.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(-z[i]));
            expected -= x[i] * Math.Log(s) + (1 - x[i]) * Math.Log(1 - s);
        }
        expected /= z.Length;
        Assert.That(module.Loss(noisy, clean).Item(), Is.EqualTo(expected).Within(1e-5));

        var encoderIn = ((Linear)module.Encoder.NamedChildren()[0].Value).Weight;
        var encoderOut = ((Linear)module.Encoder.NamedChildren()[2].Value).Weight;
        var decoderOut = ((Linear)module.Decoder.NamedChildren()[2].Value).Weight;
        GradCheck.Check("snp2vec bce", _ => module.Loss(noisy, clean), [encoderIn, encoderOut, decoderOut], h: 1e-3, rtol: 1e-2, atol: 1e-3);
    }

    [Test]
    public void TrainingLowersTheLossBelowTheBitFrequencyBaselineAndIsSeeded()
    {
        var sim = BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions
        {
            PopulationsPerSuperPopulation = [2, 2], SamplesPerPopulation = 15, Snps = 800, SuperPopulationFst = 0.1, PopulationFst = 0.05, Seed = 7,
        });
        var rows = Enumerable.Range(0, 40).ToArray();
        var result = Snp2Vec.Fit(sim.Genotypes, rows, units: 16, epochs: 30, seed: 3);
        Assert.That(result.Codes, Has.Length.EqualTo(800 * 16));
        Assert.That(result.Codes.All(float.IsFinite));
        var bce = result.History!.Series("bce_train");
        Assert.That(bce, Has.Count.EqualTo(30));
        TestContext.Out.WriteLine($"bce epoch 1 {bce[0]:F4}, epoch 30 {bce[^1]:F4}");
        Assert.That(bce[^1], Is.LessThan(0.8 * bce[0]), "the denoising loss falls");

        // Independent baseline: predicting every bit position by its frequency over the SNPs costs the mean
        // binary entropy of those frequencies; reading the unmasked bits of a SNP must do better than that.
        var bits = Snp2Vec.Bits(sim.Genotypes, rows);
        int width = 2 * rows.Length;
        double baseline = 0;
        for (int k = 0; k < width; k++)
        {
            double p = 0;
            for (int j = 0; j < 800; j++) p += bits[j * width + k];
            p /= 800;
            if (p > 0 && p < 1) baseline -= p * Math.Log(p) + (1 - p) * Math.Log(1 - p);
        }
        baseline /= width;
        TestContext.Out.WriteLine($"bit-frequency baseline {baseline:F4}");
        Assert.That(bce[^1], Is.LessThan(baseline));

        Assert.That(Snp2Vec.Fit(sim.Genotypes, rows, units: 16, epochs: 30, seed: 3).Codes, Is.EqualTo(result.Codes), "same seed, same codes");
        Assert.That(Snp2Vec.Fit(sim.Genotypes, rows, units: 16, epochs: 30, seed: 4).Codes, Is.Not.EqualTo(result.Codes));
    }
}
