using SingleCell.Models.Data;
using SingleCell.Models.Svae;

namespace SingleCell.Models.Tests.Svae;

public class SparseShiftSimulationTests
{
    private static readonly SparseShiftSimulationOptions Small = new()
    {
        CellsPerIntervention = 40, Interventions = 12, LatentDimensions = 5, Genes = 50, FirstHeldOutIntervention = 9, Seed = 7,
    };

    // The paper-size default (K = 100 × 250 cells, p = 15, G = 100), generated once for the moment checks.
    private static readonly Lazy<SparseShiftSimulation> Default = new(() => SparseShiftSimulation.Generate());

    [Test]
    public void Shapes_and_anndata_contents()
    {
        var s = SparseShiftSimulation.Generate(Small);
        int n = 480, g = 50, p = 5, k = 12;
        Assert.That(s.CellCount, Is.EqualTo(n));
        Assert.That(s.Counts, Has.Length.EqualTo(n * g));
        Assert.That((s.Latents.GetLength(0), s.Latents.GetLength(1)), Is.EqualTo((n, p)));
        Assert.That((s.PriorMean.GetLength(0), s.PriorMean.GetLength(1)), Is.EqualTo((k, p)));
        Assert.That((s.Frequencies.GetLength(0), s.Frequencies.GetLength(1)), Is.EqualTo((n, g)));
        for (int c = 0; c < k; c++) Assert.That(s.Labels.Count(l => l == c), Is.EqualTo(40));
        Assert.That(s.Labels.Take(40).Distinct().Count(), Is.GreaterThan(1), "cells are shuffled");

        var a = s.Data;
        Assert.That((a.NObs, a.NVars), Is.EqualTo((n, g)));
        Assert.That(a.X!.ToDense(), Is.EqualTo(s.Counts));
        var chem = (CategoricalColumn)a.Obs[SparseShiftSimulation.LabelKey];
        Assert.That(chem.Codes, Is.EqualTo(s.Labels));
        Assert.That(chem.Categories[11], Is.EqualTo("11"));
        var z = a.Obsm[SparseShiftSimulation.LatentKey];
        Assert.That((z.Rows, z.Columns), Is.EqualTo((n, p)));
        Assert.That(z[17, 3], Is.EqualTo((float)s.Latents[17, 3]));
        var prior = (DenseMatrix)a.Uns[SparseShiftSimulation.PriorMeanKey]!;
        Assert.That((prior.Rows, prior.Columns), Is.EqualTo((k, p)));
        Assert.That(prior[4, 2], Is.EqualTo((float)s.PriorMean[4, 2]));

        Assert.That(s.TrainInterventions, Is.EqualTo(Enumerable.Range(0, 9)));
        Assert.That(s.HeldOutInterventions, Is.EqualTo(new[] { 9, 10, 11 }));
        Assert.That(s.TrainCells.Length + s.HeldOutCells.Length, Is.EqualTo(n));
        Assert.That(s.TrainCells.All(i => s.Labels[i] < 9) && s.HeldOutCells.All(i => s.Labels[i] >= 9));
        Assert.That(s.Counts.All(v => v >= 0 && v == MathF.Floor(v)));
    }

    [Test]
    public void Same_seed_same_data_other_seed_other_data()
    {
        var a = SparseShiftSimulation.Generate(Small);
        var b = SparseShiftSimulation.Generate(Small);
        var c = SparseShiftSimulation.Generate(Small with { Seed = 8 });
        Assert.That(b.Counts, Is.EqualTo(a.Counts));
        Assert.That(b.Latents, Is.EqualTo(a.Latents));
        Assert.That(b.Labels, Is.EqualTo(a.Labels));
        Assert.That(c.Counts, Is.Not.EqualTo(a.Counts));
    }

