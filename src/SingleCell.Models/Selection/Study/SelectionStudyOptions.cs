using System.Globalization;
using SingleCell.Models.Evaluation;

namespace SingleCell.Models.Selection.Study;

/// <summary>
/// The study protocol (IterPert's by default, spec §3): 10 % of perturbations held out as test, 100 random
/// initial perturbations, then 5 rounds of 100; the predictor retrained from scratch at every budget.
/// </summary>
public sealed record SelectionStudyOptions
{
    /// <summary>Every method the study knows: active learning, then one-shot.</summary>
    public static readonly IReadOnlyList<string> AllMethods =
        ["random", "coreset", "badge", "bald", "batchbald", "lcmd", "typiclust", "iterpert", "graphreach", "facility", "logdet", "degree", "oneshot-random"];

    /// <summary>Methods to run (names from <see cref="AllMethods"/>).</summary>
    public IReadOnlyList<string> Methods { get; init; } = AllMethods;

    /// <summary>Seeds (the paper and IterPert use 10 runs).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3, 4, 5];

    /// <summary>Fraction of perturbations held out as the test set (fixed across seeds and methods).</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>Seed of the test split.</summary>
    public int SplitSeed { get; init; } = 42;

    /// <summary>Size of the random initial set of active learning.</summary>
    public int InitialSize { get; init; } = 100;

    /// <summary>Active-learning rounds after the initial set.</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Perturbations added per round.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>An explicit, increasing budget schedule; overrides <see cref="InitialSize"/>, <see cref="Rounds"/> and <see cref="BatchSize"/>.</summary>
    public IReadOnlyList<int>? Budgets { get; init; }

    /// <summary>Training epochs passed to the predictor factory (IterPert: 20).</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Graph-noise fractions to run (0 = the clean graph).</summary>
    public IReadOnlyList<double> GraphNoise { get; init; } = [0.0];

    /// <summary>How graph noise corrupts edges.</summary>
    public GraphNoiseKind NoiseKind { get; init; } = GraphNoiseKind.Rewire;

    /// <summary>Seed of the graph noise.</summary>
    public int NoiseSeed { get; init; } = 7;

    /// <summary>Message-passing layers of the one-shot objectives (GEARS: 1).</summary>
    public int Hops { get; init; } = 1;

    /// <summary>GP observation noise σ² of BALD/BatchBALD (IterPert: 0.1).</summary>
    public double NoiseVariance { get; init; } = 0.1;

    /// <summary>The budget schedule: <see cref="Budgets"/> or initial + r · batch for r = 0..rounds.</summary>
    public int[] Schedule => Budgets?.ToArray() ?? Enumerable.Range(0, Rounds + 1).Select(r => InitialSize + r * BatchSize).ToArray();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for an invalid setting.</summary>
    public void Validate()
    {
        if (!(TestFraction > 0 && TestFraction < 1)) throw new ArgumentOutOfRangeException(nameof(TestFraction), $"TestFraction must be in (0, 1); got {TestFraction}.");
        var s = Schedule;
        if (s.Length == 0 || s[0] < 1) throw new ArgumentOutOfRangeException(nameof(Budgets), "The first budget must be ≥ 1.");
        for (int i = 1; i < s.Length; i++) if (s[i] <= s[i - 1]) throw new ArgumentOutOfRangeException(nameof(Budgets), $"Budgets must increase; got {string.Join(",", s)}.");
        if (Seeds.Count == 0) throw new ArgumentOutOfRangeException(nameof(Seeds), "At least one seed is needed.");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), $"Epochs must be ≥ 1; got {Epochs}.");
        if (!(NoiseVariance > 0)) throw new ArgumentOutOfRangeException(nameof(NoiseVariance), $"NoiseVariance must be > 0; got {NoiseVariance}.");
        foreach (double f in GraphNoise) if (!(f >= 0 && f <= 1)) throw new ArgumentOutOfRangeException(nameof(GraphNoise), $"Graph noise must be in [0, 1]; got {f}.");
        foreach (var m in Methods) if (!AllMethods.Contains(m)) throw new ArgumentOutOfRangeException(nameof(Methods), $"Unknown method '{m}' (known: {string.Join(", ", AllMethods)}).");
    }

    /// <summary>Whether <paramref name="method"/> is one-shot (one wet-lab cycle).</summary>
    /// <param name="method">A method name.</param>
    public static bool IsOneShot(string method) => method is "graphreach" or "facility" or "logdet" or "degree" or "oneshot-random";
}

/// <summary>One training of the study: a method, seed, graph-noise level and budget.</summary>
/// <param name="Method">Method name.</param>
/// <param name="GraphNoise">Graph-noise fraction.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Round">Budget index (0 = initial).</param>
/// <param name="Budget">Labelled perturbations.</param>
/// <param name="Cycles">Wet-lab cycles needed to reach this budget (one-shot: 1; active learning: round + 1).</param>
/// <param name="Metrics">Mean test metrics.</param>
/// <param name="SelectSeconds">Selection compute time spent for this budget (one-shot: the whole ranking, at round 0).</param>
/// <param name="TrainSeconds">Predictor training time.</param>
/// <param name="Predictor">The predictor factory's name.</param>
/// <param name="Selected">The labelled perturbations.</param>
public sealed record StudyRecord(string Method, double GraphNoise, int Seed, int Round, int Budget, int Cycles, PerturbationMetricSet Metrics,
    double SelectSeconds, double TrainSeconds, string Predictor, IReadOnlyList<string> Selected)
{
    /// <summary>The CSV header of <see cref="ToCsv"/>.</summary>
    public const string CsvHeader = "method,graph_noise,seed,round,budget,cycles,mse,mse_top20_de_non_dropout,pearson_delta,frac_opposite_direction_top20_non_dropout,select_seconds,train_seconds,predictor,selected";

    /// <summary>One CSV line (perturbations joined by <c>;</c>).</summary>
    public string ToCsv()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        return string.Join(',', Method, F(GraphNoise), Seed.ToString(CultureInfo.InvariantCulture), Round.ToString(CultureInfo.InvariantCulture),
            Budget.ToString(CultureInfo.InvariantCulture), Cycles.ToString(CultureInfo.InvariantCulture), F(Metrics.Mse), F(Metrics.MseTop20DeNonDropout),
            F(Metrics.PearsonDelta), F(Metrics.FracOppositeDirectionTop20NonDropout), F(SelectSeconds), F(TrainSeconds), Predictor, string.Join(';', Selected));
    }

    /// <summary>Parses a line written by <see cref="ToCsv"/>.</summary>
    /// <param name="line">The line.</param>
    /// <exception cref="FormatException">The line is malformed.</exception>
    public static StudyRecord FromCsv(string line)
    {
        var f = line.Split(',');
        if (f.Length != 14) throw new FormatException($"A results line has {f.Length} fields; expected 14: '{line}'.");
        static double D(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
        static int I(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new StudyRecord(f[0], D(f[1]), I(f[2]), I(f[3]), I(f[4]), I(f[5]), new PerturbationMetricSet(D(f[6]), D(f[7]), D(f[8]), D(f[9])),
            D(f[10]), D(f[11]), f[12], f[13].Length == 0 ? [] : f[13].Split(';'));
    }
}

/// <summary>Progress of a study: one report per completed training.</summary>
/// <param name="Completed">Trainings done (including those found in the results file).</param>
/// <param name="Total">Trainings in the study.</param>
/// <param name="Last">The record just completed.</param>
public readonly record struct StudyProgress(int Completed, int Total, StudyRecord Last);
