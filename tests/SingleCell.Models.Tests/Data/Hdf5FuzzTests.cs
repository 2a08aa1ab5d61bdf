using System.Diagnostics;
using System.Text;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Tests.Data;

/// <summary>
/// Mutates bytes of the real h5ad files (fixed seed, fixed iteration count) and accepts only a clean
/// read or an <see cref="Hdf5FormatException"/>; each read must finish within a time bound and stay
/// within a memory bound (see <see cref="FuzzHarness"/>). Mutations confined to deflate or fletcher32
/// chunks must never read cleanly as different data.
/// </summary>
public class Hdf5FuzzTests
{
    private const int Iterations = 120;
    private const int ChunkIterations = 80;

    /// <summary>No read may allocate more than this floor plus 64 bytes per file byte.</summary>
    private const long MemoryFloor = 96L << 20;

    private static readonly string[] Files =
    [
        "h5ad/anndata0114_all_encodings.h5ad", "h5ad/anndata078_lzf.h5ad",
        "h5ad/kang2018_valid_anndata06.h5ad", "h5ad/pbmc68k_reduced.h5ad", "tenx/filtered_feature_bc_matrix.h5",
        "perturbation/norman2019_mcfaline2023_devel.h5ad",
    ];

    /// <summary>The files whose datasets are deflate-compressed (checksummed by zlib's Adler-32).</summary>
    private static readonly string[] DeflateFiles =
    [
        "perturbation/norman2019_mcfaline2023_devel.h5ad", "tenx/filtered_feature_bc_matrix.h5", "h5ad/anndata0114_all_encodings.h5ad",
    ];

    [TestCaseSource(nameof(Files)), Category("SharedData")]
    public void Mutated_files_parse_or_fail_cleanly(string relative)
    {
        var original = File.ReadAllBytes(SharedData.File(relative.Split('/')));
        Func<string, string> read = relative.EndsWith(".h5", StringComparison.Ordinal) ? p => Digest(TenX.ReadH5(p)) : p => Digest(AnnData.Read(p));
        Fuzz(relative, original, read, Mutate);
    }

    /// <summary>The h5py fixtures exercise superblock v3, v2 headers, dense storage and the v4 chunk indexes.</summary>
    [TestCase("latest.h5")]
    [TestCase("earliest.h5")]
    public void Mutated_fixtures_parse_or_fail_cleanly(string name) =>
        Fuzz(name, File.ReadAllBytes(FixturePath(name)), ReadEverything, Mutate);

    /// <summary>
    /// Bit flips, zeroed ranges, large words and eight random bytes written inside deflate or fletcher32
    /// chunks (the reproducer): every read is rejected or returns exactly the original data.
    /// </summary>
    [TestCaseSource(nameof(DeflateFiles)), Category("SharedData")]
    public void Damaged_checksummed_chunks_never_read_as_different_data(string relative) =>
        FuzzChunks(relative, File.ReadAllBytes(SharedData.File(relative.Split('/'))));

    [TestCase("latest.h5")]
    [TestCase("earliest.h5")]
    public void Damaged_checksummed_fixture_chunks_never_read_as_different_data(string name) =>
        FuzzChunks(name, File.ReadAllBytes(FixturePath(name)));

