using SingleCell.Models.Evaluation;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection;
using SingleCell.Models.Selection.Study;
using SingleCell.Models.Simulation;

namespace SingleCell.Models.Tests.Selection.Study;

public class StudyTests
{
    /// <summary>A random undirected graph: each node links to 3 random others.</summary>
    internal static GeneGraph RandomGraph(int n, int seed)
    {
        var rng = new Random(seed);
        var src = new List<int>();
        var dst = new List<int>();
        for (int v = 0; v < n; v++)
            for (int k = 0; k < 3; k++)
            {
                int u = rng.Next(n);
                if (u == v) continue;
                src.Add(v); dst.Add(u); src.Add(u); dst.Add(v);
            }
        return GeneGraph.FromEdges(Enumerable.Range(0, n).Select(i => $"G{i}").ToArray(), src.ToArray(), dst.ToArray(), Enumerable.Repeat(1f, src.Count).ToArray());
    }

    private static (PerturbationScreen Screen, GeneGraph Graph) TinyScreen()
    {
        var network = RandomGraph(120, 1);
        var sim = ScreenSimulator.Simulate(network, new ScreenSimulationOptions
        {
            PerturbableGenes = 50, ReadoutGenes = 30, CellsPerPerturbation = 4, ControlCells = 60, Seed = 3,
        });
        var screen = PerturbationScreen.FromAnnData(sim.Data);
        return (screen, sim.GeneratingGraph);
    }

    private static SelectionStudyOptions Tiny(params string[] methods) => new()
    {
        Methods = methods, Seeds = [1, 2, 3], Budgets = [6, 12, 18],
    };

