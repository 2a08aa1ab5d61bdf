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

    [Test, Category("SharedData")]
    public void Eight_bytes_overwritten_in_a_deflate_chunk_of_norman_are_rejected()
    {
        // The reproducer: this used to read as 210,731 non-zeros with a NaN sum (the file has 211,790).
        var source = SharedData.File("perturbation", "norman2019_mcfaline2023_devel.h5ad");
        Assert.That(AnnData.Read(source).X!.NonZeroCount, Is.EqualTo(211_790));
        var bytes = File.ReadAllBytes(source);
        ChunkEntry chunk;
        using (var f = Hdf5File.Open(source))
        {
            var data = (Hdf5Dataset)f.Get("/X/data")!;
            Assert.That(data.Filters.Select(x => x.Id), Does.Contain(FilterPipeline.Deflate));
            chunk = data.StoredChunks().OrderBy(c => c.Address).First();
        }
        int at = (int)chunk.Address + (int)chunk.Size / 2;
        new byte[] { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67 }.CopyTo(bytes, at);
        File.WriteAllBytes(_path, bytes);
        var e = Assert.Throws<Hdf5FormatException>(() => AnnData.Read(_path))!;
        Assert.That(e.FilePath, Is.EqualTo(_path));
        Assert.That(e.ObjectPath, Is.EqualTo("/X/data"));
        Assert.That(e.Problem, Does.Contain("deflate").Or.Contain("Adler-32"));
    }

    [Test]
    public void Deflate_chunks_are_decoded_to_their_end_and_checked()
    {
        using var dummy = OpenSynthetic();
        var data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7 % 13)).ToArray();
        var ms = new MemoryStream();
        using (var z = new System.IO.Compression.ZLibStream(ms, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        var zlib = ms.ToArray();
        FilterPipeline.Filter[] deflate = [new(FilterPipeline.Deflate, false, [])];
        Assert.That(FilterPipeline.Decode(deflate, 0, zlib, 1000, 1, dummy, "/x"), Is.EqualTo(data));
        var badAdler = (byte[])zlib.Clone();
        badAdler[^1] ^= 1;
        Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode(deflate, 0, badAdler, 1000, 1, dummy, "/x"));
        // A stream cut before its end (the old inflater stopped at the expected length and never noticed).
        Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode(deflate, 0, zlib[..^6], 1000, 1, dummy, "/x"));
        Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode(deflate, 0, zlib, 999, 1, dummy, "/x"));
        Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode(deflate, 0, zlib, 1001, 1, dummy, "/x"));
        // A 20-byte chunk cannot inflate to 100 MB: rejected before anything that size is allocated.
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<Hdf5FormatException>(() => FilterPipeline.Decode(deflate, 0, zlib[..20], 100_000_000, 1, dummy, "/x"))!;
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1 << 20));
        Assert.That(e.Problem, Does.Contain("cannot decode"));
        // LZF carries no checksum, but a chunk that decodes to another length than its layout implies is an error.
        Assert.Throws<Hdf5FormatException>(() => LzfDecoder.Decode([2, 1, 2, 3], 4, dummy, "/x"));
        Assert.That(LzfDecoder.Decode([2, 1, 2, 3], 3, dummy, "/x"), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Unwritten_datasets_are_bounded_in_total_per_file()
    {
        // Three uns arrays whose storage is "not allocated" (read as zeros) and whose declared sizes each
        // fit the per-dataset limit: two fit the per-file allowance for unwritten data, the third does not.
        var a = AnnDataRoundTripTests.Synthetic();
        a.Uns["u1"] = new double[1237];
        a.Uns["u2"] = new double[1238];
        a.Uns["u3"] = new double[1239];
        a.Write(_path);
        var bytes = File.ReadAllBytes(_path);
        long allowance = Hdf5File.BudgetFloor / 4 + bytes.Length;
        long declared = allowance * 2 / 5 / 8; // each array declares 40 % of the allowance
        Unallocate(bytes, 1237, declared);
        File.WriteAllBytes(_path, bytes);
        var one = AnnData.Read(_path);
        Assert.That((double[])one.Uns["u1"]!, Has.Length.EqualTo(declared).And.All.EqualTo(0.0));
        Unallocate(bytes, 1238, declared);
        Unallocate(bytes, 1239, declared);
        File.WriteAllBytes(_path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<Hdf5FormatException>(() => AnnData.Read(_path))!;
        Assert.That(e.Problem, Does.Contain("does not store"));
        Assert.That(e.ObjectPath, Does.StartWith("/uns/u"));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(allowance * 2));
    }

    /// <summary>Rewrites the one-dimensional dataset of <paramref name="length"/> elements to declare <paramref name="declared"/> with no storage.</summary>
    private static void Unallocate(byte[] bytes, long length, long declared)
    {
        byte[] space = [1, 1, 0, 0, 0, 0, 0, 0, .. BitConverter.GetBytes(length)];
        int at = bytes.AsSpan().IndexOf(space);
        Assert.That(at, Is.GreaterThan(0), $"dataspace of {length} elements");
        Assert.That(bytes.AsSpan(at + 1).IndexOf(space), Is.LessThan(0), "dataspace is unique");
        BitConverter.GetBytes(declared).CopyTo(bytes, at + 8);
        // The chunked layout message (version 3, class 2, rank + 1 = 2) follows: its B-tree address becomes undefined.
        int layout = at + bytes.AsSpan(at).IndexOf(new byte[] { 3, 2, 2 });
        Assert.That(layout, Is.GreaterThan(at));
        bytes.AsSpan(layout + 3, 8).Fill(0xff);
    }

    [Test, Category("SharedData")]
    public void Damaged_tenx_feature_column_is_an_Hdf5FormatException()
    {
        // The reproducer: XOR byte 16454 with 0x20 gave an ArgumentException from the data frame.
        var bytes = File.ReadAllBytes(SharedData.File("tenx", "filtered_feature_bc_matrix.h5"));
        bytes[16454] ^= 0x20;
        File.WriteAllBytes(_path, bytes);
        var e = Assert.Throws<Hdf5FormatException>(() => TenX.ReadH5(_path))!;
        Assert.That(e.FilePath, Is.EqualTo(_path));
        Assert.That(e.ObjectPath, Does.StartWith("/matrix"));
    }

    [Test]
    public void Indices_stored_as_floats_must_be_whole_numbers()
    {
        var root = new WriteGroup();
        root.Dataset("whole", new[] { 0.0, 3.0, -2.0 });
        root.Dataset("fraction", new[] { 0.0, 1.5 });
        root.Dataset("nan", new[] { double.NaN });
        Hdf5Writer.Write(_path, root);
        using var f = Hdf5File.Open(_path);
        Assert.That(((Hdf5Dataset)f.Get("/whole")!).ReadInt64(), Is.EqualTo(new long[] { 0, 3, -2 }));
        Assert.That(Assert.Throws<Hdf5FormatException>(() => ((Hdf5Dataset)f.Get("/fraction")!).ReadInt64())!.Problem, Does.Contain("1.5").And.Contain("not an integer"));
        Assert.Throws<Hdf5FormatException>(() => ((Hdf5Dataset)f.Get("/nan")!).ReadInt64());
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
