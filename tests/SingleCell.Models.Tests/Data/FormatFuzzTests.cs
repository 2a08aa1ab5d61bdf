using System.IO.Compression;
using System.Text;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;
using SingleCell.Models.Serialization;
using SingleCell.Models.Tensors;

namespace SingleCell.Models.Tests.Data;

/// <summary>
/// Seeded fuzzing of the non-HDF5 readers (10x MTX folder, MatrixMarket, CSV/TSV, PLINK, safetensors):
/// each mutated input must parse cleanly or raise the reader's documented exception, within
/// <see cref="FuzzHarness.PerRead"/> and a memory bound; gzip inputs carry a CRC-32, so a clean
/// parse of a mutated <c>.gz</c> must give the original values. HDF5 is fuzzed in <see cref="Hdf5FuzzTests"/>.
/// </summary>
public class FormatFuzzTests
{
    private const int Iterations = 250;

    /// <summary>Every family's reads must stay below this floor plus 64 bytes per input byte (independent of what the reader's own budgets say).</summary>
    private const long MemoryFloor = 96L << 20;

    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"scm-fuzz-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static bool IsDataFormat(Exception e) => e is DataFormatException d && d.FilePath.Length > 0 && d.Message.Contains(d.FilePath, StringComparison.Ordinal);

    [Test, Category("SharedData")]
    public void TenX_mtx_folder_gzip_inputs_never_read_as_different_values()
    {
        var source = SharedData.Folder("tenx", "filtered_feature_bc_matrix");
        string[] names = ["matrix.mtx.gz", "features.tsv.gz", "barcodes.tsv.gz"];
        var originals = names.Select(n => File.ReadAllBytes(Path.Combine(source, n))).ToArray();
        for (int i = 0; i < names.Length; i++) File.WriteAllBytes(Path.Combine(_dir, names[i]), originals[i]);
        string read()
        {
            var t = TenXMtx.ReadFolder(_dir);
            return new FuzzHarness.Fingerprint().Add(t.Counts.IndPtr).Add(t.Counts.Indices).Add(t.Counts.Values)
                .Add(t.Barcodes).Add(t.GeneIds).Add(t.GeneNames).Add(t.FeatureTypes).ToString();
        }
        string original = read();
        var counts = FuzzHarness.Run("10x MTX folder", Iterations, 1401, (it, rng) =>
        {
            for (int i = 0; i < names.Length; i++) File.WriteAllBytes(Path.Combine(_dir, names[i]), originals[i]);
            int which = rng.Next(names.Length);
            File.WriteAllBytes(Path.Combine(_dir, names[which]), FuzzHarness.MutateBytes(originals[which], rng));
        }, read, IsDataFormat, original, _ => true, MemoryFloor + 64L * originals.Sum(o => o.Length));
        Assert.That(counts.Rejected, Is.GreaterThan(Iterations / 2), "most damaged gzip inputs must be rejected");
    }

    [Test, Category("SharedData")]
    public void MatrixMarket_text_and_gzip_parse_or_fail_cleanly()
    {
        var gz = File.ReadAllBytes(SharedData.File("tenx", "filtered_feature_bc_matrix", "matrix.mtx.gz"));
        var text = Gunzip(gz);
        string path = Path.Combine(_dir, "m.mtx"), gzPath = Path.Combine(_dir, "m.mtx.gz");
        string readText() => Digest(MatrixMarket.Read(path));
        string readGz() => Digest(MatrixMarket.Read(gzPath));
        File.WriteAllBytes(path, text);
        File.WriteAllBytes(gzPath, gz);
        Assert.That(readGz(), Is.EqualTo(readText()));
        FuzzHarness.Run("MatrixMarket text", Iterations, 1402, (_, rng) => File.WriteAllBytes(path, FuzzHarness.MutateText(text, rng)),
            readText, IsDataFormat, readText(), _ => false, MemoryFloor + 64L * text.Length);
        File.WriteAllBytes(path, text);
        var counts = FuzzHarness.Run("MatrixMarket gzip", Iterations / 2, 1403, (_, rng) => File.WriteAllBytes(gzPath, FuzzHarness.MutateBytes(gz, rng)),
            readGz, IsDataFormat, readText(), _ => true, MemoryFloor + 64L * text.Length);
        Assert.That(counts.Rejected, Is.GreaterThan(0));
    }

