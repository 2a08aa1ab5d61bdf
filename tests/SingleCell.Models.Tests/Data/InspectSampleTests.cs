using System.Text.Json;

namespace SingleCell.Models.Tests.Data;

/// <summary>Runs the built samples/Inspect app (built with the solution) and checks its --json contract.</summary>
[Category("SharedData")]
public class InspectSampleTests
{
    private static readonly string[] Keys =
    [
        "n_obs", "n_vars", "x_sum", "x_nnz", "obs_names_first", "obs_names_last", "var_names_first",
        "var_names_last", "obs_columns", "var_columns", "categorical", "row0_sum", "col0_sum",
    ];

    private static string InspectDll() => TestPaths.SampleDll("Inspect");

    [Test]
    public void Json_summary_of_10x_h5_has_exactly_the_contract_keys()
    {
        string dll = InspectDll();
        string file = SharedData.File("tenx", "filtered_feature_bc_matrix.h5");
        var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{file}\" --json");
        Assert.That(code, Is.EqualTo(0), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(Keys));
        Assert.That(root.GetProperty("n_obs").GetInt32(), Is.EqualTo(1107));
        Assert.That(root.GetProperty("n_vars").GetInt32(), Is.EqualTo(507));
        Assert.That(root.GetProperty("x_nnz").GetInt32(), Is.EqualTo(23_866));
    }

    [Test]
    public void Json_summary_lists_categories_of_kang()
    {
        string dll = InspectDll();
        string file = SharedData.File("h5ad", "kang2018_valid_anndata06.h5ad");
        var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{file}\" --json");
        Assert.That(code, Is.EqualTo(0), error);
        var cats = JsonDocument.Parse(output).RootElement.GetProperty("categorical");
        Assert.That(cats.GetProperty("condition").EnumerateArray().Select(e => e.GetString()), Is.EquivalentTo(new[] { "stimulated", "control" }));
        Assert.That(cats.GetProperty("cell_type").GetArrayLength(), Is.EqualTo(7));
    }

    [Test]
    public void Mtx_folder_and_cell_ranger_h5_give_the_same_summary()
    {
        string dll = InspectDll();
        var folder = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{SharedData.Folder("tenx", "filtered_feature_bc_matrix")}\" --json");
        var h5 = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{SharedData.File("tenx", "filtered_feature_bc_matrix.h5")}\" --json");
        Assert.That(folder.Code, Is.EqualTo(0), folder.Error);
        var a = JsonDocument.Parse(folder.Output).RootElement;
        var b = JsonDocument.Parse(h5.Output).RootElement;
        foreach (var key in new[] { "n_obs", "n_vars", "x_nnz", "x_sum", "row0_sum", "col0_sum", "obs_names_first", "obs_names_last", "var_names_first", "var_names_last" })
            Assert.That(a.GetProperty(key).ToString(), Is.EqualTo(b.GetProperty(key).ToString()), key);
    }

    [Test]
    public void Json_summary_of_plink_prefix_counts_samples_and_snps()
    {
        string dll = InspectDll();
        string prefix = SharedData.File("genotypes", "HM3_thinned_autosomal_overlap.bed")[..^4];
        var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{dll}\" \"{prefix}\" --json");
        Assert.That(code, Is.EqualTo(0), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.GetProperty("n_obs").GetInt32(), Is.EqualTo(957));
        Assert.That(root.GetProperty("n_vars").GetInt32(), Is.EqualTo(14_079));
    }

    [Test]
    public void Json_writes_non_finite_figures_as_null_with_a_warning()
    {
        // Values that decode to ±Infinity used to crash the JSON writer ("cannot be written as valid JSON").
        string path = Path.Combine(Path.GetTempPath(), $"scm-inspect-{Guid.NewGuid():N}.h5ad");
        try
        {
            var x = SingleCell.Models.Data.CellMatrix.FromDense([float.PositiveInfinity, 1, 0, float.NegativeInfinity, 2, 3], rows: 2, columns: 3);
            new SingleCell.Models.Data.AnnData(x, ["c0", "c1"], ["g0", "g1", "g2"]).Write(path);
            var (code, output, error) = AnnDataRoundTripTests.Run("dotnet", $"\"{InspectDll()}\" \"{path}\" --json");
            Assert.That(code, Is.EqualTo(0), error);
            var root = JsonDocument.Parse(output).RootElement;
            Assert.That(root.EnumerateObject().Select(p => p.Name), Is.EqualTo(Keys));
            Assert.That(root.GetProperty("x_sum").ValueKind, Is.EqualTo(JsonValueKind.Null));    // +Inf + -Inf = NaN
            Assert.That(root.GetProperty("row0_sum").ValueKind, Is.EqualTo(JsonValueKind.Null)); // +Inf
            Assert.That(root.GetProperty("col0_sum").ValueKind, Is.EqualTo(JsonValueKind.Null)); // +Inf + -Inf
            Assert.That(root.GetProperty("x_nnz").GetInt32(), Is.EqualTo(5));
            Assert.That(error, Does.Contain("warning: x_sum is NaN; written as null.").And.Contain("warning: row0_sum is +Infinity"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
