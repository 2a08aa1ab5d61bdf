using System.Diagnostics;
using System.Text;
using SingleCell.Models.Data;
using SingleCell.Models.Data.Hdf5;

namespace SingleCell.Models.Tests.Data;

/// <summary>
/// Mutates bytes of the real h5ad files (fixed seed, fixed iteration count) and accepts only a clean
/// read or an <see cref="Hdf5FormatException"/>; each read must finish within a time bound.
/// </summary>
public class Hdf5FuzzTests
{
    private const int Iterations = 120;
    private static readonly TimeSpan PerRead = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PerFile = TimeSpan.FromSeconds(12);

    private static readonly string[] Files =
    [
        "h5ad/anndata0114_all_encodings.h5ad", "h5ad/anndata078_lzf.h5ad",
        "h5ad/kang2018_valid_anndata06.h5ad", "h5ad/pbmc68k_reduced.h5ad", "tenx/filtered_feature_bc_matrix.h5",
    ];

    [TestCaseSource(nameof(Files)), Category("SharedData")]
    public void Mutated_files_parse_or_fail_cleanly(string relative) =>
        Fuzz(relative, File.ReadAllBytes(SharedData.File(relative.Split('/'))), relative.EndsWith(".h5", StringComparison.Ordinal) ? p => TenX.ReadH5(p) : p => AnnData.Read(p));

    /// <summary>The h5py fixtures exercise superblock v3, v2 headers, dense storage and the v4 chunk indexes.</summary>
    [TestCase("latest.h5")]
    [TestCase("earliest.h5")]
    public void Mutated_fixtures_parse_or_fail_cleanly(string name) =>
        Fuzz(name, File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "Data", "Fixtures", name)), ReadEverything);

    private static void ReadEverything(string path)
    {
        using var file = Hdf5File.Open(path);
        var pending = new Stack<Hdf5Object>();
        pending.Push(file.Root);
        int visited = 0;
        while (pending.Count > 0 && visited++ < 10_000)
        {
            var o = pending.Pop();
            foreach (var a in o.Attributes.Values)
                if (a.Type.IsString) o.GetStringArrayAttribute(a.Name);
            if (o is Hdf5Dataset d)
            {
                if (d.Type.IsString) d.ReadStrings();
                else if (d.Type.Class is Hdf5TypeClass.FixedPoint or Hdf5TypeClass.FloatingPoint or Hdf5TypeClass.Enumerated) d.ReadDoubles();
                else d.ReadRaw();
                if (d.Dims.Length > 0 && d.Dims[0] > 2) d.ReadRawRows(1, d.Dims[0] - 2);
            }
            else if (o is Hdf5Group g)
                foreach (var n in g.Names) pending.Push(g.Get(n));
        }
    }

    private static void Fuzz(string relative, byte[] original, Action<string> read)
    {
        var markers = FindMarkers(original);
        var rng = new Random(20260101 + relative.Length);
        string temp = Path.Combine(Path.GetTempPath(), $"scm-fuzz-{Guid.NewGuid():N}.h5");
        var clock = Stopwatch.StartNew();
        int clean = 0, rejected = 0;
        try
        {
            for (int it = 0; it < Iterations && clock.Elapsed < PerFile; it++)
            {
                var bytes = Mutate(original, markers, rng);
                File.WriteAllBytes(temp, bytes);
                var task = Task.Run(() => read(temp));
                try
                {
                    if (!task.Wait(PerRead)) Assert.Fail($"iteration {it}: read did not finish within {PerRead.TotalSeconds} s (hang).");
                    clean++;
                }
                catch (AggregateException e) when (e.InnerException is Hdf5FormatException)
                {
                    rejected++;
                }
                catch (AggregateException e)
                {
                    Assert.Fail($"iteration {it}: {e.InnerException!.GetType().Name}: {e.InnerException.Message}\n{e.InnerException.StackTrace}");
                }
            }
        }
        finally
        {
            File.Delete(temp);
        }
        TestContext.Out.WriteLine($"{relative}: {clean} clean, {rejected} rejected in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.That(clean + rejected, Is.GreaterThan(0));
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
