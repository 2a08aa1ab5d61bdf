using System.Globalization;
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

    public const string Usage = """
        Reproduces Table 1 of Lopez et al. (CLeaR 2023) on the paper's simulation, or compares variants on real counts.

          dotnet run -c Release --project samples/SparseShiftVae -- [options]

          --epochs N          training epochs of each stage (default 300, as demo.py)
          --seed N            simulation and model seed (default 1024)
          --variants LIST     comma-separated: vae,beta-vae,ivae,svae,svae+ (default: all five)
          --json              print one JSON object with the metrics of every variant
          --cells-per-chem N  cells per intervention (default 500, the paper's §4.2; demo.py uses 250)
          --chems N           interventions K (default 100; the last 20 % are held out)
          --genes N           genes (default 100)
          --latent N          latent dimension p (default 15)
          --particles N       importance samples of the I-NLL (default 1000)
          --kl-warmup N       KL warm-up epochs (default 50)
          --beta X            β of the β-VAE (default 10; the paper's grid is 8, 10, 30)
          --svae-alpha X      L1 weight α of the sVAE (default 1)
          --paper-simulation  simulate as the paper's App. C (targets without replacement, per-cell softmax, l = 1e5)
                              instead of the code's sparse_shift
          --plus-alpha X      Beta(1, α) prior of the sVAE+ (default: K, the number of labels; the paper's grid is 10–100)
          --real DIR          run on the Papalexi 2021 low-MOI folder instead (raw counts; hold out knockouts)
          --real-held-out N   knockouts held out on real data (default 4)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--epochs" => o with { Epochs = Int() },
                "--seed" => o with { Seed = ulong.Parse(Next(), CultureInfo.InvariantCulture) },
                "--variants" => o with { Variants = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseVariant).ToArray() },
                "--json" => o with { Json = true },
                "--cells-per-chem" => o with { CellsPerIntervention = Int() },
                "--chems" => o with { Interventions = Int() },
                "--genes" => o with { Genes = Int() },
                "--latent" => o with { Latent = Int() },
                "--particles" => o with { Particles = Int() },
                "--kl-warmup" => o with { KlWarmup = Int() },
                "--beta" => o with { Beta = Dbl() },
                "--svae-alpha" => o with { SvaeAlpha = Dbl() },
                "--plus-alpha" => o with { PlusAlpha = Dbl() },
                "--paper-simulation" => o with { PaperSimulation = true },
                "--real" => o with { RealData = Next() },
                "--real-held-out" => o with { RealHeldOut = Int() },
                "--help" or "-h" => throw new HelpRequested(),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }
        return o with { FirstHeldOut = (int)Math.Round(o.Interventions * 0.8) };
    }

    public static SvaeVariant ParseVariant(string s) => s.ToLowerInvariant() switch
    {
        "vae" => SvaeVariant.Vae,
        "beta-vae" or "betavae" or "β-vae" => SvaeVariant.BetaVae,
        "ivae" => SvaeVariant.IVae,
        "svae" => SvaeVariant.Svae,
        "svae+" or "svaeplus" or "spikeslab" => SvaeVariant.SvaePlus,
        _ => throw new ArgumentException($"Unknown variant '{s}' (vae, beta-vae, ivae, svae, svae+)."),
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

internal sealed class HelpRequested : Exception;
