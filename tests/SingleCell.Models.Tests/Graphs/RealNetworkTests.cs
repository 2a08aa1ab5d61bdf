using System.Diagnostics;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;

namespace SingleCell.Models.Tests.Graphs;

/// <summary>
/// Tests against the real files in ../shared/data/networks. The 31 perturbed genes and 500
/// measured genes of norman2019_mcfaline2023_devel.h5ad are in Graphs/Data: no h5ad reader
/// exists on this branch, so they were read from the file's HDF5 global heap (variable-length
/// strings, uncompressed) with Graphs/Data/extract_norman_genes.py; the perturbed genes are the
/// 34 obs `perturbation` categories split on '+' without `control` (31 genes).
/// </summary>
[Category("SharedData")]
public class RealNetworkTests
{
    private static GeneAnnotations? _ann;

    private static GeneAnnotations Annotations()
    {
        if (_ann is not null) return _ann;
        var info = GeneInfo.Read(SharedData.Require("networks/gene_info_human_2022-09.tsv.gz"));
        return _ann = AnnotationReaders.ReadGene2Go(SharedData.Require("networks/gene2go_human_2022-09.tsv.gz"), info);
    }

    private static string[] Lines(string file) => File.ReadAllLines(SharedData.TestDataFile(Path.Combine("Graphs", "Data", file)))
        .Where(l => l.Length > 0).ToArray();

    [Test]
    public void Hand_checked_jaccard_values()
    {
        var ann = Annotations();
        // Derived in the shell, independently of this code:
        //   id=$(zcat gene_info_human_2022-09.tsv.gz | awk -F'\t' -v s=GENE '$3==s{print $2}')
        //   zcat gene2go_human_2022-09.tsv.gz | awk -F'\t' -v id=$id '$2==id{print $3}' | sort -u > GENE.txt
        //   comm -12 A.txt B.txt | wc -l ; sort -u A.txt B.txt | wc -l
        // distinct GO terms: MAP2K3 29, MAP2K6 35, MAPK1 85, TGFBR2 100, SET 22, KLF1 16, PTPN12 19, PTPN9 10.
        Assert.That(ann.Terms("MAP2K3").Length, Is.EqualTo(29));
        Assert.That(ann.Terms("MAPK1").Length, Is.EqualTo(85));
        Assert.That(ann.Terms("KLF1").Length, Is.EqualTo(16));
        Assert.That(ann.Jaccard("MAP2K3", "MAP2K6"), Is.EqualTo(18.0 / 46));
        Assert.That(ann.Jaccard("PTPN12", "PTPN9"), Is.EqualTo(7.0 / 22));
        Assert.That(ann.Jaccard("SET", "KLF1"), Is.EqualTo(4.0 / 34));
        Assert.That(ann.Jaccard("MAPK1", "MAP2K3"), Is.EqualTo(8.0 / 106));
        Assert.That(ann.Jaccard("MAPK1", "TGFBR2"), Is.EqualTo(12.0 / 173));
    }

