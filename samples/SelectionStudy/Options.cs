using SingleCell.Models.Samples;
using SingleCell.Models.Selection.Study;

namespace SelectionStudySample;

/// <summary>Command-line options, all checked (files, folders, ranges, --out) before any work.</summary>
internal sealed class Options
{
    /// <summary>The network files a --data folder must hold.</summary>
    public static readonly string[] NetworkFiles = ["gene_info_human_2022-09.tsv.gz", "gene2go_human_2022-09.tsv.gz", "string_v12_human_entrez_edges.tsv.gz"];

    public static SampleArgs Spec()
    {
        var spec = new SampleArgs("SelectionStudy", "One-shot graph selection against active learning, with a predictor retrained at every budget.")
            .Option("--dataset", "sim|norman|papalexi|FILE", "sim: a simulated screen on the human GO network; norman: the norman19 cells of ../shared/data/perturbation/norman2019_mcfaline2023_devel.h5ad; papalexi: Papalexi 2021 low-MOI (../shared/data/perturbation/papalexi2021_lowmoi, dominant guide, --cells per knockout, default 200); or an .h5ad with obs 'condition'", "sim")
            .Flag("--small", "a quick setting (400 perturbable genes, budgets 20,40,60,80, 3 seeds): minutes on 2 cores; with --predictor gears also 5 epochs, batch 32 and the methods random, coreset, badge, iterpert, graphreach, facility (unless --epochs / --batch / --methods say otherwise)")
            .Option("--methods", "LIST", "comma-separated: " + string.Join(",", SelectionStudyOptions.AllMethods), "all")
            .Option("--seeds", "LIST", "comma-separated seeds, each ≥ 0", "1,2,3,4,5 (--small: 1,2,3)")
            .Option("--budgets", "LIST", "the budget schedule, increasing, each ≥ 1 (the first is the initial set)", "100,200,…,600 (--small: 20,40,60,80)")
            .Option("--rounds", "R", "with --budgets unset: R + 1 budgets, multiples of the first default, ≥ 0")
            .Option("--epochs", "N", "training epochs of the predictor at every budget, ≥ 1", "20")
            .Option("--predictor", "NAME", "ridge: the fast graph-ridge stand-in; gears: GEARS (hidden 64, --batch; minutes per training on 2 cores)", "ridge")
            .Option("--batch", "N", "GEARS mini-batch size, ≥ 2 (IterPert's 256, for real screens with ~100+ cells per perturbation; with the simulator's 50 and the small budgets of --small a smaller batch gives GEARS enough optimiser steps per epoch)", "256 (--small --predictor gears: 32)")
            .Option("--graph-noise", "LIST", "comma-separated fractions of the prior graph's edges to corrupt, each from 0 to 1", "0")
            .Option("--noise-kind", "KIND", "rewire or drop", "rewire")
            .Option("--genes", "P,R", "simulated screen: perturbable and read-out genes, each ≥ 1", "2000,1000 (--small: 400,200)")
            .Option("--cells", "N", "simulated screen: cells per perturbation, ≥ 1 (fewer cells leave even a perfect predictor little to gain over no change: the summary reports that ceiling)", "50")
            .Option("--data", "DIR", "the folder with the network files (gene_info, gene2go, STRING)", "../shared/data/networks beside the checkout")
            .Option("--out", "DIR", "results.csv (resumable: rerun to continue), summary.md, error_vs_budget.png/.svg and stability.png/.svg (one pair per graph-noise level)", "./selection-study")
            .Flag("--json", "print {\"methods\": {...}, \"config\": {...}} on stdout")
            .Example("dotnet run -c Release --project samples/SelectionStudy -- --small --out study-small --json");
        spec.Notes = """
            run time on 2 cores (measured 2026-12-03 on a shared machine): --small with the ridge predictor about half a
            minute (13 methods, 3 seeds, three graph-noise levels); the full protocol with it (2,000 genes, 3 seeds, 6
            budgets, 13 methods) about 7 minutes; --small --predictor gears about 13 minutes; the full protocol with
            GEARS about a week (docs/models/selection.md). On simulated screens the summary also reports the ceiling:
            the true expected profiles scored like a predictor. Progress is one line per training ([done/total] method,
            noise, seed, budget, metrics), on stderr with --json; rerunning with the same --out resumes.
            """;
        return spec;
    }