    [Test]
    public void Csv_and_tsv_parse_or_fail_cleanly()
    {
        var rng0 = new Random(5);
        var sb = new StringBuilder("cell");
        for (int j = 0; j < 30; j++) sb.Append(",gene_").Append(j);
        sb.Append('\n');
        for (int i = 0; i < 60; i++)
        {
            sb.Append("cell_").Append(i);
            for (int j = 0; j < 30; j++) sb.Append(',').Append(rng0.NextDouble() < 0.7 ? "0" : (rng0.Next(1, 500) / 4.0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        var text = Encoding.UTF8.GetBytes(sb.ToString());
        var gz = Gzip(text);
        string path = Path.Combine(_dir, "t.csv"), gzPath = Path.Combine(_dir, "t.csv.gz");
        string read(string p)
        {
            var m = DelimitedMatrix.Read(p);
            return Digest(m.Matrix) + new FuzzHarness.Fingerprint().Add(m.CellNames).Add(m.GeneNames);
        }
        File.WriteAllBytes(path, text);
        string original = read(path);
        FuzzHarness.Run("CSV text", Iterations, 1404, (_, rng) => File.WriteAllBytes(path, FuzzHarness.MutateText(text, rng)),
            () => read(path), IsDataFormat, original, _ => false, MemoryFloor + 64L * text.Length);
        FuzzHarness.Run("CSV gzip", Iterations / 2, 1405, (_, rng) => File.WriteAllBytes(gzPath, FuzzHarness.MutateBytes(gz, rng)),
            () => read(gzPath), IsDataFormat, original, _ => true, MemoryFloor + 64L * text.Length);
    }

    [Test, Category("SharedData")]
    public void Plink_parse_or_fail_cleanly()
    {
        // The shared HapMap set cut to its first 400 SNPs (all 957 samples), so each read is quick.
        string src = SharedData.File("genotypes", "HM3_thinned_autosomal_overlap.bed")[..^4];
        const int snps = 400;
        var fam = File.ReadAllBytes(src + ".fam");
        var bim = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(src + ".bim").Take(snps)) + "\n");
        int samples = File.ReadLines(src + ".fam").Count(), bytesPerSnp = (samples + 3) / 4;
        var bed = File.ReadAllBytes(src + ".bed").AsSpan(0, 3 + bytesPerSnp * snps).ToArray();
        string prefix = Path.Combine(_dir, "g");
        void restore()
        {
            File.WriteAllBytes(prefix + ".fam", fam);
            File.WriteAllBytes(prefix + ".bim", bim);
            File.WriteAllBytes(prefix + ".bed", bed);
        }
        string read()
        {
            var g = Plink.Read(prefix);
            return new FuzzHarness.Fingerprint().Add(g.Genotypes).Add(g.Samples.Select(s => s.ToString())).Add(g.Variants.Select(v => v.ToString())).ToString();
        }
        restore();
        string original = read();
        Assert.That(original, Is.Not.Empty);
        FuzzHarness.Run("PLINK", Iterations, 1406, (_, rng) =>
        {
            restore();
            switch (rng.Next(3))
            {
                case 0: File.WriteAllBytes(prefix + ".fam", FuzzHarness.MutateText(fam, rng)); break;
                case 1: File.WriteAllBytes(prefix + ".bim", FuzzHarness.MutateText(bim, rng)); break;
                default: File.WriteAllBytes(prefix + ".bed", FuzzHarness.MutateBytes(bed, rng)); break;
            }
        }, read, IsDataFormat, original, _ => false, MemoryFloor + 64L * (fam.Length + bim.Length + bed.Length));
    }

    [Test]
    public void Safetensors_parse_or_fail_cleanly()
    {
        var gen = new Random(3);
        float[] values(int n) => Enumerable.Range(0, n).Select(_ => (float)gen.NextDouble()).ToArray();
        var bytes = SafeTensors.Serialize(new Dictionary<string, Tensor>
        {
            ["encoder.weight"] = Tensor.FromArray(values(7 * 5), 7, 5),
            ["encoder.bias"] = Tensor.FromArray(values(5), 5),
            ["scalar"] = Tensor.Scalar(3.25f),
            ["empty"] = Tensor.Zeros(0, 4),
        }, new Dictionary<string, string> { ["format"] = "test", ["version"] = "1" });
        string path = Path.Combine(_dir, "m.safetensors");
        string read()
        {
            var f = SafeTensors.Read(path);
            var fp = new FuzzHarness.Fingerprint().Add(f.Metadata.Select(kv => kv.Key + "=" + kv.Value));
            foreach (var t in f.Tensors) fp.Add([t.Name, t.DType.ToString(), string.Join(",", t.Shape)]).Add(f.Bytes(t));
            return fp.ToString();
        }
        File.WriteAllBytes(path, bytes);
        string original = read();
        FuzzHarness.Run("safetensors", Iterations, 1407, (_, rng) => File.WriteAllBytes(path, FuzzHarness.MutateBytes(bytes, rng)),
            read, e => e is SafeTensorsFormatException && e.Message.Contains(path, StringComparison.Ordinal), original, _ => false, MemoryFloor + 64L * bytes.Length);
    }

    internal static string Digest(CellMatrix m) =>
        new FuzzHarness.Fingerprint().Add([m.Rows, m.Columns]).Add(m.IndPtr).Add(m.Indices).Add(m.Values).ToString();

    internal static byte[] Gunzip(byte[] gz)
    {
        using var z = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        var o = new MemoryStream();
        z.CopyTo(o);
        return o.ToArray();
    }

    internal static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }
}
