using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;

namespace SingleCell.Models.Tests.Data;

public class MatrixMarketTests
{
    [TestCase("-1 3 2")]
    [TestCase("3 -2 2")]
    [TestCase("3 3 -5")]
    [TestCase("3 3 99999999999999999999")]
    [TestCase("3 x 2")]
    public void Bad_size_lines_are_format_errors(string sizeLine)
    {
        var text = "%%MatrixMarket matrix coordinate real general\n" + sizeLine + "\n1 1 1\n";
        var ex = Assert.Throws<DataFormatException>(() => MatrixMarket.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), out _));
        Assert.That(ex!.Message, Does.Contain("size line"));
    }

    [Test]
    public void A_huge_declared_count_does_not_preallocate_it()
    {
        // Two billion declared entries, one present: the count mismatch is reported, nothing near 13 GB is allocated.
        var text = "%%MatrixMarket matrix coordinate real general\n2 2 2000000000\n1 1 1\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<DataFormatException>(() => MatrixMarket.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), out _));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(64L << 20));
    }

    [Test]
    public void Reads_symmetric_real_with_comments_and_sums_nothing_extra()
    {
        const string text = "%%MatrixMarket matrix coordinate real symmetric\n% a comment\n%%metadata {}\n3 3 3\n1 1 1.5\n3 1 2\n2 2 -4\n";
        var m = MatrixMarket.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), out var header);
        Assert.That(header.Symmetry, Is.EqualTo("symmetric"));
        Assert.That(header.Comments, Has.Count.EqualTo(2));
        Assert.That(m.ToDense(), Is.EqualTo(new float[] { 1.5f, 0, 2, 0, -4, 0, 2, 0, 0 }));
    }

    [Test]
    public void Round_trips_integer_and_real()
    {
        var m = CellMatrix.FromDense([0, 3, 0, 7, 0, 0, 1, 0, 2], 3, 3);
        var ms = new MemoryStream();
        MatrixMarket.Write(ms, m);
        ms.Position = 0;
        var back = MatrixMarket.Read(ms, out var header);
        Assert.That(header.Field, Is.EqualTo("integer"));
        Assert.That(back.ToDense(), Is.EqualTo(m.ToDense()));
        var r = CellMatrix.FromDense([0.1f, 0, 1e-7f, 3.25f], 2, 2);
        ms = new MemoryStream();
        MatrixMarket.Write(ms, r);
        ms.Position = 0;
        Assert.That(MatrixMarket.Read(ms, out header).ToDense(), Is.EqualTo(r.ToDense()));
        Assert.That(header.Field, Is.EqualTo("real"));
    }

    [Test]
    public void Wrong_entry_count_is_an_error()
    {
        const string text = "%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 1\n";
        Assert.Throws<DataFormatException>(() => MatrixMarket.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), out _));
    }

    [Test]
    public void Transpose_and_sums_match_dense()
    {
        var m = CellMatrix.FromDense([1, 0, 2, 0, 0, 3], 2, 3);
        Assert.That(m.Transpose().ToDense(), Is.EqualTo(new float[] { 1, 0, 0, 0, 2, 3 }));
        Assert.That(m.ColumnSums(), Is.EqualTo(new double[] { 1, 0, 5 }));
        Assert.That(m.RowSums(), Is.EqualTo(new double[] { 3, 3 }));
        Assert.That(m.SelectRows([1, 0]).ToDense(), Is.EqualTo(new float[] { 0, 0, 3, 1, 0, 2 }));
        Assert.That(m.SelectColumns([2, 0]).ToDense(), Is.EqualTo(new float[] { 2, 1, 3, 0 }));
    }

    [Test, Category("SharedData")]
    public void Reads_tenx_folder()
    {
        var t = TenXMtx.ReadFolder(SharedData.Folder("tenx", "filtered_feature_bc_matrix"));
        // README: 507 features × 1,107 barcodes; header declares 23,866 entries; first entry "458 1 3".
        Assert.That(t.Counts.Rows, Is.EqualTo(1107));
        Assert.That(t.Counts.Columns, Is.EqualTo(507));
        Assert.That(t.Counts.NonZeroCount, Is.EqualTo(23866));
        Assert.That(t.Counts[0, 457], Is.EqualTo(3f));
        Assert.That(t.GeneIds[0], Is.EqualTo("ENSG00000279493"));
        Assert.That(t.GeneNames[0], Is.EqualTo("CH507-9B2.2"));
        Assert.That(t.FeatureTypes[0], Is.EqualTo("Gene Expression"));
    }

    [Test, Category("SharedData")]
    public void Reads_papalexi_mtx_and_round_trips()
    {
        string dir = SharedData.Folder("perturbation", "papalexi2021_lowmoi");
        var g = MatrixMarket.Read(Path.Combine(dir, "grna_matrix.mtx.gz"));
        // Header: 110 × 20729 with 162,681 entries; first entry "7 1 2".
        Assert.That((g.Rows, g.Columns, g.NonZeroCount), Is.EqualTo((110, 20729, 162681)));
        Assert.That(g[6, 0], Is.EqualTo(2f));
        string tmp = Path.Combine(Path.GetTempPath(), $"mm_{Guid.NewGuid():N}.mtx.gz");
        try
        {
            MatrixMarket.Write(tmp, g);
            var back = MatrixMarket.Read(tmp);
            Assert.That(back.IndPtr, Is.EqualTo(g.IndPtr));
            Assert.That(back.Indices, Is.EqualTo(g.Indices));
            Assert.That(back.Values, Is.EqualTo(g.Values));
        }
        finally { File.Delete(tmp); }
    }
}

