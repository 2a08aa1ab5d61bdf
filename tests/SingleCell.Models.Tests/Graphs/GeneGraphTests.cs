using System.IO.Compression;
using SingleCell.Models.Data;
using SingleCell.Models.Graphs;

namespace SingleCell.Models.Tests.Graphs;

public class GeneGraphTests
{
    // a→b (2), a→c (1), b→c (3), c→c (1), d isolated
    private static GeneGraph Small() => GeneGraph.FromEdges(new[] { "a", "b", "c", "d" },
        new[] { 0, 0, 1, 2 }, new[] { 1, 2, 2, 2 }, new[] { 2f, 1f, 3f, 1f });

    [Test]
    public void Degrees_and_neighbours()
    {
        var g = Small();
        Assert.That(g.NodeCount, Is.EqualTo(4));
        Assert.That(g.EdgeCount, Is.EqualTo(4));
        Assert.That(g.OutDegree(0), Is.EqualTo(2));
        Assert.That(g.InDegree(2), Is.EqualTo(3));
        Assert.That(g.InNeighbors(2).ToArray(), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(g.WeightedInDegree(2), Is.EqualTo(5.0));
        Assert.That(g.EdgeWeight(1, 2), Is.EqualTo(3f));
        Assert.That(g.HasEdge(2, 1), Is.False);
        Assert.That(g.IndexOf("d"), Is.EqualTo(3));
        Assert.That(g.IndexOf("zz"), Is.EqualTo(-1));
    }

    [Test]
    public void Duplicate_edges_keep_the_largest_weight()
    {
        var g = GeneGraph.FromEdges(new[] { "a", "b" }, new[] { 0, 0 }, new[] { 1, 1 }, new[] { 0.3f, 0.7f });
        Assert.That(g.EdgeCount, Is.EqualTo(1));
        Assert.That(g.EdgeWeight(0, 1), Is.EqualTo(0.7f));
    }

    [Test]
    public void Bad_input_is_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => GeneGraph.FromEdges(new[] { "a", "a" }, [], [], []));
        Assert.That(ex!.Message, Does.Contain("'a'"));
        Assert.Throws<ArgumentException>(() => GeneGraph.FromEdges(new[] { "a" }, new[] { 0 }, new[] { 5 }, new[] { 1f }));
    }

    [Test]
    public void Symmetrize_and_self_loops()
    {
        var s = Small().Symmetrize();
        Assert.That(s.EdgeWeight(2, 1), Is.EqualTo(3f));
        Assert.That(s.EdgeWeight(1, 0), Is.EqualTo(2f));
        var l = Small().WithSelfLoops(0.5f);
        Assert.That(l.EdgeWeight(0, 0), Is.EqualTo(0.5f));
        Assert.That(l.EdgeWeight(2, 2), Is.EqualTo(1f), "existing loop kept");
        Assert.That(l.EdgeWeight(3, 3), Is.EqualTo(0.5f));
        Assert.That(l.EdgeCount, Is.EqualTo(7));
    }

    [Test]
    public void Normalized_adjacency_uses_in_degree_like_pyg_gcn_norm()
    {
        var p = Small().NormalizedAdjacency();
        // In-degrees with added loops: a: 1, b: 2+1 = 3, c: 1+3+1 = 5, d: 1.
        Assert.That(p.EdgeWeight(0, 1), Is.EqualTo(2 / Math.Sqrt(1 * 3)).Within(1e-6));
        Assert.That(p.EdgeWeight(1, 2), Is.EqualTo(3 / Math.Sqrt(3 * 5)).Within(1e-6));
        Assert.That(p.EdgeWeight(2, 2), Is.EqualTo(1 / 5.0).Within(1e-6));
        Assert.That(p.EdgeWeight(3, 3), Is.EqualTo(1f));
    }

    [Test]
    public void Subgraph_receptive_field_and_bfs()
    {
        var g = Small();
        var sub = g.Subgraph(new[] { "c", "b", "missing" });
        Assert.That(sub.Genes, Is.EqualTo(new[] { "c", "b" }));
        Assert.That(sub.EdgeWeight(1, 0), Is.EqualTo(3f));
        Assert.That(sub.EdgeCount, Is.EqualTo(2));
        Assert.That(g.ReceptiveField(2, 1), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(g.ReceptiveField(1, 0), Is.EqualTo(new[] { 1 }));
        Assert.That(g.BfsDistances(0), Is.EqualTo(new[] { 0, 1, 1, -1 }));
        Assert.That(g.BfsDistances(2, incoming: true), Is.EqualTo(new[] { 1, 1, 0, -1 }));
    }

    [Test]
    public void Edge_list_reader_handles_gzip_header_threshold_and_undirected()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edges-{Guid.NewGuid():N}.tsv.gz");
        try
        {
            using (var fs = File.Create(path))
            using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            using (var w = new StreamWriter(gz))
                w.Write("src\tdst\tscore\nA\tB\t0.9\nB\tC\t0.2\nC\tA\t0.5\n");
            var g = EdgeListReader.Read(path, new EdgeListOptions(HasHeader: true, Directed: false, MinWeight: 0.3));
            Assert.That(g.Genes, Is.EqualTo(new[] { "A", "B", "C" }));
            Assert.That(g.EdgeCount, Is.EqualTo(4));
            Assert.That(g.EdgeWeight(1, 0), Is.EqualTo(0.9f));
            Assert.That(g.HasEdge(1, 2), Is.False);
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Coexpression_graph_matches_dense_pearson()
    {
        // 6 cells × 4 genes; gene 3 constant (correlation NaN → 0).
        float[] x = { 1, 0, 2, 1, 2, 1, 0, 1, 3, 0, 1, 1, 0, 2, 5, 1, 4, 0, 0, 1, 5, 3, 2, 1 };
        var m = CellMatrix.FromDense(x, 6, 4);
        var g = CoexpressionGraphBuilder.Build(m, new[] { "g0", "g1", "g2", "g3" }, neighborsPerGene: 20, threshold: 0.0);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double r = Math.Abs(Pearson(x, 6, 4, i, j));
                if (r > 0) Assert.That(g.EdgeWeight(j, i), Is.EqualTo(r).Within(1e-5), $"{j}→{i}");
            }
        Assert.That(g.InDegree(3), Is.EqualTo(0), "constant gene has no edges above 0");
        var top = CoexpressionGraphBuilder.Build(m, new[] { "g0", "g1", "g2", "g3" }, neighborsPerGene: 1, threshold: 0.0);
        Assert.That(top.InDegree(0), Is.LessThanOrEqualTo(2));
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
}
