using SingleCell.Models.Tensors.Kernels;

namespace SingleCell.Models.Tests.Tensors;

/// <summary>The kernels' fork–join: every part exactly once, errors surface, nesting and concurrent callers are safe.</summary>
public class ForkJoinTests
{
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(7)]
    [TestCase(64)]
    public void Every_part_runs_exactly_once(int parts)
    {
        for (int round = 0; round < 200; round++)
        {
            var hits = new int[parts];
            ForkJoin.For(parts, i => Interlocked.Increment(ref hits[i]));
            Assert.That(hits, Is.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void The_first_exception_reaches_the_caller_after_all_parts_end()
    {
        int done = 0;
        var ex = Assert.Throws<InvalidOperationException>(() => ForkJoin.For(8, i =>
        {
            if (i == 3) throw new InvalidOperationException("part 3");
            Interlocked.Increment(ref done);
        }));
        Assert.That(ex!.Message, Is.EqualTo("part 3"));
        Assert.That(done, Is.EqualTo(7));
        // The pool still works afterwards.
        int after = 0;
        ForkJoin.For(4, _ => Interlocked.Increment(ref after));
        Assert.That(after, Is.EqualTo(4));
    }

    [Test]
    public void Nested_calls_and_concurrent_callers_complete()
    {
        var totals = new long[4];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int r = 0; r < 100; r++)
                ForkJoin.For(3, i => ForkJoin.For(5, j => Interlocked.Add(ref totals[t], i * 5 + j + 1)));
        })).ToArray();
        foreach (var th in threads) th.Start();
        foreach (var th in threads) Assert.That(th.Join(TimeSpan.FromSeconds(60)), Is.True, "a caller did not finish");
        Assert.That(totals, Is.All.EqualTo(100L * (15 * 16 / 2)));
    }
}