    [Test]
    public void Norman_gene_lists_match_the_h5ad_read_with_AnnData()
    {
        // Cross-check of the heap-extracted lists in Graphs/Data against the library's own h5ad reader.
        var ad = SingleCell.Models.Data.AnnData.Read(SharedData.Require("perturbation/norman2019_mcfaline2023_devel.h5ad"));
        Assert.That(ad.VarNames, Is.EquivalentTo(Lines("norman2019_measured_genes.txt")));
        var col = ad.Obs["perturbation"];
        var genes = new SortedSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < col.Length; r++)
            foreach (var g in col.GetString(r).Split('+'))
                if (g != "control") genes.Add(g);
        Assert.That(genes, Is.EquivalentTo(Lines("norman2019_perturbed_genes.txt")));
    }

    [Test]
    public void Coexpression_graph_on_the_norman_control_cells()
    {
        var ad = SingleCell.Models.Data.AnnData.Read(SharedData.Require("perturbation/norman2019_mcfaline2023_devel.h5ad"));
        var pert = ad.Obs["perturbation"];
        var controls = Enumerable.Range(0, ad.NObs).Where(r => pert.GetString(r) == "control").ToArray();
        Assert.That(controls.Length, Is.GreaterThan(100));
        var x = ad.X!;
        var g = CoexpressionGraphBuilder.Build(x, ad.VarNames, controls);
        Assert.That(g.NodeCount, Is.EqualTo(500));
        var dense = new float[controls.Length * x.Columns];
        x.DensifyRows(controls, dense);
        int checkedEdges = 0;
        for (int t = 0; t < g.NodeCount; t += 25)
        {
            Assert.That(g.InDegree(t), Is.LessThanOrEqualTo(21));
            var src = g.InNeighbors(t);
            var w = g.InWeights(t);
            for (int k = 0; k < src.Length; k++)
            {
                Assert.That(w[k], Is.GreaterThan(0.4f));
                double r = Math.Abs(Pearson(dense, controls.Length, x.Columns, src[k], t));
                Assert.That(w[k], Is.EqualTo(r).Within(1e-4), $"{g.Genes[src[k]]} → {g.Genes[t]}");
                checkedEdges++;
            }
        }
        Assert.That(checkedEdges, Is.GreaterThan(20));
    }

    private static double Pearson(float[] x, int n, int g, int a, int b)
    {
        double ma = 0, mb = 0;
        for (int c = 0; c < n; c++) { ma += x[c * g + a]; mb += x[c * g + b]; }
        ma /= n; mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int c = 0; c < n; c++)
        {
            double da = x[c * g + a] - ma, db = x[c * g + b] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    [Test]
    public void Go_graph_over_the_norman_genes()
    {
        var ann = Annotations();
        var perturbed = Lines("norman2019_perturbed_genes.txt");
        var measured = Lines("norman2019_measured_genes.txt");
        Assert.That(perturbed, Has.Length.EqualTo(31));
        Assert.That(measured, Has.Length.EqualTo(500));
        var g = GoGraphBuilder.Build(ann, perturbed.Concat(measured));
        // IER5L has no gene2go annotation (checked with zcat | awk on GeneID 389792), so like GEARS,
        // which drops the IER5L conditions of Norman et al. for this reason, it is not a node.
        Assert.That(g.IndexOf("IER5L"), Is.EqualTo(-1));
        foreach (var p in perturbed.Where(p => p != "IER5L")) Assert.That(g.IndexOf(p), Is.GreaterThanOrEqualTo(0), $"{p} is annotated and must be a node");
        int m3 = g.IndexOf("MAP2K3"), m6 = g.IndexOf("MAP2K6"), mapk1 = g.IndexOf("MAPK1");
        Assert.That(g.EdgeWeight(m3, m6), Is.EqualTo((float)(18.0 / 46)));
        Assert.That(g.EdgeWeight(m6, m3), Is.EqualTo((float)(18.0 / 46)));
        Assert.That(g.EdgeWeight(g.IndexOf("PTPN9"), g.IndexOf("PTPN12")), Is.EqualTo((float)(7.0 / 22)));
        Assert.That(g.HasEdge(mapk1, m3), Is.False, "J = 8/106 ≤ 0.1");
        Assert.That(g.HasEdge(mapk1, g.IndexOf("TGFBR2")), Is.False, "J = 12/173 ≤ 0.1");
        for (int t = 0; t < g.NodeCount; t++)
        {
            Assert.That(g.InDegree(t), Is.InRange(1, 21));
            Assert.That(g.EdgeWeight(t, t), Is.EqualTo(1f));
            foreach (float w in g.InWeights(t)) Assert.That(w, Is.GreaterThan(0.1f));
        }
    }

    [Test]
    public void String_file_counts_match_its_readme()
    {
        var path = SharedData.Require("networks/string_v12_human_entrez_edges.tsv.gz");
        var all = EdgeListReader.ReadString(path, minScore: 0);
        Assert.That(all.NodeCount, Is.EqualTo(17288));
        Assert.That(all.EdgeCount, Is.EqualTo(2 * 174962));
        Assert.That(all.EntrezIds[all.IndexOf("CES1")], Is.EqualTo(1066));
        var high = EdgeListReader.ReadString(path, minScore: 700);
        Assert.That(high.EdgeCount, Is.LessThan(all.EdgeCount));
        foreach (var (_, _, w) in Enumerate(high)) Assert.That(w, Is.GreaterThanOrEqualTo(0.7f));
    }

    private static IEnumerable<(int, int, float)> Enumerate(GeneGraph g)
    {
        var (s, t, w) = g.ToEdgeArrays();
        for (int i = 0; i < s.Length; i++) yield return (s[i], t[i], w[i]);
    }

    [Test]
    public void Obo_file_has_all_terms()
    {
        var go = GeneOntology.ReadObo(SharedData.Require("networks/go-basic_2022-07-01.obo.gz"));
        Assert.That(go.Count, Is.EqualTo(43558));
        Assert.That(go.Name(8150), Is.EqualTo("biological_process"));
        Assert.That(go.Ancestors(1), Does.Contain(8150));
    }

    [Test]
    public void Whole_genome_go_graph_and_graphreach_ranking_timing()
    {
        var ann = Annotations();
        var sw = Stopwatch.StartNew();
        var g = GoGraphBuilder.Build(ann);
        double build = sw.Elapsed.TotalSeconds;
        var f = GraphReach.Coverage(g);
        var r = Greedy.Maximize(f, 1000);
        double total = sw.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine($"GO graph {g.NodeCount} nodes, {g.EdgeCount} edges: build {build:F2} s; + GraphReach 1000 ranking total {total:F2} s; evaluations {r.Evaluations}");
        Assert.That(r.Selected, Has.Length.EqualTo(1000));
        for (int i = 1; i < r.Gains.Length; i++) Assert.That(r.Gains[i], Is.LessThanOrEqualTo(r.Gains[i - 1]));
    }
}
