using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

public class PerturbationTests
{
    [Test]
    public void Parses_condition_labels()
    {
        var p = new ConditionParser();
        Assert.That(p.Parse("ctrl"), Is.Empty);
        Assert.That(p.Parse("non-targeting"), Is.Empty);
        Assert.That(p.Parse("KLF1+ctrl"), Is.EqualTo(new[] { "KLF1" }));
        Assert.That(p.Parse("ctrl+KLF1"), Is.EqualTo(new[] { "KLF1" }));
        Assert.That(p.Parse("SET+KLF1"), Is.EqualTo(new[] { "KLF1", "SET" }));
        Assert.That(new ConditionParser(separators: ['_']).Parse("A_B"), Is.EqualTo(new[] { "A", "B" }));
        Assert.That(ConditionParser.Canonical(["SET", "KLF1"]), Is.EqualTo("KLF1+SET"));
        Assert.That(ConditionParser.Canonical(["A"]), Is.EqualTo("A+ctrl"));
    }

    [Test]
    public void Welch_t_matches_hand_computation()
    {
        // Gene 0: control (1, 2, 3) mean 2 var 1; A (4, 6) mean 5 var 2 → t = 3 / √(2/2 + 1/3) = 3/√(4/3).
        // Gene 1: identical in both groups → t = 0.
        var x = CellMatrix.FromDense([1, 1, 2, 1, 3, 1, 4, 1, 6, 1], 5, 2);
        var d = new PerturbationDataset(x, ["ctrl", "ctrl", "ctrl", "A+ctrl", "A+ctrl"], ["g0", "g1"]);
        Assert.That(d.ControlCells, Is.EqualTo(new[] { 0, 1, 2 }));
        var de = d.RankGenes(k: 1);
        Assert.That(de["A+ctrl"].Scores[0], Is.EqualTo(3 / Math.Sqrt(4.0 / 3)).Within(1e-9));
        Assert.That(de["A+ctrl"].Scores[1], Is.EqualTo(0));
        Assert.That(de["A+ctrl"].TopGenes, Is.EqualTo(new[] { 0 }));
        Assert.That(d.PseudoBulkMeans()["A+ctrl"], Is.EqualTo(new[] { 5.0, 1.0 }));
    }

    [Test]
    public void Gears_dropout_bookkeeping()
    {
        // g0: zero in A, non-zero in ctrl → dropout (ranked first, |t| largest). g1: non-zero in A. g2: zero in both → true zero.
        var x = CellMatrix.FromDense([5, 1, 0, 6, 1, 0, 0, 2, 0, 0, 3, 0], 4, 3);
        var d = new PerturbationDataset(x, ["ctrl", "ctrl", "A+ctrl", "A+ctrl"], ["g0", "g1", "g2"]);
        var r = d.RankGenes(k: 2)["A+ctrl"];
        Assert.That(r.TopGenes[0], Is.EqualTo(0));
        Assert.That(r.NonZeroGenes, Is.EqualTo(new[] { 1 }));
        Assert.That(r.TopNonDropoutGenes, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void Simulation_split_partitions_conditions_by_seen_genes()
    {
        var conds = new[] { "ctrl", "A+ctrl", "B+ctrl", "C+ctrl", "D+ctrl", "A+B", "A+C", "C+D", "B+D", "A+D" };
        var s = PerturbationSplits.Simulation(conds, 0.5, 0.5, seed: 7);
        var again = PerturbationSplits.Simulation(conds, 0.5, 0.5, seed: 7);
        Assert.That(again.Train, Is.EqualTo(s.Train));
        Assert.That(s.TestUnseenSingles, Has.Length.EqualTo(2));
        var seen = new[] { "A", "B", "C", "D" }.Where(g => s.Train.Contains(g + "+ctrl")).ToHashSet();
        Assert.That(seen, Has.Count.EqualTo(2));
        var parser = new ConditionParser();
        foreach (var c in s.TestCombo0Seen) Assert.That(parser.Parse(c).Count(seen.Contains), Is.EqualTo(0));
        foreach (var c in s.TestCombo1Seen) Assert.That(parser.Parse(c).Count(seen.Contains), Is.EqualTo(1));
        Assert.That(s.Train.Concat(s.Test).Order(), Is.EqualTo(conds.Order()));
        Assert.That(s.Train, Does.Contain("ctrl"));
    }

    [Test]
    public void Loader_covers_cells_once_and_drops_last()
    {
        var x = CellMatrix.FromDense(Enumerable.Range(0, 20).Select(i => (float)i).ToArray(), 10, 2);
        var loader = new MiniBatchLoader(x, Enumerable.Range(0, 10).ToArray(), 4, seed: 3,
            obs: new Dictionary<string, float[]> { ["id"] = Enumerable.Range(0, 10).Select(i => (float)i).ToArray() });
        var seen = new List<int>();
        foreach (var b in loader.Epoch())
        {
            for (int i = 0; i < b.Cells.Length; i++)
            {
                Assert.That(b.X[i * 2 + 1], Is.EqualTo(2 * b.Cells[i] + 1));
                Assert.That(b.Obs["id"][i], Is.EqualTo(b.Cells[i]));
            }
            seen.AddRange(b.Cells);
        }
        Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(seen, Is.Not.EqualTo(Enumerable.Range(0, 10)));
        var drop = new MiniBatchLoader(x, Enumerable.Range(0, 10).ToArray(), 4, seed: 3, dropLast: true);
        Assert.That(drop.Epoch().Count(), Is.EqualTo(2));
        var split = PerturbationSplits.ByCell(10, 0.2, 0.3, 1);
        Assert.That(split.Train.Concat(split.Validation).Concat(split.Test).Order(), Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That((split.Validation.Length, split.Test.Length), Is.EqualTo((2, 3)));
    }

    [Test, Category("SharedData")]
    public void Norman_devel_h5ad_dataset()
    {
        var path = SharedData.File("perturbation", "norman2019_mcfaline2023_devel.h5ad");
        var ad = AnnData.Read(path);
        var cond = ad.Obs["condition"];
        var labels = Enumerable.Range(0, cond.Length).Select(cond.GetString).ToArray();
        var d = new PerturbationDataset(ad.X!, labels, ad.Var.Index);
        // README: 5,961 cells × 500 genes, 34 labels, 1,480 double-perturbation cells, control label "control".
        Assert.That((ad.X!.Rows, ad.X.Columns), Is.EqualTo((5961, 500)));
        Assert.That(labels.Distinct().Count(), Is.EqualTo(34));
        Assert.That(d.Perturbations.Count(p => p.Length == 2), Is.EqualTo(1480));
        Assert.That(d.ControlCells, Is.Not.Empty);
        var de = d.RankGenes(20);
        Assert.That(de, Has.Count.EqualTo(33));
        Assert.That(de.Values.All(r => r.TopGenes.Length == 20 && r.TopNonDropoutGenes.Length == 20));
    }
}
