using SingleCell.Models.Graphs;

namespace SingleCell.Models.Tests.Graphs;

public class GoGraphTests
{
    [Test]
    public void Jaccard_threshold_and_top_k_on_a_toy_annotation()
    {
        var ann = GeneAnnotations.FromPairs(new[]
        {
            ("A", 1), ("A", 2), ("A", 3), ("A", 3),
            ("B", 2), ("B", 3), ("B", 4),
            ("C", 9),
            ("D", 1), ("D", 5), ("D", 6), ("D", 7), ("D", 8), ("D", 10), ("D", 11), ("D", 12), ("D", 13), ("D", 14),
        });
        Assert.That(ann.Jaccard("A", "B"), Is.EqualTo(0.5));
        Assert.That(ann.Jaccard("A", "D"), Is.EqualTo(1.0 / 12)); // ≤ 0.1: dropped
        var g = GoGraphBuilder.Build(ann);
        Assert.That(g.EdgeWeight(g.IndexOf("A"), g.IndexOf("B")), Is.EqualTo(0.5f));
        Assert.That(g.EdgeWeight(g.IndexOf("B"), g.IndexOf("A")), Is.EqualTo(0.5f));
        Assert.That(g.HasEdge(g.IndexOf("A"), g.IndexOf("D")), Is.False);
        Assert.That(g.EdgeWeight(g.IndexOf("C"), g.IndexOf("C")), Is.EqualTo(1f), "self-loop w = 1");
        var top0 = GoGraphBuilder.Build(ann, options: new GoGraphOptions(NeighborsPerGene: 0));
        Assert.That(top0.EdgeCount, Is.EqualTo(4), "k = 0 keeps only the self-loops");
    }

    [TestCase(1, 0.1), TestCase(2, 0.1), TestCase(3, 0.1), TestCase(4, 0.3), TestCase(5, 0.05), TestCase(6, 0.0), TestCase(7, 0.5)]
    public void Prefix_filtered_build_equals_all_pairs_reference(int seed, double threshold)
    {
        var rng = new Random(seed);
        var pairs = new List<(string, int)>();
        for (int gi = 0; gi < 150; gi++)
        {
            int size = 1 + rng.Next(rng.Next(2) == 0 ? 4 : 40);
            for (int k = 0; k < size; k++) pairs.Add(($"G{gi}", rng.Next(60) < 30 ? rng.Next(5) : rng.Next(200)));
        }
        var ann = GeneAnnotations.FromPairs(pairs);
        var g = GoGraphBuilder.Build(ann, options: new GoGraphOptions(threshold, NeighborsPerGene: 5));
        int n = ann.Count;
        for (int t = 0; t < n; t++)
        {
            var expected = Enumerable.Range(0, n)
                .Select(s => (s, w: ann.Jaccard(ann.Genes[s], ann.Genes[t])))
                .Where(x => x.w > threshold).OrderByDescending(x => x.w).ThenBy(x => x.s).Take(6)
                .OrderBy(x => x.s).ToArray();
            int node = g.IndexOf(ann.Genes[t]);
            var got = g.InNeighbors(node).ToArray().Select(s => ann.IndexOf(g.Genes[s])).ToArray();
            Assert.That(got.OrderBy(x => x), Is.EqualTo(expected.Select(x => x.s)), $"target {ann.Genes[t]}");
        }
    }