    [Test]
    public void OneShotStabilityIsOneAndRandomIsBelow()
    {
        var (screen, graph) = TinyScreen();
        var records = new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), Tiny("graphreach", "random", "oneshot-random")).Run();
        Assert.That(records, Has.Count.EqualTo(3 * 3 * 3));
        var summary = StudySummary.Summarize(records).ToDictionary(m => m.Method);
        Assert.That(summary["graphreach"].Budgets.Select(b => b.Stability), Is.All.EqualTo(1.0));
        Assert.That(summary["random"].Budgets[0].Stability, Is.LessThan(1.0));
        Assert.That(summary["oneshot-random"].Budgets[0].Stability, Is.LessThan(1.0));
        Assert.That(summary["graphreach"].Cycles, Is.EqualTo(1));
        Assert.That(summary["random"].Cycles, Is.EqualTo(3));
        foreach (var r in records)
        {
            Assert.That(r.Selected, Has.Count.EqualTo(r.Budget));
            Assert.That(double.IsFinite(r.Metrics.MseTop20DeNonDropout) && double.IsFinite(r.Metrics.PearsonDelta), r.ToCsv());
        }
        // Active learning adds to its earlier selection: nested sets per seed.
        foreach (var g in records.Where(r => r.Method == "random").GroupBy(r => r.Seed))
        {
            var rounds = g.OrderBy(r => r.Round).ToArray();
            for (int i = 1; i < rounds.Length; i++) Assert.That(rounds[i].Selected.Take(rounds[i - 1].Budget), Is.EqualTo(rounds[i - 1].Selected));
        }
    }

    [Test]
    public void Perturbations_the_predictor_cannot_handle_are_left_out_of_pool_and_test()
    {
        var (screen, graph) = TinyScreen();
        var all = new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), Tiny("graphreach"));
        Assert.That(all.LeftOut, Is.Empty);
        Assert.That(all.Pool.Concat(all.TestPerturbations).Order(StringComparer.Ordinal), Is.EqualTo(screen.Perturbations), "the ridge stand-in takes every perturbation");

        // GEARS needs each perturbed gene to be a node of the graph: drop one perturbed gene's node.
        string missing = screen.PerturbationGenes[7][0];
        var smaller = graph.Subgraph(graph.Genes.Where(g => g != missing).ToArray());
        var expected = screen.Perturbations.Where((_, i) => screen.PerturbationGenes[i].Contains(missing)).ToArray();
        var study = new SelectionStudy(screen, smaller, new GearsPredictorFactory(), Tiny("graphreach"));
        Assert.That(study.LeftOut, Is.EqualTo(expected));
        Assert.That(study.Pool.Concat(study.TestPerturbations), Has.None.AnyOf(expected));
        Assert.That(study.Pool.Count + study.TestPerturbations.Count, Is.EqualTo(screen.Perturbations.Count - expected.Length));
    }

    [Test]
    public void The_no_change_baseline_is_the_control_mean_scored_on_the_test_perturbations()
    {
        var (screen, graph) = TinyScreen();
        var study = new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), Tiny("graphreach"));
        var baseline = study.NoChangeBaseline();
        // By hand: the squared change of each test perturbation on its top-20 non-dropout DE genes, and on all genes.
        double top20 = 0, all = 0;
        var c = screen.ControlMean;
        foreach (var label in study.TestPerturbations)
        {
            int p = screen.IndexOf(label);
            var m = screen.Mean(p);
            var de = screen.DeGenes(p);
            top20 += de.Average(g => (double)(m[g] - c[g]) * (m[g] - c[g]));
            all += Enumerable.Range(0, c.Length).Average(g => (double)(m[g] - c[g]) * (m[g] - c[g]));
        }
        int n = study.TestPerturbations.Count;
        Assert.That(baseline.MseTop20DeNonDropout, Is.EqualTo(top20 / n).Within(1e-6));
        Assert.That(baseline.Mse, Is.EqualTo(all / n).Within(1e-6));
        Assert.That(baseline.MseTop20DeNonDropout, Is.GreaterThan(0), "the simulated test perturbations change their DE genes");

        // Score: any fixed profile per test perturbation, scored as a predictor is; the observed means score zero.
        Assert.That(study.Score(_ => c), Is.EqualTo(baseline));
        var observed = study.Score(label => screen.Mean(screen.IndexOf(label)));
        Assert.That(observed.MseTop20DeNonDropout, Is.EqualTo(0));
        Assert.That(observed.Mse, Is.EqualTo(0));
        Assert.Throws<ArgumentException>(() => study.Score(_ => new float[c.Length - 1]));
    }

    private sealed class CancelAfter(int count, CancellationTokenSource cts) : IProgress<StudyProgress>
    {
        public void Report(StudyProgress value) { if (value.Completed == count) cts.Cancel(); }
    }

    [Test]
    public void AnInterruptedStudyResumesToTheSameResults()
    {
        var (screen, graph) = TinyScreen();
        var dir = Directory.CreateTempSubdirectory("study-resume").FullName;
        try
        {
            var options = Tiny("coreset", "graphreach") with { Seeds = [1, 2] };
            string full = Path.Combine(dir, "full.csv"), cut = Path.Combine(dir, "cut.csv");
            var expected = new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), options).Run(full);
            using var cts = new CancellationTokenSource();
            Assert.Throws<OperationCanceledException>(() =>
                new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), options).Run(cut, new CancelAfter(2, cts), cts.Token));
            Assert.That(File.ReadAllLines(cut), Has.Length.EqualTo(3)); // header + 2 completed trainings
            var resumed = new SelectionStudy(screen, graph, new GraphRidgePredictorFactory(), options).Run(cut);
            Assert.That(resumed.Select(r => r.ToCsv().Split(',')).Select(f => string.Join(',', f.Take(10).Append(f[13]))),
                Is.EqualTo(expected.Select(r => r.ToCsv().Split(',')).Select(f => string.Join(',', f.Take(10).Append(f[13])))));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void OneShotGraphReachOnSinglesEqualsTheGeneLevelSelector()
    {
        var graph = RandomGraph(40, 2);
        var genes = graph.Genes.Select(g => new[] { g }).ToArray();
        var candidates = Enumerable.Range(0, 40).ToArray();
        var expected = new GreedySelector(GraphReach.Coverage(graph)).Select(candidates, 10).Selected;
        Assert.That(OneShotRankings.Rank(OneShotMethod.GraphReach, graph, genes, candidates, 10), Is.EqualTo(expected));
        var fl = new GreedySelector(GraphReach.FacilityLocation(graph)).Select(candidates, 10).Selected;
        Assert.That(OneShotRankings.Rank(OneShotMethod.Facility, graph, genes, candidates, 10), Is.EqualTo(fl));
    }

    [Test]
    public void JaccardStability()
    {
        Assert.That(SelectionStability.Jaccard(["a", "b"], ["b", "c"]), Is.EqualTo(1.0 / 3).Within(1e-12));
        IReadOnlyCollection<string>[] sets = [["a", "b"], ["a", "b"], ["c", "d"]];
        Assert.That(SelectionStability.MeanPairwiseJaccard(sets), Is.EqualTo((1.0 + 0 + 0) / 3).Within(1e-12));
        Assert.That(SelectionStability.MeanPairwiseJaccard(new IReadOnlyCollection<string>[] { ["a"] }), Is.NaN);
    }

    [Test]
    public void GraphNoiseDropsAndRewiresTheRequestedFraction()
    {
        var g = RandomGraph(60, 3);
        int edges = g.EdgeCount;
        var dropped = GraphNoise.Apply(g, 0.25, GraphNoiseKind.Drop, 1);
        Assert.That(dropped.EdgeCount, Is.EqualTo(edges - edges / 4));
        var rewired = GraphNoise.Apply(g, 0.25, GraphNoiseKind.Rewire, 1);
        Assert.That(rewired.EdgeCount, Is.EqualTo(edges));
        int moved = Enumerable.Range(0, 60).Sum(v => g.OutNeighbors(v).ToArray().Except(rewired.OutNeighbors(v).ToArray()).Count());
        Assert.That(moved, Is.EqualTo(edges / 4));
        Assert.That(GraphNoise.Apply(g, 0, GraphNoiseKind.Drop, 1), Is.SameAs(g));
    }

    [Test]
    public void ScreenMetricsOnHandValues()
    {
        float[] pred = [1, 2, 3, 4], truth = [1, 0, 5, 4], ctrl = [2, 1, 4, 4];
        Assert.That(PerturbationScreenMetrics.MseOnGenes(pred, truth, [1, 2]), Is.EqualTo((4.0 + 4.0) / 2));
        // Changes: pred −1, +1, −1, 0; truth −1, −1, +1, 0 → genes 1 and 2 are opposite.
        Assert.That(PerturbationScreenMetrics.FracOppositeDirection(pred, truth, ctrl, [0, 1, 2, 3]), Is.EqualTo(0.5));
        var m = PerturbationScreenMetrics.Compute(pred, truth, ctrl, [1, 2]);
        Assert.That(m.Mse, Is.EqualTo(8.0 / 4));
        Assert.That(m.FracOppositeDirectionTop20NonDropout, Is.EqualTo(1.0));
    }

    [Test]
    public void Gears_runs_in_the_loop_through_its_factory()
    {
        var (screen, graph) = TinyScreen();
        var options = new SelectionStudyOptions { Methods = ["graphreach", "coreset"], Seeds = [1], Budgets = [6, 12], Epochs = 1 };
        var factory = new GearsPredictorFactory(new SingleCell.Models.Gears.GearsOptions { Hidden = 8, ControlCellsKept = 20 }, batchSize: 32);
        var records = new SelectionStudy(screen, graph, factory, options).Run();
        Assert.That(records, Has.Count.EqualTo(2 * 2));
        Assert.That(records.All(r => double.IsFinite(r.Metrics.MseTop20DeNonDropout) && r.Predictor == "gears"), "every budget scored by GEARS");
    }

}
