using SingleCell.Models.Exceiver;
using SingleCell.Models.Samples;

namespace ExceiverSample;

/// <summary>Command-line options of the sample.</summary>
internal sealed record Options
{
    public required string[] Data { get; init; }
    public required string Kang { get; init; }
    public int Epochs { get; init; } = 100;
    public int FineTuneEpochs { get; init; } = 15;
    public double FineTuneMseWeight { get; init; }
    public int Layers { get; init; } = 1;
    public int BatchSize { get; init; } = 64;
    public KeyPadding Mask { get; init; } = KeyPadding.Exclude;
    public ulong Seed { get; init; } = 2299;
    public bool Json { get; init; }
    public bool SkipTransfer { get; init; }
    public string? Out { get; init; }

    /// <summary>The shared data folder (beside the project checkout).</summary>
    public static string Shared(params string[] parts)
    {
        var dir = AppContext.BaseDirectory;
        for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
        {
            var candidate = Path.Combine([d.FullName, "shared", "data", .. parts]);
            if (File.Exists(candidate) || Directory.Exists(candidate)) return candidate;
            candidate = Path.Combine([d.FullName, "..", "shared", "data", .. parts]);
            if (File.Exists(candidate) || Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return Path.Combine(["../shared/data", .. parts]);
    }

    public static SampleArgs Spec() => new SampleArgs("Exceiver",
            "Pretrains the Exceiver (masked-value transformer over genes) and transfers its cell embeddings to Kang et al. 2018 cell types and stimulation.")
        .Option("--data", "FILE[,FILE…]", "files to pretrain on (.h5ad, 10x .h5 or folder); aliases kang, pbmc68k (its raw counts), tenx; 'union' = all three", "kang")
        .Option("--kang", "FILE", "the Kang 2018 h5ad of the transfer tasks", "../shared/data/h5ad/kang2018_valid_anndata06.h5ad")
        .Option("--epochs", "N", "maximum pretraining epochs, ≥ 1 (early stopping, patience 10)", "100")
        .Option("--finetune-epochs", "N", "maximum epochs of fine-tuning and of the from-scratch classifier (Adam 1e-3, 50 warm-up steps), ≥ 1", "15")
        .Option("--finetune-mse-weight", "λ", "weight of the masked-value MSE in the downstream loss λ·MSE + CE (the spec's classifier: 1); 0 trains on the classification alone, early-stopped on the validation cross-entropy", "0")
        .Option("--layers", "N", "self-attention layers, ≥ 0 (the released model has 8)", "1")
        .Option("--batch", "N", "batch size, ≥ 2", "64")
        .Option("--mask", "MODE", "key padding of zero-count genes: exclude or additive (the reference code)", "exclude")
        .Option("--seed", "N", "seed of the model, masks and splits", "2299")
        .Flag("--json", "print one JSON object with the pretraining and transfer figures on stdout")
        .Flag("--no-transfer", "pretrain only")
        .Option("--out", "DIR", "write kang_embeddings.h5ad (obsm X_exceiver, X_exceiver_mean), gene_embeddings.csv, pretrain_history.csv")
        .Example("dotnet run -c Release --project samples/Exceiver -- --epochs 20 --json")
        .Example("dotnet run -c Release --project samples/Exceiver -- --data union --mask additive --out exceiver-out");

    public const string Notes = """
        run time on 2 cores (docs/models/exceiver.md): pretraining on Kang with 1 layer takes about 3–4 s per epoch on
        a quiet machine, so the default 100 epochs (where validation MSE is about a third of the gene-mean baseline's
        in every seed we ran; after 30 it was not yet below it in one of three) take about 6 minutes, and the transfer
        adds fine-tuning and a from-scratch classifier (15 epochs each) per task: about 10 minutes in all. A bar per
        training shows epochs and steps.
        Other settings are the spec's: 128 latents of dimension 4, 4 heads, gene dimension 4, feed-forward 2048,
        Adam 3e-4 with weight decay 1e-5 and 500 warm-up steps, 70/30 train/validation split of the pretraining cells.
        Transfer: Kang's cells are split 70/30 (seeded) into probe-training and test cells; accuracies are on the test cells.
        """;

    /// <summary>Reads and checks every value before any work is done.</summary>
    public static Options From(SampleArgs a)
    {
        // The flags first (a typo is named even when the data is elsewhere), then the files, then --out.
        int epochs = a.Int("--epochs", 100, min: 1), fineTune = a.Int("--finetune-epochs", 15, min: 1);
        double fineTuneMse = a.Double("--finetune-mse-weight", 0, min: 0);
        int layers = a.Int("--layers", 1, min: 0, max: 64), batch = a.Int("--batch", 64, min: 2);
        var mask = a.Choice("--mask", "exclude", "exclude", "additive") == "additive" ? KeyPadding.Additive : KeyPadding.Exclude;
        ulong seed = a.ULong("--seed", 2299);
        string kang = a.String("--kang") ?? Shared("h5ad", "kang2018_valid_anndata06.h5ad");
        if (!File.Exists(kang)) throw new UsageException($"--kang: no file '{kang}'");
        var data = (a.String("--data") ?? "kang").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .SelectMany(d => d == "union" ? new[] { "kang", "pbmc68k", "tenx" } : [d])
            .Select(d => d switch
            {
                "kang" => kang,
                "pbmc68k" => Shared("h5ad", "pbmc68k_reduced.h5ad"),
                "tenx" => Shared("tenx", "filtered_feature_bc_matrix.h5"),
                _ => d,
            }).Distinct().ToArray();
        if (data.Length == 0) throw new UsageException("--data: no files given");
        foreach (var d in data)
            if (!File.Exists(d) && !Directory.Exists(d)) throw new UsageException($"--data: no file or folder '{d}'");
        return new Options
        {
            Data = data,
            Kang = kang,
            Epochs = epochs,
            FineTuneEpochs = fineTune,
            FineTuneMseWeight = fineTuneMse,
            Layers = layers,
            BatchSize = batch,
            Mask = mask,
            Seed = seed,
            Json = a.Has("--json"),
            SkipTransfer = a.Has("--no-transfer"),
            Out = a.OutputFolder("--out"),
        };
    }
}
