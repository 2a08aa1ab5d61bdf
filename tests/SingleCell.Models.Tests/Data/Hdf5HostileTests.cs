using SingleCell.Models.Data;
using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Tests.Data;

public class Hdf5HostileTests
{
    private string _path = "";

    [SetUp]
    public void SetUp() => _path = Path.Combine(Path.GetTempPath(), $"scm-hostile-{Guid.NewGuid():N}.h5ad");

    [TearDown]
    public void TearDown() => File.Delete(_path);

    [Test]
    public void Not_hdf5_names_the_file()
    {
        File.WriteAllText(_path, "this is not HDF5");
        var e = Assert.Throws<Hdf5FormatException>(() => AnnData.Read(_path))!;
        Assert.That(e.Message, Does.Contain(_path).And.Contain("signature"));
        Assert.That(e, Is.InstanceOf<FormatException>());
    }

    [Test]
    public void Truncated_file_names_file_and_object()
    {
        AnnDataRoundTripTests.Synthetic().Write(_path);
        var bytes = File.ReadAllBytes(_path);
        File.WriteAllBytes(_path, bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());
        var e = Assert.Throws<Hdf5FormatException>(() => AnnData.Read(_path))!;
        Assert.That(e.FilePath, Is.EqualTo(_path));
        Assert.That(e.Message, Does.Contain("end of the file").Or.Contain("truncated").Or.Contain("signature"));
    }

    [Test]
    public void Missing_file_is_FileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => AnnData.Read(_path + ".absent"));
    }

    [Test]
    public void Lzf_and_fletcher_decoders_reject_garbage()
    {
        using var dummy = OpenSynthetic();
        Assert.Throws<Hdf5FormatException>(() => LzfDecoder.Decode([0xE0, 0xFF, 0x00], 16, dummy, "/x"));
        var payload = new byte[] { 1, 2, 3, 4, 5, 0, 0, 0, 0 };
        Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode([new FilterPipeline.Filter(FilterPipeline.Fletcher32, false, [])], 0, payload, 5, 1, dummy, "/x"));
    }

    [Test]
    public void Corrupt_fletcher32_chunk_is_detected()
    {
        // The h5py fixture's /fletcher dataset carries HDF5's checksum (verified by Hdf5FeatureTests);
        // flip one data byte of its first chunk and the read must fail with a checksum error.
        var fixture = Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "Fixtures", "earliest.h5");
        var bytes = File.ReadAllBytes(fixture);
        ulong chunk;
        using (var f = Hdf5File.Open(fixture))
        {
            var d = (Hdf5Dataset)f.Get("/fletcher")!;
            chunk = FirstChunkAddress(d);
        }
        bytes[(int)chunk + 100] ^= 0x40;
        File.WriteAllBytes(_path, bytes);
        using var g = Hdf5File.Open(_path);
        var e = Assert.Throws<Hdf5FormatException>(() => ((Hdf5Dataset)g.Get("/fletcher")!).ReadDoubles())!;
        Assert.That(e.Message, Does.Contain("fletcher32").And.Contain("/fletcher"));
    }

    private static ulong FirstChunkAddress(Hdf5Dataset d)
    {
        ulong first = ulong.MaxValue;
        var layout = d.Messages.First(m => m.Type == ObjectHeader.Layout).Body;
        // Layout v3 chunked: version, class, dimensionality, B-tree address.
        ulong btree = BitConverter.ToUInt64(layout, 3);
        ChunkIndexes.WalkBTree(d, btree, d.Dims.Length, c => { if (c.Offsets[0] == 0) first = c.Address; });
        return first;
    }

    private Hdf5File OpenSynthetic()
    {
        AnnDataRoundTripTests.Synthetic().Write(_path);
        return Hdf5File.Open(_path);
    }
}
