using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.Tests.Data;

public class GuideExampleTests
{
    [Test, Category("SharedData")]
    public void Preprocessing_pipeline_of_the_guide_runs_on_tenx()
    {
        var tenx = TenXMtx.ReadFolder(SharedData.Folder("tenx", "filtered_feature_bc_matrix"));
        var counts = tenx.Counts;
        Preprocessing.ValidateCounts(counts, tenx.Barcodes, tenx.GeneNames);
        var mito = Preprocessing.MitoGenes(tenx.GeneNames);
        var qc = Preprocessing.ComputeQc(counts, mito);
        // Independent check: the total of all cell totals equals the sum of the stored values.
        Assert.That(qc.TotalCounts.Sum(), Is.EqualTo(counts.Values.Sum(v => (double)v)).Within(1e-6));
        counts = counts.SelectRows(Preprocessing.FilterCells(counts, minGenes: 10, maxMitoFraction: 0.2, isMito: mito));
        counts = counts.SelectColumns(Preprocessing.FilterGenes(counts, minCells: 3));
        var (normVar, hvg) = HighlyVariableGenes.SeuratV3(counts, topGenes: 100);
        Assert.That(counts.Columns, Is.LessThan(200));
        Assert.That(hvg, Has.Length.EqualTo(100));
        Assert.That(hvg.Distinct().Count(), Is.EqualTo(100));
        Assert.That(normVar.All(double.IsFinite));
        // Normalised variances of a stabilised fit average near 1 over non-constant genes.
        double meanNorm = normVar.Where(v => v > 0).Average();
        Assert.That(meanNorm, Is.InRange(0.5, 3.0));
        var logNorm = Preprocessing.Log1p(Preprocessing.NormalizeTotal(counts));
        var (_, hvgDisp) = HighlyVariableGenes.Dispersion(logNorm, 100);
        var (normDisp, _) = HighlyVariableGenes.Dispersion(logNorm, 100);
        Assert.That(normDisp.Count(double.IsNaN), Is.EqualTo(0), $"genes {counts.Columns}");
        Assert.That(hvgDisp, Has.Length.EqualTo(100));
        var pca = Pca.Compute(logNorm.SelectColumns(hvg), components: 10, seed: 0);
        for (int c = 1; c < 10; c++) Assert.That(pca.Variance[c], Is.LessThanOrEqualTo(pca.Variance[c - 1] * (1 + 1e-9)));
    }
}
