using SingleCell.Models.DietNetworks;
using SingleCell.Models.Samples;

namespace DietNetworks;

/// <summary>Command-line options of the Diet Networks sample, all checked before any work.</summary>
internal sealed record Options
{
    public static SampleArgs Spec()
    {
        var spec = new SampleArgs("DietNetworks",
                "Diet Networks (Romero et al. 2017) beside the basic model and PCA + logistic regression: ancestry from genotypes, the authors' 5 folds.")
            .Option("--bed", "PREFIX", "PLINK 1 binary set (PREFIX.bed/.bim/.fam)")
            .Option("--raw", "FILE", "a PLINK --recode A file instead of --bed")
            .Option("--labels", "FILE", "sample labels (needed with --bed or --raw)")
            .Option("--label-format", "FORMAT", "hapmap (relationships file, label in column 7) or panel (sample pop super_pop)", "hapmap")
            .Flag("--simulate", "hierarchical Balding–Nichols data instead of files")
            .Option("--sim-snps", "N", "simulated SNPs, ≥ 1", "10000")
            .Option("--sim-per-pop", "N", "simulated samples per population, ≥ 1", "133")
            .Option("--sim-fst-pop", "F", "F_ST between populations of a super-population, from 0 to 1", "0.01")
            .Option("--folds", "K", "folds to run, 1–5 (the split always has 5 folds, seed 23)", "5")
            .Option("--embedding", "LIST", "comma-separated histogram, random, raw, snp2vec; or all; or none (baselines only)", "histogram")
            .Option("--gamma", "LIST", "reconstruction weights, comma-separated, each ≥ 0 (0: no reconstruction); each applies to the basic baseline too", "0")
            .Option("--baselines", "LIST", "comma-separated basic, pca; or none", "basic,pca")
            .Option("--epochs", "N", "epoch limit, ≥ 1", "200 (--paper-schedule: 3000)")
            .Option("--patience", "N", "early-stopping patience in epochs, ≥ 1", "50")
            .Option("--lr", "X", "learning rate, > 0", "1e-3")
            .Flag("--paper-schedule", "the paper's schedule: lr 3e-5, 3,000 epochs, patience 500")
            .Option("--snp2vec-epochs", "N", "SNP2Vec autoencoder epochs, ≥ 1", "100")
            .Option("--pcs", "N", "principal components of the PCA baseline, ≥ 1", "20")
            .Option("--seed", "N", "model seed, ≥ 0", "1")
            .Option("--out", "DIR", "results.csv (test error per configuration and fold), per-fold predictions (CSV, and .h5ad with class probabilities in X and labels in obs) and confusion matrices (CSV), training histories (CSV) and curves (PNG + SVG) of fold 1")
            .Flag("--json", "print {\"configs\": …, \"baselines\": …} on stdout")
            .Example("dotnet run -c Release --project samples/DietNetworks -- --bed ../shared/data/genotypes/HM3_thinned_autosomal_overlap --labels ../shared/data/genotypes/relationships_w_pops_121708.txt --folds 1 --out diet-out")
            .Example("dotnet run -c Release --project samples/DietNetworks -- --simulate --sim-snps 500 --sim-per-pop 20 --folds 1 --epochs 5 --json");
        spec.Notes = """
            run time: the second example (--simulate --sim-snps 500 --sim-per-pop 20 --folds 1 --epochs 5) takes about
            2 s on 2 cores; time grows with SNPs × epochs × folds × configurations (docs/models/diet-networks.md
            estimates the paper's full data). A bar per configuration shows folds and epochs as they go.
            """;
        return spec;
    }

    public string? Bed { get; init; }
    public string? Raw { get; init; }
    public string? Labels { get; init; }
    public LabelFormat LabelFormat { get; init; } = LabelFormat.HapMap;
    public bool Simulate { get; init; }
    public int SimSnps { get; init; } = 10_000;
    public int SimPerPop { get; init; } = 133;
    public double SimFstPop { get; init; } = 0.01;
    public int Folds { get; init; } = 5;
    public IReadOnlyList<DietEmbedding> Embeddings { get; init; } = [DietEmbedding.Histogram];
    public IReadOnlyList<double> Gammas { get; init; } = [0];
    public bool Basic { get; init; } = true;
    public bool PcaBaseline { get; init; } = true;
    public int Epochs { get; init; } = 200;
    public int Patience { get; init; } = 50;
    public double LearningRate { get; init; } = 1e-3;
    public bool PaperSchedule { get; init; }
    public int Snp2VecEpochs { get; init; } = 100;
    public int Pcs { get; init; } = 20;
    public ulong Seed { get; init; } = 1;
    public string? Out { get; init; }
    public bool Json { get; init; }

