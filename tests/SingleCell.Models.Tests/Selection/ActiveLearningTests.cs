using MathNet.Numerics.LinearAlgebra;
using SingleCell.Models.Data;
using SingleCell.Models.Selection.ActiveLearning;

namespace SingleCell.Models.Tests.Selection;

public class ActiveLearningTests
{
    private static DenseMatrix Points(params double[][] rows) =>
        new(rows.Length, rows[0].Length, rows.SelectMany(r => r.Select(v => (float)v)).ToArray());

    private static DenseMatrix RandomFeatures(int n, int d, int seed)
    {
        var rng = new Random(seed);
        return new DenseMatrix(n, d, Enumerable.Range(0, n * d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());
    }

    [Test]
    public void CoreSetPicksTheFarthestPointFromTheLabelledSet()
    {
        var x = Points([0], [1], [2], [10]);
        var state = new ActiveLearningState(x, [1, 2, 3], [0]);
        Assert.That(new CoreSetStrategy().SelectBatch(state, 1, 0), Is.EqualTo(new[] { 3 }));
        // After 10, the farthest from {0, 10} is 2 (distance 2) rather than 1 (distance 1).
        Assert.That(new CoreSetStrategy().SelectBatch(state, 2, 0), Is.EqualTo(new[] { 3, 2 }));
    }

    [Test]
    public void IterPertWithoutPriorsEqualsCoreSet()
    {
        var x = RandomFeatures(40, 5, 1);
        var state = new ActiveLearningState(x, Enumerable.Range(5, 35).ToArray(), [0, 1, 2, 3, 4]);
        Assert.That(new IterPertStrategy([]).SelectBatch(state, 8, 0), Is.EqualTo(new CoreSetStrategy().SelectBatch(state, 8, 0)));
    }

    [Test]
    public void IterPertFollowsADominantPriorKernel()
    {
        // Features are all equal (no information); the prior says item 3 is far from everything.
        int n = 4;
        var x = Points([1], [1], [1], [1]);
        var prior = new double[n * n];
        for (int i = 0; i < n; i++) prior[i * n + i] = 1;
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) prior[i * n + j] = 1;
        var picks = new IterPertStrategy([prior]).SelectBatch(new ActiveLearningState(x, [1, 2, 3], [0]), 1, 0);
        Assert.That(picks, Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void PosteriorVarianceMatchesTheClosedForm()
    {
        const double noise = 0.1;
        var x = RandomFeatures(12, 3, 2);
        int[] labelled = [0, 3, 7, 9];
        var gp = new GaussianProcessView(new LinearKernel(x), noise);
        foreach (int c in labelled) gp.Condition(c);
        var phi = Matrix<double>.Build.Dense(12, 3, (i, j) => x[i, j]);
        var k = phi * phi.Transpose();
        var kll = Matrix<double>.Build.Dense(labelled.Length, labelled.Length, (a, b) => k[labelled[a], labelled[b]]) + noise * Matrix<double>.Build.DenseIdentity(labelled.Length);
        var inv = kll.Inverse();
        for (int i = 0; i < 12; i++)
        {
            var kl = Vector<double>.Build.Dense(labelled.Length, a => k[i, labelled[a]]);
            double expected = k[i, i] - kl * (inv * kl);
            Assert.That(gp.Variance[i], Is.EqualTo(expected).Within(1e-5), $"item {i}");
        }
    }

    [Test]
    public void BaldTakesTheLargestPosteriorVariances()
    {
        var x = RandomFeatures(20, 2, 3);
        int[] labelled = [0, 1];
        var gp = new GaussianProcessView(new LinearKernel(x), 0.1);
        foreach (int c in labelled) gp.Condition(c);
        var pool = Enumerable.Range(2, 18).ToArray();
        var expected = pool.OrderByDescending(i => gp.Variance[i]).Take(4).ToArray();
        Assert.That(new BaldStrategy().SelectBatch(new ActiveLearningState(x, pool, labelled), 4, 0), Is.EqualTo(expected));
    }

    [Test]
    public void LogDeterminantGainsMatchADirectDeterminant()
    {
        const double noise = 0.1;
        var x = RandomFeatures(15, 4, 4);
        int[] labelled = [2, 5];
        var pool = Enumerable.Range(0, 15).Except(labelled).ToArray();
        var (picks, gains) = KernelGreedy.MaxDeterminant(new LinearKernel(x), pool, labelled, 5, noise, default);
        var phi = Matrix<double>.Build.Dense(15, 4, (i, j) => x[i, j]);
        var k = phi * phi.Transpose();
        double LogDet(int[] s) => (Matrix<double>.Build.Dense(s.Length, s.Length, (a, b) => k[s[a], s[b]]) + noise * Matrix<double>.Build.DenseIdentity(s.Length)).Cholesky().DeterminantLn;
        for (int t = 0; t < picks.Length; t++)
        {
            var before = labelled.Concat(picks.Take(t)).ToArray();
            var after = labelled.Concat(picks.Take(t + 1)).ToArray();
            Assert.That(gains[t], Is.EqualTo(LogDet(after) - LogDet(before) - Math.Log(noise)).Within(1e-4), $"pick {t}");
        }
        // Greedy: the first pick has the largest single gain.
        double best = pool.Max(p => LogDet(labelled.Append(p).ToArray()));
        Assert.That(LogDet(labelled.Append(picks[0]).ToArray()), Is.EqualTo(best).Within(1e-9));
        Assert.That(new BatchBaldStrategy(noise).SelectBatch(new ActiveLearningState(x, pool, labelled), 5, 0), Is.EqualTo(picks));
    }

    [Test]
    public void LcmdPicksTheFarthestPointOfTheLargestCluster()
    {
        var x = Points([0], [100], [1], [2], [3], [101]);
        // Clusters: around 0 holds 1, 2, 3 (Σd² = 14); around 100 holds 101 (1).
        Assert.That(new LcmdStrategy().SelectBatch(new ActiveLearningState(x, [2, 3, 4, 5], [0, 1]), 1, 0), Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public void TypiClustPicksTheMostTypicalPointOfTheUncoveredCluster()
    {
        var x = Points([0], [0.1], [0.2], [10], [10.1], [10.2]);
        var picks = new TypiClustStrategy().SelectBatch(new ActiveLearningState(x, [0, 2, 3, 4, 5], [1]), 1, 5);
        Assert.That(picks, Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public void BadgeStartsAtTheOnlyPointAwayFromTheOrigin()
    {
        var x = Points([0, 0], [0, 0], [3, 4], [0, 0]);
        Assert.That(new BadgeStrategy().SelectBatch(new ActiveLearningState(x, [0, 1, 2, 3], []), 1, 9)[0], Is.EqualTo(2));
    }

    [TestCase("random")]
    [TestCase("coreset")]
    [TestCase("badge")]
    [TestCase("bald")]
    [TestCase("batchbald")]
    [TestCase("lcmd")]
    [TestCase("typiclust")]
    [TestCase("iterpert")]
    public void EveryStrategyReturnsDistinctPoolItemsDeterministically(string name)
    {
        IActiveLearningStrategy s = name switch
        {
            "random" => new RandomStrategy(), "coreset" => new CoreSetStrategy(), "badge" => new BadgeStrategy(),
            "bald" => new BaldStrategy(), "batchbald" => new BatchBaldStrategy(), "lcmd" => new LcmdStrategy(),
            "typiclust" => new TypiClustStrategy(projection: 4), _ => new IterPertStrategy([]),
        };
        var x = RandomFeatures(50, 8, 6);
        var state = new ActiveLearningState(x, Enumerable.Range(10, 40).ToArray(), Enumerable.Range(0, 10).ToArray());
        var a = s.SelectBatch(state, 12, 3);
        Assert.That(a, Has.Length.EqualTo(12));
        Assert.That(a.Distinct().Count(), Is.EqualTo(12));
        Assert.That(a, Is.All.InRange(10, 49));
        Assert.That(s.SelectBatch(state, 12, 3), Is.EqualTo(a));
        Assert.That(s.SelectBatch(state, 100, 3), Has.Length.EqualTo(40));
    }
}
