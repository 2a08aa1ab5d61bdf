using SingleCell.Models.Selection.Study;
using SingleCell.Models.Simulation;

namespace SingleCell.Models.Tests.Selection.Study;

public class SimulatorTests
{
    [Test]
    public void ControlCountsHaveTheNegativeBinomialMoments()
    {
        var graph = StudyTests.RandomGraph(30, 4);
        var o = new ScreenSimulationOptions
        {
            PerturbableGenes = 10, ReadoutGenes = 12, CellsPerPerturbation = 1, ControlCells = 20000, BaseMean = 3, BaseMeanLogSd = 0.5, Seed = 5,
        };
        var sim = ScreenSimulator.Simulate(graph, o);
        var counts = sim.Data.Layers["counts"];
        double es = Math.Exp(o.LibrarySizeLogSd * o.LibrarySizeLogSd / 2), es2 = Math.Exp(2 * o.LibrarySizeLogSd * o.LibrarySizeLogSd);
        for (int r = 0; r < o.ReadoutGenes; r++)
        {
            double s = 0, s2 = 0;
            for (int c = 0; c < o.ControlCells; c++) { double x = counts[c, r]; s += x; s2 += x * x; }
            double mean = s / o.ControlCells, variance = s2 / o.ControlCells - mean * mean;
            double mu = sim.ControlMean[r], theta = sim.Theta[r];
            double expMean = es * mu;
            double expVar = es2 * mu * mu * (1 + 1 / theta) + es * mu - expMean * expMean;
            Assert.That(mean, Is.EqualTo(expMean).Within(5 * Math.Sqrt(expVar / o.ControlCells)), $"mean of gene {r}");
            Assert.That(variance, Is.EqualTo(expVar).Within(0.15 * expVar), $"variance of gene {r}");
        }
    }

    [Test]
    public void EffectAmplitudesFollowTheSpikeAndLogNormalSlab()
    {
        var graph = StudyTests.RandomGraph(3200, 5);
        var o = new ScreenSimulationOptions { PerturbableGenes = 2000, ReadoutGenes = 1000, CellsPerPerturbation = 1, ControlCells = 10, Seed = 6 };
        var sim = ScreenSimulator.Simulate(graph, o);
        var amp = sim.Amplitude;
        Assert.That(amp.Count(a => a == 0) / 2000.0, Is.EqualTo(o.NullFraction).Within(0.035));
        var logs = amp.Where(a => a > 0).Select(a => Math.Log(a)).ToArray();
        double m = logs.Average(), sd = Math.Sqrt(logs.Sum(v => (v - m) * (v - m)) / (logs.Length - 1));
        Assert.That(m, Is.EqualTo(o.AmplitudeLogMean).Within(0.1));
        Assert.That(sd, Is.EqualTo(o.AmplitudeLogSd).Within(0.07));
        // Null perturbations move nothing; others move at least their most affected read-out by their amplitude.
        for (int p = 0; p < 2000; p++)
        {
            var row = sim.TrueLogFoldChange.Row(p);
            double max = 0;
            foreach (float v in row) max = Math.Max(max, Math.Abs(v));
            if (amp[p] == 0) Assert.That(max, Is.EqualTo(0));
        }
        Assert.That(sim.Data.NObs, Is.EqualTo(2010));
        Assert.That(sim.Data.NVars, Is.EqualTo(1000));
    }

    [Test]
    public void SameSeedSameScreenAndPairsAreRecorded()
    {
        var graph = StudyTests.RandomGraph(60, 7);
        var o = new ScreenSimulationOptions { PerturbableGenes = 20, ReadoutGenes = 15, Pairs = 5, CellsPerPerturbation = 3, ControlCells = 20, Seed = 8 };
        var a = ScreenSimulator.Simulate(graph, o);
        var b = ScreenSimulator.Simulate(graph, o);
        Assert.That(a.Data.X!.Values, Is.EqualTo(b.Data.X!.Values));
        Assert.That(a.Conditions.Count(c => c.Contains('+')), Is.EqualTo(5));
        Assert.That(a.Data.Obs["condition"].GetString(0), Is.EqualTo("ctrl"));
        Assert.That(a.Data.Obs["condition"].GetString(20), Is.EqualTo(a.Conditions[0] + "+ctrl"));
    }

