using System.Diagnostics;
using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Graphs;
using SingleCell.Models.Selection.ActiveLearning;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Selection.Study;

/// <summary>
/// The selection study: one-shot graph selection against active learning, with a perturbation predictor
/// retrained from scratch at every budget (IterPert's protocol, spec §1.4 and §3).
/// </summary>
/// <remarks>
/// The test split is fixed (<see cref="SelectionStudyOptions.SplitSeed"/>), so every method and seed draws from
/// the same pool. Active learning starts from a seeded random initial set shared by all active-learning
/// methods of a seed; each round asks the last trained predictor for per-perturbation features
/// (<see cref="IPerturbationPredictor.GetPerturbationFeatures"/>) and adds one batch. A one-shot ranking is
/// computed once per graph (and per seed only for <c>oneshot-random</c>); its first k items are the budget-k
/// selection. Results are appended to a CSV after every training; a run restarted on the same file skips
/// what is there and continues active learning from its last completed training (that predictor is
/// retrained with the same seed to get its features).
/// </remarks>
public sealed class SelectionStudy
{
    private readonly PerturbationScreen _screen;
    private readonly GeneGraph _graph;
    private readonly IPerturbationPredictorFactory _factory;
    private readonly SelectionStudyOptions _options;
    private readonly IReadOnlyList<GeneGraph> _priors;
    private readonly int[] _test;
    private readonly int[] _items;      // non-test perturbations (AL item i = perturbation _items[i])
    private double[][]? _priorKernels;

    /// <summary>Sets up the study.</summary>
    /// <param name="screen">The screen.</param>
    /// <param name="graph">The gene graph the selectors and the model see (before graph noise).</param>
    /// <param name="factory">Trains a predictor at each budget.</param>
    /// <param name="options">The protocol; null means IterPert's.</param>
    /// <param name="priorGraphs">Graphs whose diffusion kernels IterPert averages with its feature kernel (e.g. GO, STRING); not noised.</param>
    /// <exception cref="ArgumentException">The budgets exceed the pool, or the predictor can handle fewer than two perturbations.</exception>
    public SelectionStudy(PerturbationScreen screen, GeneGraph graph, IPerturbationPredictorFactory factory, SelectionStudyOptions? options = null,
        IReadOnlyList<GeneGraph>? priorGraphs = null)
    {
        _screen = screen ?? throw new ArgumentNullException(nameof(screen));
        _graph = graph ?? throw new ArgumentNullException(nameof(graph));
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _options = options ?? new SelectionStudyOptions();
        _options.Validate();
        _priors = priorGraphs ?? [];
        // Perturbations the predictor cannot handle (e.g. GEARS: a gene outside the graph) are neither selected nor
        // tested; when it handles all, the split is the seeded permutation of every perturbation.
        int[] usable = [.. Enumerable.Range(0, screen.Perturbations.Count).Where(i => factory.CanPredict(screen.PerturbationGenes[i], graph))];
        LeftOut = [.. Enumerable.Range(0, screen.Perturbations.Count).Except(usable).Select(i => screen.Perturbations[i])];
        int p = usable.Length;
        if (p < 2) throw new ArgumentException($"The predictor '{factory.Name}' can handle {p} of the screen's {screen.Perturbations.Count} perturbations; a study needs at least 2.", nameof(factory));
        var perm = new Generator(_options.SplitSeed).Permutation(p);
        int nTest = Math.Max(1, (int)Math.Round(p * _options.TestFraction));
        _test = perm[..nTest].Select(k => usable[k]).Order().ToArray();
        _items = perm[nTest..].Select(k => usable[k]).Order().ToArray();
        if (_options.Schedule[^1] > _items.Length)
            throw new ArgumentException($"The largest budget ({_options.Schedule[^1]}) exceeds the pool of {_items.Length} non-test perturbations.", nameof(options));
    }

    /// <summary>Perturbations the predictor cannot handle (<see cref="IPerturbationPredictorFactory.CanPredict"/>): neither in the pool nor in the test set.</summary>
    public IReadOnlyList<string> LeftOut { get; }

