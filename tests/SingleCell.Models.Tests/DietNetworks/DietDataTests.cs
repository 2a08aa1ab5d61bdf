using SingleCell.Models.DietNetworks;

namespace SingleCell.Models.Tests.DietNetworks;

public class DietDataTests
{
    [Test]
    public void NumpyPermutationMatchesNumpy()
    {
        // numpy 1.24: np.random.RandomState(23).permutation(10) and permutation(957)[:10].
        Assert.That(CrossValidationFolds.NumpyPermutation(10, 23), Is.EqualTo(new[] { 5, 8, 2, 9, 4, 7, 1, 0, 6, 3 }));
        Assert.That(CrossValidationFolds.NumpyPermutation(957, 23)[..10], Is.EqualTo(new[] { 112, 756, 404, 690, 892, 755, 647, 853, 539, 63 }));
    }

    [Test]
    public void FoldArithmeticFollowsTheAuthorsSplit()
    {
        var folds = new CrossValidationFolds(957);
        var seen = new HashSet<int>();
        for (int f = 0; f < 5; f++)
        {
            var s = folds.Split(f);
            // Test rows: shuffled positions i with ⌊5i/957⌋ = f; of the other rows in order, int(0.75·r) train.
            int test = Enumerable.Range(0, 957).Count(i => i * 5 / 957 == f);
            Assert.That(s.Test, Has.Length.EqualTo(test));
            Assert.That(s.Train, Has.Length.EqualTo((int)(0.75 * (957 - test))));
            Assert.That(s.Train.Length + s.Validation.Length + s.Test.Length, Is.EqualTo(957));
            Assert.That(s.Train.Concat(s.Validation).Concat(s.Test).Distinct().Count(), Is.EqualTo(957));
            foreach (int r in s.Test) Assert.That(seen.Add(r), Is.True, "test folds overlap");
        }
        Assert.That(folds.Split(0).Test.Take(3), Is.EqualTo(new[] { 112, 756, 404 }), "fold 0 is the first 20 % of the shuffled order");
        Assert.That(folds.Split(0).Test, Has.Length.EqualTo(192));
        Assert.That(folds.Split(0).Train, Has.Length.EqualTo(573));
    }

    [Test]
    public void StandardizationHandlesConstantSnpsAndMissingCalls()
    {
        // SNP 0: 0, 2, 1, missing(=0) → μ = 0.75, σ² = (0+4+1+0)/4 − 0.5625 = 0.6875. SNP 1 constant 1 → σ = 0 → scale 1.
        var g = new GenotypeMatrix(4, 2, [0, 1, 2, 1, 1, 1, -1, 1]);
        var (mean, inv) = Standardization.Fit(g, [0, 1, 2, 3]);
        Assert.That(mean[0], Is.EqualTo(0.75f).Within(1e-6f));
        Assert.That(inv[0], Is.EqualTo((float)(1 / Math.Sqrt(0.6875))).Within(1e-5f));
        Assert.That(inv[1], Is.EqualTo(1f));
        var z = new float[8];
        Standardization.Apply(g, [0, 1, 2, 3], mean, inv, z);
        Assert.That(z[6], Is.EqualTo(z[0]), "a missing call is standardised as genotype 0");
        Assert.That(z[1], Is.EqualTo(0f));
    }

