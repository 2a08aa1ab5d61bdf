using System.Globalization;
using SingleCell.Models.DietNetworks;

namespace DietNetworks;

/// <summary>Thrown by <see cref="Options.Parse"/> for --help.</summary>
internal sealed class HelpRequested : Exception;

/// <summary>Command-line options of the Diet Networks sample.</summary>
internal sealed record Options
{
    public const string Usage = """
        Usage: DietNetworks (--bed PREFIX --labels FILE [--label-format hapmap|panel] | --simulate) [options]
          --bed PREFIX          PLINK 1 binary set (PREFIX.bed/.bim/.fam)
          --raw FILE            PLINK --recode A file instead of --bed
          --labels FILE         sample labels; --label-format hapmap (relationships file, column 7) or panel (sample pop super_pop)
          --simulate            hierarchical Balding–Nichols data (--sim-snps N, --sim-per-pop N, --sim-fst-pop F)
          --folds K             folds to run (default 5; the split always has 5 folds, seed 23)
          --embedding LIST      histogram,random,raw,snp2vec, all, or none (baselines only; default histogram)
          --gamma LIST          reconstruction weights, e.g. 0,20 (default 0: none); each applies to the basic baseline too
          --baselines LIST      basic,pca or none (default basic,pca)
          --epochs N            epoch limit (default 200); --patience N (default 50); --lr X (default 1e-3)
          --paper-schedule      lr 3e-5, 3,000 epochs, patience 500 (the paper's)
          --snp2vec-epochs N    SNP2Vec autoencoder epochs (default 100)
          --pcs N               principal components of the PCA baseline (default 20)
          --seed N              model seed (default 1)
          --out DIR             per-fold predictions and confusion matrices (CSV)
          --json                print {"configs": …, "baselines": …} on stdout
          --help                this text
        """;

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

    public static Options Parse(string[] args)
    {
        var o = new Options();
        bool epochsSet = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int Int() { var v = Next(); return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{a}: '{v}' is not a positive integer."); }
            double Dbl() { var v = Next(); return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d >= 0 ? d : throw new ArgumentException($"{a}: '{v}' is not a non-negative number."); }
            o = a switch
            {
                "--help" or "-h" => throw new HelpRequested(),
                "--bed" => o with { Bed = Next() },
                "--raw" => o with { Raw = Next() },
                "--labels" => o with { Labels = Next() },
                "--label-format" => o with { LabelFormat = Next() switch { "hapmap" => LabelFormat.HapMap, "panel" => LabelFormat.Panel, var v => throw new ArgumentException($"--label-format: '{v}' is not hapmap or panel.") } },
                "--simulate" => o with { Simulate = true },
                "--sim-snps" => o with { SimSnps = Int() },
                "--sim-per-pop" => o with { SimPerPop = Int() },
                "--sim-fst-pop" => o with { SimFstPop = Dbl() },
                "--folds" => o with { Folds = Int() },
                "--embedding" => o with { Embeddings = ParseEmbeddings(Next()) },
                "--gamma" => o with { Gammas = Next().Split(',').Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double g) && g >= 0 ? g : throw new ArgumentException($"--gamma: '{s}' is not a non-negative number.")).ToArray() },
                "--baselines" => Next() switch
                {
                    "none" => o with { Basic = false, PcaBaseline = false },
                    var v => o with { Basic = v.Split(',').Contains("basic"), PcaBaseline = v.Split(',').Contains("pca") },
                },
                "--epochs" => Set(o with { Epochs = Int() }, ref epochsSet),
                "--patience" => o with { Patience = Int() },
                "--lr" => o with { LearningRate = Dbl() },
                "--paper-schedule" => o with { PaperSchedule = true },
                "--snp2vec-epochs" => o with { Snp2VecEpochs = Int() },
                "--pcs" => o with { Pcs = Int() },
                "--seed" => o with { Seed = (ulong)Int() },
                "--out" => o with { Out = Next() },
                "--json" => o with { Json = true },
                _ => throw new ArgumentException($"Unknown argument '{a}'."),
            };
        }
        if (o.Folds > 5) throw new ArgumentException("--folds: at most 5 (the split has 5 folds).");
        if (!o.Simulate && o.Bed == null && o.Raw == null) throw new ArgumentException("Give --bed PREFIX (or --raw FILE) with --labels FILE, or --simulate.");
        if (!o.Simulate && o.Labels == null) throw new ArgumentException("--labels FILE is required with --bed or --raw.");
        if (o.Bed != null && !File.Exists(o.Bed + ".bed")) throw new ArgumentException($"--bed: '{o.Bed}.bed' does not exist.");
        if (o.Raw != null && !File.Exists(o.Raw)) throw new ArgumentException($"--raw: '{o.Raw}' does not exist.");
        if (o.Labels != null && !File.Exists(o.Labels)) throw new ArgumentException($"--labels: '{o.Labels}' does not exist.");
        if (o.PaperSchedule) o = o with { LearningRate = 3e-5, Epochs = epochsSet ? o.Epochs : 3000, Patience = 500 };
        return o;
    }

    private static Options Set(Options o, ref bool flag) { flag = true; return o; }

    private static DietEmbedding[] ParseEmbeddings(string v) => v switch
    {
        "all" => [DietEmbedding.Histogram, DietEmbedding.RandomProjection, DietEmbedding.Raw, DietEmbedding.Snp2Vec],
        "none" => [],
        _ => v.Split(',').Select(s => s switch
        {
            "histogram" => DietEmbedding.Histogram, "random" => DietEmbedding.RandomProjection, "raw" => DietEmbedding.Raw, "snp2vec" => DietEmbedding.Snp2Vec,
            _ => throw new ArgumentException($"--embedding: '{s}' is not histogram, random, raw, snp2vec, all or none."),
        }).ToArray(),
    };
}