    [Test]
    public void Targets_per_intervention_are_one_to_three_and_duplicates_reduce_them_with_replacement()
    {
        var s = Default.Value;
        for (int c = 0; c < 100; c++)
        {
            int count = Enumerable.Range(0, 15).Count(i => s.Targets[c, i]);
            Assert.That(count, Is.InRange(1, 3));
            for (int i = 0; i < 15; i++) Assert.That(s.PriorMean[c, i] != 0, Is.EqualTo(s.Targets[c, i]));
        }

        // p = 3 makes duplicates frequent: with replacement P(1, 2, 3 distinct) = (13/27, 12/27, 2/27);
        // without replacement each count has probability 1/3.
        var tiny = new SparseShiftSimulationOptions
        {
            CellsPerIntervention = 1, Interventions = 3000, LatentDimensions = 3, Genes = 40, FirstHeldOutIntervention = 3000, Seed = 3,
        };
        void Check(SparseShiftSimulation sim, double[] expected)
        {
            var hist = new int[4];
            for (int c = 0; c < 3000; c++) hist[Enumerable.Range(0, 3).Count(i => sim.Targets[c, i])]++;
            Assert.That(hist[0], Is.Zero);
            for (int t = 1; t <= 3; t++)
            {
                double sd = Math.Sqrt(3000 * expected[t - 1] * (1 - expected[t - 1]));
                Assert.That(hist[t], Is.EqualTo(3000 * expected[t - 1]).Within(5 * sd), $"{t} targets");
            }
        }
        Check(SparseShiftSimulation.Generate(tiny), [13.0 / 27, 12.0 / 27, 2.0 / 27]);
        Check(SparseShiftSimulation.Generate(tiny with { TargetsWithReplacement = false }), [1.0 / 3, 1.0 / 3, 1.0 / 3]);
    }

    [Test]
    public void Prior_means_are_about_five_in_magnitude_with_balanced_signs()
    {
        var s = SparseShiftSimulation.Generate(new SparseShiftSimulationOptions { Interventions = 2000, CellsPerIntervention = 1, FirstHeldOutIntervention = 0, Seed = 5 });
        var nonzero = new List<double>();
        foreach (double v in s.PriorMean) if (v != 0) nonzero.Add(v);
        Assert.That(nonzero.All(v => Math.Abs(v) > 5 - 6 * 0.5 && Math.Abs(v) < 5 + 6 * 0.5));
        int m = nonzero.Count;
        double meanAbs = nonzero.Average(Math.Abs);
        double sdAbs = Math.Sqrt(nonzero.Sum(v => (Math.Abs(v) - meanAbs) * (Math.Abs(v) - meanAbs)) / (m - 1));
        Assert.That(meanAbs, Is.EqualTo(5).Within(5 * 0.5 / Math.Sqrt(m)));
        Assert.That(sdAbs, Is.EqualTo(0.5).Within(0.05));
        int positive = nonzero.Count(v => v > 0);
        Assert.That(positive, Is.EqualTo(m / 2.0).Within(5 * Math.Sqrt(m / 4.0)));
    }

    [Test]
    public void Gene_columns_of_the_frequency_matrix_sum_to_one()
    {
        var s = SparseShiftSimulation.Generate(Small);
        for (int j = 0; j < 50; j++)
        {
            double sum = 0;
            for (int i = 0; i < s.CellCount; i++) { sum += s.Frequencies[i, j]; Assert.That(s.Frequencies[i, j], Is.GreaterThan(0)); }
            Assert.That(sum, Is.EqualTo(1).Within(1e-12), $"gene {j}");
        }
    }

    [Test]
    public void Paper_variant_softmax_rows_sum_to_one_and_libraries_are_1e5()
    {
        var s = SparseShiftSimulation.Generate(SparseShiftSimulationOptions.Paper with { CellsPerIntervention = 5, Interventions = 20, FirstHeldOutIntervention = 16 });
        for (int i = 0; i < s.CellCount; i++)
        {
            double rowSum = 0, library = 0;
            for (int j = 0; j < 100; j++) { rowSum += s.Frequencies[i, j]; library += s.Counts[i * 100 + j]; }
            Assert.That(rowSum, Is.EqualTo(1).Within(1e-12));
            Assert.That(library, Is.EqualTo(1e5).Within(6 * Math.Sqrt(1e5)));
        }
    }

