using BenchmarkDotNet.Attributes;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection.ActiveLearning;
using SingleCell.Models.Selection.Study;
using SingleCell.Models.Simulation;

namespace SingleCell.Models.Benchmarks.Selection;

/// <summary>
/// One one-shot GraphReach ranking (600 of ~1,800 pool perturbations) against one active-learning round
/// (per-perturbation features from a predictor trained on 100 perturbations, then a batch of 100), on a
/// simulated screen of IterPert's size (2,000 perturbable genes, 1,000 read-outs) over a random
/// 3,200-gene network. Training is excluded from both. No job attribute: run with <c>--job short</c>
/// (or <c>--job dry --inProcess</c> to check that it runs).
/// </summary>
[MemoryDiagnoser]
public class StudyRoundBenchmarks
{
    private GeneGraph _graph = null!;
    private PerturbationScreen _screen = null!;
    private SelectionStudy _study = null!;
    private IPerturbationPredictor _model = null!;
    private int[] _labelled = null!;
    private int[] _pool = null!;

    /// <summary>The active-learning strategy of the round.</summary>
    [Params("coreset", "iterpert", "batchbald")]
    public string Strategy { get; set; } = "coreset";

    /// <summary>Simulates the screen and trains the stand-in predictor on 100 perturbations.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        int n = 3200;
        var src = new List<int>();
        var dst = new List<int>();
        for (int v = 0; v < n; v++) for (int k = 0; k < 4; k++) { int u = rng.Next(n); if (u != v) { src.Add(v); dst.Add(u); } }
        var network = GeneGraph.FromEdges(Enumerable.Range(0, n).Select(i => $"G{i}").ToArray(), src.ToArray(), dst.ToArray(), Enumerable.Repeat(1f, src.Count).ToArray());
        var sim = ScreenSimulator.Simulate(network, new ScreenSimulationOptions { CellsPerPerturbation = 2, ControlCells = 200, Seed = 2 });
        _screen = PerturbationScreen.FromAnnData(sim.Data);
        _graph = sim.GeneratingGraph;
        _study = new SelectionStudy(_screen, _graph, new GraphRidgePredictorFactory());
        var pool = _study.Pool.Select(_screen.IndexOf).ToArray();
        _labelled = pool[..100];
        _pool = pool;
        _model = new GraphRidgePredictorFactory().Train(new PredictorTrainingRequest(_screen, _graph, _labelled, 1, 20));
    }

    /// <summary>A 600-item GraphReach ranking of the pool (one-shot: computed once for every budget).</summary>
    [Benchmark(Baseline = true)]
    public int GraphReachRanking() => OneShotRankings.Rank(OneShotMethod.GraphReach, _graph, _screen.PerturbationGenes, _pool, 600).Length;

    /// <summary>Feature extraction for the pool + selection of a batch of 100.</summary>
    [Benchmark]
    public int ActiveLearningRound()
    {
        IActiveLearningStrategy s = Strategy switch
        {
            "iterpert" => new IterPertStrategy([]),
            "batchbald" => new BatchBaldStrategy(),
            _ => new CoreSetStrategy(),
        };
        return _study.SelectBatch(s, _model, _labelled, 100, 1, default).Length;
    }
}
