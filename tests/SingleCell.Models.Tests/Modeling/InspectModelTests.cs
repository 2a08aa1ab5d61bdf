using System.Text.Json;
using SingleCell.Models.Tests.Data;

namespace SingleCell.Models.Tests.Modeling;

/// <summary>samples/Inspect on model checkpoints: a summary of any family's checkpoint, and one line with exit code 1 for a damaged one.</summary>
public class InspectModelTests
{
    private static string Golden(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Modeling", "Golden", name);

    [Test]
    public void Json_names_type_version_sizes_and_options()
    {
        var dll = TestPaths.SampleDll("Inspect");
        var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{Golden("svae_v2.safetensors")}\" --json");
        Assert.That(code, Is.EqualTo(0), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.GetProperty("model_type").GetString(), Is.EqualTo("svae"));
        Assert.That(root.GetProperty("format_version").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("genes").GetInt32(), Is.EqualTo(12));
        Assert.That(root.GetProperty("options").GetProperty("latent_dim").GetInt32(), Is.EqualTo(3));
        // 12 genes, hidden 8, latent 3, 5 labels: the stored values add up to what the file holds.
        Assert.That(root.GetProperty("parameter_count").GetInt64(), Is.EqualTo(641));
    }

    [Test]
    public void A_damaged_checkpoint_gives_one_line_and_exit_code_1()
    {
        var dll = TestPaths.SampleDll("Inspect");
        var path = Path.Combine(Path.GetTempPath(), $"damaged-{Guid.NewGuid():N}.safetensors");
        try
        {
            File.WriteAllBytes(path, File.ReadAllBytes(Golden("svae_v2.safetensors"))[..300]);
            var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{path}\"");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
            Assert.That(error, Does.Contain("truncated"));
            Assert.That(output, Is.Empty);
        }
        finally { File.Delete(path); }
    }
}
