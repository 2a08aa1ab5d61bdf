using System.Diagnostics;
using System.Text.Json;
using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

public class AnnDataRoundTripTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "scm-h5ad-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void TearDown()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    internal static AnnData Synthetic(int rows = 40, int cols = 25, int seed = 7)
    {
        var rng = new Random(seed);
        var dense = new float[rows * cols];
        for (int i = 0; i < dense.Length; i++) dense[i] = rng.NextDouble() < 0.2 ? rng.Next(1, 50) : 0f;
        var x = CellMatrix.FromDense(dense, rows, cols);
        var obs = new DataFrame(Enumerable.Range(0, rows).Select(i => $"cell_{i}").ToArray());
        var var = new DataFrame(Enumerable.Range(0, cols).Select(i => $"gene_{i}").ToArray(), "gene_symbol");
        obs.Add(CategoricalColumn.FromValues("condition", Enumerable.Range(0, rows).Select(i => i % 3 == 0 ? "ctrl" : i % 3 == 1 ? "KLF1" : (string?)"SET+KLF1").ToArray()));
        obs.Add(new CategoricalColumn("dose", ["low", "high"], Enumerable.Range(0, rows).Select(i => i % 5 == 0 ? -1 : i % 2).ToArray(), ordered: true));
        obs.Add(new NumericColumn("ncounts", Enumerable.Range(0, rows).Select(i => i * 1.5).ToArray()));
        obs.Add(new IntegerColumn("ngenes", Enumerable.Range(0, rows).Select(i => (long)i * 3).ToArray()));
        obs.Add(new BooleanColumn("is_ctrl", Enumerable.Range(0, rows).Select(i => i % 3 == 0).ToArray()));
        obs.Add(new StringColumn("note", Enumerable.Range(0, rows).Select(i => $"ünïcode {i}").ToArray()));
        obs.Add(new NullableIntegerColumn("nint", Enumerable.Range(0, rows).Select(i => (long)i).ToArray(), Enumerable.Range(0, rows).Select(i => i % 4 == 0).ToArray()));
        obs.Add(new NullableBooleanColumn("nbool", Enumerable.Range(0, rows).Select(i => i % 2 == 0).ToArray(), Enumerable.Range(0, rows).Select(i => i % 7 == 0).ToArray()));
        var.Add(new NumericColumn("mean", Enumerable.Range(0, cols).Select(i => i / 10.0).ToArray()));
        var a = new AnnData(x, obs, var);
        a.Layers["counts"] = x;
        a.Obsm["X_pca"] = new DenseMatrix(rows, 3, Enumerable.Range(0, rows * 3).Select(i => i * 0.25f).ToArray());
        a.Obsp["connectivities"] = CellMatrix.FromDense(new float[rows * rows], rows, rows);
        a.Uns["title"] = "a test";
        a.Uns["n"] = 42L;
        a.Uns["pi"] = 3.25;
        a.Uns["flag"] = true;
        a.Uns["genes"] = new[] { "A", "B", "C" };
        a.Uns["values"] = new[] { 1.0, 2.0 };
        a.Uns["nested"] = new Dictionary<string, object?> { ["inner"] = "x", ["k"] = new long[] { 1, 2, 3 } };
        return a;
    }

    [Test]
    public void Synthetic_object_round_trips()
    {
        var a = Synthetic();
        string path = Path.Combine(_dir, "syn.h5ad");
        a.Write(path);
        var b = AnnData.Read(path);
        Assert.That(b.ObsNames, Is.EqualTo(a.ObsNames));
        Assert.That(b.VarNames, Is.EqualTo(a.VarNames));
        Assert.That(b.Var.IndexName, Is.EqualTo("gene_symbol"));
        Assert.That(b.X!.IndPtr, Is.EqualTo(a.X!.IndPtr));
        Assert.That(b.X.Indices, Is.EqualTo(a.X.Indices));
        Assert.That(b.X.Values, Is.EqualTo(a.X.Values));
        Assert.That(b.Obs.ColumnNames, Is.EqualTo(a.Obs.ColumnNames));
        var dose = (CategoricalColumn)b.Obs["dose"];
        Assert.That(dose.Ordered, Is.True);
        Assert.That(dose.Codes, Is.EqualTo(((CategoricalColumn)a.Obs["dose"]).Codes));
        Assert.That(((StringColumn)b.Obs["note"]).Values, Is.EqualTo(((StringColumn)a.Obs["note"]).Values));
        Assert.That(((NullableIntegerColumn)b.Obs["nint"]).Mask, Is.EqualTo(((NullableIntegerColumn)a.Obs["nint"]).Mask));
        Assert.That(((NullableBooleanColumn)b.Obs["nbool"]).Values, Is.EqualTo(((NullableBooleanColumn)a.Obs["nbool"]).Values));
        Assert.That(((BooleanColumn)b.Obs["is_ctrl"]).Values, Is.EqualTo(((BooleanColumn)a.Obs["is_ctrl"]).Values));
        Assert.That(((IntegerColumn)b.Obs["ngenes"]).Values, Is.EqualTo(((IntegerColumn)a.Obs["ngenes"]).Values));
        Assert.That(b.Obsm["X_pca"].Values, Is.EqualTo(a.Obsm["X_pca"].Values));
        Assert.That(b.Layers["counts"].Values, Is.EqualTo(a.X.Values));
        Assert.That(b.Uns["title"], Is.EqualTo("a test"));
        Assert.That(b.Uns["n"], Is.EqualTo(42L));
        Assert.That(b.Uns["pi"], Is.EqualTo(3.25));
        Assert.That(b.Uns["flag"], Is.EqualTo(true));
        Assert.That(b.Uns["genes"], Is.EqualTo(new[] { "A", "B", "C" }));
        Assert.That(((Dictionary<string, object?>)b.Uns["nested"]!)["k"], Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test, Category("SharedData")]
    public void Pbmc68k_round_trips_through_our_writer()
    {
        var a = AnnData.Read(SharedData.File("h5ad", "pbmc68k_reduced.h5ad"));
        string path = Path.Combine(_dir, "pbmc.h5ad");
        a.Write(path);
        var b = AnnData.Read(path);
        Assert.That((b.NObs, b.NVars), Is.EqualTo((700, 765)));
        Assert.That(b.X!.ToDense(), Is.EqualTo(a.X!.ToDense()));
        Assert.That(b.Raw!.X.NonZeroCount, Is.EqualTo(174_400));
        Assert.That(((CategoricalColumn)b.Obs["bulk_labels"]).Codes, Is.EqualTo(((CategoricalColumn)a.Obs["bulk_labels"]).Codes));
        Assert.That(b.Obsp["distances"].Values, Is.EqualTo(a.Obsp["distances"].Values));
        var mito = (NumericColumn)b.Obs["percent_mito"];
        Assert.That(mito.IsSingle, Is.True);
        Assert.That(mito.Values, Is.EqualTo(((NumericColumn)a.Obs["percent_mito"]).Values));
    }

    [Test]
    public void Python_anndata_reads_what_we_write()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Ignore("/usr/bin/python3 is absent; interoperability test skipped.");
        var probe = Run(python, "-c \"import anndata\"");
        if (probe.Code != 0) Assert.Ignore("Python anndata is not installed (apt-get install python3-anndata); test skipped.");
        var a = Synthetic();
        string path = Path.Combine(_dir, "py.h5ad");
        a.Write(path);
        string script = Path.Combine(_dir, "check.py");
        File.WriteAllText(script, """
            import sys, json, anndata
            a = anndata.read_h5ad(sys.argv[1])
            X = a.X.toarray()
            out = {
              "shape": list(a.shape), "x_sum": float(X.sum()), "x00": float(X[0, 0]),
              "obs_names": list(a.obs_names[:3]), "var_names": list(a.var_names[:3]),
              "condition": [str(c) for c in a.obs["condition"].cat.categories],
              "dose_ordered": bool(a.obs["dose"].cat.ordered),
              "ncounts_sum": float(a.obs["ncounts"].sum()), "note0": a.obs["note"][0],
              "nint_na": int(a.obs["nint"].isna().sum()), "is_ctrl": int(a.obs["is_ctrl"].sum()),
              "pca_sum": float(a.obsm["X_pca"].sum()), "counts_sum": float(a.layers["counts"].sum()),
              "title": str(a.uns["title"]), "n": int(a.uns["n"]), "genes": [str(g) for g in a.uns["genes"]],
              "inner": str(a.uns["nested"]["inner"]),
            }
            print(json.dumps(out))
            """);
        var result = Run(python, $"\"{script}\" \"{path}\"");
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var r = json.RootElement;
        double xSum = a.X!.Values.Sum(v => (double)v);
        Assert.That(r.GetProperty("shape")[0].GetInt32(), Is.EqualTo(40));
        Assert.That(r.GetProperty("shape")[1].GetInt32(), Is.EqualTo(25));
        Assert.That(r.GetProperty("x_sum").GetDouble(), Is.EqualTo(xSum).Within(1e-6));
        Assert.That(r.GetProperty("counts_sum").GetDouble(), Is.EqualTo(xSum).Within(1e-6));
        Assert.That(r.GetProperty("obs_names")[0].GetString(), Is.EqualTo("cell_0"));
        Assert.That(r.GetProperty("var_names")[2].GetString(), Is.EqualTo("gene_2"));
        Assert.That(r.GetProperty("condition").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "KLF1", "SET+KLF1", "ctrl" }));
        Assert.That(r.GetProperty("dose_ordered").GetBoolean(), Is.True);
        Assert.That(r.GetProperty("ncounts_sum").GetDouble(), Is.EqualTo(Enumerable.Range(0, 40).Sum(i => i * 1.5)));
        Assert.That(r.GetProperty("note0").GetString(), Is.EqualTo("ünïcode 0"));
        Assert.That(r.GetProperty("nint_na").GetInt32(), Is.EqualTo(10));
        Assert.That(r.GetProperty("is_ctrl").GetInt32(), Is.EqualTo(14));
        Assert.That(r.GetProperty("pca_sum").GetDouble(), Is.EqualTo(a.Obsm["X_pca"].Values.Sum()).Within(1e-3));
        Assert.That(r.GetProperty("title").GetString(), Is.EqualTo("a test"));
        Assert.That(r.GetProperty("n").GetInt32(), Is.EqualTo(42));
        Assert.That(r.GetProperty("inner").GetString(), Is.EqualTo("x"));
    }

    [Test, Category("SharedData")]
    public void Python_anndata_reads_rewritten_shared_files()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c \"import anndata\"").Code != 0)
            Assert.Ignore("Python anndata is not installed (apt-get install python3-anndata); test skipped.");
        string script = Path.Combine(_dir, "shape.py");
        File.WriteAllText(script, """
            import sys, json, anndata
            out = []
            for p in sys.argv[1:]:
                a = anndata.read_h5ad(p)
                out.append({"shape": list(a.shape), "nnz": int(a.X.nnz) if hasattr(a.X, "nnz") else -1,
                            "raw_nnz": int(a.raw.X.nnz) if a.raw is not None else -1,
                            "cats": {c: len(a.obs[c].cat.categories) for c in a.obs.columns if str(a.obs[c].dtype) == "category"}})
            print(json.dumps(out))
            """);
        var files = new[] { ("h5ad", "pbmc68k_reduced.h5ad"), ("h5ad", "kang2018_valid_anndata06.h5ad"), ("perturbation", "norman2019_mcfaline2023_devel.h5ad") };
        var written = new List<string>();
        foreach (var (folder, name) in files)
        {
            string target = Path.Combine(_dir, name);
            AnnData.Read(SharedData.File(folder, name)).Write(target);
            written.Add($"\"{target}\"");
        }
        var result = Run(python, $"\"{script}\" {string.Join(' ', written)}");
        Assert.That(result.Code, Is.EqualTo(0), result.Error);
        var r = JsonDocument.Parse(result.Output).RootElement;
        Assert.That(r[0].GetProperty("shape")[0].GetInt32(), Is.EqualTo(700));
        Assert.That(r[0].GetProperty("raw_nnz").GetInt32(), Is.EqualTo(174_400));
        Assert.That(r[0].GetProperty("cats").GetProperty("bulk_labels").GetInt32(), Is.EqualTo(10));
        Assert.That(r[1].GetProperty("shape")[1].GetInt32(), Is.EqualTo(6998));
        Assert.That(r[1].GetProperty("cats").GetProperty("cell_type").GetInt32(), Is.EqualTo(7));
        Assert.That(r[2].GetProperty("shape")[0].GetInt32(), Is.EqualTo(5961));
        Assert.That(r[2].GetProperty("cats").GetProperty("perturbation").GetInt32(), Is.EqualTo(34));
    }

    internal static (int Code, string Output, string Error) Run(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000)) { p.Kill(); return (-1, "", "timed out"); }
        return (p.ExitCode, output.Result, error.Result);
    }
}

