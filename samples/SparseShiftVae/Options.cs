using SingleCell.Models.Samples;
using SingleCell.Models.Svae;

namespace SparseShiftVae;

/// <summary>Command-line options of the sample.</summary>
internal sealed record Options
{
    public int Epochs { get; init; } = 300;
    public ulong Seed { get; init; } = 1024;
    public SvaeVariant[] Variants { get; init; } = [SvaeVariant.Vae, SvaeVariant.BetaVae, SvaeVariant.IVae, SvaeVariant.Svae, SvaeVariant.SvaePlus];
    public bool Json { get; init; }
    public int CellsPerIntervention { get; init; } = 500;
    public int Interventions { get; init; } = 100;
    public int Genes { get; init; } = 100;
    public int Latent { get; init; } = 15;
    public int FirstHeldOut { get; init; } = 80;
    public int Particles { get; init; } = 1000;
    public int KlWarmup { get; init; } = 50;
    public double Beta { get; init; } = 10;
    public double SvaeAlpha { get; init; } = 1;
    public double? PlusAlpha { get; init; }
    public bool PaperSimulation { get; init; }
    public string? RealData { get; init; }
    public int RealHeldOut { get; init; } = 4;
    public string? Out { get; init; }

    /// <summary>The files a --real folder must hold (Papalexi 2021 low-MOI, as in ../shared/data).</summary>
    public static readonly string[] RealFiles = ["response_genes.tsv", "grna_ids.tsv", "response_matrix.mtx.gz", "grna_matrix.mtx.gz", "grna_target_data_frame.tsv"];

    public static SampleArgs Spec() => new SampleArgs("SparseShiftVae",
            "Reproduces Table 1 of Lopez et al. (CLeaR 2023) on the paper's simulation, or compares the variants on real counts (--real).")
        .Option("--epochs", "N", "training epochs of each stage, ≥ 1", "300, as demo.py")
        .Option("--seed", "N", "simulation and model seed", "1024")
        .Option("--variants", "LIST", "comma-separated: vae,beta-vae,ivae,svae,svae+", "all five")
        .Flag("--json", "print one JSON object with the metrics of every variant on stdout")
        .Option("--cells-per-chem", "N", "cells per intervention, ≥ 2", "500, the paper's §4.2; demo.py uses 250")
        .Option("--chems", "N", "interventions K, ≥ 3 (the last 20 % are held out)", "100")
        .Option("--genes", "N", "genes, ≥ 1", "100")
        .Option("--latent", "N", "latent dimension p, ≥ 1", "15")
        .Option("--particles", "N", "importance samples of the I-NLL, ≥ 1", "1000")
        .Option("--kl-warmup", "N", "KL warm-up epochs, ≥ 0", "50")
        .Option("--beta", "X", "β of the β-VAE, > 0 (the paper's grid is 8, 10, 30)", "10")
        .Option("--svae-alpha", "X", "L1 weight α of the sVAE, ≥ 0", "1")
        .Option("--plus-alpha", "X", "Beta(1, α) prior of the sVAE+, > 0 (the paper's grid is 10–100)", "K, the number of labels")
        .Flag("--paper-simulation", "simulate as the paper's App. C (targets without replacement, per-cell softmax, l = 1e5) instead of the code's sparse_shift")
        .Option("--real", "DIR", "run on the Papalexi 2021 low-MOI folder instead (raw counts; hold out knockouts)")
        .Option("--real-held-out", "N", "knockouts held out on real data, ≥ 1", "4")
        .Option("--out", "DIR", "write results there: simulation.h5ad or real.h5ad (latents in obsm X_<variant>), history_<variant>.csv, training and embedding plots (PNG + SVG), metrics.json")
        .Example("dotnet run -c Release --project samples/SparseShiftVae -- --epochs 30 --chems 20 --cells-per-chem 100 --variants vae,svae+ --out svae-out")
        .Example("dotnet run -c Release --project samples/SparseShiftVae -- --real ../shared/data/perturbation/papalexi2021_lowmoi --variants vae,svae+ --epochs 50")
        .Example("dotnet run -c Release --project samples/SparseShiftVae -- --help");

    public const string Notes = """
        run time on 2 cores: the small example below (2 variants × 30 epochs, 2,000 cells) took 10 s here. The defaults
        train on 40,000 cells at about 1 s per epoch, in 3 stages of up to 300 epochs (train, retrain, fine-tune) for
        each of 5 variants, plus the I-NLL with 1,000 particles: expect one to two hours (early stopping may cut it).
        --real reads two MatrixMarket files first (a status line each), then shows a bar per variant and stage.
        --real DIR must hold response_genes.tsv, grna_ids.tsv, response_matrix.mtx.gz, grna_matrix.mtx.gz and
        grna_target_data_frame.tsv (Papalexi et al. 2021, low MOI).
        """;

    /// <summary>Reads and checks every value before any work is done.</summary>
    public static Options From(SampleArgs a)
    {
        var o = new Options
        {
            Epochs = a.Int("--epochs", 300, min: 1),
            Seed = a.ULong("--seed", 1024),
            Variants = a.String("--variants") is { } list ? ParseVariants(list) : new Options().Variants,
            Json = a.Has("--json"),
            CellsPerIntervention = a.Int("--cells-per-chem", 500, min: 2),
            Interventions = a.Int("--chems", 100, min: 3),
            Genes = a.Int("--genes", 100, min: 1),
            Latent = a.Int("--latent", 15, min: 1),
            Particles = a.Int("--particles", 1000, min: 1),
            KlWarmup = a.Int("--kl-warmup", 50, min: 0),
            Beta = a.Double("--beta", 10, min: 0, exclusiveMin: true),
            SvaeAlpha = a.Double("--svae-alpha", 1, min: 0),
            PlusAlpha = a.Has("--plus-alpha") ? a.Double("--plus-alpha", 1, min: 0, exclusiveMin: true) : null,
            PaperSimulation = a.Has("--paper-simulation"),
            RealData = a.ExistingFolder("--real", RealFiles),
            RealHeldOut = a.Int("--real-held-out", 4, min: 1),
            Out = a.OutputFolder("--out"),
        };
        return o with { FirstHeldOut = (int)Math.Round(o.Interventions * 0.8) };
    }

    private static SvaeVariant[] ParseVariants(string list)
    {
        var items = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new UsageException("--variants needs at least one of vae, beta-vae, ivae, svae, svae+");
        return items.Select(ParseVariant).Distinct().ToArray();
    }

    public static SvaeVariant ParseVariant(string s) => s.ToLowerInvariant() switch
    {
        "vae" => SvaeVariant.Vae,
        "beta-vae" or "betavae" or "β-vae" => SvaeVariant.BetaVae,
        "ivae" => SvaeVariant.IVae,
        "svae" => SvaeVariant.Svae,
        "svae+" or "svaeplus" or "spikeslab" => SvaeVariant.SvaePlus,
        _ => throw new UsageException($"--variants: unknown variant '{s}' (expected vae, beta-vae, ivae, svae, svae+)"),
    };

    public static string Key(SvaeVariant v) => v switch
    {
        SvaeVariant.Vae => "vae",
        SvaeVariant.BetaVae => "beta-vae",
        SvaeVariant.IVae => "ivae",
        SvaeVariant.Svae => "svae",
        _ => "svae+",
    };
}
