using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SingleCell.Models.Data;
using SingleCell.Models.DietNetworks;
using SingleCell.Models.Training;

namespace SingleCell.Models.Benchmarks.DietNetworks;

/// <summary>
/// Diet Networks training on the shared HapMap3 set (957 founders × 14,079 SNPs, 11 populations): fold 1
/// of the authors' split (seed 23, 573 train / 192 validation), per-class histogram embedding, a few
/// epochs of batch 128 (full batches) with validation every epoch and early stopping off, as the PyTorch
/// peer <c>../shared/bench/dietnet_torch_reference.py</c> trains each fold (168 s for 5 folds × 100 epochs
/// seen there). Set <c>DIETNET_BED</c> to another PLINK prefix (with <c>DIETNET_LABELS</c>) to time other data.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class DietNetworkTrainingBenchmarks
{
    private DietNetworkModel _model = null!;
    private TrainerOptions _options = null!;

    /// <summary>Epochs per measured run.</summary>
    [Params(5)]
    public int Epochs { get; set; } = 5;

    /// <summary>γ of the reconstruction path (0: none).</summary>
    [Params(0.0, 20.0)]
    public double Gamma { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string bed = Environment.GetEnvironmentVariable("DIETNET_BED") ?? FindShared("HM3_thinned_autosomal_overlap");
        string labels = Environment.GetEnvironmentVariable("DIETNET_LABELS") ?? FindShared("relationships_w_pops_121708.txt");
        var genotypes = GenotypeFiles.ReadPlink(bed);
        PopulationLabels.Join(genotypes, PopulationLabels.Read(labels, LabelFormat.HapMap));
        genotypes = PopulationLabels.Labelled(genotypes);
        var split = new CrossValidationFolds(genotypes.NObs).Split(0);
        _model = DietNetworkModel.Create(genotypes, "population", split, new DietNetworkOptions { Gamma = Gamma });
        _options = new TrainerOptions { MaxEpochs = Epochs, EarlyStopping = false, RestoreBestWeights = false };
    }

    [Benchmark]
    public double Train() => _model.Fit(_options).Last("accuracy_validation");

    /// <summary>Finds <c>shared/data/genotypes/NAME</c> in a folder above the benchmark's output.</summary>
    private static string FindShared(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "genotypes", name);
            if (File.Exists(candidate) || File.Exists(candidate + ".bed")) return candidate;
        }
        throw new FileNotFoundException($"shared/data/genotypes/{name} not found above {AppContext.BaseDirectory}; set DIETNET_BED and DIETNET_LABELS.");
    }
}
