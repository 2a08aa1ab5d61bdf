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
}