public class AnnDataBackedTests
{
    [Test]
    public void Row_chunks_reassemble_X_with_bounded_memory()
    {
        // 20,000 cells × 2,000 genes, ~1.2 M stored entries (~10 MB of data + indices).
        const int rows = 20_000, cols = 2_000;
        var rng = new Random(11);
        var indptr = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            int c = rng.Next(0, 30);
            while (c < cols) { indices.Add(c); values.Add(rng.Next(1, 100)); c += rng.Next(1, 60); }
            indptr[r + 1] = indices.Count;
        }
        var x = new CellMatrix(rows, cols, indptr, indices.ToArray(), values.ToArray());
        var a = new AnnData(x, Enumerable.Range(0, rows).Select(i => $"c{i}").ToArray(), Enumerable.Range(0, cols).Select(i => $"g{i}").ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"scm-backed-{Guid.NewGuid():N}.h5ad");
        try
        {
            a.Write(path);
            long fullBytes = (long)x.NonZeroCount * 8;
            long maxBlockAlloc = 0;
            int seen = 0;
            double sum = 0;
            using var blocks = AnnData.ReadXRowChunks(path, 500).GetEnumerator();
            while (true)
            {
                // Measure only what reading one block allocates (not the assertions below).
                long before = GC.GetAllocatedBytesForCurrentThread();
                if (!blocks.MoveNext()) break;
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                var (start, block) = blocks.Current;
                if (start > 0) maxBlockAlloc = Math.Max(maxBlockAlloc, allocated);
                Assert.That(start, Is.EqualTo(seen));
                for (int r = 0; r < block.Rows; r++)
                    if (!block.RowIndices(r).SequenceEqual(x.RowIndices(start + r))) Assert.Fail($"row {start + r} differs");
                foreach (var v in block.Values) sum += v;
                seen += block.Rows;
            }
            Assert.That(seen, Is.EqualTo(rows));
            Assert.That(sum, Is.EqualTo(x.Values.Sum(v => (double)v)));
            // Each block allocates what its rows and the chunks it touches need, far below the whole matrix.
            TestContext.Out.WriteLine($"largest block allocation {maxBlockAlloc} B; matrix {fullBytes} B");
            Assert.That(maxBlockAlloc, Is.LessThan(fullBytes / 4), $"largest block allocation {maxBlockAlloc} B vs matrix {fullBytes} B");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
