using System.Text.Json;
using SingleCell.Models.Tests.Data;

namespace SingleCell.Models.Tests.Svae;

/// <summary>Runs the built samples/SparseShiftVae app at a tiny size and checks its --json contract.</summary>
public class SparseShiftVaeSampleTests
{
    private static readonly string[] Keys = ["mcc_pearson", "mcc_spearman", "r2", "precision", "recall", "f1", "inll", "seconds_per_epoch"];

    [Test]
    public void Json_has_the_table1_columns_for_each_requested_variant()
    {
        var dll = TestPaths.SampleDll("SparseShiftVae");
        var (code, output, error) = AnnDataRoundTripTests.Run("dotnet",
            $"\"{dll}\" --json --epochs 2 --chems 10 --cells-per-chem 30 --genes 45 --latent 3 --particles 5 --kl-warmup 1 --variants vae,svae+");
        Assert.That(code, Is.EqualTo(0), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "vae", "svae+" }));
        foreach (var variant in root.EnumerateObject())
        {
            var names = variant.Value.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.That(names, Is.SupersetOf(Keys), variant.Name);
            double mcc = variant.Value.GetProperty("mcc_pearson").GetDouble();
            Assert.That(mcc, Is.InRange(0.0, 1.0));
        }
        Assert.That(root.GetProperty("vae").GetProperty("f1").ValueKind, Is.EqualTo(JsonValueKind.Null), "the paper reports no graph for the VAE");
        Assert.That(root.GetProperty("svae+").GetProperty("f1").ValueKind, Is.EqualTo(JsonValueKind.Number));
    }
}
