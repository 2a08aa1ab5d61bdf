using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;

namespace SingleCell.Models.Tests.Selection;

public class SelectorTests
{
    [Test]
    public void Random_selector_is_seeded_and_respects_already_selected()
    {
        var cands = Enumerable.Range(0, 50).ToArray();
        var a = new RandomSelector(3).Select(cands, 10, alreadySelected: new[] { 1, 2 });
        var b = new RandomSelector(3).Select(cands, 10, alreadySelected: new[] { 1, 2 });
        var c = new RandomSelector(4).Select(cands, 10, alreadySelected: new[] { 1, 2 });
        Assert.That(a.Selected, Is.EqualTo(b.Selected));
        Assert.That(a.Selected, Is.Not.EqualTo(c.Selected));
        Assert.That(a.Selected, Is.Unique);
        Assert.That(a.Selected, Has.None.EqualTo(1).And.None.EqualTo(2));
    }

    [Test]
    public void Degree_selector_orders_by_degree_then_index()
    {
        // 0 → 1, 0 → 2, 3 → 1, 3 → 2, 1 → 2, self-loop 2 → 2 (ignored)
        var g = GeneGraph.FromEdges(new[] { "a", "b", "c", "d" }, new[] { 0, 0, 3, 3, 1, 2 }, new[] { 1, 2, 1, 2, 2, 2 }, new[] { 1f, 1f, 1f, 3f, 1f, 1f });
        var r = new DegreeSelector(g).Select(new[] { 0, 1, 2, 3 }, 4);
        Assert.That(r.Selected, Is.EqualTo(new[] { 0, 3, 1, 2 }));
        Assert.That(r.Gains, Is.EqualTo(new[] { 2.0, 2, 1, 0 }));
        var w = new DegreeSelector(g, DegreeKind.WeightedOut).Select(new[] { 0, 1, 2, 3 }, 1);
        Assert.That(w.Selected, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void KCenter_picks_far_apart_points()
    {
        // Points on a line: 0, 1, 2, 10, 11, 20.
        float[] x = { 0, 1, 2, 10, 11, 20 };
        var r = new KCenterSelector(x, 1).Select(Enumerable.Range(0, 6).ToArray(), 3);
        Assert.That(r.Selected[0], Is.EqualTo(3), "nearest the centroid 7.33");
        Assert.That(r.Selected[1], Is.EqualTo(0), "10 away, a tie with 20 broken by order");
        Assert.That(r.Selected[2], Is.EqualTo(5));
        Assert.That(r.Gains[1], Is.EqualTo(10.0));
    }

    [Test]
    public void Greedy_selector_implements_iselector()
    {
        ISelector s = new GreedySelector(Instances.Create("coverage", 4, n: 15), new GreedyOptions(), "coverage");
        var r = s.Select(Enumerable.Range(0, 15).ToArray(), 5);
        Assert.That(s.Name, Is.EqualTo("coverage"));
        Assert.That(r.Selected, Has.Length.EqualTo(5));
        for (int i = 1; i < 5; i++) Assert.That(r.Gains[i], Is.LessThanOrEqualTo(r.Gains[i - 1]));
    }

    [Test]
    public void GraphReach_coverage_on_a_path_follows_the_two_hop_reach()
    {
        // Path a → b → c → d. With L = 1, RF(t) = {t, pred(t)}; N(t) = nodes whose RF meets RF(t).
        var g = GeneGraph.FromEdges(new[] { "a", "b", "c", "d" }, new[] { 0, 1, 2 }, new[] { 1, 2, 3 }, new[] { 1f, 1f, 1f });
        var f = GraphReach.Coverage(g);
        Assert.That(f.CoveredBy(0).ToArray(), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(f.CoveredBy(1).ToArray(), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(f.CoveredBy(3).ToArray(), Is.EqualTo(new[] { 2, 3 }));
        var two = GraphReach.Coverage(g, hops: 2);
        Assert.That(two.CoveredBy(0).ToArray(), Is.EqualTo(new[] { 0, 1, 2 }));
        var restricted = GraphReach.Coverage(g, universe: new[] { 3 });
        Assert.That(restricted.CoveredBy(1).ToArray(), Is.Empty);
    }

    [TestCase(1, 1, false), TestCase(2, 1, true), TestCase(3, 2, false), TestCase(4, 2, true), TestCase(5, 3, false)]
    public void GraphReach_coverage_equals_the_receptive_field_definition(int seed, int hops, bool restricted)
    {
        // More than 64 nodes, so the bit sets span several words; sparse, so the balls differ.
        var rng = new Random(seed);
        int n = 150;
        var g = Instances.RandomGraph(rng, n, 0.02);
        int[]? universe = restricted ? Enumerable.Range(0, n).Where(_ => rng.Next(3) > 0).ToArray() : null;
        var f = GraphReach.Coverage(g, hops, universe);
        // RF(t): nodes within `hops` in-edges of t (itself included); N(t) = {u ∈ U : RF(u) ∩ RF(t) ≠ ∅}.
        var rf = Enumerable.Range(0, n).Select(t =>
        {
            var ball = new HashSet<int> { t };
            for (int l = 0; l < hops; l++)
                foreach (int v in ball.ToArray()) ball.UnionWith(g.InNeighbors(v).ToArray());
            return ball;
        }).ToArray();
        var inU = universe?.ToHashSet();
        for (int t = 0; t < n; t++)
        {
            var expected = Enumerable.Range(0, n).Where(u => (inU is null || inU.Contains(u)) && rf[u].Overlaps(rf[t])).ToArray();
            Assert.That(f.CoveredBy(t).ToArray(), Is.EqualTo(expected), $"N({t})");
        }
    }

    [Test]
    public void GraphReach_kernel_is_m_m_transpose()
    {
        var g = Instances.RandomGraph(new Random(5), 8, 0.3);
        var k = GraphReach.Kernel(g);
        var p = g.NormalizedAdjacency();
        // M[t, s] = P weight of edge s → t (row t aggregates in-neighbours).
        for (int t = 0; t < 8; t++)
            for (int u = 0; u < 8; u++)
            {
                double expected = 0;
                for (int s = 0; s < 8; s++) expected += p.EdgeWeight(s, t) * (double)p.EdgeWeight(s, u);
                Assert.That(k[t, u], Is.EqualTo(expected).Within(1e-5));
            }
    }
}
