using System.Globalization;
using SingleCell.Models.Data;
using SingleCell.Models.Modeling;
using SingleCell.Models.Svae;
using SingleCell.Models.Training;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>
/// Checkpoints written by earlier versions must keep loading: one file per layout version, with the
/// outputs recorded when it was written. Layout 1 was written by the first sVAE release (commit 94b49e8);
/// layout 2 by the model platform. Regenerate layout 2 only with a format change (and add a layout 3 file then).
/// </summary>
public class GoldenCheckpointTests
{
    private static string Golden(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Modeling", "Golden", name);

    private static float[] ReadCsv(string path) => File.ReadAllLines(path)
        .SelectMany(l => l.Split(',')).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    [Test]
    public void Layout_1_svae_checkpoint_is_converted_and_reproduces_its_latents()
    {
        var data = AnnData.Read(Golden("svae_v1_data.h5ad"));
        var model = SvaeModel.Load(Golden("svae_v1.safetensors"));
        Assert.That(model.IsTrained);
        Assert.That(model.Schema.Genes, Is.EqualTo(data.VarNames));
        Assert.That(model.GetLatentRepresentation(data).Values, Is.EqualTo(ReadCsv(Golden("svae_v1_latent.csv"))));
        // Saved again, it is a layout-2 checkpoint.
        var path = Path.Combine(Path.GetTempPath(), $"converted-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            Assert.That(ModelCheckpoint.ReadInfo(path).FormatVersion, Is.EqualTo(2));
            Assert.That(SvaeModel.Load(path).GetLatentRepresentation(data).Values, Is.EqualTo(ReadCsv(Golden("svae_v1_latent.csv"))));
        }
        finally { File.Delete(path); }
        var ex = Assert.Throws<CheckpointFormatException>(() => ModelCheckpoint.ReadInfo(Golden("svae_v1.safetensors")));
        Assert.That(ex!.Message, Does.Contain("SvaeModel.Load"));
    }

    [Test]
    public void Layout_2_svae_checkpoint_loads_and_reproduces_its_outputs()
    {
        var data = AnnData.Read(Golden("svae_v1_data.h5ad"));
        var model = SvaeModel.Load(Golden("svae_v2.safetensors"));
        var info = ModelCheckpoint.ReadInfo(Golden("svae_v2.safetensors"));
        Assert.That(info.ModelType, Is.EqualTo("svae"));
        Assert.That(info.Tensors.Select(t => t.Name), Does.Contain("frozen_mask").And.Contain("encoder.1.running_mean"));
        Assert.That(model.GetLatentRepresentation(data).Values, Is.EqualTo(ReadCsv(Golden("svae_v2_latent.csv"))));
        Assert.That(model.GetInterventionGraph().Targets.Cast<bool>().Any(), Is.True, "the frozen mask travelled as a buffer");
    }

    /// <summary>Writes the layout-2 golden files (run by hand once per format version; never in CI).</summary>
    [Test, Explicit("writes golden files into the source tree")]
    public void Write_layout_2_golden_files()
    {
        var data = AnnData.Read(Golden("svae_v1_data.h5ad"));
        var model = SvaeModel.Create(data, new SvaeSetup(SparseShiftSimulation.LabelKey), new SvaeOptions { LatentDim = 3, HiddenDim = 8, Seed = 11, KlWarmupEpochs = 2 });
        model.Fit(new TrainerOptions { MaxEpochs = 3, Seed = 2 });
        model.TransferToHeldOut(["4"], new TransferOptions { RetrainEpochs = 1, FineTuneEpochs = 1, Particles = 2 });
        string dir = Path.Combine(TestPaths.RepositoryRoot!, "tests", "SingleCell.Models.Tests", "Modeling", "Golden");
        model.Save(Path.Combine(dir, "svae_v2.safetensors"), overwrite: true);
        var z = model.GetLatentRepresentation(data);
        File.WriteAllLines(Path.Combine(dir, "svae_v2_latent.csv"), Enumerable.Range(0, z.Rows)
            .Select(i => string.Join(",", z.Row(i).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
    }
}
