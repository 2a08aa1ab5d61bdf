using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Graphs;
using SingleCell.Models.Samples;
using SingleCell.Models.Selection.Study;
using SingleCell.Models.Simulation;
using SingleCell.Models.Tensors;

namespace SelectionStudySample;

/// <summary>The screen, graphs and protocol of one run.</summary>
internal sealed record StudySetup(string Description, PerturbationScreen Screen, GeneGraph Graph, IReadOnlyList<GeneGraph> Priors, SelectionStudyOptions Study)
{
    /// <summary>How the report names the predictor in the loop.</summary>
    public string PredictorName { get; init; } = "graph-ridge (stand-in for GEARS)";

    /// <summary>The simulated screen behind <see cref="Screen"/>; null for real data.</summary>
    public SimulatedScreen? Simulated { get; init; }

    /// <summary>Fresh cells per test perturbation behind <see cref="Ceiling"/>.</summary>
    public const int CeilingCells = 1000;

    private PerturbationMetricSet? _ceiling;

    /// <summary>
    /// Simulated screens only (null otherwise): the test metrics of the true expected profiles of the test
    /// perturbations, from <see cref="CeilingCells"/> fresh cells each — the best any predictor can score. Computed once.
    /// </summary>
    public PerturbationMetricSet? Ceiling(SelectionStudy study)
    {
        if (Simulated is null) return null;
        if (_ceiling is { } done) return done;
        var test = study.TestPerturbations;
        var rows = Simulated.ExpectedProfiles(test, CeilingCells, seed: 20261203);
        var column = Screen.Genes.Select(g => Array.IndexOf(Simulated.ReadoutGenes, g)).ToArray();
        var byLabel = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int p = 0; p < rows.Length; p++) byLabel[test[p]] = column.Select(j => rows[p][j]).ToArray();
        _ceiling = study.Score(label => byLabel[label]);
        return _ceiling;
    }

    public static StudySetup Load(Options o, Action<string> log)
    {
        string net = NetworksDir(o.DataDir);
        // Read when first needed: a user's dataset is read first, so a bad file fails before the GO annotations load.
        GeneAnnotations? annotations = null;
        GeneAnnotations Go()
        {
            if (annotations is not null) return annotations;
            log("reading gene2go and gene_info");
            var info = GeneInfo.Read(Path.Combine(net, "gene_info_human_2022-09.tsv.gz"));
            return annotations = AnnotationReaders.ReadGene2Go(Path.Combine(net, "gene2go_human_2022-09.tsv.gz"), info);
        }
        PerturbationScreen screen;
        string description;
        SimulatedScreen? simulated = null;
        int[] defaultBudgets;
        int[] defaultSeeds = o.Small ? [1, 2, 3] : [1, 2, 3, 4, 5];
        if (o.Dataset == "sim")
        {
            log("building the GO network of all annotated genes (the generating network)");
            var network = GoGraphBuilder.Build(Go());
            var sim = new ScreenSimulationOptions
            {
                PerturbableGenes = o.Perturbable ?? (o.Small ? 400 : 2000),
                ReadoutGenes = o.Readouts ?? (o.Small ? 200 : 1000),
                CellsPerPerturbation = o.Cells ?? new ScreenSimulationOptions().CellsPerPerturbation,
                ControlCells = o.Small ? 300 : 1000,
                Seed = 11,
            };
            log($"simulating {sim.PerturbableGenes} perturbations × {sim.CellsPerPerturbation} cells on {sim.ReadoutGenes} read-outs");
            simulated = ScreenSimulator.Simulate(network, sim);
            Directory.CreateDirectory(o.Out);
            screen = PerturbationScreen.FromAnnData(simulated.Data);
            description = $"simulated screen: {sim.PerturbableGenes} perturbable genes, {sim.ReadoutGenes} read-outs, {sim.CellsPerPerturbation} cells each, {sim.ControlCells} controls (GO network, seed {sim.Seed})";
            defaultBudgets = o.Small ? [20, 40, 60, 80] : [100, 200, 300, 400, 500, 600];
        }
        else if (o.Dataset == "papalexi")
        {
            var data = LoadPapalexi(Path.Combine(Path.GetDirectoryName(net)!, "perturbation", "papalexi2021_lowmoi"), o.Cells ?? 200, log);
            screen = PerturbationScreen.FromAnnData(data, "condition");
            description = $"Papalexi 2021 low-MOI (THP-1 knockouts, dominant guide ≥ 80 %, at most {o.Cells ?? 200} cells per knockout and {10 * (o.Cells ?? 200)} non-targeting controls, log-normalised): " +
                $"{screen.Perturbations.Count} perturbations, {screen.Genes.Count} genes, {data.NObs} cells — a small pool";
            defaultBudgets = RealBudgets(screen);
        }
        else
        {
            string path = o.Dataset == "norman" ? Path.Combine(Path.GetDirectoryName(net)!, "perturbation", "norman2019_mcfaline2023_devel.h5ad") : o.Dataset;
            if (!File.Exists(path)) throw new FileNotFoundException($"--dataset '{o.Dataset}': no file at {path}.", path);
            var data = AnnData.Read(path);
            if (o.Dataset == "norman" && data.Obs.Find("dataset") is { } ds)
                data = data.SelectObs(Enumerable.Range(0, data.NObs).Where(i => ds.GetString(i) == "norman19").ToArray());
            screen = PerturbationScreen.FromAnnData(data, "condition");
            description = $"{Path.GetFileName(path)}{(o.Dataset == "norman" ? " (norman19 cells)" : "")}: {screen.Perturbations.Count} perturbations, {screen.Genes.Count} genes, {data.NObs} cells — a small pool";
            defaultBudgets = RealBudgets(screen);
        }
        var genes = screen.PerturbationGenes.SelectMany(g => g).Concat(screen.Genes).Distinct(StringComparer.Ordinal).ToArray();
        log($"building the model's GO graph over {genes.Length} genes and the STRING prior");
        var graph = GoGraphBuilder.Build(Go(), genes);
        var stringGraph = EdgeListReader.ReadString(Path.Combine(net, "string_v12_human_entrez_edges.tsv.gz"), 700).Subgraph(genes);
        int[] budgets = o.Budgets ?? (o.Rounds is int r ? Enumerable.Range(0, r + 1).Select(i => defaultBudgets[0] * (i + 1)).ToArray() : defaultBudgets);
        var study = new SelectionStudyOptions
        {
            Methods = o.Methods ?? (o.Small && o.Predictor == "gears" ? Options.SmallGearsMethods : SelectionStudyOptions.AllMethods),
            Seeds = o.Seeds ?? defaultSeeds,
            Budgets = budgets,
            Epochs = o.Epochs,
            GraphNoise = o.GraphNoise,
            NoiseKind = o.NoiseKind == "drop" ? GraphNoiseKind.Drop : GraphNoiseKind.Rewire,
        };
        study.Validate();
        return new StudySetup(description, screen, graph, [graph, stringGraph], study) { Simulated = simulated };
    }

    /// <summary>Budgets for a small real pool: four steps of a sixth of the non-test pool.</summary>
    private static int[] RealBudgets(PerturbationScreen screen)
    {
        int pool = screen.Perturbations.Count - Math.Max(1, (int)Math.Round(screen.Perturbations.Count * 0.1));
        int step = Math.Max(1, pool / 6);
        return Enumerable.Range(1, 4).Select(r => r * step).ToArray();
    }

    /// <summary>
    /// Papalexi 2021 low-MOI counts as GEARS reads a screen: each cell gets its dominant guide (≥ 80 % of its guide
    /// UMIs), labelled <c>TARGET+ctrl</c> (non-targeting: <c>ctrl</c>); at most <paramref name="cellsPerTarget"/> cells
    /// per knockout and ten times as many controls (seeded choice); X log1p of counts scaled to 10⁴ per cell, raw
    /// counts in layer <c>counts</c>.
    /// </summary>
    internal static AnnData LoadPapalexi(string dir, int cellsPerTarget, Action<string> log)
    {
        string F(string name) => Path.Combine(dir, name);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"--dataset papalexi: no folder {dir}.");
        var genes = File.ReadAllLines(F("response_genes.tsv")).Where(l => l.Length > 0).ToArray();
        var guides = File.ReadAllLines(F("grna_ids.tsv")).Where(l => l.Length > 0).ToArray();
        log("reading the Papalexi 2021 response and guide matrices");
        var counts = MatrixMarket.Read(F("response_matrix.mtx.gz")).Transpose();
        var guideCounts = MatrixMarket.Read(F("grna_matrix.mtx.gz")).Transpose();
        var targets = GuideAssignment.Targets(GuideAssignment.AssignDominant(guideCounts, minFraction: 0.8), guides,
            GuideAssignment.ReadGuideTargets(F("grna_target_data_frame.tsv")));
        var rng = new Generator(2021);
        var keep = Enumerable.Range(0, targets.Length).Where(i => targets[i] != null).GroupBy(i => targets[i]!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g =>
            {
                var cells = g.ToArray();
                rng.Shuffle(cells.AsSpan());
                return cells.Take(g.Key == "non-targeting" ? 10 * cellsPerTarget : cellsPerTarget);
            }).Order().ToArray();
        var raw = counts.SelectRows(keep);
        var data = new AnnData(Preprocessing.Log1p(Preprocessing.NormalizeTotal(raw, 1e4)), keep.Select(i => $"cell{i}").ToArray(), genes);
        data.Layers["counts"] = raw;
        data.Obs.Add(CategoricalColumn.FromValues("condition", keep.Select(i => targets[i] == "non-targeting" ? "ctrl" : targets[i] + "+ctrl").ToArray()));
        return data;
    }

    /// <summary>The networks folder: the one given, else ../shared/data/networks beside the checkout; a usage error when neither is there.</summary>
    internal static string NetworksDir(string? explicitDir)
    {
        if (explicitDir is not null)
            return Directory.Exists(explicitDir) ? explicitDir : throw new UsageException($"--data: folder '{explicitDir}' does not exist");
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "SingleCell.Models.sln")) || d.Parent is null) continue;
                var net = Path.Combine(d.Parent.FullName, "shared", "data", "networks");
                if (Options.NetworkFiles.All(f => File.Exists(Path.Combine(net, f)))) return net;
            }
        throw new UsageException($"could not find ../shared/data/networks beside the checkout; pass --data <folder with {string.Join(", ", Options.NetworkFiles)}>");
    }
}
