using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.Tests.Data;

public class PreprocessingTests
{
    private static readonly CellMatrix s_counts = CellMatrix.FromDense([1, 0, 3, 0, 0, 0, 0, 0, 2, 2, 0, 4], 3, 4);

    [Test]
    public void Qc_metrics_match_hand_computation()
    {
        var qc = Preprocessing.ComputeQc(s_counts, [false, false, true, false]);
        Assert.That(qc.TotalCounts, Is.EqualTo(new double[] { 4, 0, 8 }));
        Assert.That(qc.GenesDetected, Is.EqualTo(new[] { 2, 0, 3 }));
        Assert.That(qc.MitoFraction, Is.EqualTo(new[] { 0.75, 0, 0 }));
        Assert.That(Preprocessing.FilterCells(s_counts, minGenes: 1), Is.EqualTo(new[] { 0, 2 }));
        Assert.That(Preprocessing.FilterGenes(s_counts, minCells: 2), Is.EqualTo(new[] { 0 }));
    }

    [Test]
    public void NormalizeTotal_median_and_log1p()
    {
        // Non-empty totals 4 and 8: median 6. Row 0 → (1.5, 0, 4.5, 0); row 2 → (1.5, 1.5, 0, 3).
        var n = Preprocessing.NormalizeTotal(s_counts);
        Assert.That(n.ToDense(), Is.EqualTo(new float[] { 1.5f, 0, 4.5f, 0, 0, 0, 0, 0, 1.5f, 1.5f, 0, 3 }).Within(1e-6f));
        var l = Preprocessing.Log1p(Preprocessing.NormalizeTotal(s_counts, 1e4));
        Assert.That(l[0, 0], Is.EqualTo(MathF.Log(1 + 2500f)).Within(1e-5f));
    }

    [Test]
    public void ValidateCounts_names_first_offending_cell_and_gene()
    {
        var m = CellMatrix.FromDense([1, 0, 2.5f, 0, -1, 0], 2, 3);
        var ex = Assert.Throws<ArgumentException>(() => Preprocessing.ValidateCounts(m, ["c0", "c1"], ["g0", "g1", "g2"]));
        Assert.That(ex!.Message, Does.Contain("'c0'").And.Contain("'g2'").And.Contain("2.5"));
        Assert.DoesNotThrow(() => Preprocessing.ValidateCounts(s_counts));
    }

    [Test]
    public void Dominant_guide_with_threshold_and_ties()
    {
        var g = CellMatrix.FromDense([8, 2, 0, 7, 3, 0, 0, 0, 0, 2, 2, 0], 4, 3);
        Assert.That(GuideAssignment.AssignDominant(g, 0.8), Is.EqualTo(new[] { 0, -1, -1, -1 }));
    }

    [Test, Category("SharedData")]
    public void Papalexi_low_moi_assignment_matches_readme()
    {
        string dir = SharedData.Folder("perturbation", "papalexi2021_lowmoi");
        var cellsByGuides = MatrixMarket.Read(Path.Combine(dir, "grna_matrix.mtx.gz")).Transpose();
        var ids = TenXMtx.ReadLines(Path.Combine(dir, "grna_ids.tsv"));
        var targets = GuideAssignment.ReadGuideTargets(Path.Combine(dir, "grna_target_data_frame.tsv"));
        var assigned = GuideAssignment.AssignDominant(cellsByGuides, 0.8);
        var t = GuideAssignment.Targets(assigned, ids, targets);
        Assert.That(t.Count(x => x != null), Is.EqualTo(16192));
        var byTarget = t.Where(x => x != null).GroupBy(x => x!).ToDictionary(x => x.Key, x => x.Count());
        Assert.That(byTarget["non-targeting"], Is.EqualTo(1923));
        Assert.That(byTarget["IFNGR1"], Is.EqualTo(1064));
        Assert.That(byTarget["IFNGR2"], Is.EqualTo(973));
        Assert.That(byTarget["IRF1"], Is.EqualTo(900));
    }
}