public class PlinkTests
{
    [Test]
    public void Decodes_hand_made_bed()
    {
        string prefix = Path.Combine(Path.GetTempPath(), $"plink_{Guid.NewGuid():N}");
        try
        {
            // 5 samples, 1 SNP: codes 00 (2), 01 (missing), 10 (1), 11 (0) | 10 (1); LSB first.
            File.WriteAllBytes(prefix + ".bed", [0x6C, 0x1B, 0x01, 0b11_10_01_00, 0b00_00_00_10]);
            File.WriteAllLines(prefix + ".bim", ["1 rs1 0 100 A G"]);
            File.WriteAllLines(prefix + ".fam", Enumerable.Range(0, 5).Select(i => $"F{i} I{i} 0 0 1 -9"));
            var p = Plink.Read(prefix);
            Assert.That(p.Genotypes, Is.EqualTo(new sbyte[] { 2, -1, 1, 0, 1 }));
            var f = p.ToFloat();
            Assert.That(float.IsNaN(f[1]) && f[0] == 2f);
        }
        finally { foreach (var e in new[] { ".bed", ".bim", ".fam" }) File.Delete(prefix + e); }
    }

    [Test, Category("SharedData")]
    public void Reads_hapmap_with_populations()
    {
        string dir = SharedData.Folder("genotypes");
        var p = Plink.Read(Path.Combine(dir, "HM3_thinned_autosomal_overlap"));
        Assert.That(p.Samples, Has.Count.EqualTo(957));
        Assert.That(p.Variants, Has.Count.EqualTo(14079));
        Assert.That(p.Variants[0].Id, Is.EqualTo("rs4970383"));
        // Hand-decoded from the raw bytes with an independent bit-string decoder (Python):
        // SNP 0: 104 hom-A1, 0 missing, 434 het, 419 hom-A2; SNP 14078: 0, 9, 19, 929.
        Assert.That(Tally(p, 0), Is.EqualTo((104, 0, 434, 419)));
        Assert.That(Tally(p, 14078), Is.EqualTo((0, 9, 19, 929)));
        var labels = Plink.ReadLabels(Path.Combine(dir, "relationships_w_pops_121708.txt"));
        var counts = p.Samples.GroupBy(s => labels[s.IndividualId]).ToDictionary(g => g.Key, g => g.Count());
        var expected = new Dictionary<string, int>
        {
            ["ASW"] = 49, ["CEU"] = 107, ["CHB"] = 81, ["CHD"] = 81, ["GIH"] = 87, ["JPT"] = 85,
            ["LWK"] = 87, ["MEX"] = 48, ["MKK"] = 140, ["TSI"] = 84, ["YRI"] = 108,
        };
        Assert.That(counts, Is.EquivalentTo(expected));
    }

    private static (int, int, int, int) Tally(PlinkGenotypes p, int snp)
    {
        int two = 0, miss = 0, one = 0, zero = 0;
        for (int i = 0; i < p.Samples.Count; i++)
            switch (p[i, snp]) { case 2: two++; break; case -1: miss++; break; case 1: one++; break; default: zero++; break; }
        return (two, miss, one, zero);
    }
}