    [Test]
    public void Library_sizes_average_1e6_times_genes_over_cells()
    {
        var s = Default.Value;
        int n = s.CellCount, g = 100;
        var libraries = new double[n];
        double expectedTotal = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < g; j++)
            {
                libraries[i] += s.Counts[i * g + j];
                expectedTotal += 1e6 * s.Frequencies[i, j];
            }
        Assert.That(expectedTotal, Is.EqualTo(1e6 * g).Within(1e-3)); // Σ of column-normalised frequencies = G
        double mean = libraries.Average();
        Assert.That(mean, Is.EqualTo(1e6 * g / n).Within(5 * Math.Sqrt(1e6 * g) / n)); // ≈ 4000 for N = 25,000
        Assert.That(libraries.Min(), Is.GreaterThan(0));
        Array.Sort(libraries);
        double median = libraries[n / 2];
        Assert.That(median, Is.InRange(0.1 * mean, 2 * mean));
    }

    [Test]
    public void Count_distribution_matches_the_reference_code()
    {
        // Bounds around what the numpy version of the code gives over 5 seeds (reference/sparse_shift_summary.py):
        // zeros 0.08–0.12 %, median/mean library 0.95–0.97, q05/mean 0.78–0.83, q95/mean 1.27–1.38, sd of log1p(x) 0.77–0.79.
        // Ours over the same 5 seeds: zeros 0.09–0.16 %, 0.93–0.96, 0.77–0.84, 1.29–1.45, 0.77–0.84 (random streams differ).
        var s = Default.Value;
        int n = s.CellCount, g = 100;
        var libraries = new double[n];
        double zeros = 0, sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < g; j++)
            {
                double v = s.Counts[i * g + j];
                libraries[i] += v;
                if (v == 0) zeros++;
                double l = Math.Log(1 + v);
                sum += l; sumSq += l * l;
            }
        Array.Sort(libraries);
        double mean = libraries.Average(), cells = n * (double)g, logMean = sum / cells;
        Assert.That(zeros / cells, Is.LessThan(0.005));
        Assert.That(libraries[n / 2] / mean, Is.InRange(0.9, 0.99));
        Assert.That(libraries[n / 20] / mean, Is.InRange(0.72, 0.88));
        Assert.That(libraries[n * 19 / 20] / mean, Is.InRange(1.2, 1.55));
        Assert.That(Math.Sqrt(sumSq / cells - logMean * logMean), Is.InRange(0.72, 0.88));
    }

    [Test]
    public void Latents_are_normal_around_their_intervention_mean()
    {
        var s = Default.Value;
        int n = s.CellCount, p = 15;
        var residual = new double[n, p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) residual[i, j] = s.Latents[i, j] - s.PriorMean[s.Labels[i], j];
        for (int j = 0; j < p; j++)
        {
            double mean = 0, m2 = 0, m4 = 0;
            for (int i = 0; i < n; i++) mean += residual[i, j];
            mean /= n;
            for (int i = 0; i < n; i++) { double d = residual[i, j] - mean; m2 += d * d; m4 += d * d * d * d; }
            m2 /= n; m4 /= n;
            Assert.That(mean, Is.EqualTo(0).Within(5 / Math.Sqrt(n)), $"mean of dim {j}");
            Assert.That(m2, Is.EqualTo(1).Within(5 * Math.Sqrt(2.0 / n)), $"variance of dim {j}");
            Assert.That(m4, Is.EqualTo(3).Within(5 * Math.Sqrt(96.0 / n)), $"4th moment of dim {j}");
            for (int k = 0; k < j; k++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += residual[i, j] * residual[i, k];
                Assert.That(c / n, Is.EqualTo(0).Within(5 / Math.Sqrt(n)), $"covariance of dims {k}, {j}");
            }
        }
    }

    [Test]
    public void Decoder_weights_have_scaled_orthonormal_rows()
    {
        var s = SparseShiftSimulation.Generate(Small);
        double gain = Math.Sqrt(2 / (1 + 0.04));
        int[] fanSums = [5 + 40, 80, 80, 40 + 50];
        for (int w = 0; w < 4; w++)
        {
            var m = s.DecoderWeights[w];
            int rows = m.GetLength(0), cols = m.GetLength(1);
            double scale2 = gain * gain * 2.0 / fanSums[w];
            for (int a = 0; a < rows; a++)
                for (int b = 0; b <= a; b++)
                {
                    double dot = 0;
                    for (int j = 0; j < cols; j++) dot += m[a, j] * m[b, j];
                    Assert.That(dot, Is.EqualTo(a == b ? scale2 : 0).Within(1e-12), $"W{w + 1} rows {a}, {b}");
                }
        }
    }

    [Test]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseShiftSimulation.Generate(Small with { FirstHeldOutIntervention = 13 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseShiftSimulation.Generate(Small with { TargetsWithReplacement = false, MaxTargets = 6 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparseShiftSimulation.Generate(Small with { Genes = 0 }));
    }
}
