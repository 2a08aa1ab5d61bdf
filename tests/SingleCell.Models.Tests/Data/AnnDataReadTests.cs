using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

[Category("SharedData")]
public class AnnDataReadTests
{
    private static double Sum(CellMatrix m)
    {
        double s = 0;
        foreach (var v in m.Values) s += v;
        return s;
    }

    [Test]
    public void Pbmc68kReduced_matches_readme()
    {
        var a = AnnData.Read(SharedData.File("h5ad", "pbmc68k_reduced.h5ad"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((700, 765)));
        Assert.That(a.X!.Rows, Is.EqualTo(700));
        Assert.That(a.XWasDense, Is.True);
        Assert.That(a.Obs.IndexName, Is.EqualTo("index"));
        Assert.That(a.Raw, Is.Not.Null);
        Assert.That(a.Raw!.X.NonZeroCount, Is.EqualTo(174_400));
        Assert.That(a.Raw.X.Rows, Is.EqualTo(700));
        var bulk = (CategoricalColumn)a.Obs["bulk_labels"];
        Assert.That(bulk.Categories, Has.Length.EqualTo(10));
        Assert.That(a.Obs["louvain"], Is.InstanceOf<CategoricalColumn>());
        Assert.That(a.Obs["phase"], Is.InstanceOf<CategoricalColumn>());
        Assert.That(a.Obsm.Keys, Is.SupersetOf(new[] { "X_pca", "X_umap" }));
        Assert.That(a.Obsm["X_umap"].Rows, Is.EqualTo(700));
        Assert.That(a.Obsp.Keys, Is.SupersetOf(new[] { "connectivities", "distances" }));
        float min = a.X.Values.Min(), max = a.X.Values.Max();
        Assert.That(min, Is.EqualTo(-2.0f).Within(0.1f));
        Assert.That(max, Is.EqualTo(28.4f).Within(0.1f));
        Assert.That(a.Uns, Is.Not.Empty);
    }

    [Test]
    public void Devel_perturbation_file_matches_readme()
    {
        var a = AnnData.Read(SharedData.File("perturbation", "norman2019_mcfaline2023_devel.h5ad"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((5961, 500)));
        Assert.That(a.Var.IndexName, Is.EqualTo("gene_symbol"));
        var pert = (CategoricalColumn)a.Obs["perturbation"];
        Assert.That(pert.Categories, Has.Length.EqualTo(34));
        Assert.That(pert.Categories, Does.Contain("control"));
        int doubles = Enumerable.Range(0, a.NObs).Count(i => pert[i]!.Contains('+'));
        Assert.That(doubles, Is.EqualTo(1480));
        var type = (CategoricalColumn)a.Obs["perturbation_type"];
        Assert.That(Enumerable.Range(0, a.NObs).Count(i => type[i] == "CRISPRa"), Is.EqualTo(3375));
        Assert.That(a.X!.Values.Min(), Is.GreaterThan(0.17f));
        Assert.That(a.X.Values.Max(), Is.EqualTo(6.95f).Within(0.01f));
    }

    [Test]
    public void Kang_legacy_06_layout_reads()
    {
        var a = AnnData.Read(SharedData.File("h5ad", "kang2018_valid_anndata06.h5ad"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((1975, 6998)));
        var cond = (CategoricalColumn)a.Obs["condition"];
        Assert.That(Enumerable.Range(0, a.NObs).Count(i => cond[i] == "stimulated"), Is.EqualTo(1039));
        Assert.That(Enumerable.Range(0, a.NObs).Count(i => cond[i] == "control"), Is.EqualTo(936));
        Assert.That(((CategoricalColumn)a.Obs["cell_type"]).Categories, Has.Length.EqualTo(7));
        Assert.That(a.Obsm.Keys, Is.SupersetOf(new[] { "X_pca", "X_tsne", "X_umap" }));
        Assert.That(a.X!.Values.Max(), Is.EqualTo(6.77f).Within(0.01f));
        // The legacy uns/<col>_categories arrays become obs categories, not uns entries.
        Assert.That(a.Uns.Keys, Has.None.EndsWith("_categories"));
    }

    [Test]
    public void Anndata078_lzf_layout_reads()
    {
        var a = AnnData.Read(SharedData.File("h5ad", "anndata078_lzf.h5ad"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((30, 20)));
        Assert.That(a.Raw, Is.Not.Null);
        Assert.That(a.Obs.Columns.OfType<CategoricalColumn>(), Is.Not.Empty);
        Assert.That(a.Obs.Columns.OfType<CategoricalColumn>().Any(c => c.Ordered), Is.True);
    }

    [Test]
    public void Anndata0114_all_encodings_reads()
    {
        var a = AnnData.Read(SharedData.File("h5ad", "anndata0114_all_encodings.h5ad"));
        Assert.That((a.NObs, a.NVars), Is.EqualTo((50, 100)));
        Assert.That(a.Layers.Count, Is.GreaterThanOrEqualTo(3));
        foreach (var layer in a.Layers.Values) Assert.That((layer.Rows, layer.Columns), Is.EqualTo((50, 100)));
        Assert.That(a.Obs.Columns.OfType<NullableIntegerColumn>(), Is.Not.Empty);
        Assert.That(a.Obs.Columns.OfType<NullableBooleanColumn>(), Is.Not.Empty);
        Assert.That(a.Obs["leiden"], Is.InstanceOf<CategoricalColumn>());
        // The counts are Poisson draws: at least one layer holds non-negative integers only.
        Assert.That(a.Layers.Values.Any(l => l.NonZeroCount > 0 && l.Values.All(v => v >= 0 && v == MathF.Round(v))), Is.True);
        Assert.That(a.X!.Rows, Is.EqualTo(50));
    }
}

[Category("SharedData")]
public class AnnDataBackedSharedTests
{
    [Test]
    public void Backed_blocks_of_devel_equal_in_memory_X()
    {
        string path = SharedData.File("perturbation", "norman2019_mcfaline2023_devel.h5ad");
        var x = AnnData.Read(path).X!;
        int next = 0;
        foreach (var (start, block) in AnnData.ReadXRowChunks(path, 1000))
        {
            Assert.That(start, Is.EqualTo(next));
            for (int r = 0; r < block.Rows; r++)
            {
                Assert.That(block.RowIndices(r).SequenceEqual(x.RowIndices(start + r)), Is.True, $"row {start + r}");
                Assert.That(block.RowValues(r).SequenceEqual(x.RowValues(start + r)), Is.True, $"row {start + r}");
            }
            next += block.Rows;
        }
        Assert.That(next, Is.EqualTo(5961));
    }
}

[Category("SharedData")]
public class AnnDataWarningTests
{
    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add($"{logLevel}: {formatter(state, exception)}");
    }

    [Test]
    public void Unsupported_elements_are_skipped_with_a_warning()
    {
        var logger = new ListLogger();
        var a = AnnData.Read(SharedData.File("h5ad", "pbmc68k_reduced.h5ad"), logger);
        // rank_genes_groups holds record arrays, which are not modelled: skipped, and said so.
        Assert.That(logger.Messages, Has.Some.Contains("rank_genes_groups").And.Some.StartsWith("Warning"));
        Assert.That(a.Uns.ContainsKey("rank_genes_groups"), Is.True);
        Assert.That(a.NObs, Is.EqualTo(700));
    }
}
