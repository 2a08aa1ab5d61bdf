using System.Globalization;

namespace SelectionStudySample;

/// <summary>Command-line options (parsed by hand).</summary>
internal sealed class Options
{
    public const string Usage = """
        usage: SelectionStudy [options]
        options: [--dataset sim|norman|<file.h5ad>] [--small] [--methods m1,m2,...] [--seeds 1,2,3]
                              [--budgets 100,200,...] [--rounds R] [--epochs E] [--graph-noise 0,0.1,...]
                              [--noise-kind rewire|drop] [--genes P,R] [--cells N] [--out DIR] [--data DIR] [--json]
          --dataset   sim: a simulated screen on the human GO network (default); norman: the norman19 cells of
                      ../shared/data/perturbation/norman2019_mcfaline2023_devel.h5ad; papalexi: Papalexi 2021 low-MOI
                      (../shared/data/perturbation/papalexi2021_lowmoi, dominant guide, --cells per knockout, default 200);
                      or an .h5ad with obs 'condition'.
          --small     a quick setting (400 perturbable genes, 200 read-outs, budgets 20,40,60,80, 3 seeds): under a minute
                      on 2 cores with the stand-in; with --predictor gears also 10 epochs, batch 32 and the methods random,
                      coreset, badge, iterpert, graphreach, facility (unless --epochs / --batch / --methods say otherwise).
          --methods   any of random,coreset,badge,bald,batchbald,lcmd,typiclust,iterpert (active learning) and
                      graphreach,facility,logdet,degree,oneshot-random (one-shot); default all.
          --budgets   the budget schedule (first = initial set); --rounds R with --budgets unset: 100 + 100 r.
          --out       results.csv (resumable: rerun to continue), summary.md, error_vs_budget.png/.svg and
                      stability.png/.svg (one pair per graph-noise level); default ./selection-study.
          --json      print {"methods": {...}, "config": {...}} to stdout.
        example: SelectionStudy --small --out study-small --json
        --predictor ridge|gears  the model retrained at every budget: the fast graph-ridge stand-in (default) or GEARS
                    (hidden 64, batch 256, --epochs; on 2 cores far slower: minutes per training at the full protocol).
        --batch N   GEARS mini-batch size (default 256, IterPert's; with ~10 cells per perturbation a smaller batch gives
                    GEARS as many optimiser steps per epoch as IterPert's real screens with ~100 cells per perturbation).
        """;

    public string Dataset { get; private set; } = "sim";
    public bool Small { get; private set; }
    public string[]? Methods { get; private set; }
    public int[]? Seeds { get; private set; }
    public int[]? Budgets { get; private set; }
    public int? Rounds { get; private set; }
    public int Epochs { get; private set; } = 20;

    /// <summary>Whether --epochs was given (--small --predictor gears otherwise trains 10 epochs).</summary>
    public bool EpochsGiven { get; private set; }

    /// <summary>The six methods --small --predictor gears runs unless --methods is given.</summary>
    public static readonly string[] SmallGearsMethods = ["random", "coreset", "badge", "iterpert", "graphreach", "facility"];
    public string Predictor { get; private set; } = "ridge";
    public int Batch { get; private set; } = 256;

    /// <summary>Whether --batch was given (--small --predictor gears otherwise uses 32).</summary>
    public bool BatchGiven { get; private set; }
    public double[] GraphNoise { get; private set; } = [0];
    public string NoiseKind { get; private set; } = "rewire";
    public int? Perturbable { get; private set; }
    public int? Readouts { get; private set; }
    public int? Cells { get; private set; }
    public string Out { get; private set; } = "selection-study";
    public string? DataDir { get; private set; }
    public bool Json { get; private set; }
    public bool Help { get; private set; }

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int Int(string v) => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{a} expects integers; got '{v}'.");
            double Dbl(string v) => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : throw new ArgumentException($"{a} expects numbers; got '{v}'.");
            switch (a)
            {
                case "--dataset": o.Dataset = Next(); break;
                case "--small": o.Small = true; break;
                case "--methods": o.Methods = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).ToArray(); break;
                case "--seeds": o.Seeds = Next().Split(',').Select(Int).ToArray(); break;
                case "--budgets": o.Budgets = Next().Split(',').Select(Int).ToArray(); break;
                case "--rounds": o.Rounds = Int(Next()); break;
                case "--epochs": o.Epochs = Int(Next()); o.EpochsGiven = true; break;
                case "--predictor":
                    o.Predictor = Next().ToLowerInvariant();
                    if (o.Predictor is not ("ridge" or "gears")) throw new ArgumentException($"--predictor must be ridge or gears; got '{o.Predictor}'.");
                    break;
                case "--batch": o.Batch = Int(Next()); o.BatchGiven = true; break;
                case "--graph-noise": o.GraphNoise = Next().Split(',').Select(Dbl).ToArray(); break;
                case "--noise-kind": o.NoiseKind = Next().ToLowerInvariant(); break;
                case "--genes":
                {
                    var p = Next().Split(',');
                    if (p.Length != 2) throw new ArgumentException("--genes expects P,R (perturbable, read-out).");
                    (o.Perturbable, o.Readouts) = (Int(p[0]), Int(p[1]));
                    break;
                }
                case "--cells": o.Cells = Int(Next()); break;
                case "--out": o.Out = Next(); break;
                case "--data": o.DataDir = Next(); break;
                case "--json": o.Json = true; break;
                case "-h" or "--help": o.Help = true; break;
                default: throw new ArgumentException($"unknown option '{a}'.");
            }
        }
        if (o.NoiseKind is not ("rewire" or "drop")) throw new ArgumentException($"--noise-kind must be rewire or drop; got '{o.NoiseKind}'.");
        if (o.Rounds is < 0) throw new ArgumentException("--rounds must be ≥ 0.");
        if (o.Epochs < 1) throw new ArgumentException("--epochs must be ≥ 1.");
        if (o.Batch < 2) throw new ArgumentException("--batch must be ≥ 2.");
        if (o.Small && o.Predictor == "gears")
        {
            if (!o.EpochsGiven) o.Epochs = 10;
            if (!o.BatchGiven) o.Batch = 32;
        }
        foreach (var m in o.Methods ?? [])
            if (!SingleCell.Models.Selection.Study.SelectionStudyOptions.AllMethods.Contains(m))
                throw new ArgumentException($"--methods: unknown method '{m}' (expected {string.Join(", ", SingleCell.Models.Selection.Study.SelectionStudyOptions.AllMethods)}).");
        return o;
    }
}