    [TestCase(11, 0.1), TestCase(12, 0.1), TestCase(13, 0.2), TestCase(14, 0.05), TestCase(15, 0.0), TestCase(16, 0.4)]
    public void Build_with_more_terms_than_the_frequent_term_masks_equals_all_pairs_reference(int seed, double threshold)
    {
        // Over 256 distinct terms, so a target's suffix mixes terms intersected by binary search and
        // terms intersected by the frequent-term bit masks; skewed frequencies and set sizes up to
        // 120, so the size, prefix and positional filters all cut; weights compared exactly.
        var rng = new Random(seed);
        var pairs = new List<(string, int)>();
        for (int gi = 0; gi < 300; gi++)
        {
            int size = 1 + rng.Next(rng.Next(3) == 0 ? 120 : 15);
            for (int k = 0; k < size; k++)
            {
                int r = rng.Next(100);
                pairs.Add(($"G{gi}", r < 40 ? rng.Next(20) : r < 70 ? 20 + rng.Next(300) : 320 + rng.Next(700)));
            }
        }
        var ann = GeneAnnotations.FromPairs(pairs);
        var g = GoGraphBuilder.Build(ann, options: new GoGraphOptions(threshold, NeighborsPerGene: 7));
        int n = ann.Count;
        for (int t = 0; t < n; t++)
        {
            var expected = Enumerable.Range(0, n)
                .Select(s => (s, w: ann.Jaccard(ann.Genes[s], ann.Genes[t])))
                .Where(x => x.w > threshold).OrderByDescending(x => x.w).ThenBy(x => x.s).Take(8)
                .OrderBy(x => x.s).ToArray();
            int node = g.IndexOf(ann.Genes[t]);
            var got = g.InNeighbors(node).ToArray().Select(s => ann.IndexOf(g.Genes[s])).ToArray();
            Assert.That(got.OrderBy(x => x), Is.EqualTo(expected.Select(x => x.s)), $"target {ann.Genes[t]}");
            var weights = g.InNeighbors(node).ToArray().Zip(g.InWeights(node).ToArray())
                .OrderBy(x => ann.IndexOf(g.Genes[x.First])).Select(x => x.Second);
            Assert.That(weights, Is.EqualTo(expected.Select(x => (float)x.w)), $"weights of target {ann.Genes[t]}");
        }
    }

    [Test]
    public void Genes_without_annotations_are_left_out_and_order_follows_the_list()
    {
        var ann = GeneAnnotations.FromPairs(new[] { ("A", 1), ("B", 1) });
        var g = GoGraphBuilder.Build(ann, new[] { "B", "X", "A" });
        Assert.That(g.Genes, Is.EqualTo(new[] { "B", "A" }));
    }

    [Test]
    public void Obo_and_gaf_readers_and_propagation()
    {
        var obo = Path.GetTempFileName();
        var gaf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(obo, "format-version: 1.2\n\n[Term]\nid: GO:0000001\nname: root\nnamespace: biological_process\n\n[Term]\nid: GO:0000002\nname: child\nis_a: GO:0000001 ! root\n\n[Term]\nid: GO:0000003\nname: part\nrelationship: part_of GO:0000002 ! child\nrelationship: regulates GO:0000009\n\n[Typedef]\nid: part_of\n");
            File.WriteAllText(gaf, "!gaf-version: 2.2\nUniProtKB\tP1\tG1\tenables\tGO:0000003\tPMID:1\tIDA\t\tF\t\t\tprotein\ttaxon:9606\t20200101\tX\t\t\nUniProtKB\tP2\tG2\tNOT|enables\tGO:0000002\tPMID:1\tIDA\t\tF\t\t\tprotein\ttaxon:9606\t20200101\tX\t\t\n");
            var go = GeneOntology.ReadObo(obo);
            Assert.That(go.Count, Is.EqualTo(3));
            Assert.That(go.Name(2), Is.EqualTo("child"));
            Assert.That(go.Parents(3), Does.Contain((2, "part_of")));
            Assert.That(go.Ancestors(3), Is.EquivalentTo(new[] { 1, 2 }));
            var ann = AnnotationReaders.ReadGaf(gaf);
            Assert.That(ann.Genes, Is.EqualTo(new[] { "G1" }), "NOT annotations are skipped");
            var prop = go.Propagate(ann);
            Assert.That(prop.Terms("G1").ToArray(), Is.EqualTo(new[] { 1, 2, 3 }));
        }
        finally { File.Delete(obo); File.Delete(gaf); }
    }
}