    [Test]
    public void ExpectedProfilesAreTheMeansOfManyCellsDrawnAsTheScreensAre()
    {
        var graph = StudyTests.RandomGraph(60, 9);
        var o = new ScreenSimulationOptions { PerturbableGenes = 20, ReadoutGenes = 15, CellsPerPerturbation = 2, ControlCells = 40000, BaseMean = 2, Seed = 10 };
        var sim = ScreenSimulator.Simulate(graph, o);
        // The control profile from fresh cells against the mean of the screen's 40,000 control cells, gene by gene.
        var profile = sim.ExpectedProfiles(["ctrl"], 40000, seed: 1)[0];
        var x = sim.Data.X!;
        for (int r = 0; r < o.ReadoutGenes; r++)
        {
            double s = 0, s2 = 0;
            for (int c = 0; c < o.ControlCells; c++) { double v = x[c, r]; s += v; s2 += v * v; }
            double mean = s / o.ControlCells, sd = Math.Sqrt(s2 / o.ControlCells - mean * mean);
            // Two independent means of 40,000 cells: their difference has sd √2 · sd / 200.
            Assert.That(profile[r], Is.EqualTo(mean).Within(5 * Math.Sqrt(2) * sd / 200), $"control profile of gene {r}");
        }
        // A perturbation with an effect moves its profile the way its true fold changes say (up to the shift that
        // normalising to a fixed total gives every gene, so by correlation, not gene by gene).
        int p = Array.FindIndex(sim.Amplitude, a => a > 0.3);
        var moved = sim.ExpectedProfiles([sim.Conditions[p] + "+ctrl"], 4000, seed: 2)[0];
        var lfc = sim.TrueLogFoldChange.Row(p).ToArray();
        var change = Enumerable.Range(0, o.ReadoutGenes).Select(r => (double)(moved[r] - profile[r])).ToArray();
        Assert.That(MathNet.Numerics.Statistics.Correlation.Pearson(change, lfc.Select(v => (double)v)), Is.GreaterThan(0.8));
        Assert.That(sim.ExpectedProfiles(["ctrl", sim.Conditions[0]], 50, seed: 3), Is.EqualTo(sim.ExpectedProfiles(["ctrl", sim.Conditions[0]], 50, seed: 3)), "seeded");
        Assert.Throws<ArgumentException>(() => sim.ExpectedProfiles(["NOT_A_GENE"], 5, seed: 1));
    }

    [Test]
    public void With_few_cells_per_perturbation_even_the_true_profile_barely_beats_no_change()
    {
        // The ceiling of any predictor (the true expected profile) against the no-change baseline, on the same test
        // perturbations, at 10 and at the default 50 cells per perturbation.
        var graph = StudyTests.RandomGraph(400, 11);
        double Ratio(int cells)
        {
            var sim = ScreenSimulator.Simulate(graph, new ScreenSimulationOptions { PerturbableGenes = 120, ReadoutGenes = 100, CellsPerPerturbation = cells, ControlCells = 300, Seed = 12 });
            var screen = PerturbationScreen.FromAnnData(sim.Data);
            var study = new SelectionStudy(screen, sim.GeneratingGraph, new GraphRidgePredictorFactory(), new SelectionStudyOptions { Methods = ["graphreach"], Seeds = [1], Budgets = [10] });
            var profiles = sim.ExpectedProfiles(study.TestPerturbations, 1000, seed: 4);
            var byLabel = study.TestPerturbations.Select((t, i) => (t, i)).ToDictionary(v => v.t, v => profiles[v.i]);
            Assert.That(screen.Genes, Is.EqualTo(sim.ReadoutGenes), "the screen keeps the simulator's gene order");
            var ceiling = study.Score(t => byLabel[t]);
            var none = study.NoChangeBaseline();
            Assert.That(ceiling.PearsonDelta, Is.GreaterThan(none.PearsonDelta));
            return ceiling.MseTop20DeNonDropout / none.MseTop20DeNonDropout;
        }
        double few = Ratio(10), many = Ratio(new ScreenSimulationOptions().CellsPerPerturbation);
        TestContext.Out.WriteLine($"ceiling / no-change: {few:F3} at 10 cells, {many:F3} at the default");
        Assert.That(many, Is.LessThan(0.75), "at the default cell count a perfect predictor is clearly better than no change");
        Assert.That(few, Is.GreaterThan(many + 0.1), "counting noise dominates with 10 cells per perturbation");
    }

    [Test]
    public void Functional_sharing_makes_network_neighbours_effects_alike()
    {
        var graph = StudyTests.RandomGraph(300, 13);
        var o = new ScreenSimulationOptions { PerturbableGenes = 150, ReadoutGenes = 100, CellsPerPerturbation = 1, ControlCells = 2, NullFraction = 0, Seed = 14 };
        (double Neighbours, double Others) Correlations(double beta)
        {
            var sim = ScreenSimulator.Simulate(graph, o with { FunctionalSharing = beta });
            var sub = sim.GeneratingGraph;
            int nP = o.PerturbableGenes;
            double Cor(int a, int b)
            {
                var c = MathNet.Numerics.Statistics.Correlation.Pearson(sim.TrueLogFoldChange.Row(a).ToArray().Select(v => (double)v), sim.TrueLogFoldChange.Row(b).ToArray().Select(v => (double)v));
                return double.IsNaN(c) ? 0 : c;
            }
            var near = new List<double>();
            var far = new List<double>();
            for (int a = 0; a < nP; a++)
            {
                var nb = sub.OutNeighbors(a).ToArray();
                foreach (int b in nb) if (b < nP && b != a) near.Add(Cor(a, b));
                // The next perturbable gene that is not a neighbour.
                for (int b = (a + 1) % nP; b != a; b = (b + 1) % nP)
                    if (!nb.Contains(b)) { far.Add(Cor(a, b)); break; }
            }
            return (near.Average(), far.Average());
        }
        var own = Correlations(0);
        var shared = Correlations(0.8);
        Assert.That(shared.Neighbours, Is.GreaterThan(own.Neighbours + 0.2), $"neighbours: {own.Neighbours:F3} → {shared.Neighbours:F3}");
        Assert.That(shared.Neighbours, Is.GreaterThan(shared.Others + 0.2), $"neighbours {shared.Neighbours:F3}, others {shared.Others:F3}");
        TestContext.Out.WriteLine($"neighbour r {own.Neighbours:F3} → {shared.Neighbours:F3}; others {own.Others:F3} → {shared.Others:F3}");
    }
}