    [Test]
    public void StandardizingABatchMatchesTheFormulaElementByElement()
    {
        // 300 rows × 1,037 SNPs (not a multiple of any vector width, and enough genotypes for the parallel
        // path): every element equals (max(x, 0) − μ)·s computed here one at a time, bit for bit.
        const int n = 300, m = 1037;
        var rng = new Random(5);
        var values = new sbyte[n * m];
        for (int k = 0; k < values.Length; k++) values[k] = (sbyte)(rng.Next(5) - 1 is var v && v > 2 ? 2 : v);
        var g = new GenotypeMatrix(n, m, values);
        var (mean, inv) = Standardization.Fit(g, Enumerable.Range(0, 200).ToArray());
        int[] rows = [.. Enumerable.Range(0, 260).Select(i => (i * 7) % n)];
        var z = new float[rows.Length * m];
        Standardization.Apply(g, rows, mean, inv, z);
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < m; j++)
            {
                int x = Math.Max((int)values[rows[i] * m + j], 0);
                Assert.That(z[i * m + j], Is.EqualTo((x - mean[j]) * inv[j]), $"row {i}, SNP {j}");
            }
    }

    [Test]
    public void HistogramEmbeddingAndColumnNormAgainstHandValues()
    {
        // 4 samples × 2 SNPs; classes 0,0,1,1. SNP 0: 0, 2 | 1, missing(→0). SNP 1: 1, 1 | 2, 2.
        var g = new GenotypeMatrix(4, 2, [0, 1, 2, 1, 1, 2, -1, 2]);
        var e = FeatureEmbeddings.Histogram(g, [0, 1, 2, 3], [0, 0, 1, 1], 2);
        Assert.That(e, Is.EqualTo(new float[]
        {
            0.5f, 0f, 0.5f, 0.5f, 0.5f, 0f,   // SNP 0: class 0 {0,2}, class 1 {1,0}
            0f, 1f, 0f, 0f, 0f, 1f,           // SNP 1: class 0 {1,1}, class 1 {2,2}
        }));
        FeatureEmbeddings.NormalizeColumns(e, 6);
        // Column 0: (0.5, 0) → (1, 0); column 1: (0, 1) → (0, 1); column 4: (0.5, 0) → (1, 0); column 3: (0.5, 0) → (1, 0).
        Assert.That(e, Is.EqualTo(new float[] { 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1 }));
        var h = new float[] { 3, 0, 4, 0 };
        FeatureEmbeddings.NormalizeColumns(h, 2);
        Assert.That(h, Is.EqualTo(new[] { 0.6f, 0f, 0.8f, 0f }), "a zero column stays zero");
    }

    [Test]
    public void MaxNormMatchesLasagneNormConstraint()
    {
        // lasagne: W · clip(‖w‖, 0, c) / (1e-7 + ‖w‖) per output unit.
        var w = new float[] { 3, 4, 0.3f, 0.4f };
        MaxNorm.ApplyRows(w, 2, 1f);
        double s = 1 / (1e-7 + 5);
        Assert.That(w[0], Is.EqualTo((float)(3 * s)).Within(1e-7f));
        Assert.That(w[1], Is.EqualTo((float)(4 * s)).Within(1e-7f));
        Assert.That(w[2], Is.EqualTo(0.3f).Within(1e-6f));
        Assert.That(w[3], Is.EqualTo(0.4f).Within(1e-6f));
    }

    [Test]
    public void RawReaderKeepsMissingCallsAndNames()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "FID IID PAT MAT SEX PHENOTYPE rs1_A rs_2_G\nF1 S1 0 0 1 -9 0 2\nF2 S2 0 0 2 -9 NA 1\n");
            var data = GenotypeFiles.ReadRaw(path);
            Assert.That(data.ObsNames, Is.EqualTo(new[] { "S1", "S2" }));
            Assert.That(data.VarNames, Is.EqualTo(new[] { "rs1", "rs_2" }));
            Assert.That(data.Var[GenotypeFiles.CountedAlleleKey].GetString(1), Is.EqualTo("G"));
            Assert.That(data.X![0, 1], Is.EqualTo(2f));
            Assert.That(float.IsNaN(data.X[1, 0]), Is.True, "NA stays a missing call");
            Assert.That(data.X[1, 1], Is.EqualTo(1f));
            File.WriteAllText(path, "FID IID PAT MAT SEX PHENOTYPE rs1_A\nF1 S1 0 0 1 -9 3\n");
            var e = Assert.Throws<FormatException>(() => GenotypeFiles.ReadRaw(path));
            Assert.That(e!.Message, Does.Contain("line 2").And.Contain("rs1_A"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void LabelJoinReportsUnlabelledSamples()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var hapmap = Path.Combine(dir.FullName, "rel.txt");
            File.WriteAllText(hapmap, "FID\tIID\tdad\tmom\tsex\tpheno\tpopulation\n1\tS1\t0\t0\t1\t0\tYRI\n2\tS3\t0\t0\t1\t0\tCEU\n");
            var panel = Path.Combine(dir.FullName, "panel.txt");
            File.WriteAllText(panel, "sample\tpop\tsuper_pop\tgender\nS1\tGBR\tEUR\tmale\nS2\tCHB\tEAS\tfemale\n");
            var data = new SingleCell.Models.Data.AnnData(SingleCell.Models.Data.CellMatrix.FromDense(new float[6], 3, 2), ["S1", "S2", "S3"], ["a", "b"]);
            var join = PopulationLabels.Join(data, PopulationLabels.Read(hapmap, LabelFormat.HapMap));
            Assert.That(join.Labelled, Is.EqualTo(2));
            Assert.That(join.Unlabelled, Is.EqualTo(new[] { "S2" }));
            Assert.That(data.Obs["population"].GetString(2), Is.EqualTo("CEU"));
            Assert.That(PopulationLabels.Labelled(data).ObsNames, Is.EqualTo(new[] { "S1", "S3" }));
            join = PopulationLabels.Join(data, PopulationLabels.Read(panel, LabelFormat.Panel));
            Assert.That(join.Unlabelled, Is.EqualTo(new[] { "S3" }));
            Assert.That(data.Obs["population"].GetString(1), Is.EqualTo("CHB"));
            Assert.That(PopulationLabels.Read(panel, LabelFormat.Panel, superPopulation: true)["S1"], Is.EqualTo("EUR"));
        }
        finally { dir.Delete(true); }
    }

    [Test]
    public void SimulatorFstMatchesConfiguredValue()
    {
        // One super-population equal to the ancestor (F_s = 0) and 8 populations with F_c = 0.05 under it:
        // the across-population variance of allele frequencies over p̄(1 − p̄) estimates F (ratio of averages),
        // after removing the binomial sampling variance p̂(1 − p̂)/(2n − 1) of each population's estimate.
        const double fst = 0.05;
        var sim = BaldingNicholsSimulator.Simulate(new BaldingNicholsOptions
        {
            PopulationsPerSuperPopulation = [8], SamplesPerPopulation = 300, Snps = 3000, SuperPopulationFst = 0, PopulationFst = fst, MinMaf = 0, Seed = 7,
        });
        int pops = 8, n = 300, m = 3000;
        double num = 0, den = 0;
        var p = new double[pops];
        for (int j = 0; j < m; j++)
        {
            double sampling = 0;
            for (int c = 0; c < pops; c++)
            {
                int s = 0;
                for (int i = 0; i < n; i++) s += sim.Genotypes.Values[(long)(c * n + i) * m + j];
                p[c] = s / (2.0 * n);
                sampling += p[c] * (1 - p[c]) / (2 * n - 1);
            }
            double mean = p.Average();
            double var = p.Sum(x => (x - mean) * (x - mean)) / (pops - 1);
            num += var - sampling / pops;
            den += mean * (1 - mean);
        }
        Assert.That(num / den, Is.EqualTo(fst).Within(0.15 * fst));
        Assert.That(sim.Genotypes.MissingCount(), Is.Zero);
    }

    [Test]
    public void SimulatorIsSeededFiltersMafAndAddsMissingness()
    {
        var o = new BaldingNicholsOptions { PopulationsPerSuperPopulation = [2, 2], SamplesPerPopulation = 20, Snps = 1500, MissingRate = 0.01, Seed = 3 };
        var a = BaldingNicholsSimulator.Simulate(o);
        Assert.That(BaldingNicholsSimulator.Simulate(o).Genotypes.Values, Is.EqualTo(a.Genotypes.Values));
        double missing = (double)a.Genotypes.MissingCount() / a.Genotypes.Values.Length;
        Assert.That(missing, Is.EqualTo(0.01).Within(0.002));
        for (int j = 0; j < a.Genotypes.Snps; j++)
        {
            int alleles = 0, called = 0;
            for (int i = 0; i < a.Genotypes.Samples; i++) { int v = a.Genotypes.Values[i * a.Genotypes.Snps + j]; if (v >= 0) { alleles += v; called += 2; } }
            double f = (double)alleles / called;
            Assert.That(Math.Min(f, 1 - f), Is.GreaterThanOrEqualTo(0.05));
        }
        Assert.That(a.ToAnnData().Obs["super_population"].GetString(79), Is.EqualTo("S2"));
    }
}
