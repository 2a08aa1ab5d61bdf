using SingleCell.Models.Selection;

namespace SingleCell.Models.Tests.Selection;

public class GreedyTests
{
    public static IEnumerable<string> Functions => Instances.Names;

    [TestCaseSource(nameof(Functions))]
    public void Lazy_and_naive_return_identical_rankings_and_gains(string name)
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var f = Instances.Create(name, seed, n: 30);
            var naive = Greedy.Maximize(f, 30, new GreedyOptions(GreedyAlgorithm.Naive));
            var lazy = Greedy.Maximize(f, 30, new GreedyOptions(GreedyAlgorithm.Lazy));
            var parallel = Greedy.Maximize(f, 30, new GreedyOptions(GreedyAlgorithm.Naive, MaxDegreeOfParallelism: 4));
            Assert.That(lazy.Selected, Is.EqualTo(naive.Selected), $"{name} seed {seed}");
            Assert.That(lazy.Gains, Is.EqualTo(naive.Gains), $"{name} seed {seed}");
            Assert.That(parallel.Selected, Is.EqualTo(naive.Selected));
            Assert.That(lazy.Evaluations, Is.LessThanOrEqualTo(naive.Evaluations));
        }
    }

    [TestCaseSource(nameof(Functions))]
    public void Greedy_reaches_one_minus_one_over_e_of_the_brute_force_optimum(string name)
    {
        const int n = 10;
        for (int seed = 0; seed < 10; seed++)
        {
            var f = Instances.Create(name, 1000 + seed, n);
            foreach (int k in new[] { 2, 3, 4 })
            {
                double greedy = Greedy.Maximize(f, k).Value;
                double best = 0;
                for (int mask = 0; mask < 1 << n; mask++)
                {
                    if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
                    var set = Enumerable.Range(0, n).Where(i => (mask >> i & 1) != 0).ToArray();
                    best = Math.Max(best, f.Evaluate(set));
                }
                Assert.That(greedy, Is.GreaterThanOrEqualTo((1 - 1 / Math.E) * best - 1e-9), $"{name} seed {seed} k {k}");
                Assert.That(greedy, Is.LessThanOrEqualTo(best + 1e-6));
            }
        }
    }

    [Test]
    public void Ties_go_to_the_smallest_item()
    {
        // Four identical items covering the same element: the first pick is item 0, then gains are 0
        // and the ranking continues in id order.
        var f = new WeightedCoverage(new[] { 0, 1, 2, 3, 4 }, new[] { 0, 0, 0, 0 }, elementCount: 1);
        foreach (var alg in Enum.GetValues<GreedyAlgorithm>())
        {
            var r = Greedy.Maximize(f, 4, new GreedyOptions(alg, Epsilon: 0.01), candidates: new[] { 3, 1, 2, 0 });
            if (alg != GreedyAlgorithm.Stochastic) Assert.That(r.Selected, Is.EqualTo(new[] { 0, 1, 2, 3 }), alg.ToString());
            Assert.That(r.Gains, Is.EqualTo(new[] { 1.0, 0, 0, 0 }));
        }
    }

    [Test]
    public void Rankings_are_nested_across_budgets()
    {
        var f = Instances.Create("facility", 7, n: 40);
        var big = Greedy.Maximize(f, 25);
        var small = Greedy.Maximize(f, 10);
        Assert.That(small.Selected, Is.EqualTo(big.Selected.Take(10)));
    }

    [Test]
    public void Already_selected_items_are_skipped_and_count_toward_the_value()
    {
        var f = Instances.Create("coverage", 3, n: 20);
        var first = Greedy.Maximize(f, 6);
        var second = Greedy.Maximize(f, 3, alreadySelected: first.Selected.Take(3).ToArray());
        Assert.That(second.Selected, Is.EqualTo(first.Selected.Skip(3).Take(3)));
        Assert.That(second.Value, Is.EqualTo(Greedy.Score(f, first.Selected.Take(6).ToArray()).Value).Within(1e-12));
    }

    [Test]
    public void Stochastic_greedy_is_deterministic_for_a_seed_and_close_to_lazy()
    {
        var f = Instances.Create("facility", 11, n: 200);
        var a = Greedy.Maximize(f, 20, new GreedyOptions(GreedyAlgorithm.Stochastic, 0.1, Seed: 5));
        var b = Greedy.Maximize(f, 20, new GreedyOptions(GreedyAlgorithm.Stochastic, 0.1, Seed: 5));
        var lazy = Greedy.Maximize(f, 20);
        Assert.That(a.Selected, Is.EqualTo(b.Selected));
        Assert.That(a.Gains, Is.EqualTo(b.Gains));
        Assert.That(a.Value, Is.GreaterThanOrEqualTo((1 - 1 / Math.E - 0.1) * lazy.Value));
        Assert.That(a.Evaluations, Is.LessThan(lazy.Evaluations * 10));
    }

    [Test]
    public void Progress_and_cancellation()
    {
        var f = Instances.Create("facility", 2, n: 50);
        var reports = new List<SelectionProgress>();
        var r = Greedy.Maximize(f, 5, progress: new SyncProgress(reports.Add));
        Assert.That(reports.Select(p => p.Item), Is.EqualTo(r.Selected));
        Assert.That(reports[^1].Selected, Is.EqualTo(5));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => Greedy.Maximize(f, 5, cancellationToken: cts.Token));
    }

    [Test]
    public void Budget_beyond_the_candidates_returns_all_of_them()
    {
        var f = Instances.Create("coverage", 1, n: 8);
        var r = Greedy.Maximize(f, 100, candidates: new[] { 5, 2, 2, 7 });
        Assert.That(r.Selected, Is.EquivalentTo(new[] { 2, 5, 7 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Greedy.Maximize(f, 1, candidates: new[] { 99 }));
    }

    internal sealed class SyncProgress(Action<SelectionProgress> report) : IProgress<SelectionProgress>
    {
        public void Report(SelectionProgress value) => report(value);
    }
}