    /// <summary>The held-out test perturbations.</summary>
    public IReadOnlyList<string> TestPerturbations => _test.Select(t => _screen.Perturbations[t]).ToArray();

    /// <summary>The pool (non-test perturbations).</summary>
    public IReadOnlyList<string> Pool => _items.Select(t => _screen.Perturbations[t]).ToArray();

    /// <summary>Runs (or resumes) the study.</summary>
    /// <param name="resultsCsv">Results file: rows already there are kept and skipped; new rows are appended as they finish. Null keeps results in memory only.</param>
    /// <param name="progress">One report per completed training.</param>
    /// <param name="cancellationToken">Stops after the current training (completed rows are on disk).</param>
    /// <returns>All records (those read from the file and the new ones).</returns>
    public IReadOnlyList<StudyRecord> Run(string? resultsCsv = null, IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var records = resultsCsv is null ? [] : ReadResults(resultsCsv);
        var done = new Dictionary<(string, double, int, int), StudyRecord>();
        foreach (var r in records) done[(r.Method, r.GraphNoise, r.Seed, r.Round)] = r;
        var schedule = _options.Schedule;
        int total = _options.GraphNoise.Count * _options.Methods.Count * _options.Seeds.Count * schedule.Length;
        int completed = records.Count;
        StreamWriter? writer = null;
        try
        {
            if (resultsCsv is not null)
            {
                bool fresh = !File.Exists(resultsCsv) || new FileInfo(resultsCsv).Length == 0;
                writer = new StreamWriter(resultsCsv, append: true);
                if (fresh) { writer.WriteLine(StudyRecord.CsvHeader); writer.Flush(); }
            }
            void Emit(StudyRecord r)
            {
                records.Add(r);
                writer?.WriteLine(r.ToCsv());
                writer?.Flush();
                progress?.Report(new StudyProgress(++completed, total, r));
            }
            foreach (double noise in _options.GraphNoise)
            {
                var graph = GraphNoise.Apply(_graph, noise, _options.NoiseKind, _options.NoiseSeed);
                var rankings = new Dictionary<string, (int[] Ranking, double Seconds)>();
                foreach (var method in _options.Methods)
                    foreach (int seed in _options.Seeds)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (Enumerable.Range(0, schedule.Length).All(r => done.ContainsKey((method, noise, seed, r)))) continue;
                        if (SelectionStudyOptions.IsOneShot(method)) RunOneShot(method, noise, seed, graph, rankings, done, Emit, cancellationToken);
                        else RunActive(method, noise, seed, graph, done, Emit, cancellationToken);
                    }
            }
        }
        finally
        {
            writer?.Dispose();
        }
        return records;
    }

    /// <summary>Reads a results file; a torn last line (a run killed mid-write) is dropped and the file rewritten without it.</summary>
    private static List<StudyRecord> ReadResults(string path)
    {
        var records = new List<StudyRecord>();
        if (!File.Exists(path)) return records;
        var lines = File.ReadAllLines(path);
        if (lines.Length > 0 && lines[0] != StudyRecord.CsvHeader)
            throw new InvalidDataException($"'{path}' is not a selection-study results file (unexpected header).");
        bool torn = false;
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            try { records.Add(StudyRecord.FromCsv(lines[i])); }
            catch (FormatException) when (i == lines.Length - 1) { torn = true; }
        }
        if (torn) File.WriteAllLines(path, new[] { StudyRecord.CsvHeader }.Concat(records.Select(r => r.ToCsv())));
        return records;
    }

    private void RunOneShot(string method, double noise, int seed, GeneGraph graph, Dictionary<string, (int[], double)> rankings,
        Dictionary<(string, double, int, int), StudyRecord> done, Action<StudyRecord> emit, CancellationToken ct)
    {
        var kind = method switch
        {
            "graphreach" => OneShotMethod.GraphReach, "facility" => OneShotMethod.Facility, "logdet" => OneShotMethod.LogDet,
            "degree" => OneShotMethod.Degree, _ => OneShotMethod.Random,
        };
        string key = kind == OneShotMethod.Random ? $"{method}/{seed}" : method;
        var schedule = _options.Schedule;
        if (!rankings.TryGetValue(key, out var ranked))
        {
            var sw = Stopwatch.StartNew();
            var r = OneShotRankings.Rank(kind, graph, _screen.PerturbationGenes, _items, schedule[^1], _options.Hops, seed, ct);
            ranked = (r, sw.Elapsed.TotalSeconds);
            rankings[key] = ranked;
        }
        for (int round = 0; round < schedule.Length; round++)
        {
            if (done.ContainsKey((method, noise, seed, round))) continue;
            var labelled = ranked.Item1[..schedule[round]];
            emit(TrainAndTest(method, noise, seed, round, 1, labelled, graph, round == 0 ? ranked.Item2 : 0, ct));
        }
    }

    private void RunActive(string method, double noise, int seed, GeneGraph graph, Dictionary<(string, double, int, int), StudyRecord> done,
        Action<StudyRecord> emit, CancellationToken ct)
    {
        var schedule = _options.Schedule;
        var strategy = CreateStrategy(method);
        List<int> labelled;
        int start = 0;
        IPerturbationPredictor? model = null;
        var last = Enumerable.Range(0, schedule.Length).Where(r => done.ContainsKey((method, noise, seed, r))).DefaultIfEmpty(-1).Max();
        if (last < 0)
        {
            var perm = (int[])_items.Clone();
            new Generator(seed).Shuffle(perm.AsSpan());
            labelled = perm[..schedule[0]].ToList();
        }
        else
        {
            labelled = done[(method, noise, seed, last)].Selected.Select(_screen.IndexOf).ToList();
            start = last + 1;
            model = Train(labelled, graph, seed, last, ct); // the last completed training, retrained for its features
        }
        for (int round = start; round < schedule.Length; round++)
        {
            double selectSeconds = 0;
            if (round > 0)
            {
                var sw = Stopwatch.StartNew();
                var batch = SelectBatch(strategy, model!, labelled, schedule[round] - schedule[round - 1], seed * 7919 + round, ct);
                labelled.AddRange(batch);
                selectSeconds = sw.Elapsed.TotalSeconds;
            }
            var record = TrainAndTest(method, noise, seed, round, round + 1, labelled.ToArray(), graph, selectSeconds, ct, m => model = m);
            emit(record);
        }
    }

    /// <summary>One active-learning round: features of the non-test perturbations from the predictor, then the strategy.</summary>
    internal int[] SelectBatch(IActiveLearningStrategy strategy, IPerturbationPredictor model, IReadOnlyList<int> labelled, int batch, int seed, CancellationToken ct)
    {
        var features = model.GetPerturbationFeatures(_items.Select(i => _screen.Perturbations[i]).ToArray());
        var position = new Dictionary<int, int>();
        for (int i = 0; i < _items.Length; i++) position[_items[i]] = i;
        var lab = labelled.Select(p => position[p]).ToArray();
        var isLab = new bool[_items.Length];
        foreach (int i in lab) isLab[i] = true;
        var pool = Enumerable.Range(0, _items.Length).Where(i => !isLab[i]).ToArray();
        var picks = strategy.SelectBatch(new ActiveLearningState(features, pool, lab), batch, seed, ct);
        return picks.Select(i => _items[i]).ToArray();
    }

    private IActiveLearningStrategy CreateStrategy(string method) => method switch
    {
        "random" => new RandomStrategy(),
        "coreset" => new CoreSetStrategy(),
        "badge" => new BadgeStrategy(),
        "bald" => new BaldStrategy(_options.NoiseVariance),
        "batchbald" => new BatchBaldStrategy(_options.NoiseVariance),
        "lcmd" => new LcmdStrategy(),
        "typiclust" => new TypiClustStrategy(),
        "iterpert" => new IterPertStrategy(PriorKernels()),
        _ => throw new ArgumentOutOfRangeException(nameof(method), $"Unknown active-learning method '{method}'."),
    };

    /// <summary>Diffusion kernels (1 hop, z = e + S e) of the prior graphs over the non-test perturbations.</summary>
    private double[][] PriorKernels()
    {
        return _priorKernels ??= _priors.Select(g =>
        {
            var rows = GraphDiffusion.NodeRows(g, 1, 1.0);
            var z = _items.Select(i => GraphDiffusion.Combine(g, rows, _screen.PerturbationGenes[i])).ToArray();
            return GraphDiffusion.Gram(z, g.NodeCount);
        }).ToArray();
    }

    private IPerturbationPredictor Train(IReadOnlyList<int> labelled, GeneGraph graph, int seed, int round, CancellationToken ct)
        => _factory.Train(new PredictorTrainingRequest(_screen, graph, labelled.Order().ToArray(), seed * 1000 + round, _options.Epochs), null, ct);

    private StudyRecord TrainAndTest(string method, double noise, int seed, int round, int cycles, int[] labelled, GeneGraph graph, double selectSeconds,
        CancellationToken ct, Action<IPerturbationPredictor>? keep = null)
    {
        var sw = Stopwatch.StartNew();
        var model = Train(labelled, graph, seed, round, ct);
        double trainSeconds = sw.Elapsed.TotalSeconds;
        keep?.Invoke(model);
        var metrics = Test(model);
        return new StudyRecord(method, noise, seed, round, labelled.Length, cycles, metrics, selectSeconds, trainSeconds, _factory.Name,
            labelled.Select(p => _screen.Perturbations[p]).ToArray());
    }

    /// <summary>
    /// The test metrics of the no-change baseline, which predicts the control mean for every test perturbation: the
    /// floor a trained predictor has to beat (GEARS' "no perturbation" baseline).
    /// </summary>
    public PerturbationMetricSet NoChangeBaseline() => Score(_ => _screen.ControlMean);

    /// <summary>
    /// Mean test metrics of a fixed profile per test perturbation, scored as a trained predictor is: for instance the
    /// true expected profile of a simulated screen (<see cref="Simulation.SimulatedScreen.ExpectedProfiles"/>), whose error
    /// is the floor that measurement noise sets for every predictor.
    /// </summary>
    /// <param name="profile">The predicted mean expression of a test perturbation (by label), one value per screen gene.</param>
    /// <exception cref="ArgumentException">A profile of the wrong length.</exception>
    public PerturbationMetricSet Score(Func<string, float[]> profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return PerturbationScreenMetrics.Mean(_test.Select(t =>
        {
            var p = profile(_screen.Perturbations[t]);
            if (p.Length != _screen.Genes.Count) throw new ArgumentException($"The profile of '{_screen.Perturbations[t]}' has {p.Length} values; the screen has {_screen.Genes.Count} genes.", nameof(profile));
            return PerturbationScreenMetrics.Compute(p, _screen.Mean(t), _screen.ControlMean, _screen.DeGenes(t));
        }).ToArray());
    }

    /// <summary>Mean test metrics of a predictor (its genes matched to the screen's by name).</summary>
    internal PerturbationMetricSet Test(IPerturbationPredictor model)
    {
        var labels = _test.Select(t => _screen.Perturbations[t]).ToArray();
        var pred = model.Predict(labels);
        var column = new int[_screen.Genes.Count];
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < pred.Genes.Count; j++) byName[pred.Genes[j]] = j;
        for (int g = 0; g < column.Length; g++)
            column[g] = byName.TryGetValue(_screen.Genes[g], out int j) ? j : throw new ArgumentException($"The predictor does not predict gene '{_screen.Genes[g]}'.");
        var per = new PerturbationMetricSet[labels.Length];
        var row = new float[column.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            var src = pred.Expression.Row(i);
            for (int g = 0; g < column.Length; g++) row[g] = src[column[g]];
            per[i] = PerturbationScreenMetrics.Compute(row, _screen.Mean(_test[i]), _screen.ControlMean, _screen.DeGenes(_test[i]));
        }
        return PerturbationScreenMetrics.Mean(per);
    }
}
