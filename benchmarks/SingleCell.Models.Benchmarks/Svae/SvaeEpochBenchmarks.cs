using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks.Svae;

/// <summary>
/// Seconds per training epoch of sVAE+ (batch 128, Adam, all cells, last partial batch dropped),
/// the shapes of the PyTorch peer <c>../shared/bench/svae_torch_reference.py</c>: the paper's
/// simulation (25,000 cells × 100 genes, p = 15) and 10,000 cells × 2,000 genes. Run the peer right
/// beside this suite and report the ratio (see benchmarks/README.md).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SvaeEpochBenchmarks
{
    private SvaeModel _model = null!;
    private TrainerOptions _options = null!;

    /// <summary>The two shapes: "25000x100" and "10000x2000".</summary>
    [Params("25000x100", "10000x2000")]
    public string Shape { get; set; } = "25000x100";

    [GlobalSetup]
    public void Setup()
    {
        bool wide = Shape == "10000x2000";
        var sim = SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
        {
            CellsPerIntervention = wide ? 100 : 250, Interventions = 100, Genes = wide ? 2000 : 100, LatentDimensions = 15, Seed = 1024,
        });
        _model = SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey), new SvaeOptions { LatentDim = 15, Seed = 1024, KlWarmupEpochs = 50 });
        // One epoch over every cell, as the peer does: no validation split, KL weight from the warm-up, and
        // the last partial batch dropped (MinLastBatchSize = 128), as the peer's range(0, n − 128 + 1, 128).
        _options = new TrainerOptions { MaxEpochs = 1, TrainSize = 1, BatchSize = 128, MinLastBatchSize = 128 };
    }

    [Benchmark]
    public double Epoch() => _model.Fit(_options).Last("loss_train");

    /// <summary>Trains <paramref name="epochs"/> epochs with the benchmark's options, reporting each step (step-loop).</summary>
    internal TrainingHistory Fit(int epochs, IProgress<TrainingProgress> progress) => _model.Fit(_options with { MaxEpochs = epochs }, progress);
}
