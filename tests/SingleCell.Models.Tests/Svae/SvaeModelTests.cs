using SingleCell.Models.Data;
using SingleCell.Models.Svae;
using SingleCell.Models.Tensors;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Svae;

/// <summary>Small, fast checks of the sVAE model; the full Table 1 benchmark runs in samples/SparseShiftVae.</summary>
public class SvaeModelTests
{
    private static SparseShiftSimulation Tiny(int interventions = 12, int cells = 40, int latent = 4, int genes = 40, ulong seed = 5) =>
        SparseShiftSimulation.Generate(new SparseShiftSimulationOptions
        {
            Interventions = interventions, CellsPerIntervention = cells, LatentDimensions = latent, Genes = genes,
            FirstHeldOutIntervention = interventions - 2, Seed = seed,
        });

    private static SvaeModel Model(SparseShiftSimulation sim, SvaeVariant variant, double? alpha = null, float dropout = 0.1f, int latent = 4, float initialLogit = 5f, int klWarmup = 1) =>
        SvaeModel.Create(sim.Data, new SvaeSetup(SparseShiftSimulation.LabelKey),
            new SvaeOptions { Variant = variant, LatentDim = latent, SparsityPenalty = alpha, DropoutRate = dropout, Seed = 7, InitialMaskLogit = initialLogit, KlWarmupEpochs = klWarmup });

    [TestCase(SvaeVariant.Vae)]
    [TestCase(SvaeVariant.BetaVae)]
    [TestCase(SvaeVariant.IVae)]
    [TestCase(SvaeVariant.Svae)]
    [TestCase(SvaeVariant.SvaePlus)]
    public void Loss_falls_for_every_variant(SvaeVariant variant)
    {
        var sim = Tiny();
        var model = Model(sim, variant, klWarmup: 4);
        var h = model.Fit(sim.TrainCells, new TrainerOptions { MaxEpochs = 10, LearningRate = 1e-2, Seed = 1 });
        var elbo = h.Series("elbo_train");
        var trace = $"nELBO per cell: {string.Join(", ", elbo.Select(v => v.ToString("F1")))}";
        Assert.That(elbo[^1], Is.LessThan(elbo[0] * 0.95), trace);
        for (int e = 5; e < elbo.Count; e++) Assert.That(elbo[e], Is.LessThan(elbo[e - 5]), trace);
        Assert.That(model.IsTrained);
        Assert.That(h.Series("elbo_validation"), Has.Count.EqualTo(10));
    }

    [Test]
    public void Queries_have_the_documented_shapes_and_invariants()
    {
        var sim = Tiny();
        var model = Model(sim, SvaeVariant.SvaePlus);
        model.Fit(new TrainerOptions { MaxEpochs = 2 });
        var z = model.GetLatentRepresentation();
        Assert.That(z.Rows, Is.EqualTo(sim.CellCount));
        Assert.That(z.Columns, Is.EqualTo(4));
        var rho = model.GetNormalizedExpression(cells: [0, 1, 2], librarySize: 1);
        for (int i = 0; i < 3; i++)
        {
            double s = 0;
            for (int g = 0; g < 40; g++) s += rho[i, g];
            Assert.That(s, Is.EqualTo(1).Within(1e-4));
        }
        var graph = model.GetInterventionGraph();
        Assert.That(graph.Labels, Has.Count.EqualTo(12));
        Assert.That(graph.InclusionProbabilities.GetLength(1), Is.EqualTo(4));
        Assert.That(model.GetElbo(cells: [0, 1]).All(double.IsFinite));
        // Posterior means are deterministic in eval mode.
        Assert.That(model.GetLatentRepresentation(cells: [5]).Values, Is.EqualTo(model.GetLatentRepresentation(cells: [5]).Values));
        Assert.That(model.ParameterCount, Is.GreaterThan(0));
    }

    [Test]
    public void Marginal_likelihood_is_bounded_by_the_elbo_on_average()
    {
        // IWELBO_T ≥ ELBO in expectation; with T = 50 the gap is clearly positive on average.
        var sim = Tiny();
        var model = Model(sim, SvaeVariant.Vae);
        model.Fit(new TrainerOptions { MaxEpochs = 5 });
        var cells = Enumerable.Range(0, 60).ToArray();
        double iw = model.GetMarginalLogLikelihood(cells: cells, particles: 50).Average();
        double elbo = -model.GetElbo(cells: cells).Average();
        Assert.That(iw, Is.GreaterThan(elbo));
    }

    [Test]
    public void Strong_beta_prior_makes_the_mask_sparse()
    {
        var sim = Tiny();
        // λ starts at 1 (π ≈ 0.73) so that a short run can cross π = 0.5.
        var weak = Model(sim, SvaeVariant.SvaePlus, alpha: 1, initialLogit: 1f);
        var strong = Model(sim, SvaeVariant.SvaePlus, alpha: 5000, initialLogit: 1f);
        var opts = new TrainerOptions { MaxEpochs = 15, LearningRate = 0.05 };
        weak.Fit(opts);
        strong.Fit(opts);
        double Rate(SvaeModel m) => m.GetInterventionGraph().Targets.Cast<bool>().Average(b => b ? 1.0 : 0.0);
        Assert.That(Rate(strong), Is.LessThan(0.2), "Beta(1, 5000) pulls every π towards 0");
        Assert.That(Rate(weak), Is.GreaterThan(Rate(strong) + 0.3), "Beta(1, 1) is flat: only the data moves π");
        Assert.That(strong.History!.Series("kl_global_train")[^1], Is.LessThan(strong.History.Series("kl_global_train")[0] / 2));
    }