    public static Options From(SampleArgs a)
    {
        bool simulate = a.Has("--simulate");
        if (simulate && (a.Has("--bed") || a.Has("--raw") || a.Has("--labels")))
            throw new UsageException("--simulate makes its own data; leave out --bed, --raw and --labels");
        if (a.Has("--bed") && a.Has("--raw")) throw new UsageException("give --bed PREFIX or --raw FILE, not both");
        if (!simulate && !a.Has("--bed") && !a.Has("--raw")) throw new UsageException("give --bed PREFIX (or --raw FILE) with --labels FILE, or --simulate");
        string? bed = a.String("--bed");
        if (bed is not null)
        {
            if (bed.EndsWith(".bed", StringComparison.OrdinalIgnoreCase)) bed = bed[..^4];
            var missing = new[] { ".bed", ".bim", ".fam" }.Where(e => !File.Exists(bed + e)).Select(e => $"'{bed}{e}'").ToArray();
            if (missing.Length > 0) throw new UsageException($"--bed: {string.Join(", ", missing)} {(missing.Length == 1 ? "does" : "do")} not exist (PREFIX names the .bed/.bim/.fam set)");
        }
        string? raw = a.ExistingFile("--raw");
        string? labels = a.ExistingFile("--labels");
        if (!simulate && labels is null) throw new UsageException("--labels FILE is required with --bed or --raw");
        bool paper = a.Has("--paper-schedule");
        var o = new Options
        {
            Bed = bed,
            Raw = raw,
            Labels = labels,
            LabelFormat = a.Choice("--label-format", "hapmap", "hapmap", "panel") == "panel" ? LabelFormat.Panel : LabelFormat.HapMap,
            Simulate = simulate,
            SimSnps = a.Int("--sim-snps", 10_000, min: 1),
            SimPerPop = a.Int("--sim-per-pop", 133, min: 1),
            SimFstPop = a.Double("--sim-fst-pop", 0.01, min: 0, max: 1),
            Folds = a.Int("--folds", 5, min: 1, max: 5),
            Embeddings = a.String("--embedding") is { } e ? ParseEmbeddings(e) : [DietEmbedding.Histogram],
            Gammas = a.DoubleList("--gamma", 0, double.MaxValue) ?? [0],
            Epochs = a.Int("--epochs", paper ? 3000 : 200, min: 1),
            Patience = paper && !a.Has("--patience") ? 500 : a.Int("--patience", 50, min: 1),
            LearningRate = paper && !a.Has("--lr") ? 3e-5 : a.Double("--lr", 1e-3, min: 0, exclusiveMin: true),
            PaperSchedule = paper,
            Snp2VecEpochs = a.Int("--snp2vec-epochs", 100, min: 1),
            Pcs = a.Int("--pcs", 20, min: 1),
            Seed = a.ULong("--seed", 1),
            Json = a.Has("--json"),
        };
        var baselines = (a.String("--baselines") ?? "basic,pca").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var b in baselines)
            if (b is not ("basic" or "pca" or "none")) throw new UsageException($"--baselines: '{b}' is not basic, pca or none");
        if (baselines.Contains("none") && baselines.Length > 1) throw new UsageException("--baselines none stands alone");
        o = o with { Basic = baselines.Contains("basic"), PcaBaseline = baselines.Contains("pca") };
        if (o.Embeddings.Count == 0 && !o.Basic && !o.PcaBaseline) throw new UsageException("--embedding none with --baselines none leaves nothing to run");
        // Last: the folder is created only when every other value is good.
        return o with { Out = a.OutputFolder("--out") };
    }

    private static DietEmbedding[] ParseEmbeddings(string v) => v switch
    {
        "all" => [DietEmbedding.Histogram, DietEmbedding.RandomProjection, DietEmbedding.Raw, DietEmbedding.Snp2Vec],
        "none" => [],
        _ => v.Split(',', StringSplitOptions.TrimEntries).Select(s => s switch
        {
            "histogram" => DietEmbedding.Histogram, "random" => DietEmbedding.RandomProjection, "raw" => DietEmbedding.Raw, "snp2vec" => DietEmbedding.Snp2Vec,
            _ => throw new UsageException($"--embedding: '{s}' is not histogram, random, raw, snp2vec, all or none"),
        }).ToArray(),
    };
}
