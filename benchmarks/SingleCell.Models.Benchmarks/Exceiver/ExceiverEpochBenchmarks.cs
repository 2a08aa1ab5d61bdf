using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SingleCell.Models.Benchmarks.Data;
using SingleCell.Models.Data;
using SingleCell.Models.Exceiver;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks.Exceiver;

/// <summary>
/// Seconds per pretraining epoch of the Exceiver on Kang et al. 2018 (1,975 cells × 6,998 genes,
/// log-normalised) with 1 self-attention layer, batch 64 and the last partial batch dropped, every cell
/// trained (no validation split): the configuration of the PyTorch peer
/// <c>../shared/bench/exceiver_torch_reference.py --layers 1</c> (which uses the additive mask). Both
/// key-padding modes are measured; run the peer right beside this suite and report the ratio
/// (see benchmarks/README.md).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ExceiverEpochBenchmarks
{
    private ExceiverModel _model = null!;
    private TrainerOptions _options = null!;

    /// <summary>Key padding of zero-count genes.</summary>
    [Params(KeyPadding.Exclude, KeyPadding.Additive)]
    public KeyPadding Mask { get; set; } = KeyPadding.Exclude;

    [GlobalSetup]
    public void Setup()
    {
        var kang = AnnData.Read(H5adReadBenchmarks.SharedDataPath("h5ad", "kang2018_valid_anndata06.h5ad"));
        _model = ExceiverModel.Create(kang, options: new ExceiverOptions { Layers = 1, KeyPadding = Mask });
        _options = new TrainerOptions
        {
            MaxEpochs = 1, TrainSize = 1, BatchSize = 64, DropLast = true, EarlyStopping = false, RestoreBestWeights = false,
        };
    }

    /// <summary>The model and trainer options <see cref="Setup"/> built (for <c>step-loop</c>).</summary>
    internal (ExceiverModel Model, TrainerOptions Options) Built => (_model, _options);

    /// <summary>One epoch (the first call also fits the scaler and n_mask, which the warm-up absorbs).</summary>
    [Benchmark]
    public double Epoch() => _model.Fit(_options).Last("mse_train");
}