    [Test]
    public void Save_and_load_round_trip_gives_identical_outputs()
    {
        var sim = Tiny();
        var model = Model(sim, SvaeVariant.SvaePlus);
        model.Fit(new TrainerOptions { MaxEpochs = 2 });
        var path = Path.Combine(Path.GetTempPath(), $"svae-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            Assert.Throws<IOException>(() => model.Save(path));
            var loaded = SvaeModel.Load(path, sim.Data);
            Assert.That(loaded.Options, Is.EqualTo(model.Options));
            Assert.That(loaded.IsTrained);
            Assert.That(loaded.GetLatentRepresentation().Values, Is.EqualTo(model.GetLatentRepresentation().Values));
            Assert.That(loaded.GetNormalizedExpression(cells: [3]).Values, Is.EqualTo(model.GetNormalizedExpression(cells: [3]).Values));
            Assert.That(loaded.GetInterventionGraph().InclusionProbabilities, Is.EqualTo(model.GetInterventionGraph().InclusionProbabilities));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void New_data_is_checked_against_the_schema()
    {
        var sim = Tiny();
        var model = Model(sim, SvaeVariant.Vae);
        var fewer = new AnnData(sim.Data.X!, sim.Data.ObsNames, sim.Data.VarNames.Select(g => g + "_x").ToArray());
        fewer.Obs.Add(sim.Data.Obs[SparseShiftSimulation.LabelKey]);
        var ex = Assert.Throws<SingleCell.Models.Modeling.DataSchemaException>(() => model.GetLatentRepresentation(fewer));
        Assert.That(ex!.Message, Does.Contain(sim.Data.VarNames[0]));
    }

    [Test]
    public void Non_integer_counts_are_rejected_naming_cell_and_gene()
    {
        var x = CellMatrix.FromDense([1f, 2.5f, 0f, 3f], 2, 2);
        var data = new AnnData(x, ["c0", "c1"], ["g0", "g1"]);
        data.Obs.Add(CategoricalColumn.FromValues("chem", ["a", "b"]));
        var ex = Assert.Throws<SingleCell.Models.Modeling.DataSchemaException>(() => SvaeModel.Create(data, new SvaeSetup("chem")));
        Assert.That(ex!.Message, Does.Contain("'c0'").And.Contain("'g1'").And.Contain("2.5"));
    }

    [Test]
    public void Fine_tuning_puts_held_out_means_at_the_mean_of_the_posterior_means()
    {
        // Spec §1.7 step 4: with the encoder frozen and mask 1, the optimum of a held-out μ_a is the
        // mean over its cells of q_m. Dropout 0 and one full batch make q_m deterministic.
        var sim = Tiny();
        var model = Model(sim, SvaeVariant.SvaePlus, dropout: 0f);
        model.Fit(sim.TrainCells, new TrainerOptions { MaxEpochs = 3 });
        var held = sim.HeldOutInterventions.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var heldCells = model.CellsWithLabels(held);
        var result = model.TransferToHeldOut(held, new TransferOptions
        {
            RetrainEpochs = 2, FineTuneEpochs = 400, FineTuneLearningRate = 0.05, Particles = 20, BatchSize = heldCells.Length,
        });
        Assert.That(double.IsFinite(result.InterventionalNll));
        Assert.That(result.HeldOutCells, Is.EquivalentTo(heldCells));

        // q_m in training mode (BatchNorm on the batch statistics of the same full batch, as during fine-tuning).
        var module = model.Module;
        module.Train();
        float[] qm;
        using (Tensor.NoGrad()) qm = module.Inference(SingleCell.Models.Modeling.Batches.Dense(sim.Data.X!, heldCells)).Mean.ToArray();
        var graph = model.GetInterventionGraph();
        foreach (var label in held)
        {
            int a = model.LabelNames.ToList().IndexOf(label);
            for (int j = 0; j < 4; j++)
            {
                double mean = 0; int n = 0;
                for (int i = 0; i < heldCells.Length; i++)
                    if (model.CellLabels[heldCells[i]] == a) { mean += qm[i * 4 + j]; n++; }
                mean /= n;
                Assert.That(graph.Shifts[a, j], Is.EqualTo(mean).Within(0.02), $"μ[{label}, {j}]");
                Assert.That(graph.Targets[a, j], Is.True, "held-out labels get mask 1");
            }
        }
    }
}

public class SvaeLabelOrderTests
{
    [Test]
    public void Labels_follow_the_categorical_order_and_controls_are_excluded()
    {
        var x = CellMatrix.FromDense([1f, 2f, 0f, 3f, 4f, 1f, 2f, 2f], 4, 2);
        var data = new AnnData(x, ["a", "b", "c", "d"], ["g0", "g1"]);
        data.Obs.Add(new CategoricalColumn("chem", ["10", "2", "ctrl", "1"], [0, 1, 2, 3]));
        var model = SvaeModel.Create(data, new SvaeSetup("chem", ControlLabels: ["ctrl"]), new SvaeOptions { LatentDim = 2 });
        Assert.That(model.LabelNames, Is.EqualTo(new[] { "10", "2", "1" }));
        Assert.That(model.CellLabels, Is.EqualTo(new[] { 0, 1, -1, 2 }));
    }
}
