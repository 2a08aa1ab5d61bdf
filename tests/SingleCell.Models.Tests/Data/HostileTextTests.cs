using System.Text;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Formats;
using SingleCell.Models.Graphs;

namespace SingleCell.Models.Tests.Data;

/// <summary>Regression tests for the reproducers in the text readers: every failure is the documented exception naming the file and line.</summary>
public class HostileTextTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), $"scm-hostile-{Guid.NewGuid():N}"));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static DataFormatException Rejects(Func<object> read, string path, long line)
    {
        var e = Assert.Throws<DataFormatException>(() => read())!;
        Assert.That(e.FilePath, Is.EqualTo(path));
        Assert.That(e.Message, Does.StartWith(path));
        Assert.That(e.Line, Is.EqualTo(line), e.Message);
        return e;
    }

    [TestCase("2147483647 1 0")]
    [TestCase("1500000000 1 0")]
    [TestCase("1 2147483647 0")]
    public void Huge_declared_sizes_are_rejected_without_allocating_them(string sizeLine)
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n" + sizeLine + "\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejects(() => MatrixMarket.Read(path), path, 2);
        Assert.That(e.Problem, Does.Contain("may declare at most"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
    }

    [Test]
    public void A_small_file_may_still_declare_an_empty_matrix_of_a_million_rows()
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n1000000 3 1\n1000000 2 4\n");
        var m = MatrixMarket.Read(path);
        Assert.That((m.Rows, m.Columns, m.NonZeroCount), Is.EqualTo((1_000_000, 3, 1)));
        Assert.That(m.RowValues(999_999).ToArray(), Is.EqualTo(new[] { 4f }));
    }

    [TestCase("1 1 1.5", "not an integer")]
    [TestCase("1 1 NaN", "not an integer")]
    [TestCase("1 1 1.9", "not an integer")]
    [TestCase("1 1 1e3", "not an integer")]
    [TestCase("1.5 1 1", "not integers")]
    [TestCase("1 1e0 1", "not integers")]
    [TestCase("0 1 1", "outside")]
    [TestCase("3 1 1", "outside")]
    [TestCase("1 1", "should hold")]
    [TestCase("1 1 1 1", "should hold")]
    public void Integer_field_entries_must_be_integers_in_range(string entry, string problem)
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n% c\n2 2 1\n" + entry + "\n");
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 4).Problem, Does.Contain(problem));
    }

    [TestCase("1e400")]
    [TestCase("-1e400")]
    [TestCase("1e39")]
    [TestCase("inf")]
    [TestCase("-inf")]
    [TestCase("Infinity")]
    [TestCase("NaN")]
    public void Non_finite_real_values_are_rejected_alike(string value)
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 2.5\n2 2 " + value + "\n");
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 4).Problem, Does.Contain("finite"));
    }

    [Test]
    public void Tiny_and_largest_finite_values_are_kept()
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate real general\n1 2 2\n1 1 1e-50\n1 2 3.4e38\n");
        Assert.That(MatrixMarket.Read(path).ToDense(), Is.EqualTo(new[] { 0f, 3.4e38f }));
    }

    [Test]
    public void Symmetric_files_must_be_square_and_lower_triangular()
    {
        // The reproducer: an entry mirrored outside a non-square matrix gave an ArgumentException.
        string path = Write("a.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n1 3 1\n");
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 2).Problem, Does.Contain("square"));
        path = Write("b.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n1 3 1\n");
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 3).Problem, Does.Contain("above the diagonal"));
    }

    [Test]
    public void More_entries_than_declared_stop_the_read_at_that_line()
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1\n2 2 2\n");
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 4).Problem, Does.Contain("more entries"));
    }

    [Test]
    public void Damaged_or_truncated_gzip_is_a_DataFormatException()
    {
        // The reproducer: a damaged .gz gave an InvalidDataException without the file name.
        var text = new StringBuilder("%%MatrixMarket matrix coordinate integer general\n50 50 50\n");
        for (int i = 1; i <= 50; i++) text.Append(i).Append(' ').Append(51 - i).Append(' ').Append(i * 3).Append('\n');
        var gz = FormatFuzzTests.Gzip(Encoding.UTF8.GetBytes(text.ToString()));
        string path = Path.Combine(_dir, "m.mtx.gz");
        File.WriteAllBytes(path, gz);
        Assert.That(MatrixMarket.Read(path).NonZeroCount, Is.EqualTo(50));
        var damaged = (byte[])gz.Clone();
        damaged[gz.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, damaged);
        Rejects(() => MatrixMarket.Read(path), path, 0);
        // Cut inside the trailer: the data decompresses completely, but CRC-32 and ISIZE cannot be checked.
        File.WriteAllBytes(path, gz[..^3]);
        Assert.That(Rejects(() => MatrixMarket.Read(path), path, 0).Problem, Does.Contain("gzip"));
        // Cut inside the data: .NET's GZipStream alone returns the shorter text without an error.
        File.WriteAllBytes(path, gz[..(gz.Length * 3 / 4)]);
        Rejects(() => MatrixMarket.Read(path), path, 0);
        var crc = (byte[])gz.Clone();
        crc[^6] ^= 0x01;
        File.WriteAllBytes(path, crc);
        Rejects(() => MatrixMarket.Read(path), path, 0);
    }

    [Test]
    public void Checksums_match_their_reference_values()
    {
        var nine = "123456789"u8;
        Assert.That(Checksums.Crc32(0, nine), Is.EqualTo(0xCBF43926u));
        Assert.That(Checksums.Crc32(Checksums.Crc32(0, nine[..4]), nine[4..]), Is.EqualTo(0xCBF43926u));
        Assert.That(Checksums.Adler32("Wikipedia"u8), Is.EqualTo(0x11E60398u));
        var big = Enumerable.Range(0, 100_000).Select(i => (byte)(255 - i % 7)).ToArray();
        Assert.That(Checksums.Adler32(big), Is.EqualTo(NaiveAdler(big)));
    }

    private static uint NaiveAdler(byte[] data)
    {
        ulong a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return (uint)(b << 16 | a);
    }

    [TestCase("cell,g1,g2\nc1,1,1e400\n", 2, "finite")]
    [TestCase("cell,g1,g2\nc1,1,-inf\n", 2, "finite")]
    [TestCase("cell,g1,g2\nc1,1,NaN\n", 2, "finite")]
    [TestCase("cell,g1,g2\nc1,1,2\nc2,1\n", 3, "fields")]
    public void Csv_rejects_non_finite_values_and_ragged_rows(string text, int line, string problem)
    {
        string path = Write("t.csv", text);
        Assert.That(Rejects(() => DelimitedMatrix.Read(path), path, line).Problem, Does.Contain(problem));
    }

    [Test]
    public void Empty_csv_names_the_file() =>
        Rejects(() => DelimitedMatrix.Read(Write("e.csv", "")), Path.Combine(_dir, "e.csv"), 0);

    private string Plink(string fam, string bim, int samples = 2, int snps = 2)
    {
        string prefix = Path.Combine(_dir, "g");
        File.WriteAllText(prefix + ".fam", fam);
        File.WriteAllText(prefix + ".bim", bim);
        var bed = new byte[3 + (samples + 3) / 4 * snps];
        bed[0] = 0x6C; bed[1] = 0x1B; bed[2] = 1;
        File.WriteAllBytes(prefix + ".bed", bed);
        return prefix;
    }

    private const string GoodFam = "F1 I1 0 0 1 -9\nF2 I2 0 0 2 -9\n";
    private const string GoodBim = "1 rs1 0 100 A C\n1 rs2 0.5 200 G T\n";

    [Test]
    public void Plink_reads_a_valid_set()
    {
        var g = SingleCell.Models.Data.Formats.Plink.Read(Plink(GoodFam, GoodBim));
        Assert.That(g.Samples.Select(s => s.Sex), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(g.Variants.Select(v => v.Position), Is.EqualTo(new[] { 100L, 200L }));
        Assert.That(g.Genotypes, Is.EqualTo(new sbyte[] { 2, 2, 2, 2 })); // code 00 = two copies of allele 1
    }

    [TestCase("F1 I1 0 0 1 -9\nF2 I2 0 0 99999999999 -9\n", 2, "sex code")]
    [TestCase("F1 I1 0 0 1 -9\nF2 I2 0 0 3 -9\n", 2, "sex code")]
    [TestCase("F1 I1 0 0 1 -9\nF2 I2 0 0\n", 2, "fields")]
    public void Plink_fam_errors_name_the_line(string fam, int line, string problem)
    {
        string prefix = Plink(fam, GoodBim);
        Assert.That(Rejects(() => SingleCell.Models.Data.Formats.Plink.Read(prefix), prefix + ".fam", line).Problem, Does.Contain(problem));
    }

    [TestCase("1 rs1 0 100 A C\n1 rs2 0 99999999999999999999 G T\n", 2, "position")]
    [TestCase("1 rs1 0 100 A C\n1 rs2 0 1.5 G T\n", 2, "position")]
    [TestCase("1 rs1 nan 100 A C\n1 rs2 0 200 G T\n", 1, "distance")]
    [TestCase("1 rs1 1e400 100 A C\n1 rs2 0 200 G T\n", 1, "distance")]
    public void Plink_bim_errors_name_the_line(string bim, int line, string problem)
    {
        string prefix = Plink(GoodFam, bim);
        Assert.That(Rejects(() => SingleCell.Models.Data.Formats.Plink.Read(prefix), prefix + ".bim", line).Problem, Does.Contain(problem));
    }

    [Test]
    public void Plink_bed_of_the_wrong_size_is_rejected_before_it_is_read()
    {
        string prefix = Plink(GoodFam, GoodBim);
        File.WriteAllBytes(prefix + ".bed", [0x6C, 0x1B, 1, 0, 0, 0]);
        Assert.That(Rejects(() => SingleCell.Models.Data.Formats.Plink.Read(prefix), prefix + ".bed", 0).Problem, Does.Contain("need 5"));
    }

    [Test]
    public void Damaged_gzip_edge_list_is_an_InvalidDataException_naming_the_file()
    {
        var gz = FormatFuzzTests.Gzip(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"G{i}\tG{i + 1}\t0.{i % 10}\n"))));
        string path = Path.Combine(_dir, "edges.tsv.gz");
        File.WriteAllBytes(path, gz);
        Assert.That(EdgeListReader.Read(path).NodeCount, Is.EqualTo(201));
        File.WriteAllBytes(path, gz[..^5]);
        var e = Assert.Throws<InvalidDataException>(() => EdgeListReader.Read(path))!;
        Assert.That(e.Message, Does.Contain(path));
        File.WriteAllText(path, "A\tB\tnan\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => EdgeListReader.Read(path))!.Message, Does.Contain("line 1").And.Contain("finite"));
    }
}