    private static string FixturePath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "Fixtures", name);

    private static void FuzzChunks(string label, byte[] original)
    {
        string temp = Path.Combine(Path.GetTempPath(), $"scm-fuzz-{Guid.NewGuid():N}.h5");
        try
        {
            File.WriteAllBytes(temp, original);
            var ranges = ChecksummedChunks(temp);
            Assert.That(ranges, Is.Not.Empty, $"{label} has no deflate or fletcher32 chunks");
            string truth = ReadEverything(temp);
            var counts = FuzzHarness.Run(label + " (checksummed chunks)", ChunkIterations, 20260202 + label.Length, (_, rng) =>
            {
                var (from, to) = ranges[rng.Next(ranges.Count)];
                File.WriteAllBytes(temp, FuzzHarness.MutateBytes(original, rng, from, to));
            }, () => ReadEverything(temp), e => e is Hdf5FormatException, truth, _ => true, MemoryFloor + 64L * original.Length);
            Assert.That(counts.Rejected, Is.GreaterThan(0));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>File byte ranges of the stored chunks whose datasets have a deflate or fletcher32 filter.</summary>
    private static List<(int From, int To)> ChecksummedChunks(string path)
    {
        var ranges = new List<(int, int)>();
        using var file = Hdf5File.Open(path);
        Walk(file, o =>
        {
            if (o is not Hdf5Dataset d) return;
            for (int i = 0; i < d.Filters.Count; i++)
            {
                if (d.Filters[i].Id is not (FilterPipeline.Deflate or FilterPipeline.Fletcher32)) continue;
                foreach (var c in d.StoredChunks())
                    if ((c.Mask & (1u << i)) == 0 && c.Size > 0) ranges.Add(((int)c.Address, (int)(c.Address + (ulong)c.Size)));
                return;
            }
        });
        return ranges;
    }

    private static void Walk(Hdf5File file, Action<Hdf5Object> visit)
    {
        var pending = new Stack<Hdf5Object>();
        pending.Push(file.Root);
        int visited = 0;
        while (pending.Count > 0 && visited++ < 10_000)
        {
            var o = pending.Pop();
            visit(o);
            if (o is Hdf5Group g)
                foreach (var n in g.Names) pending.Push(g.Get(n));
        }
    }

    /// <summary>Reads every attribute and dataset; returns a fingerprint of all the decoded data.</summary>
    private static string ReadEverything(string path)
    {
        using var file = Hdf5File.Open(path);
        var fp = new FuzzHarness.Fingerprint();
        Walk(file, o =>
        {
            fp.Add([o.Path]);
            foreach (var a in o.Attributes.Values)
                if (a.Type.IsString) fp.Add(o.GetStringArrayAttribute(a.Name));
            if (o is Hdf5Dataset d)
            {
                if (d.Type.IsString) fp.Add(d.ReadStrings());
                else if (d.Type.Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint or Hdf5TypeClass.Enumerated) fp.Add(d.ReadDoubles());
                else fp.Add(d.ReadRaw());
                if (d.Dims.Length > 0 && d.Dims[0] > 2) fp.Add(d.ReadRawRows(1, d.Dims[0] - 2));
            }
        });
        return fp.ToString();
    }

    internal static string Digest(AnnData a)
    {
        var fp = new FuzzHarness.Fingerprint().Add([a.NObs, a.NVars]).Add(a.ObsNames).Add(a.VarNames);
        if (a.X is { } x) fp.Add(x.IndPtr).Add(x.Indices).Add(x.Values);
        foreach (var c in a.Obs.Columns) fp.Add(Enumerable.Range(0, c.Length).Select(c.GetString));
        return fp.ToString();
    }

    private static void Fuzz(string relative, byte[] original, Func<string, string> read, Func<byte[], List<int>, Random, byte[]> mutate)
    {
        var markers = FindMarkers(original);
        string temp = Path.Combine(Path.GetTempPath(), $"scm-fuzz-{Guid.NewGuid():N}.h5");
        try
        {
            File.WriteAllBytes(temp, original);
            string truth = read(temp);
            FuzzHarness.Run(relative, Iterations, 20260101 + relative.Length, (_, rng) => File.WriteAllBytes(temp, mutate(original, markers, rng)),
                () => read(temp), e => e is Hdf5FormatException, truth, _ => false, MemoryFloor + 64L * original.Length);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static List<int> FindMarkers(byte[] data)
    {
        var markers = new List<int> { 0 };
        foreach (var sig in new[] { "TREE", "HEAP", "SNOD", "GCOL", "OHDR", "OCHK", "FRHP", "FHDB", "FHIB", "BTHD", "BTIN", "BTLF", "FAHD", "FADB", "EAHD", "EAIB", "EADB", "EASB" })
        {
            var s = Encoding.ASCII.GetBytes(sig);
            for (int i = data.AsSpan().IndexOf(s); i >= 0;)
            {
                markers.Add(i);
                int next = data.AsSpan(i + 1).IndexOf(s);
                i = next < 0 ? -1 : i + 1 + next;
            }
        }
        return markers;
    }

    private static byte[] Mutate(byte[] original, List<int> markers, Random rng)
    {
        int kind = rng.Next(10);
        if (kind == 0) return original.AsSpan(0, rng.Next(1, original.Length)).ToArray(); // truncation
        var bytes = (byte[])original.Clone();
        int edits = rng.Next(1, 9);
        for (int e = 0; e < edits; e++)
        {
            int pos = kind < 7
                ? Math.Min(bytes.Length - 1, markers[rng.Next(markers.Count)] + rng.Next(0, 96)) // metadata: near a signature
                : rng.Next(bytes.Length);
            bytes[pos] = rng.Next(4) switch
            {
                0 => 0xff,
                1 => 0,
                2 => (byte)(bytes[pos] ^ (1 << rng.Next(8))),
                _ => (byte)rng.Next(256),
            };
        }
        return bytes;
    }
}
