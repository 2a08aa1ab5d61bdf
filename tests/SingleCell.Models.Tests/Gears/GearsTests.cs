using SingleCell.Models.Data;
using SingleCell.Models.Evaluation;
using SingleCell.Models.Gears;
using SingleCell.Models.Modeling;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Gears;

public class GearsTests
{
    private static GearsSplit HandSplit() => new(
        ["ctrl", "G0+ctrl", "G1+ctrl", "G2+ctrl", "G3+ctrl", "G4+ctrl", "G5+ctrl", "G0+G1", "G1+G2", "G3+G4", "G4+G5"],
        ["G2+G3", "G6+ctrl"],
        new Dictionary<string, IReadOnlyList<string>> { ["unseen_single"] = ["G7+ctrl"], ["combo_seen0"] = [], ["combo_seen1"] = ["G5+G6", "G2+G6"], ["combo_seen2"] = ["G0+G4"] });

    [Test]
    public void Simulation_split_groups_are_disjoint_and_classified_by_seen_genes()
    {
        var conditions = new List<string> { "ctrl" };
        for (int k = 0; k < 20; k++) conditions.Add($"S{k}+ctrl");
        for (int k = 0; k < 19; k++) conditions.Add($"S{k}+S{k + 1}");
        var split = GearsSplit.Simulation(conditions, seed: 4);
        var groups = new[] { split.Train, split.Validation }.Concat(split.Test.Values).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var grp in groups) foreach (var c in grp) Assert.That(seen.Add(c), Is.True, $"{c} is in two groups");
        Assert.That(seen, Is.EquivalentTo(conditions));
        // "Seen" is relative to the outer training set, which validation was split from.
        var trainGenes = split.Train.Concat(split.Validation).SelectMany(c => c.Split('+')).Where(x => x != "ctrl").ToHashSet();
        foreach (var c in split.Test["unseen_single"]) Assert.That(trainGenes.Contains(c.Split('+')[0]), Is.False, c);
        foreach (var (group, seenCount) in new[] { ("combo_seen0", 0), ("combo_seen1", 1), ("combo_seen2", 2) })
            foreach (var c in split.Test[group]) Assert.That(c.Split('+').Count(trainGenes.Contains), Is.EqualTo(seenCount), $"{group}: {c}");
        Assert.That(split.Train, Does.Contain("ctrl"));
    }

    [Test]
    public void A_custom_split_is_read_from_json_lists_in_canonical_names()
    {
        var split = GearsSplit.FromJson("""{"train": ["KLF1", "ctrl+SET", "SET+KLF1"], "validation": ["HK2+ctrl"], "unseen_single": ["TGFBR2"], "combo_seen2": ["ZBTB10+PTPN12"]}""");
        Assert.That(split.Train, Is.EqualTo(new[] { "KLF1+ctrl", "SET+ctrl", "KLF1+SET", "ctrl" }));
        Assert.That(split.Validation, Is.EqualTo(new[] { "HK2+ctrl" }));
        Assert.That(split.Test["unseen_single"], Is.EqualTo(new[] { "TGFBR2+ctrl" }));
        Assert.That(split.Test["combo_seen2"], Is.EqualTo(new[] { "PTPN12+ZBTB10" }));
        Assert.That(split.Test["combo_seen0"], Is.Empty);
        Assert.That(() => GearsSplit.FromJson("""{"validation": []}"""), Throws.TypeOf<FormatException>().With.Message.Contains("\"train\""));
        Assert.That(() => GearsSplit.FromJson("""{"train": ["A"], "tset": []}"""), Throws.TypeOf<FormatException>().With.Message.Contains("unknown key \"tset\""));
        Assert.That(() => GearsSplit.FromJson("""{"train": ["A+B"], "combo_seen2": ["B+A"]}"""), Throws.TypeOf<FormatException>().With.Message.Contains("both"));
        Assert.That(() => GearsSplit.FromJson("[1, 2]"), Throws.TypeOf<FormatException>());
    }

    [Test]
    public void Metrics_match_hand_values()
    {
        float[] c = [1, 1, 1, 1], t = [2, 1, 0, 1], p = [1.5f, 1, 0.5f, 2], sd = [1, 1, 0.1f, 0.5f];
        var m = PerturbationOutcomeMetrics.Compute(p, t, c, sd, [0, 2], [0, 2, 3]);
        Assert.That(m["mse"], Is.EqualTo((0.25 + 0 + 0.25 + 1) / 4).Within(1e-9));
        Assert.That(m["mse_de"], Is.EqualTo(0.25).Within(1e-9));
        Assert.That(m["mse_top20_de_non_dropout"], Is.EqualTo((0.25 + 0.25 + 1) / 3).Within(1e-9));
        // Gene 3: prediction up, truth unchanged (sign 0): not opposite; none is opposite.
        Assert.That(m["frac_opposite_direction_top20_non_dropout"], Is.EqualTo(0));
        // |p − t| ≤ sd: gene 0 (0.5 ≤ 1) yes, gene 2 (0.5 ≤ 0.1) no, gene 3 (1 ≤ 0.5) no.
        Assert.That(m["frac_sigma_below_1_non_dropout"], Is.EqualTo(1.0 / 3).Within(1e-9));
        Assert.That(m["pearson_delta_de"], Is.EqualTo(1).Within(1e-9), "Δp = (0.5, −0.5) and Δt = (1, −1) are perfectly correlated");
        var constant = PerturbationOutcomeMetrics.Compute([1, 1, 1, 1], t, c, sd, [0, 2], [0, 2]);
        Assert.That(constant["pearson"], Is.EqualTo(0), "a constant prediction has Pearson 0, as GEARS sets NaN");
    }

    [Test]
    public void Two_epochs_on_a_tiny_screen_beat_the_no_perturbation_baseline_on_pairs()
    {
        var (data, go) = GearsTestData.Screen(cellsPerCondition: 40);
        var model = GearsModel.Create(data, new GearsSetup("condition"), go, HandSplit(), new GearsOptions { Hidden = 16, Seed = 2 });
        var h = model.Fit(new TrainerOptions { MaxEpochs = 2, LearningRate = 1e-2, BatchSize = 8 });
        TestContext.Progress.WriteLine($"validation mse_de per epoch: {string.Join(", ", h.Series("mse_de_validation").Select(v => v.ToString("G3")))}");
        Assert.That(h.Steps, Is.GreaterThan(0));
        var gears = model.EvaluateSplit();
        var none = model.EvaluateSplit(GearsBaselines.NoPerturbation(model));
        // Pairs with seen genes are learned within two epochs; the unseen single (G7) is not yet (measured 0.24 against 0.19).
        Assert.That(gears["combo_seen2"]["mse_top20_de_non_dropout"], Is.LessThan(none["combo_seen2"]["mse_top20_de_non_dropout"]));
        Assert.That(gears["combo_seen1"]["mse_top20_de_non_dropout"], Is.LessThan(none["combo_seen1"]["mse_top20_de_non_dropout"]));
        var additive = model.EvaluateSplit(GearsBaselines.Additive(model));
        Assert.That(additive["combo_seen2"]["mse"], Is.LessThan(none["combo_seen2"]["mse"]), "G0 and G4 singles are seen: additive is informative");
    }

    [Test]
    public void The_best_validation_epoch_is_kept_only_when_validation_has_enough_conditions()
    {
        var (data, go) = GearsTestData.Screen(6);
        TrainingHistory Fit(GearsOptions o, bool? restore) =>
            GearsModel.Create(data, new GearsSetup("condition"), go, HandSplit(), o).Fit(new TrainerOptions { MaxEpochs = 2, BatchSize = 8, RestoreBestWeights = restore });
        // HandSplit validates on two conditions: fewer than the default five, so the last epoch is kept.
        var few = Fit(new GearsOptions { Hidden = 8 }, null);
        Assert.That(few.Series("mse_de_validation"), Has.Count.EqualTo(2), "validation metrics are still recorded");
        Assert.That(few.RestoredEpoch, Is.Null);
        Assert.That(Fit(new GearsOptions { Hidden = 8, MinValidationConditions = 2 }, null).RestoredEpoch, Is.Not.Null);
        Assert.That(Fit(new GearsOptions { Hidden = 8 }, true).RestoredEpoch, Is.Not.Null, "an explicit RestoreBestWeights wins");
        Assert.That(() => new GearsOptions { MinValidationConditions = 0 }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MinValidationConditions"));
    }

    [Test]
    public void Running_each_distinct_perturbation_once_equals_running_every_cell()
    {
        // Forward runs the network once per distinct perturbation set with weighted BatchNorm; ForwardPerCell runs
        // every cell. Outputs, every parameter gradient and the running statistics must agree (training mode).
        var (data, go) = GearsTestData.Screen(6);
        GearsModule Module() => GearsModel.Create(data, new GearsSetup("condition"), go, HandSplit(), new GearsOptions { Hidden = 8, Seed = 5 }).Module;
        var a = Module(); var b = Module();
        int[][] perts = [[0], [], [1, 2], [0], [2, 1], [], [3], [0], [], [1, 2]]; // duplicates, controls, a pair in both orders
        var gen = new SingleCell.Models.Tensors.Generator(9);
        var x = SingleCell.Models.Tensors.Tensor.RandomNormal(gen, [perts.Length, a.Genes], 1f, 0.3f);
        var upstream = SingleCell.Models.Tensors.Tensor.RandomNormal(gen, [perts.Length, a.Genes]);
        a.Train(); b.Train();
        var (pa, ca, _) = a.Forward(x, perts);
        var (pb, cb, _) = b.ForwardPerCell(x, perts);
        Assert.That(pa.ToArray(), Is.EqualTo(pb.ToArray()).Within(2e-5), "predictions");
        Assert.That(ca.ToArray(), Is.EqualTo(cb.ToArray()).Within(2e-5), "cross-gene state");
        pa.Backward(upstream); pb.Backward(upstream);
        var gradsB = b.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        double largest = gradsB.Values.Max(p => p.Grad?.ToArray().Max(Math.Abs) ?? 0);
        Assert.That(largest, Is.GreaterThan(0.1));
        foreach (var (name, p) in a.NamedParameters().Select(kv => (kv.Key, kv.Value)))
        {
            var ga = p.Grad?.ToArray() ?? []; var gb = gradsB[name].Grad?.ToArray() ?? [];
            Assert.That(ga.Length, Is.EqualTo(gb.Length), name);
            double scale = gb.Length == 0 ? 1 : Math.Max(1e-3, gb.Max(Math.Abs));
            double diff = ga.Length == 0 ? 0 : ga.Zip(gb, (u, v) => Math.Abs(u - v)).Max();
            TestContext.Progress.WriteLine($"{name}: max|g| {scale:G3} max diff {diff:G3}");
            // Float32 sums in different orders: 1e-4 of the parameter's largest gradient; a gradient that is zero up to
            // rounding (a bias before BatchNorm) is held to 1e-4 of a tenth of the model's largest instead.
            Assert.That(diff, Is.LessThanOrEqualTo(1e-4 * Math.Max(scale, 0.1 * largest)), $"{name}: gradients differ by {diff:G3} (largest {scale:G3})");
        }
        var buffersB = b.NamedBuffers().ToDictionary(t => t.Key, t => t.Value);
        foreach (var (name, t) in a.NamedBuffers().Where(t => t.Key.Contains("running")).Select(kv => (kv.Key, kv.Value)))
            Assert.That(t.ToArray(), Is.EqualTo(buffersB[name].ToArray()).Within(1e-5), name);
    }

    [Test]
    public void Predict_rejects_unknown_genes_and_reports_change_against_control()
    {
        var (data, go) = GearsTestData.Screen(6);
        var model = GearsModel.Create(data, new GearsSetup("condition"), go, HandSplit(), new GearsOptions { Hidden = 8 });
        Assert.That(() => model.Predict(["NOPE"]), Throws.ArgumentException.With.Message.Contains("'NOPE'"));
        var p = model.Predict(["G1", "G1+G2"]);
        Assert.That(p.Expression.Rows, Is.EqualTo(2));
        var cbar = data.X!.SelectRows(Enumerable.Range(0, 24).ToArray()).ToDense(); // the first 24 cells are controls
        for (int j = 0; j < 16; j++)
        {
            double mean = Enumerable.Range(0, 24).Average(i => cbar[i * 16 + j]);
            Assert.That(p.Expression[0, j] - p.Change[0, j], Is.EqualTo(mean).Within(1e-4), $"gene {j}");
        }
        Assert.That(model.GetPerturbationFeatures(["G3"]).Columns, Is.EqualTo(8));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Predictions_and_features_from_the_control_mean_equal_the_average_over_every_kept_control(bool uncertainty)
    {
        var (data, go) = GearsTestData.Screen(8);
        var model = GearsModel.Create(data, new GearsSetup("condition"), go, HandSplit(), new GearsOptions { Hidden = 8, Seed = 3, Uncertainty = uncertainty });
        model.Fit(new TrainerOptions { MaxEpochs = 2, BatchSize = 8, LearningRate = 1e-2 }); // trained weights and batch-norm statistics
        string[] perturbations = ["G1", "G1+G2", "G6", "G2+G7"];
        var p = model.Predict(perturbations);
        var f = model.GetPerturbationFeatures(perturbations);
        for (int i = 0; i < perturbations.Length; i++)
        {
            var (mean, cross, logVar) = model.PredictOneOverControls(perturbations[i].Split('+'));
            for (int j = 0; j < mean.Length; j++) Assert.That(p.Expression[i, j], Is.EqualTo(mean[j]).Within(1e-4), $"{perturbations[i]} gene {j}");
            for (int d = 0; d < cross.Length; d++) Assert.That(f[i, d], Is.EqualTo(cross[d]).Within(1e-4), $"{perturbations[i]} feature {d}");
            Assert.That(p.Uncertainty is null, Is.EqualTo(!uncertainty));
            if (uncertainty) for (int j = 0; j < mean.Length; j++) Assert.That(p.Uncertainty![i, j], Is.EqualTo(logVar![j]).Within(1e-4));
        }
        Assert.That(Enumerable.Range(0, perturbations.Length).Any(i => Math.Abs(p.Change[i, 0]) > 1e-3), Is.True, "the trained model predicts a change, so the check is not vacuous");
    }

    [Test]
    public void Conditions_with_genes_outside_the_go_graph_are_left_out_and_reported()
    {
        var (data, go) = GearsTestData.Screen(4);
        var small = go.Subgraph(go.Genes.Where(x => x != "G7").ToArray());
        var model = GearsModel.Create(data, new GearsSetup("condition"), small, options: new GearsOptions { Hidden = 8 });
        Assert.That(model.DroppedConditions, Is.EqualTo(new[] { "G6+G7", "G7+ctrl" }));
    }

    [Test]
    public void A_given_split_loses_the_left_out_conditions_and_rejects_ones_the_data_lacks()
    {
        // HandSplit tests G7+ctrl as an unseen single; without G7 in the GO graph that condition is left
        // out of the data, so it leaves the split too and the subgroup is scored on what remains (it was a
        // KeyNotFoundException at evaluation).
        var (data, go) = GearsTestData.Screen(4);
        var small = go.Subgraph(go.Genes.Where(x => x != "G7").ToArray());
        var model = GearsModel.Create(data, new GearsSetup("condition"), small, HandSplit(), new GearsOptions { Hidden = 8 });
        Assert.That(model.Split!.Test["unseen_single"], Is.Empty);
        Assert.That(model.Split.Test["combo_seen1"], Is.EqualTo(new[] { "G5+G6", "G2+G6" }));
        Assert.That(model.Split.Train, Is.EqualTo(HandSplit().Train));
        var scores = model.EvaluateSplit();
        Assert.That(scores["combo_seen1"]["mse"], Is.GreaterThan(0));
        Assert.That(double.IsNaN(scores["unseen_single"]["mse"]), Is.True, "an emptied subgroup has no score");

        var typo = HandSplit() with { Validation = ["G2+G3", "G9+ctrl"] };
        Assert.That(() => GearsModel.Create(data, new GearsSetup("condition"), go, typo, new GearsOptions { Hidden = 8 }),
            Throws.ArgumentException.With.Message.Contains("'G9+ctrl' (validation) is not in the data"));
    }
}

/// <summary>GEARS in the contract test.</summary>
public sealed class GearsContractCase : SingleCell.Models.Tests.Modeling.ModelContractCase
{
    private static readonly Lazy<(AnnData Data, SingleCell.Models.Graphs.GeneGraph Go)> s_screen = new(() => GearsTestData.Screen(6));

    public override string Name => "gears";
    public override AnnData Data => s_screen.Value.Data;
    public override IModel Create(ulong seed) => GearsModel.Create(Data, new GearsSetup("condition"), s_screen.Value.Go, options: new GearsOptions { Hidden = 8, Seed = seed, ControlCellsKept = 10 });
    public override IModel Load(string path) => GearsModel.Load(path);
    public override float[] Outputs(IModel model, AnnData data) => ((GearsModel)model).Predict(["G1", "G2+G3"]).Expression.Values;
    public override TrainerOptions QuickTraining => new() { MaxEpochs = 1, BatchSize = 1 << 20 };

    public override AnnData? WithUnknownCategory()
    {
        var d = Data;
        var copy = new AnnData(d.X!, d.ObsNames, d.VarNames);
        copy.Obs.Add(CategoricalColumn.FromValues("condition", Enumerable.Range(0, d.NObs).Select(i => i == 0 ? "G9+G10" : d.Obs["condition"].GetString(i)).ToArray()));
        return copy;
    }
}
