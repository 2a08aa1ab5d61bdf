using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Tests.Data;

/// <summary>
/// Reads fixtures written by h5py/HDF5 1.10 (Data/Fixtures/make_fixtures.py) with libver
/// "latest" (superblock v3, v2 object headers, v4 chunk indexes) and "earliest" (superblock v0).
/// </summary>
[TestFixture("latest.h5")]
[TestFixture("earliest.h5")]
public class Hdf5FeatureTests
{
    private readonly string _name;
    private Hdf5File _file = null!;

    public Hdf5FeatureTests(string name) => _name = name;

    [OneTimeSetUp]
    public void Open() => _file = Hdf5File.Open(Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "Fixtures", _name));

    [OneTimeTearDown]
    public void Close() => _file.Dispose();

    private Hdf5Dataset Ds(string path) => (Hdf5Dataset)(_file.Get(path) ?? throw new AssertionException($"{path} missing"));

    private static double[] Base(int rows = 1000) => Enumerable.Range(0, rows * 6).Select(i => (double)i).ToArray();

    [TestCase("fixed_array")]
    [TestCase("fletcher")]
    [TestCase("ext_array")]
    [TestCase("btree2")]
    [TestCase("implicit")]
    public void Chunked_layouts_read_fully(string name)
    {
        var d = Ds("/" + name);
        Assert.That(d.Dims, Is.EqualTo(new long[] { 1000, 6 }));
        Assert.That(d.ReadDoubles(), Is.EqualTo(Base()));
    }

    [TestCase("fixed_array")]
    [TestCase("btree2")]
    [TestCase("ext_array")]
    public void Row_ranges_read_only_their_rows(string name)
    {
        var d = Ds("/" + name);
        var raw = d.ReadRawRows(137, 211);
        var values = new double[211 * 6];
        Buffer.BlockCopy(raw, 0, values, 0, raw.Length);
        Assert.That(values, Is.EqualTo(Base().Skip(137 * 6).Take(211 * 6).ToArray()));
    }

    [Test]
    public void Small_layouts_and_types()
    {
        Assert.That(Ds("/implicit_early").ReadDoubles(), Is.EqualTo(Base(10)));
        Assert.That(Ds("/single").ReadDoubles(), Is.EqualTo(Base(7)));
        Assert.That(Ds("/compact").ReadInt64(), Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
        Assert.That(Ds("/big_endian_i2").ReadInt64(), Is.EqualTo(Enumerable.Range(-50, 100).Select(i => (long)i).ToArray()));
        Assert.That(Ds("/u8").ReadInt64(), Is.EqualTo(Enumerable.Range(0, 20).Select(i => i * 3L).ToArray()));
        Assert.That(Ds("/fixed_str").ReadStrings(), Is.EqualTo(new[] { "alpha", "be", "c" }));
        Assert.That(Ds("/vlen_str").ReadStrings(), Is.EqualTo(new[] { "x", "yy", "zzz" }));
        Assert.That(Ds("/bools").Type.IsBoolean, Is.True);
        Assert.That(Ds("/bools").ReadInt64(), Is.EqualTo(new long[] { 1, 0, 1 }));
        Assert.That(Ds("/scalar").ReadDoubles(), Is.EqualTo(new[] { 7.5 }));
        Assert.That(Ds("/null").Space.IsNull || Ds("/null").ElementCount == 0, Is.True);
        var c = Ds("/compound");
        Assert.That(c.Type.Members.Select(m => m.Name), Is.EqualTo(new[] { "i", "f", "s" }));
    }

    [Test]
    public void Dense_links_and_attributes()
    {
        var g = (Hdf5Group)_file.Get("/dense_group")!;
        Assert.That(g.Names, Has.Count.EqualTo(40));
        Assert.That(((Hdf5Dataset)g.Get("d17")).ReadInt64(), Is.EqualTo(new long[] { 17, 18, 19 }));
        Assert.That(g.Attributes, Has.Count.EqualTo(31));
        Assert.That(g.GetIntegerAttribute("a29"), Is.EqualTo(new long[] { 290 }));
        Assert.That(g.GetStringAttribute("text"), Is.EqualTo("dense ünïcode"));
    }
}
