using System.Text.Json;
using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

public class ArrowExportTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "scm-arrow-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static AnnData WithEmbedding()
    {
        var a = AnnDataRoundTripTests.Synthetic(rows: 9, cols: 4);
        var z = new DenseMatrix(9, 3, Enumerable.Range(0, 27).Select(k => k / 3 + k % 3 / 10f).ToArray());
        a.AddEmbedding("X_svae", z);
        return a;
    }

    [Test]
    public void Obs_var_and_obsm_round_trip_with_types_and_metadata()
    {
        var a = WithEmbedding();
        string obs = Path.Combine(_dir, "obs.arrow"), var = Path.Combine(_dir, "var.arrow"), obsm = Path.Combine(_dir, "X_svae.arrow");
        AnnDataArrow.WriteObs(a, obs, new Dictionary<string, string> { ["source"] = "unit test" });
        AnnDataArrow.WriteVar(a, var);
        AnnDataArrow.WriteObsm(a, "X_svae", obsm);

        var o = AnnDataArrow.ReadFrame(obs);
        Assert.That(o.Metadata["source"], Is.EqualTo("unit test"));
        Assert.That(o.Metadata[AnnDataArrow.KindKey], Is.EqualTo("obs"));
        Assert.That(o.Frame.Index, Is.EqualTo(a.ObsNames));
        Assert.That(o.Frame.ColumnNames, Is.EqualTo(a.Obs.ColumnNames));
        var dose = (CategoricalColumn)o.Frame["dose"];
        var expected = (CategoricalColumn)a.Obs["dose"];
        Assert.That(dose.Ordered, Is.True);
        Assert.That(Enumerable.Range(0, 9).Select(r => dose[r]), Is.EqualTo(Enumerable.Range(0, 9).Select(r => expected[r])));
        Assert.That(((NullableIntegerColumn)o.Frame["nint"]).Mask, Is.EqualTo(((NullableIntegerColumn)a.Obs["nint"]).Mask));
        Assert.That(((NullableBooleanColumn)o.Frame["nbool"]).Mask, Is.EqualTo(((NullableBooleanColumn)a.Obs["nbool"]).Mask));
        Assert.That(((NumericColumn)o.Frame["ncounts"]).Values, Is.EqualTo(((NumericColumn)a.Obs["ncounts"]).Values));
        Assert.That(((StringColumn)o.Frame["note"]).Values, Is.EqualTo(((StringColumn)a.Obs["note"]).Values));

        var v = AnnDataArrow.ReadFrame(var);
        Assert.That(v.Frame.IndexName, Is.EqualTo("gene_symbol"));
        Assert.That(v.Frame.Index, Is.EqualTo(a.VarNames));

        var b = new AnnData(null, new DataFrame(a.ObsNames.Reverse().ToArray()), new DataFrame(a.VarNames));
        Assert.That(AnnDataArrow.ImportObsm(b, obsm), Is.EqualTo("X_svae"));
        Assert.That(b.Obsm["X_svae"].Row(0).ToArray(), Is.EqualTo(a.Obsm["X_svae"].Row(8).ToArray()), "rows are matched by cell name");
        AnnDataArrow.ImportObs(b, obs);
        Assert.That(b.Obs["condition"].GetString(0), Is.EqualTo(a.Obs["condition"].GetString(8)));
    }

    [Test]
    public void Import_with_other_cells_says_which_cell_is_missing()
    {
        var a = WithEmbedding();
        string obsm = Path.Combine(_dir, "z.arrow");
        AnnDataArrow.WriteObsm(a, "X_svae", obsm);
        var other = new AnnData(null, new DataFrame(Enumerable.Range(0, 9).Select(i => "other" + i).ToArray()), new DataFrame(["g"]));
        var e = Assert.Throws<InvalidDataException>(() => AnnDataArrow.ImportObsm(other, obsm));
        Assert.That(e!.Message, Does.Contain("has no cell 'other0'"));
    }

    [Test]
    [Category("Interop")]
    public void The_npm_apache_arrow_reader_sees_dictionaries_nulls_floats_and_metadata()
    {
        string script = Path.Combine(TestPaths.RepositoryRoot ?? "", "tests", "js", "read-arrow.mjs");
        if (!Directory.Exists(Path.Combine(Path.GetDirectoryName(script)!, "node_modules", "apache-arrow")))
            Assert.Ignore("tests/js/node_modules/apache-arrow is absent: run `npm ci --prefix tests/js` (.ci/run does).");
        var a = WithEmbedding();
        string obs = Path.Combine(_dir, "obs.arrow"), obsm = Path.Combine(_dir, "X_svae.arrow");
        AnnDataArrow.WriteObs(a, obs, new Dictionary<string, string> { ["source"] = "npm test" });
        AnnDataArrow.WriteObsm(a, "X_svae", obsm);

        var (code, output, error) = AnnDataRoundTripTests.Run("node", $"\"{script}\" \"{obs}\"");
        Assert.That(code, Is.EqualTo(0), error);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.GetProperty("rows").GetInt32(), Is.EqualTo(9));
        Assert.That(root.GetProperty("metadata").GetProperty("source").GetString(), Is.EqualTo("npm test"));
        var fields = root.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.That(fields["condition"].GetProperty("dictionary").GetBoolean(), Is.True);
        Assert.That(fields["dose"].GetProperty("ordered").GetBoolean(), Is.True);
        var cols = root.GetProperty("columns");
        Assert.That(cols.GetProperty("_index")[3].GetString(), Is.EqualTo("cell_3"));
        Assert.That(cols.GetProperty("condition").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(Enumerable.Range(0, 9).Select(r => a.Obs["condition"].GetString(r))));
        Assert.That(cols.GetProperty("dose")[0].ValueKind, Is.EqualTo(JsonValueKind.Null), "a missing category is null");
        Assert.That(cols.GetProperty("nint")[0].ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cols.GetProperty("nint")[1].GetInt64(), Is.EqualTo(1));
        Assert.That(cols.GetProperty("note")[2].GetString(), Is.EqualTo("ünïcode 2"));

        (code, output, error) = AnnDataRoundTripTests.Run("node", $"\"{script}\" \"{obsm}\"");
        Assert.That(code, Is.EqualTo(0), error);
        root = JsonDocument.Parse(output).RootElement;
        Assert.That(root.GetProperty("metadata").GetProperty(AnnDataArrow.ObsmKey).GetString(), Is.EqualTo("X_svae"));
        Assert.That(root.GetProperty("columns").GetProperty("X_svae_2")[4].GetDouble(), Is.EqualTo(4.2).Within(1e-6));
        Assert.That(root.GetProperty("fields")[1].GetProperty("type").GetString(), Is.EqualTo("Float32"));
    }
}
