using SingleCell.Models.Data;

namespace SingleCell.Models.Tests.Data;

/// <summary>Files beyond 2 GiB: too slow and too large (about 7 GB of memory) for the default suite, so run on request only.</summary>
public class LargeFileTests
{
    [Test]
    public void A_write_that_fails_midway_leaves_the_old_file_and_no_temporary_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"scm-atomic-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "a.h5ad");
            AnnDataRoundTripTests.Synthetic().Write(path);
            var before = File.ReadAllBytes(path);
            var bad = AnnDataRoundTripTests.Synthetic(rows: 12);
            bad.Uns[new string('k', 70_000)] = 1L; // a link name too long for one header message: fails inside the HDF5 writer
            Assert.Throws<InvalidOperationException>(() => bad.Write(path));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
            Assert.That(Directory.GetFiles(dir), Is.EqualTo(new[] { path }));
            Assert.That(AnnData.Read(path).NObs, Is.EqualTo(40));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test, Explicit("Writes and reads a 2.4 GB .h5ad (about 7 GB of memory, a minute or more)."), Category("Large")]
    public void H5ad_above_2_GiB_is_written_and_read_back()
    {
        // 300,000 cells × 1,000 genes, every entry stored: 300 M indices and values, each array 1.2 GB.
        const int rows = 300_000, cols = 1000;
        long nnz = (long)rows * cols;
        var indPtr = new int[rows + 1];
        var indices = new int[nnz];
        var values = new float[nnz];
        var rng = new Random(11);
        for (int r = 0; r < rows; r++)
        {
            indPtr[r + 1] = (int)((r + 1L) * cols);
            for (int c = 0; c < cols; c++)
            {
                long k = (long)r * cols + c;
                indices[k] = c;
                values[k] = rng.Next(1, 1 << 20);
            }
        }
        var x = new CellMatrix(rows, cols, indPtr, indices, values);
        var a = new AnnData(x, Enumerable.Range(0, rows).Select(i => $"c{i}").ToArray(), Enumerable.Range(0, cols).Select(i => $"g{i}").ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"scm-large-{Guid.NewGuid():N}.h5ad");
        try
        {
            a.Write(path);
            Assert.That(new FileInfo(path).Length, Is.GreaterThan(2L << 30));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".tmp-*"), Is.Empty, "the temporary file was renamed");
            var back = AnnData.Read(path);
            Assert.That(back.X!.NonZeroCount, Is.EqualTo(nnz));
            Assert.That(back.X.Values.AsSpan().SequenceEqual(values), Is.True);
            Assert.That(back.X.Indices.AsSpan().SequenceEqual(indices), Is.True);
            Assert.That(back.ObsNames[^1], Is.EqualTo($"c{rows - 1}"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
