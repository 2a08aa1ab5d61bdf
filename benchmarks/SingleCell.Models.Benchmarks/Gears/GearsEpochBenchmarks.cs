using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SingleCell.Models.Data;
using SingleCell.Models.Gears;
using SingleCell.Models.Graphs;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks.Gears;

/// <summary>
/// Seconds per GEARS training epoch on the shared Norman subset (norman19 cells, 500 genes, simulation split,
/// batch 32 with drop-last, hidden 64, validation included), as the PyTorch peer
/// <c>../shared/bench/gears_torch_reference.py</c> runs it. Run the peer beside it and report the ratio.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class GearsEpochBenchmarks
{
    private GearsModel _model = null!;

    /// <summary>Reads the data and builds the model once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string dir = Path.GetDirectoryName(Path.GetDirectoryName(Data.H5adReadBenchmarks.SharedDataPath("perturbation", "norman2019_mcfaline2023_devel.h5ad")))!;
        var all = AnnData.Read(Path.Combine(dir, "perturbation/norman2019_mcfaline2023_devel.h5ad"));
        var rows = Enumerable.Range(0, all.NObs).Where(i => all.Obs["dataset"].GetString(i) == "norman19").ToArray();
        var data = all.SelectObs(rows);
        var perturbed = Enumerable.Range(0, data.NObs).SelectMany(r => data.Obs["condition"].GetString(r).Split('+')).Where(g => g is not ("control" or "ctrl"));
        var info = GeneInfo.Read(Path.Combine(dir, "networks/gene_info_human_2022-09.tsv.gz"));
        var go = GoGraphBuilder.Build(AnnotationReaders.ReadGene2Go(Path.Combine(dir, "networks/gene2go_human_2022-09.tsv.gz"), info), data.VarNames.Concat(perturbed).Distinct());
        _model = GearsModel.Create(data, new GearsSetup("condition"), go);
    }

    /// <summary>The model <see cref="Setup"/> built (for <c>step-loop</c>).</summary>
    internal GearsModel Model => _model;

    /// <summary>One epoch (training steps and validation).</summary>
    [Benchmark]
    public double Epoch() => _model.Fit(new TrainerOptions { MaxEpochs = 1 }).Last("loss_train");
}