    public string Dataset { get; private init; } = "sim";
    public bool Small { get; private init; }
    public string[]? Methods { get; private init; }
    public int[]? Seeds { get; private init; }
    public int[]? Budgets { get; private init; }
    public int? Rounds { get; private init; }
    public int Epochs { get; private init; } = 20;

    /// <summary>The six methods --small --predictor gears runs unless --methods is given.</summary>
    public static readonly string[] SmallGearsMethods = ["random", "coreset", "badge", "iterpert", "graphreach", "facility"];
    public string Predictor { get; private init; } = "ridge";
    public int Batch { get; private init; } = 256;
    public double[] GraphNoise { get; private init; } = [0];
    public string NoiseKind { get; private init; } = "rewire";
    public int? Perturbable { get; private init; }
    public int? Readouts { get; private init; }
    public int? Cells { get; private init; }
    public string Out { get; private init; } = "selection-study";
    public string? DataDir { get; private init; }
    public bool Json { get; private init; }

    public static Options From(SampleArgs a)
    {
        string dataset = a.String("--dataset", "sim");
        if (dataset is not ("sim" or "norman" or "papalexi"))
        {
            if (Directory.Exists(dataset)) throw new UsageException($"--dataset expects sim, norman, papalexi or an .h5ad file; '{dataset}' is a folder");
            if (!File.Exists(dataset)) throw new UsageException($"--dataset expects sim, norman, papalexi or an .h5ad file; '{dataset}' does not exist");
            if (!dataset.EndsWith(".h5ad", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--dataset expects sim, norman, papalexi or an .h5ad file; got '{dataset}'");
        }
        string[]? methods = null;
        if (a.String("--methods") is { } list)
        {
            methods = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).ToArray();
            if (methods.Length == 0) throw new UsageException($"--methods needs at least one of {string.Join(", ", SelectionStudyOptions.AllMethods)}");
            foreach (var m in methods)
                if (!SelectionStudyOptions.AllMethods.Contains(m))
                    throw new UsageException($"--methods: unknown method '{m}' (expected {string.Join(", ", SelectionStudyOptions.AllMethods)})");
        }
        var budgets = a.IntList("--budgets", min: 1);
        for (int i = 1; i < (budgets?.Length ?? 0); i++)
            if (budgets![i] <= budgets[i - 1]) throw new UsageException($"--budgets must increase; got {string.Join(",", budgets)}");
        int? perturbable = null, readouts = null;
        if (a.IntList("--genes", min: 1) is { } pr)
        {
            if (pr.Length != 2) throw new UsageException($"--genes expects P,R (perturbable, read-out genes); got {pr.Length} value(s)");
            (perturbable, readouts) = (pr[0], pr[1]);
        }
        var seeds = a.IntList("--seeds", min: 0);
        int? rounds = a.Has("--rounds") ? a.Int("--rounds", 0, min: 0, max: 1000) : null;
        int epochs = a.Int("--epochs", 20, min: 1);
        string predictor = a.Choice("--predictor", "ridge", "ridge", "gears");
        int batch = a.Int("--batch", 256, min: 2);
        bool small = a.Has("--small");
        if (small && predictor == "gears")
        {
            if (!a.Has("--epochs")) epochs = 5;
            if (!a.Has("--batch")) batch = 32;
        }
        double[] noise = a.DoubleList("--graph-noise", 0, 1) ?? [0];
        string noiseKind = a.Choice("--noise-kind", "rewire", "rewire", "drop");
        int? cells = a.Has("--cells") ? a.Int("--cells", 50, min: 1) : null;
        string dataDir = a.ExistingFolder("--data", NetworkFiles) ?? StudySetup.NetworksDir(null);
        if (dataset == "norman")
        {
            string norman = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataDir))!, "perturbation", "norman2019_mcfaline2023_devel.h5ad");
            if (!File.Exists(norman)) throw new UsageException($"--dataset norman: '{norman}' does not exist (it is looked for beside the --data folder)");
        }
        return new Options
        {
            Dataset = dataset, Small = small, Methods = methods, Seeds = seeds, Budgets = budgets, Rounds = rounds,
            Epochs = epochs, Predictor = predictor, Batch = batch, GraphNoise = noise, NoiseKind = noiseKind, Perturbable = perturbable,
            Readouts = readouts, Cells = cells, DataDir = dataDir, Json = a.Has("--json"),
            // Last: the folder is created only when every other value is good.
            Out = a.OutputFolder("--out", "selection-study")!,
        };
    }
}
