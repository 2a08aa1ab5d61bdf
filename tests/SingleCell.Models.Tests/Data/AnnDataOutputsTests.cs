using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

public class AnnDataOutputsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "scm-outputs-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Test]
    public void Outputs_attached_to_a_subset_of_cells_survive_an_h5ad_round_trip()
    {
        var a = AnnDataRoundTripTests.Synthetic(rows: 12, cols: 5);
        var latent = new DenseMatrix(3, 2, [1, 2, 3, 4, 5, 6]);
        a.AddEmbedding("X_model", latent, cells: [0, 5, 11]);
        var predicted = new DenseMatrix(3, 5, Enumerable.Range(0, 15).Select(k => (float)(k / 5 * 10 + k % 5)).ToArray());
        a.AddLayer("predicted", predicted, cells: [2, 3, 4]);
        a.AddObsLabels("cluster", ["a", "b", null], cells: [1, 2, 3]);
        int matched = a.AddSelection("selection", ["gene_3", "NOTAGENE", "gene_1"], gains: [5, 3, 1], method: "graphreach");
        int marked = a.MarkSelectedCells("selected_cell", ["KLF1", "SET"], labelColumn: "condition");
        Assert.That(matched, Is.EqualTo(2));
        Assert.That(marked, Is.EqualTo(8), "KLF1 and SET+KLF1 cells (8 of 12), not ctrl");

        string path = Path.Combine(_dir, "outputs.h5ad");
        a.Write(path);
        var b = AnnData.Read(path);

        var z = b.Obsm["X_model"];
        Assert.That((z.Rows, z.Columns), Is.EqualTo((12, 2)));
        Assert.That(z.Row(5).ToArray(), Is.EqualTo(new float[] { 3, 4 }));
        Assert.That(z.Row(11).ToArray(), Is.EqualTo(new float[] { 5, 6 }));
        Assert.That(float.IsNaN(z[1, 0]), "cells without an embedding are NaN");

        var layer = b.Layers["predicted"];
        Assert.That(layer.RowValues(3).ToArray(), Is.EqualTo(new float[] { 10, 11, 12, 13, 14 }));
        Assert.That(layer.RowValues(0).Length, Is.EqualTo(0), "cells without a prediction are zero");

        var cluster = (CategoricalColumn)b.Obs["cluster"];
        Assert.That(new[] { cluster[0], cluster[1], cluster[2], cluster[3] }, Is.EqualTo(new[] { null, "a", "b", null }));

        var rank = (NullableIntegerColumn)b.Var["selection"];
        Assert.That(rank[3], Is.EqualTo(1));
        Assert.That(rank[1], Is.EqualTo(3));
        Assert.That(rank[0], Is.Null);
        var uns = (Dictionary<string, object?>)b.Uns["selection"]!;
        Assert.That(uns["selected"], Is.EqualTo(new[] { "gene_3", "NOTAGENE", "gene_1" }));
        Assert.That(uns["gains"], Is.EqualTo(new double[] { 5, 3, 1 }));
        Assert.That(uns["method"], Is.EqualTo("graphreach"));
        Assert.That(((BooleanColumn)b.Obs["selected_cell"]).Values.Count(v => v), Is.EqualTo(8));
    }

    [Test]
    public void Mismatched_shapes_name_what_was_expected()
    {
        var a = AnnDataRoundTripTests.Synthetic(rows: 4, cols: 3);
        var e1 = Assert.Throws<ArgumentException>(() => a.AddEmbedding("X", new DenseMatrix(3, 2, new float[6])));
        Assert.That(e1!.Message, Does.Contain("3 rows").And.Contain("4 cells"));
        var e2 = Assert.Throws<ArgumentException>(() => a.AddLayer("p", new DenseMatrix(4, 2, new float[8])));
        Assert.That(e2!.Message, Does.Contain("2 columns").And.Contain("3 genes"));
        var e3 = Assert.Throws<ArgumentException>(() => a.AddEmbedding("X", new DenseMatrix(1, 2, new float[2]), cells: [7]));
        Assert.That(e3!.Message, Does.Contain("cell 7 is outside 0..3"));
        Assert.Throws<ArgumentException>(() => a.MarkSelectedCells("s", ["A"], "no_such_column"));
    }
}
