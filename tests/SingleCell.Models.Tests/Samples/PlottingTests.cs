using System.Xml.Linq;
using SingleCell.Models.Data;
using SingleCell.Models.Plotting;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Samples;

/// <summary>The plotting companion renders PNG and SVG headless with a sans-serif font.</summary>
public class PlottingTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "scm-plots-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    internal static bool IsPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return bytes.Length > 2_000 && bytes.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
    }

    internal static bool ParsesAsSvg(string path)
    {
        var doc = XDocument.Load(path);
        return doc.Root?.Name.LocalName == "svg" && new FileInfo(path).Length > 1_000;
    }

    private void Check(ScottPlot.Plot plot, string name, params string[] texts)
    {
        var files = PlotFiles.SavePngAndSvg(plot, Path.Combine(_dir, name), 640, 400);
        Assert.That(IsPng(files[0]), $"{files[0]} is a PNG of some size");
        Assert.That(ParsesAsSvg(files[1]), $"{files[1]} parses as SVG");
        string svg = File.ReadAllText(files[1]);
        foreach (var t in texts) Assert.That(svg, Does.Contain(t), $"{name}.svg shows '{t}'");
    }

    [Test]
    public void Training_curves_embedding_scatter_and_selection_curves_render()
    {
        var history = TrainingHistoryFor(("elbo_train", [10, 8, 7, 6.5]), ("elbo_validation", [11, 9, 8.5, 8.4]), ("seconds", [0.1, 0.1, 0.1, 0.1]));
        Check(Plots.TrainingCurves(history), "training", "elbo_train", "elbo_validation");

        var z = new DenseMatrix(6, 2, [0, 0, 1, 1, 2, 2, 5, 5, 6, 6, 7, 7]);
        Check(Plots.Embedding(z, ["ctrl", "ctrl", "ctrl", "KLF1", "KLF1", "KLF1"], "latents"), "embedding", "ctrl", "KLF1");

        Check(Plots.PredictedVsObserved([0.1, -0.5, 1.2, 0.3], [0.2, -0.4, 1.0, 0.1], units: "log-fold change"), "predicted", "Pearson r = 0.9");

        Check(Plots.SelectionCurves([new SelectionCurve("graphreach", [0, 1, 2], [0, 5, 8]), new SelectionCurve("random", [0, 1, 2], [0, 3, 5], [0, 1, 1.5])],
            valueLabel: "genes reached"), "selection", "graphreach", "random (± sd)");
    }

    [Test]
    public void The_font_is_a_sans_face_and_bad_inputs_are_named()
    {
        Assert.That(PlotFiles.SansFont, Does.Not.Contain("Serif"));
        Assert.Throws<ArgumentException>(() => PlotFiles.Save(new ScottPlot.Plot(), Path.Combine(_dir, "x.bmp")));
        var e = Assert.Throws<ArgumentException>(() => Plots.Embedding(new DenseMatrix(2, 1, [1, 2])));
        Assert.That(e!.Message, Does.Contain("1 column(s)"));
        Assert.Throws<ArgumentException>(() => Plots.PredictedVsObserved([1, 2], [1]));
    }

    private static TrainingHistory TrainingHistoryFor(params (string Key, double[] Values)[] series)
    {
        // TrainingHistory is filled by the trainer; here through its internal recorder.
        var h = new TrainingHistory();
        for (int e = 0; e < series[0].Values.Length; e++)
        {
            foreach (var (key, values) in series) h.Record(key, values[e]);
            h.EndEpoch();
        }
        return h;
    }
}
